//! The hash-chained audit log on SQLite and PostgreSQL: concurrent appends
//! through two servers' pools keep every chain whole, and rows edited,
//! deleted or reordered in the database are found at the right entry.

use onus_store::audit::PLATFORM;
use onus_store::testing::{fresh_pg_url, fresh_sqlite_url};
use onus_store::{Audit, Store, StoreError};

async fn both() -> Vec<(&'static str, String)> {
    vec![
        ("sqlite", fresh_sqlite_url()),
        ("postgres", fresh_pg_url().await),
    ]
}

#[tokio::test(flavor = "multi_thread")]
async fn concurrent_appends_through_two_servers_keep_every_chain_whole() {
    for (backend, url) in both().await {
        let one = Store::open(&url).await.unwrap();
        let two = Store::open(&url).await.unwrap();
        let mut tasks = Vec::new();
        for i in 0..40 {
            let store = if i % 2 == 0 { one.clone() } else { two.clone() };
            tasks.push(tokio::spawn(async move {
                let tenant = if i % 3 == 0 { None } else { Some("tenant-a") };
                store
                    .audit(Some("u"), tenant, "item-updated", &format!("n{i}"), "")
                    .await
            }));
        }
        for t in tasks {
            t.await
                .unwrap()
                .unwrap_or_else(|e| panic!("{backend}: {e}"));
        }
        let report = one.verify_audit(None).await.unwrap();
        assert!(report.broken.is_empty(), "{backend}: {:?}", report.broken);
        let counts: Vec<(String, i64)> = report.chains.clone();
        assert_eq!(
            counts,
            [(PLATFORM.to_string(), 14), ("tenant-a".to_string(), 26)],
            "{backend}"
        );
        let head = one.audit_head("tenant-a").await.unwrap().unwrap();
        assert_eq!(head.0, 26);
        assert_eq!(head.1, one.audit_chain("tenant-a").await.unwrap()[25].hash);
    }
}

async fn seeded(url: &str) -> Store {
    let store = Store::open(url).await.unwrap();
    for i in 1..=5 {
        store
            .audit(
                Some("u"),
                Some("t1"),
                "item-updated",
                &format!("item {i}"),
                "",
            )
            .await
            .unwrap();
    }
    store
        .audit(None, None, "publish", "codat v1", "")
        .await
        .unwrap();
    store
}

async fn first_break(store: &Store) -> (String, i64) {
    let report = store.verify_audit(None).await.unwrap();
    let b = report.broken.first().expect("verification fails");
    (b.chain.clone(), b.seq)
}

#[tokio::test(flavor = "multi_thread")]
async fn tampering_in_the_database_is_found_at_the_right_entry() {
    for (backend, _) in [("sqlite", ()), ("postgres", ())] {
        let url = || async move {
            if backend == "sqlite" {
                fresh_sqlite_url()
            } else {
                fresh_pg_url().await
            }
        };
        // An entry's details edited.
        let store = seeded(&url().await).await;
        assert!(
            store.verify_audit(None).await.unwrap().broken.is_empty(),
            "{backend}"
        );
        store
            .exec_for_test("UPDATE audit SET details = 'nothing' WHERE chain = 't1' AND seq = 3")
            .await;
        assert_eq!(
            first_break(&store).await,
            ("t1".into(), 3),
            "{backend}: edited"
        );
        // An entry deleted.
        let store = seeded(&url().await).await;
        store
            .exec_for_test("DELETE FROM audit WHERE chain = 't1' AND seq = 2")
            .await;
        assert_eq!(
            first_break(&store).await,
            ("t1".into(), 2),
            "{backend}: deleted"
        );
        // Two entries swapped (their places exchanged).
        let store = seeded(&url().await).await;
        store
            .exec_for_test("UPDATE audit SET seq = -4 WHERE chain = 't1' AND seq = 4")
            .await;
        store
            .exec_for_test("UPDATE audit SET seq = 4 WHERE chain = 't1' AND seq = 5")
            .await;
        store
            .exec_for_test("UPDATE audit SET seq = 5 WHERE chain = 't1' AND seq = -4")
            .await;
        assert_eq!(
            first_break(&store).await,
            ("t1".into(), 4),
            "{backend}: reordered"
        );
        // The last entry removed: the head knows.
        let store = seeded(&url().await).await;
        store
            .exec_for_test("DELETE FROM audit WHERE chain = 't1' AND seq = 5")
            .await;
        assert_eq!(
            first_break(&store).await,
            ("t1".into(), 5),
            "{backend}: cut"
        );
        // The platform's chain is its own.
        let store = seeded(&url().await).await;
        store
            .exec_for_test(
                "UPDATE audit SET actor = 'someone' WHERE chain = 'platform' AND seq = 1",
            )
            .await;
        assert_eq!(
            first_break(&store).await,
            ("platform".into(), 1),
            "{backend}: platform"
        );
        let report = store.verify_audit(Some("t1")).await.unwrap();
        assert!(
            report.broken.is_empty(),
            "{backend}: the tenant's chain alone is whole"
        );
    }
}

/// The entries of one chain: (action, target, details).
async fn entries(store: &Store, chain: &str) -> Vec<(String, String, String)> {
    store
        .audit_chain(chain)
        .await
        .unwrap()
        .into_iter()
        .map(|e| (e.action, e.target, e.details))
        .collect()
}

fn entry(action: &str, target: &str, details: &str) -> (String, String, String) {
    (action.into(), target.into(), details.into())
}

/// A change and its audit entry commit together: a change refused (a
/// conflict, a rule) writes no entry, one made writes exactly one, and an
/// entry that cannot be written takes its change back with it.
#[tokio::test(flavor = "multi_thread")]
async fn a_change_and_its_audit_entry_commit_together_or_not_at_all() {
    for (backend, url) in both().await {
        let store = Store::open(&url).await.unwrap();
        let admin = store
            .create_user(
                "Admin@x.io",
                "Admin",
                Some("platform-admin"),
                "h",
                None,
                &Audit::new(None, None, "user-created", "admin@x.io", "platform-admin"),
            )
            .await
            .unwrap();
        let again = store
            .create_user(
                "admin@x.io",
                "Again",
                None,
                "h",
                None,
                &Audit::new(None, None, "user-created", "admin@x.io", ""),
            )
            .await;
        assert!(
            matches!(again, Err(StoreError::Conflict(_))),
            "{backend}: {again:?}"
        );
        assert_eq!(
            entries(&store, PLATFORM).await,
            [entry("user-created", "admin@x.io", "platform-admin")],
            "{backend}: the refused account left no entry"
        );

        // A tenant: its first entry opens its chain, named by its id.
        let tenant = store
            .create_tenant(
                " Acme ",
                "codat",
                "platform",
                Some(("first", "boss@acme.io", 3600)),
                &Audit::new(
                    Some(&admin.id),
                    None,
                    "tenant-created",
                    "",
                    "codat/platform",
                ),
            )
            .await
            .unwrap();
        assert!(store.invite("first").await.unwrap().is_some(), "{backend}");
        // An invite for an email that has an account: accepting it is a
        // conflict, and neither the invite's use nor an entry is kept.
        store
            .create_invite(
                "taken",
                &tenant.id,
                "admin@x.io",
                "tenant-auditor",
                3600,
                &Audit::new(
                    Some(&admin.id),
                    Some(&tenant.id),
                    "invite-created",
                    "admin@x.io",
                    "tenant-auditor",
                ),
            )
            .await
            .unwrap();
        let accepted = store
            .accept_invite(
                "taken",
                "Admin",
                "h",
                &Audit::new(None, None, "invite-accepted", "", ""),
            )
            .await;
        assert!(
            matches!(accepted, Err(StoreError::Conflict(_))),
            "{backend}: {accepted:?}"
        );
        assert!(
            store.invite("taken").await.unwrap().is_some(),
            "{backend}: the invite is still unused"
        );
        let (boss, _) = store
            .accept_invite(
                "first",
                "Boss",
                "h",
                &Audit::new(None, None, "invite-accepted", "", ""),
            )
            .await
            .unwrap()
            .expect("the invite is valid");
        // The last admin cannot leave: refused, no entry.
        let removal = Audit::new(
            Some(&boss.id),
            Some(&tenant.id),
            "member-removed",
            &boss.id,
            "",
        );
        assert!(
            !store
                .remove_member(&tenant.id, &boss.id, &removal)
                .await
                .unwrap(),
            "{backend}"
        );
        let chain = entries(&store, &tenant.id).await;
        assert_eq!(
            chain,
            [
                entry("tenant-created", "Acme", "codat/platform"),
                entry("invite-created", "admin@x.io", "tenant-auditor"),
                entry("invite-accepted", "boss@acme.io", "tenant-admin"),
            ],
            "{backend}"
        );
        let actors: Vec<Option<String>> = store
            .audit_chain(&tenant.id)
            .await
            .unwrap()
            .into_iter()
            .map(|e| e.actor)
            .collect();
        assert_eq!(
            actors,
            [
                Some(admin.id.clone()),
                Some(admin.id.clone()),
                Some(boss.id.clone())
            ],
            "{backend}: the new member accepted their own invite"
        );

        // An API token: revoking someone else's is refused (no entry);
        // revoking one's own writes exactly one.
        let made = Audit::new(
            Some(&boss.id),
            Some(&tenant.id),
            "api-token-created",
            "",
            "ci (read, 90 days)",
        );
        let id = store
            .create_api_token(
                "tok",
                &boss.id,
                Some(&tenant.id),
                "ci",
                "read",
                i64::MAX,
                &made,
            )
            .await
            .unwrap();
        let revoke = Audit::new(Some(&admin.id), None, "api-token-revoked", &id, "");
        assert!(
            !store
                .revoke_api_token(&id, &admin.id, &revoke)
                .await
                .unwrap(),
            "{backend}"
        );
        let revoke = Audit::new(Some(&boss.id), None, "api-token-revoked", &id, "");
        assert!(
            store
                .revoke_api_token(&id, &boss.id, &revoke)
                .await
                .unwrap(),
            "{backend}"
        );
        assert!(
            !store
                .revoke_api_token(&id, &boss.id, &revoke)
                .await
                .unwrap(),
            "{backend}: a second revoke changes nothing"
        );
        assert_eq!(
            entries(&store, PLATFORM).await,
            [
                entry("user-created", "admin@x.io", "platform-admin"),
                entry("api-token-revoked", &id, ""),
            ],
            "{backend}"
        );
        assert_eq!(
            entries(&store, &tenant.id).await[3],
            entry("api-token-created", &id, "ci (read, 90 days)"),
            "{backend}: the token's entry names its id"
        );

        // The entry cannot be written (its table is gone for a moment):
        // the change fails with it, and nothing of it is kept.
        store
            .exec_for_test("ALTER TABLE audit RENAME TO audit_away")
            .await;
        let failed = store
            .create_invite(
                "lost",
                &tenant.id,
                "new@acme.io",
                "tenant-editor",
                3600,
                &Audit::new(
                    Some(&boss.id),
                    Some(&tenant.id),
                    "invite-created",
                    "new@acme.io",
                    "tenant-editor",
                ),
            )
            .await;
        let nda = store
            .record_nda(
                &tenant.id,
                &Audit::new(
                    Some(&admin.id),
                    Some(&tenant.id),
                    "nda-recorded",
                    "Acme",
                    "",
                ),
            )
            .await;
        store
            .exec_for_test("ALTER TABLE audit_away RENAME TO audit")
            .await;
        assert!(failed.is_err() && nda.is_err(), "{backend}");
        assert!(
            store.invite("lost").await.unwrap().is_none(),
            "{backend}: the invite went with its entry"
        );
        assert_eq!(
            store
                .tenant(&tenant.id)
                .await
                .unwrap()
                .unwrap()
                .nda_recorded_at,
            None,
            "{backend}: the NDA went with its entry"
        );
        assert_eq!(entries(&store, &tenant.id).await.len(), 4, "{backend}");

        let report = store.verify_audit(None).await.unwrap();
        assert!(report.broken.is_empty(), "{backend}: {:?}", report.broken);
        let mut expected = vec![(PLATFORM.to_string(), 2), (tenant.id.clone(), 4)];
        expected.sort();
        assert_eq!(report.chains, expected, "{backend}");
    }
}
