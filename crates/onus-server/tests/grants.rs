//! Just-in-time access on SQLite and PostgreSQL: platform staff have no
//! standing access to a tenant's checklist; an operator asks, the
//! tenant's admin (and nobody else) approves; the grant opens the tenant
//! for its scope only, is recorded in the tenant's audit chain, and ends
//! at once when revoked or expired.

mod common;

use common::*;
use onus_server::testing::{setup_admin, Client, PASSWORD};
use onus_store::Store;

#[test]
fn an_operator_reads_a_tenant_only_under_a_grant_its_admin_approved() {
    both_backends(|backend, db| {
        let (mut admin, token) = portal(db);
        setup_admin(&mut admin, &token);
        let (a, a_invite) = create_tenant(&mut admin, "Acme", "outsystems/odc", "boss@acme.io");
        let (mut boss, _) = accept(&admin, &a_invite, "Bo Boss");
        let list = boss.get(&format!("/t/{a}/checklist"));
        assert_eq!(list.status, 200, "{backend}: {}", list.body);
        let rt = runtime();
        let (password, member_password) = rt.block_on(async {
            let store = Store::open(db).await.unwrap();
            let (_, ops) = onus_server::admin_create_user(
                &store,
                "ops@portal.io",
                "Olu Ops",
                "platform-operator",
                None,
            )
            .await
            .unwrap();
            let (_, member) = onus_server::admin_create_user(
                &store,
                "mo@acme.io",
                "Mo Member",
                "tenant-member",
                Some(&a),
            )
            .await
            .unwrap();
            (ops, member)
        });
        let mut member = Client::new(admin.addr);
        assert_eq!(
            sign_in(&mut member, "mo@acme.io", &member_password).status,
            303
        );
        let mut ops = Client::new(admin.addr);
        assert_eq!(sign_in(&mut ops, "ops@portal.io", &password).status, 303);
        let _ = PASSWORD;

        // No standing access.
        assert_eq!(
            ops.get(&format!("/t/{a}/checklist")).status,
            404,
            "{backend}"
        );
        // Asking: the rules, then a read request.
        let form = ops.get(&format!("/admin/tenants/{a}/access"));
        assert_eq!(form.status, 200, "{backend}: {}", form.body);
        let ask = |c: &mut Client, csrf: &str, scope: &str, minutes: &str| {
            c.post(
                &format!("/admin/tenants/{a}/access"),
                &[
                    ("csrf", csrf),
                    (
                        "reason",
                        "Ticket 4711: the customer reports a wrong progress count",
                    ),
                    ("scope", scope),
                    ("minutes", minutes),
                ],
            )
        };
        assert_eq!(
            ask(&mut ops, &form.csrf(), "read", "900").status,
            422,
            "{backend}: 8 hours at most"
        );
        assert_eq!(
            ask(&mut ops, &form.csrf(), "root", "30").status,
            422,
            "{backend}"
        );
        let asked = ask(&mut ops, &form.csrf(), "read", "30");
        assert_eq!(asked.status, 200, "{backend}: {}", asked.body);
        assert!(asked.body.contains("pending"), "{backend}");
        // Tenant members cannot ask; the tenant's admin is told.
        assert_eq!(boss.get(&format!("/admin/tenants/{a}/access")).status, 404);
        assert!(
            boss.get(&format!("/t/{a}")).body.contains("1 waiting"),
            "{backend}"
        );
        let page = boss.get(&format!("/t/{a}/access"));
        assert!(
            page.body.contains("Ticket 4711") && page.body.contains("Olu Ops"),
            "{backend}"
        );
        let grant = between(&page, "/access/", "/decide");
        assert_eq!(grant.len(), 32);
        // A platform admin cannot approve on the tenant's behalf, nor the
        // operator itself, nor a tenant member who is not its admin.
        assert_eq!(
            member.get(&format!("/t/{a}/access")).status,
            404,
            "{backend}"
        );
        for c in [&mut admin, &mut ops, &mut member] {
            let csrf = c.get("/").csrf();
            let r = c.post(
                &format!("/t/{a}/access/{grant}/decide"),
                &[("csrf", &csrf), ("decision", "approve"), ("comment", "")],
            );
            assert_eq!(r.status, 404, "{backend}");
        }
        assert_eq!(
            ops.get(&format!("/t/{a}/checklist")).status,
            404,
            "{backend}: still pending"
        );
        let approved = boss.post(
            &format!("/t/{a}/access/{grant}/decide"),
            &[
                ("csrf", &page.csrf()),
                ("decision", "approve"),
                ("comment", "ok for today"),
            ],
        );
        assert_eq!(approved.status, 303, "{backend}");

        // Under the grant: read, not write, not the admin pages.
        let seen = ops.get(&format!("/t/{a}/checklist"));
        assert_eq!(seen.status, 200, "{backend}: {}", seen.body);
        let item = between(&seen, &format!("/t/{a}/items/"), "\"");
        let item_page = ops.get(&format!("/t/{a}/items/{item}"));
        assert_eq!(item_page.status, 200);
        assert!(
            !item_page.body.contains("name=\"revision\""),
            "{backend}: no form under a read grant"
        );
        let csrf = item_page.csrf();
        let write = ops.post(
            &format!("/t/{a}/items/{item}"),
            &[
                ("csrf", &csrf),
                ("revision", "1"),
                ("status", "implemented"),
            ],
        );
        assert_eq!(write.status, 404, "{backend}: a read grant does not write");
        assert_eq!(ops.get(&format!("/t/{a}/audit")).status, 404, "{backend}");
        assert_eq!(ops.get(&format!("/t/{a}/access")).status, 404, "{backend}");
        // Recorded, with the grant's id.
        let log = boss.get(&format!("/t/{a}/audit?action=grant-used"));
        assert!(
            log.body.contains("Olu Ops (platform staff)"),
            "{backend}: {}",
            log.body
        );
        // The tenant sees what was done under the grant, request by request.
        assert!(
            log.body.contains(&format!("GET /t/{a}/items/{item}")),
            "{backend}: {}",
            log.body
        );
        let access = boss.get(&format!("/t/{a}/access"));
        assert!(
            access.body.contains("Done under it")
                && access.body.contains(&format!("GET /t/{a}/checklist")),
            "{backend}: {}",
            access.body
        );
        let export = boss.get(&format!("/t/{a}/audit.jsonl"));
        assert!(
            export
                .body
                .contains(&format!("\"details\":\"grant {grant}\"")),
            "{backend}"
        );
        assert!(export.body.contains("\"action\":\"grant-approved\""));

        // Revoked: over at once.
        let page = boss.get(&format!("/t/{a}/access"));
        assert!(page.body.contains("active"), "{backend}");
        assert_eq!(
            boss.post(
                &format!("/t/{a}/access/{grant}/revoke"),
                &[("csrf", &page.csrf())]
            )
            .status,
            303
        );
        assert_eq!(
            ops.get(&format!("/t/{a}/checklist")).status,
            404,
            "{backend}: revoked"
        );
        assert!(boss.get(&format!("/t/{a}/access")).body.contains("revoked"));

        // A write grant lets the operator change an item; expired, it is over.
        let form = ops.get(&format!("/admin/tenants/{a}/access"));
        assert_eq!(ask(&mut ops, &form.csrf(), "write", "60").status, 200);
        let page = boss.get(&format!("/t/{a}/access"));
        let grant2 = between(&page, "/access/", "/decide");
        assert_eq!(
            boss.post(
                &format!("/t/{a}/access/{grant2}/decide"),
                &[
                    ("csrf", &page.csrf()),
                    ("decision", "approve"),
                    ("comment", "")
                ]
            )
            .status,
            303
        );
        let item_page = ops.get(&format!("/t/{a}/items/{item}"));
        let revision = item_page.input("revision").expect("a write grant edits");
        let saved = ops.post(
            &format!("/t/{a}/items/{item}"),
            &[
                ("csrf", &item_page.csrf()),
                ("revision", &revision),
                ("status", "in-progress"),
                ("reason", ""),
                ("owner", ""),
                ("due", ""),
                ("notes", "fixed the count"),
            ],
        );
        assert_eq!(saved.status, 303, "{backend}: {}", saved.body);
        rt.block_on(async {
            let store = Store::open(db).await.unwrap();
            store
                .exec_for_test(&format!(
                    "UPDATE access_grants SET expires_at = {} WHERE id = '{grant2}'",
                    onus_store::now() - 1
                ))
                .await;
        });
        assert_eq!(
            ops.get(&format!("/t/{a}/checklist")).status,
            404,
            "{backend}: expired"
        );
        assert!(boss.get(&format!("/t/{a}/access")).body.contains("expired"));
        // A denied request opens nothing.
        let form = ops.get(&format!("/admin/tenants/{a}/access"));
        assert_eq!(ask(&mut ops, &form.csrf(), "read", "10").status, 200);
        let page = boss.get(&format!("/t/{a}/access"));
        let grant3 = between(&page, "/access/", "/decide");
        assert_eq!(
            boss.post(
                &format!("/t/{a}/access/{grant3}/decide"),
                &[
                    ("csrf", &page.csrf()),
                    ("decision", "deny"),
                    ("comment", "not needed")
                ]
            )
            .status,
            303
        );
        assert_eq!(
            ops.get(&format!("/t/{a}/checklist")).status,
            404,
            "{backend}: denied"
        );

        let verified = rt.block_on(async {
            Store::open(db)
                .await
                .unwrap()
                .verify_audit(None)
                .await
                .unwrap()
        });
        assert!(
            verified.broken.is_empty(),
            "{backend}: {:?}",
            verified.broken
        );
    });
}
