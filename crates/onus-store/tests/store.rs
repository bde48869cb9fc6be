//! Every storage behaviour, on SQLite and on PostgreSQL alike.

use onus_store::testing::fresh_stores;
use onus_store::{Audit, Duty, Published, Store, StoreError, SyncPlan, Tenant, TenantData, User};

#[tokio::test(flavor = "multi_thread")]
async fn migrations_run_again_without_harm() {
    for (backend, store) in fresh_stores().await {
        // A second start over the same database finds the schema up to date.
        store.migrate_again_for_test().await;
        assert_eq!(store.user_count().await.unwrap(), 0, "{backend}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn setup_creates_the_first_platform_admin_once() {
    for (backend, store) in fresh_stores().await {
        store.create_setup_token("tok", 3600).await.unwrap();
        store.create_setup_token("expired", -1).await.unwrap();
        assert!(store.setup_token_valid("tok").await.unwrap(), "{backend}");
        assert!(
            !store.setup_token_valid("expired").await.unwrap(),
            "{backend}"
        );
        assert!(!store.setup_token_valid("nope").await.unwrap(), "{backend}");
        assert!(store
            .complete_setup("expired", "a@x.io", "A", "h", &Audit::default())
            .await
            .unwrap()
            .is_none());
        let admin = store
            .complete_setup("tok", "Admin@X.io", "Admin", "hash", &Audit::default())
            .await
            .unwrap()
            .expect("the token is valid once");
        assert!(admin.is_platform_admin(), "{backend}");
        assert_eq!(admin.email, "admin@x.io");
        assert!(
            store
                .complete_setup("tok", "b@x.io", "B", "h", &Audit::default())
                .await
                .unwrap()
                .is_none(),
            "{backend}: single use"
        );
        let (found, hash) = store.local_login("ADMIN@x.io").await.unwrap().unwrap();
        assert_eq!(
            (found.id.as_str(), hash.as_str()),
            (admin.id.as_str(), "hash")
        );
        assert!(matches!(
            store
                .create_user("admin@x.io", "Again", None, "h", None, &Audit::default())
                .await,
            Err(StoreError::Conflict(_))
        ));
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn sessions_expire_idle_and_absolute_and_end_everywhere() {
    for (backend, store) in fresh_stores().await {
        let user = store
            .create_user("u@x.io", "U", None, "h", None, &Audit::default())
            .await
            .unwrap();
        store
            .create_session("s1", &user.id, "c1", false)
            .await
            .unwrap();
        store
            .create_session("s2", &user.id, "c2", true)
            .await
            .unwrap();
        let s = store.session("s1", 60, 600).await.unwrap().expect("valid");
        assert_eq!(
            (s.user.id.as_str(), s.csrf.as_str(), s.mfa_pending),
            (user.id.as_str(), "c1", false),
            "{backend}"
        );
        assert!(
            store
                .session("s2", 60, 600)
                .await
                .unwrap()
                .unwrap()
                .mfa_pending
        );
        store.complete_mfa(&onus_store::hash("s2")).await.unwrap();
        assert!(
            !store
                .session("s2", 60, 600)
                .await
                .unwrap()
                .unwrap()
                .mfa_pending
        );
        // An absolute timeout of -1 s: every session is too old, and is deleted.
        assert!(
            store.session("s1", 60, -1).await.unwrap().is_none(),
            "{backend}"
        );
        assert!(
            store.session("s1", 60, 600).await.unwrap().is_none(),
            "{backend}: deleted"
        );
        assert!(
            store.session("s2", -1, 600).await.unwrap().is_none(),
            "{backend}: idle"
        );
        store
            .create_session("s3", &user.id, "c", false)
            .await
            .unwrap();
        store
            .create_session("s4", &user.id, "c", false)
            .await
            .unwrap();
        assert_eq!(
            store
                .end_all_sessions(&user.id, &Audit::default())
                .await
                .unwrap(),
            2,
            "{backend}"
        );
        assert!(store.session("s4", 60, 600).await.unwrap().is_none());
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn failed_logins_are_counted_per_account_and_address() {
    for (backend, store) in fresh_stores().await {
        for _ in 0..3 {
            store
                .begin_login_attempt("A@x.io", "10.0.0.1")
                .await
                .unwrap();
        }
        store
            .begin_login_attempt("b@x.io", "10.0.0.1")
            .await
            .unwrap();
        let ((account, _), (address, _)) = store
            .recent_failures("a@x.io", "10.0.0.1", 0)
            .await
            .unwrap();
        assert_eq!((account, address), (3, 4), "{backend}");
        // A refused attempt does not count; a success ends the account's
        // count (not the address's).
        let refused = store
            .begin_login_attempt("a@x.io", "10.0.0.1")
            .await
            .unwrap();
        store.forget_login_attempt(&refused).await.unwrap();
        let ((account, _), _) = store
            .recent_failures("a@x.io", "10.0.0.1", 0)
            .await
            .unwrap();
        assert_eq!(account, 3, "{backend}");
        let good = store
            .begin_login_attempt("a@x.io", "10.0.0.1")
            .await
            .unwrap();
        store.login_succeeded(&good).await.unwrap();
        let ((account, _), (address, _)) = store
            .recent_failures("a@x.io", "10.0.0.1", 0)
            .await
            .unwrap();
        assert_eq!((account, address), (0, 4), "{backend}");
        let ((other, _), _) = store
            .recent_failures("c@x.io", "10.0.0.2", 0)
            .await
            .unwrap();
        assert_eq!(other, 0, "{backend}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn recovery_codes_work_once() {
    for (backend, store) in fresh_stores().await {
        let user = store
            .create_user("u@x.io", "U", None, "h", None, &Audit::default())
            .await
            .unwrap();
        store.set_totp_secret(&user.id, "SECRET").await.unwrap();
        store
            .enable_mfa(&user.id, &["one".into(), "two".into()], &Audit::default())
            .await
            .unwrap();
        let user = store.user(&user.id).await.unwrap().unwrap();
        assert!(
            user.mfa_enabled && user.totp_secret.as_deref() == Some("SECRET"),
            "{backend}"
        );
        assert!(store.use_recovery_code(&user.id, "one").await.unwrap());
        assert!(
            !store.use_recovery_code(&user.id, "one").await.unwrap(),
            "{backend}: single use"
        );
        assert!(!store.use_recovery_code(&user.id, "three").await.unwrap());
        assert_eq!(store.recovery_codes_left(&user.id).await.unwrap(), 1);
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn invites_are_single_use_and_expire() {
    for (backend, store) in fresh_stores().await {
        let tenant = store
            .create_tenant("Acme", "codat", "platform", None, &Audit::default())
            .await
            .unwrap();
        assert_eq!(tenant.id.len(), 32);
        store
            .create_invite(
                "inv",
                &tenant.id,
                "Boss@acme.io",
                "tenant-admin",
                3600,
                &Audit::default(),
            )
            .await
            .unwrap();
        store
            .create_invite(
                "old",
                &tenant.id,
                "x@acme.io",
                "tenant-admin",
                -1,
                &Audit::default(),
            )
            .await
            .unwrap();
        assert!(store.invite("old").await.unwrap().is_none(), "{backend}");
        let invite = store.invite("inv").await.unwrap().unwrap();
        assert_eq!(
            (invite.email.as_str(), invite.role.as_str()),
            ("boss@acme.io", "tenant-admin")
        );
        let (user, t) = store
            .accept_invite("inv", "Boss", "h", &Audit::default())
            .await
            .unwrap()
            .unwrap();
        assert_eq!(t.id, tenant.id);
        assert!(
            store
                .accept_invite("inv", "Boss", "h", &Audit::default())
                .await
                .unwrap()
                .is_none(),
            "{backend}"
        );
        let (_, role) = store
            .membership(&tenant.id, &user.id)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(role, "tenant-admin");
        let other = store
            .create_tenant("Other", "codat", "platform", None, &Audit::default())
            .await
            .unwrap();
        assert!(
            store
                .membership(&other.id, &user.id)
                .await
                .unwrap()
                .is_none(),
            "{backend}"
        );
        assert_eq!(
            store.tenant_data(&tenant.id).members().await.unwrap().len(),
            1
        );
        assert!(!store.under_nda(&user.id, "codat").await.unwrap());
        store
            .record_nda(&tenant.id, &Audit::default())
            .await
            .unwrap();
        assert!(
            store.under_nda(&user.id, "codat").await.unwrap(),
            "{backend}"
        );
        assert!(!store.under_nda(&user.id, "aws").await.unwrap());
        store
            .set_require_mfa(&tenant.id, true, &Audit::default())
            .await
            .unwrap();
        assert!(store.tenant(&tenant.id).await.unwrap().unwrap().require_mfa);
        assert_eq!(store.tenants().await.unwrap().len(), 2);
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn publishing_numbers_versions_and_skips_unchanged_content() {
    for (backend, store) in fresh_stores().await {
        let files = vec![("m.onus.yaml".to_string(), "one".to_string())];
        assert_eq!(
            store
                .publish("m", "M", "m.onus.yaml", &files, "h1")
                .await
                .unwrap(),
            Published::New(1),
            "{backend}"
        );
        assert_eq!(
            store
                .publish("m", "M", "m.onus.yaml", &files, "h1")
                .await
                .unwrap(),
            Published::Unchanged(1)
        );
        let two = vec![("m.onus.yaml".to_string(), "two".to_string())];
        assert_eq!(
            store
                .publish("m", "M", "m.onus.yaml", &two, "h2")
                .await
                .unwrap(),
            Published::New(2)
        );
        assert_eq!(
            store.model_version("m", None).await.unwrap().unwrap().files,
            two,
            "{backend}"
        );
        // Each new version, and only those, in the platform's chain.
        let published: Vec<(String, String)> = store
            .audit_chain("platform")
            .await
            .unwrap()
            .into_iter()
            .filter(|e| e.action == "model-published")
            .map(|e| (e.target, e.details))
            .collect();
        assert_eq!(
            published,
            [("m v1".into(), "h1".into()), ("m v2".into(), "h2".into())],
            "{backend}"
        );
        assert_eq!(
            store
                .model_version("m", Some(1))
                .await
                .unwrap()
                .unwrap()
                .files,
            files
        );
        assert!(store.model_version("m", Some(3)).await.unwrap().is_none());
        assert_eq!(
            store
                .versions("m")
                .await
                .unwrap()
                .iter()
                .map(|v| v.version)
                .collect::<Vec<_>>(),
            [2, 1]
        );
        store.publish("a", "A", "a", &files, "h").await.unwrap();
        let latest = store.latest_versions().await.unwrap();
        assert_eq!(
            latest
                .iter()
                .map(|v| (v.model.as_str(), v.version))
                .collect::<Vec<_>>(),
            [("a", 1), ("m", 2)],
            "{backend}"
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn audit_entries_are_kept() {
    for (backend, store) in fresh_stores().await {
        store
            .audit(Some("u1"), None, "publish", "codat v1", "")
            .await
            .unwrap();
        let entries = store.audit_entries(10).await.unwrap();
        assert_eq!(entries.len(), 1, "{backend}");
        assert_eq!(entries[0].2, "publish");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_missing_database_server_is_a_clear_error() {
    let err = Store::open("postgres://nobody:pw@127.0.0.1:1/none")
        .await
        .unwrap_err();
    let text = err.to_string();
    assert!(
        text.starts_with("cannot open the database postgres://nobody:***@127.0.0.1:1/none"),
        "{text}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn api_tokens_are_hashed_revocable_and_track_use() {
    for (backend, store) in fresh_stores().await {
        let user = store
            .create_user("u@x.io", "U", None, "h", None, &Audit::default())
            .await
            .unwrap();
        let id = store
            .create_api_token(
                "secret-token",
                &user.id,
                None,
                "ci",
                "read",
                i64::MAX,
                &Audit::default(),
            )
            .await
            .unwrap();
        let grant = store
            .api_token("secret-token")
            .await
            .unwrap()
            .expect("valid");
        assert_eq!(
            (
                grant.id.as_str(),
                grant.scope.as_str(),
                grant.user.id.as_str()
            ),
            (id.as_str(), "read", user.id.as_str()),
            "{backend}"
        );
        assert!(store.api_token("other").await.unwrap().is_none());
        assert!(
            !store
                .revoke_api_token(&id, "someone-else", &Audit::default())
                .await
                .unwrap(),
            "{backend}"
        );
        let listed = store.api_tokens(&user.id).await.unwrap();
        assert_eq!(listed.len(), 1, "{backend}");
        let first = listed[0].last_used_at.expect("use is tracked");
        // Within a minute a use writes nothing (no write per request);
        // after one, the time moves.
        store
            .exec_for_test(&format!(
                "UPDATE api_tokens SET last_used_at = {} WHERE id = '{id}'",
                first - 30
            ))
            .await;
        store
            .api_token("secret-token")
            .await
            .unwrap()
            .expect("valid");
        let listed = store.api_tokens(&user.id).await.unwrap();
        assert_eq!(listed[0].last_used_at, Some(first - 30), "{backend}");
        store
            .exec_for_test(&format!(
                "UPDATE api_tokens SET last_used_at = {} WHERE id = '{id}'",
                first - 61
            ))
            .await;
        store
            .api_token("secret-token")
            .await
            .unwrap()
            .expect("valid");
        let listed = store.api_tokens(&user.id).await.unwrap();
        assert!(
            listed[0].last_used_at.is_some_and(|t| t >= first),
            "{backend}: {:?}",
            listed[0].last_used_at
        );
        assert!(listed[0].revoked_at.is_none(), "{backend}");
        assert!(store
            .revoke_api_token(&id, &user.id, &Audit::default())
            .await
            .unwrap());
        assert!(
            store.api_token("secret-token").await.unwrap().is_none(),
            "{backend}: revoked at once"
        );
        let listed = store.api_tokens(&user.id).await.unwrap();
        assert!(
            listed[0].revoked_at.is_some(),
            "{backend}: listed as revoked"
        );
        assert!(
            store.api_tokens("someone-else").await.unwrap().is_empty(),
            "{backend}: only the owner's tokens"
        );
    }
}

/// Many people editing different items at once (and the audit appends
/// that go with it): every write lands. On SQLite a write transaction
/// that read first used to fail at once with "database is locked" when
/// another writer committed meanwhile.
#[tokio::test(flavor = "multi_thread")]
async fn concurrent_writes_to_different_items_all_land() {
    for (backend, store) in fresh_stores().await {
        let (tenant, user, data) = tenant_and_user(&store).await;
        let plan = SyncPlan {
            duties: (0..40)
                .map(|n| Duty {
                    duty_id: format!("duty-{n}"),
                    offering: "o".into(),
                    area: "a".into(),
                    area_name: "A".into(),
                    area_group: String::new(),
                    party: "customer".into(),
                    scope: None,
                    duty: format!("Duty {n}"),
                })
                .collect(),
            ..SyncPlan::default()
        };
        data.sync(None, 1, &plan, |_| None).await.unwrap().unwrap();
        let mut set = tokio::task::JoinSet::new();
        for item in data.items().await.unwrap() {
            let (data, user) = (data.clone(), user.id.clone());
            set.spawn(async move {
                let mut next = item.record();
                next.status = "in-progress".into();
                next.notes = format!("edited {}", item.id);
                data.update_item(&item.id, item.revision, &next, &user, "status")
                    .await
                    .map(|_| ())
                    .map_err(|e| e.to_string())
            });
        }
        let mut failed = Vec::new();
        while let Some(done) = set.join_next().await {
            if let Err(e) = done.unwrap() {
                failed.push(e);
            }
        }
        assert!(failed.is_empty(), "{backend}: {failed:?}");
        let items = data.items().await.unwrap();
        assert!(
            items
                .iter()
                .all(|i| i.status == "in-progress" && i.revision == 2),
            "{backend}"
        );
        assert_eq!(
            data.history_counts().await.unwrap().values().sum::<i64>(),
            80,
            "{backend}"
        );
        let verified = store.verify_audit(Some(&tenant.id)).await.unwrap();
        assert!(verified.broken.is_empty(), "{backend}");
        // The tenant's creation, then one entry per edit.
        assert_eq!(verified.chains, vec![(tenant.id.clone(), 41)], "{backend}");
    }
}

/// The checklist read whole (one JSON value built by the database) gives
/// exactly the items read one by one (a row each), in the model's order
/// with archived items last, whatever the text holds.
#[tokio::test(flavor = "multi_thread")]
async fn items_read_whole_equal_items_read_one_by_one() {
    for (backend, store) in fresh_stores().await {
        let (_, user, data) = tenant_and_user(&store).await;
        assert!(data.items().await.unwrap().is_empty(), "{backend}");
        let hostile = "quote \" back\\slash \u{1} tab\t line\nfeed \u{202e}bidi é 🎉 <script>";
        let duty = |n: usize| Duty {
            duty_id: format!("duty-{n}"),
            offering: "o".into(),
            area: format!("a{}", n % 3),
            area_name: format!("Area {hostile}"),
            area_group: if n.is_multiple_of(2) {
                String::new()
            } else {
                "G".into()
            },
            party: "customer".into(),
            scope: n.is_multiple_of(2).then(|| format!("scope {n}")),
            duty: format!("Duty {n} {hostile}"),
        };
        let plan = SyncPlan {
            duties: (0..6).map(duty).collect(),
            ..SyncPlan::default()
        };
        data.sync(None, 1, &plan, |_| None).await.unwrap().unwrap();
        let first = data.items().await.unwrap()[0].clone();
        let mut next = first.record();
        next.status = "risk-accepted".into();
        next.notes = hostile.into();
        next.owner_id = Some(user.id.clone());
        next.approved_by = Some(user.id.clone());
        next.due_at = Some(-86_400);
        next.risk_expires_at = Some(i64::from(i32::MAX) * 4);
        data.update_item(&first.id, first.revision, &next, &user.id, "status")
            .await
            .unwrap();
        // Version 2 drops duties 1 and 4: archived, listed last.
        let plan = SyncPlan {
            duties: [0, 2, 3, 5].into_iter().map(duty).collect(),
            ..SyncPlan::default()
        };
        data.sync(Some(1), 2, &plan, |_| None)
            .await
            .unwrap()
            .unwrap();
        let whole = data.items().await.unwrap();
        let mut one_by_one = Vec::new();
        for i in &whole {
            one_by_one.push(data.item(&i.id).await.unwrap().unwrap());
        }
        assert_eq!(whole, one_by_one, "{backend}");
        let order: Vec<&str> = whole.iter().map(|i| i.duty_id.as_str()).collect();
        assert_eq!(
            order,
            ["duty-0", "duty-2", "duty-3", "duty-5", "duty-1", "duty-4"],
            "{backend}"
        );
        assert_eq!(whole[0].notes, hostile, "{backend}");
        assert_eq!(whole[0].due_at, Some(-86_400), "{backend}");
        assert!(whole[4].archived_at.is_some() && whole[0].archived_at.is_none());
    }
}

/// A tenant of model `m`, offering `o`, a user, and the tenant's data.
async fn tenant_and_user(store: &Store) -> (Tenant, User, TenantData) {
    let tenant = store
        .create_tenant("T", "m", "o", None, &Audit::default())
        .await
        .unwrap();
    let user = store
        .create_user("w@x.io", "W", None, "h", None, &Audit::default())
        .await
        .unwrap();
    let data = store.tenant_data(&tenant.id);
    (tenant, user, data)
}
