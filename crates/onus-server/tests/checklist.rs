//! A tenant's checklist through HTTP, on SQLite and on PostgreSQL: the
//! items the model gives the customer, recording status, owner, due date
//! and notes with their history and optimistic concurrency, the rules of
//! each status, filters and progress, isolation between tenants, and a
//! new model version (an area moved to the customer, a duty reworded, a
//! duty removed, an area added) landing with every record where it should be.

mod common;

use std::path::PathBuf;

use common::*;
use onus_server::testing::{setup_admin, Client, Reply};
use onus_store::Store;

/// The id of the item whose duty reads `duty`, from a checklist page.
fn item_of(page: &Reply, tenant: &str, duty: &str) -> String {
    let link = format!("/t/{tenant}/items/");
    let end = page
        .body
        .find(&format!("\">{duty}</a>"))
        .unwrap_or_else(|| panic!("no item `{duty}` in the page:\n{}", page.body));
    let start = page.body[..end].rfind(&link).unwrap() + link.len();
    page.body[start..end].to_string()
}

/// Posts the item form with `fields` over the item's current values.
fn save(c: &mut Client, tenant: &str, item: &str, fields: &[(&str, &str)]) -> Reply {
    let form = c.get(&format!("/t/{tenant}/items/{item}"));
    assert_eq!(form.status, 200, "{}", form.body);
    let revision = form.input("revision").expect("a revision field");
    let current_status = between(&form, "<span class=\"status ", "\"");
    let mut all: Vec<(&str, String)> = vec![
        ("csrf", form.csrf()),
        ("revision", revision),
        ("status", current_status),
        ("reason", String::new()),
        ("owner", String::new()),
        ("due", String::new()),
        ("notes", String::new()),
    ];
    for (k, v) in fields {
        match all.iter_mut().find(|(key, _)| key == k) {
            Some(slot) => slot.1 = v.to_string(),
            None => all.push((k, v.to_string())),
        }
    }
    let pairs: Vec<(&str, &str)> = all.iter().map(|(k, v)| (*k, v.as_str())).collect();
    c.post(&format!("/t/{tenant}/items/{item}"), &pairs)
}

/// The bundled outsystems model with `edits` made (each must apply).
fn edited_outsystems(edits: &[(&str, &str)]) -> std::collections::HashMap<PathBuf, String> {
    let mut files = onus_server::bundled::files();
    let path = PathBuf::from("/bundled/outsystems.onus.yaml");
    let mut text = files[&path].clone();
    for (from, to) in edits {
        assert!(text.contains(from), "the example no longer has `{from}`");
        text = text.replacen(from, to, 1);
    }
    files.insert(path, text);
    files
}

const MOVED_AREA: (&str, &str) = (
    "    o11-self-managed: customer\n    default:\n      outsystems:\n        duties:\n          - Configuring and deploying",
    "    o11-self-managed: customer\n    odc: customer\n    default:\n      outsystems:\n        duties:\n          - Configuring and deploying",
);
const REWORDED: (&str, &str) = (
    "        - Classifying their assets\n",
    "        - Classifying their assets and records\n",
);
const REMOVED: (&str, &str) = (
    "        - Conducting code security reviews on developed applications\n",
    "",
);
const NEW_AREA: (&str, &str) = (
    "responsibilities:\n",
    "responsibilities:\n  incident-response:\n    customer:\n      duties:\n        - Responding to security incidents in their applications\n\n",
);
const NEW_AREA_DEF: (&str, &str) = (
    "areas:\n",
    "areas:\n  incident-response:\n    name: Incident response\n    group: Customer responsibilities\n",
);

#[test]
fn a_tenant_works_through_its_checklist_and_keeps_everything_across_versions() {
    both_backends(|backend, db| {
        let (mut admin, token) = portal(db);
        setup_admin(&mut admin, &token);
        let (a, a_invite) = create_tenant(&mut admin, "Acme", "outsystems/odc", "boss@acme.io");
        let (b, b_invite) = create_tenant(&mut admin, "Globex", "outsystems/odc", "boss@globex.io");
        let (mut boss, _) = accept(&admin, &a_invite, "Bo Boss");
        let (mut other, _) = accept(&admin, &b_invite, "Gil Globex");

        // A member, invited by the admin.
        let csrf = boss.get(&format!("/t/{a}")).csrf();
        let link = boss.post(
            &format!("/t/{a}/invites"),
            &[
                ("csrf", &csrf),
                ("email", "mo@acme.io"),
                ("role", "tenant-member"),
            ],
        );
        let (mut mo, _) = accept(&admin, &token_of(&link), "Mo Member");
        let row = between(&boss.get(&format!("/t/{a}")), "mo@acme.io</td>", "/role\"");
        let mo_id = row.rsplit('/').next().unwrap().to_string();
        assert_eq!(mo_id.len(), 32, "{backend}: {row}");

        // The checklist: every duty the customer holds in odc, nothing done.
        let list = boss.get(&format!("/t/{a}/checklist"));
        assert_eq!(list.status, 200, "{backend}: {}", list.body);
        for duty in [
            "Classifying their assets",
            "Conducting code security reviews on developed applications",
            "Mitigating application vulnerabilities and associated risks",
        ] {
            assert!(list.body.contains(duty), "{backend}: {duty}");
        }
        assert!(
            !list.body.contains("Installs, configures and operates"),
            "{backend}: o11-self-managed only"
        );
        let total: usize = between(&list, "0 of ", " done").parse().unwrap();
        assert_eq!(total, 8, "{backend}: the customer's duties in odc");
        assert!(
            list.body.contains("nist-800-53-rev5"),
            "{backend}: controls shown"
        );
        let adopting = item_of(&list, &a, "Adopting application development, testing, and monitoring practices recommended for their performance and scalability goals");
        let page = boss.get(&format!("/t/{a}/items/{adopting}"));
        assert!(
            page.body.contains("OutSystems training options"),
            "{backend}: practices shown"
        );

        let assets = item_of(&list, &a, "Classifying their assets");
        let reviews = item_of(
            &list,
            &a,
            "Conducting code security reviews on developed applications",
        );
        let mitigate = item_of(
            &list,
            &a,
            "Mitigating application vulnerabilities and associated risks",
        );
        assert_eq!(assets.len(), 32, "{backend}: unguessable item ids");

        // Implemented, with a note, an owner and a due date: recorded with history.
        let done = save(
            &mut boss,
            &a,
            &assets,
            &[
                ("status", "implemented"),
                ("notes", "Data classified in the DLP tool."),
                ("owner", &mo_id),
                ("due", "2020-01-31"),
            ],
        );
        assert_eq!(done.status, 303, "{backend}: {}", done.body);
        let page = boss.get(&format!("/t/{a}/items/{assets}"));
        assert!(page.body.contains("status implemented"), "{backend}");
        assert!(
            page.body.contains("Data classified in the DLP tool."),
            "{backend}"
        );
        assert!(
            page.body.contains("Mo Member") && page.body.contains("2020-01-31"),
            "{backend}"
        );
        let history = between(&page, "id=\"history-h\"", "</section>");
        assert!(
            history.contains("Bo Boss")
                && history.contains("not-started")
                && history.contains("implemented"),
            "{backend}: {history}"
        );
        let list = boss.get(&format!("/t/{a}/checklist"));
        assert!(
            list.body.contains("1 of 8 done"),
            "{backend}: progress moves"
        );

        // Two people on one item: the second save of an old revision is refused.
        let form = mo.get(&format!("/t/{a}/items/{mitigate}"));
        let stale_revision = form.input("revision").unwrap();
        assert_eq!(
            save(&mut boss, &a, &mitigate, &[("status", "in-progress")]).status,
            303
        );
        let stale = mo.post(
            &format!("/t/{a}/items/{mitigate}"),
            &[
                ("csrf", &form.csrf()),
                ("revision", &stale_revision),
                ("status", "implemented"),
                ("reason", ""),
                ("owner", ""),
                ("due", ""),
                ("notes", ""),
            ],
        );
        assert_eq!(stale.status, 409, "{backend}: {}", stale.body);
        assert!(
            stale.body.contains("Someone else changed this item"),
            "{backend}"
        );
        assert!(
            boss.get(&format!("/t/{a}/items/{mitigate}"))
                .body
                .contains("status in-progress"),
            "{backend}: not overwritten"
        );

        // The rules of each status.
        let r = save(&mut mo, &a, &reviews, &[("status", "not-applicable")]);
        assert_eq!(r.status, 422, "{backend}");
        assert!(r.body.contains("a reason is required"), "{backend}");
        let r = save(
            &mut mo,
            &a,
            &reviews,
            &[("status", "risk-accepted"), ("risk_expires", "2099-01-01")],
        );
        assert_eq!(r.status, 422, "{backend}");
        assert!(
            r.body.contains("Only a tenant admin can accept a risk"),
            "{backend}"
        );
        let r = save(
            &mut boss,
            &a,
            &reviews,
            &[("status", "risk-accepted"), ("risk_expires", "2001-01-01")],
        );
        assert!(
            r.status == 422 && r.body.contains("in the future"),
            "{backend}: {}",
            r.status
        );
        let r = save(&mut boss, &a, &reviews, &[("due", "31/01/2020")]);
        assert!(
            r.status == 422 && r.body.contains("YYYY-MM-DD"),
            "{backend}"
        );
        let r = save(
            &mut boss,
            &a,
            &reviews,
            &[("owner", "0123456789abcdef0123456789abcdef")],
        );
        assert!(
            r.status == 422 && r.body.contains("member of this tenant"),
            "{backend}"
        );
        assert_eq!(
            save(
                &mut mo,
                &a,
                &reviews,
                &[("status", "in-progress"), ("due", "2000-01-01")]
            )
            .status,
            303
        );

        // Filters and overdue.
        let only = boss.get(&format!("/t/{a}/checklist?status=implemented"));
        assert!(only.body.contains("1 of 8 duties shown"), "{backend}");
        assert!(
            only.body.contains("Classifying their assets")
                && !only.body.contains("Conducting code"),
            "{backend}"
        );
        let overdue = boss.get(&format!("/t/{a}/checklist?status=overdue"));
        assert!(
            overdue.body.contains("1 of 8 duties shown")
                && overdue.body.contains("Conducting code"),
            "{backend}"
        );
        let mine = boss.get(&format!("/t/{a}/checklist?owner={mo_id}"));
        assert!(mine.body.contains("1 of 8 duties shown"), "{backend}");

        // Another tenant sees none of it, with its own ids or these.
        assert_eq!(other.get(&format!("/t/{a}/checklist")).status, 404);
        assert_eq!(other.get(&format!("/t/{a}/items/{assets}")).status, 404);
        assert_eq!(
            other.get(&format!("/t/{b}/items/{assets}")).status,
            404,
            "{backend}: A's item under B's id"
        );
        let theirs = other.get(&format!("/t/{b}/checklist"));
        assert!(
            theirs.body.contains("0 of 8 done"),
            "{backend}: B's own checklist"
        );
        let csrf = other.get(&format!("/t/{b}/checklist")).csrf();
        let forged = other.post(
            &format!("/t/{b}/items/{assets}"),
            &[
                ("csrf", &csrf),
                ("revision", "1"),
                ("status", "implemented"),
            ],
        );
        assert_eq!(forged.status, 404, "{backend}");

        // The provider publishes a new version.
        let rt = runtime();
        rt.block_on(async {
            let store = Store::open(db).await.unwrap();
            let files = edited_outsystems(&[MOVED_AREA, REWORDED, REMOVED, NEW_AREA, NEW_AREA_DEF]);
            let out = onus_server::publish::publish_with(
                &store,
                &PathBuf::from("/bundled/outsystems.onus.yaml"),
                &files,
                "edited",
            )
            .await
            .unwrap();
            assert!(
                matches!(out, onus_server::publish::Outcome::New { version: 2, .. }),
                "{backend}: {out}"
            );
            store.close().await;
        });
        let list = boss.get(&format!("/t/{a}/checklist"));
        assert_eq!(list.status, 200);
        assert!(
            list.body.contains("1 to review"),
            "{backend}: admins are told"
        );
        // Reworded: the same item, records kept, flagged.
        let page = boss.get(&format!("/t/{a}/items/{assets}"));
        assert!(
            page.body.contains("Classifying their assets and records"),
            "{backend}"
        );
        assert!(
            page.body.contains("status implemented")
                && page.body.contains("Data classified in the DLP tool."),
            "{backend}: records kept"
        );
        assert!(page.body.contains("flag reworded"), "{backend}");
        // Removed: archived with its records, still readable.
        let archived = between(&list, "id=\"archived-h\"", "</section>");
        assert!(
            archived.contains("Conducting code security reviews on developed applications")
                && archived.contains("in-progress"),
            "{backend}: {archived}"
        );
        let page = boss.get(&format!("/t/{a}/items/{reviews}"));
        assert!(
            page.body.contains("Archived") && !page.body.contains("name=\"revision\""),
            "{backend}: read-only"
        );
        // Added area: a new item, not started, flagged new.
        let incident = item_of(
            &list,
            &a,
            "Responding to security incidents in their applications",
        );
        let page = boss.get(&format!("/t/{a}/items/{incident}"));
        assert!(
            page.body.contains("status not-started") && page.body.contains("flag new"),
            "{backend}"
        );
        // Moved to the customer: flagged breaking.
        let moved = item_of(
            &list,
            &a,
            "Holds Operating systems, network &#38; firewall configuration",
        );
        assert!(
            boss.get(&format!("/t/{a}/items/{moved}"))
                .body
                .contains("flag breaking"),
            "{backend}"
        );
        // Untouched items are as they were.
        assert!(boss
            .get(&format!("/t/{a}/items/{mitigate}"))
            .body
            .contains("status in-progress"));
        assert!(
            list.body.contains("1 of 9 done"),
            "{backend}: 8 - 1 removed + 1 added + 1 moved"
        );

        // What changed for the tenant, and its review by an admin only.
        let changes = boss.get(&format!("/t/{a}/changes"));
        assert_eq!(changes.status, 200);
        let body = &changes.body;
        assert!(
            body.contains("Version 1 → 2") && body.contains("flag breaking"),
            "{backend}: {body}"
        );
        for part in [
            "Moved to you (breaking)",
            "New duties",
            "Reworded (your records kept)",
            "No longer yours (archived, records kept)",
            "Not reviewed yet.",
        ] {
            assert!(body.contains(part), "{backend}: {part}");
        }
        let change = between(&changes, "/changes/", "/review");
        let csrf = mo.get(&format!("/t/{a}/changes")).csrf();
        assert_eq!(
            mo.post(
                &format!("/t/{a}/changes/{change}/review"),
                &[("csrf", &csrf)]
            )
            .status,
            404,
            "{backend}: members do not review"
        );
        let csrf = changes.csrf();
        assert_eq!(
            boss.post(
                &format!("/t/{a}/changes/{change}/review"),
                &[("csrf", &csrf)]
            )
            .status,
            303
        );
        let changes = boss.get(&format!("/t/{a}/changes"));
        assert!(
            changes.body.contains("by Bo Boss") && !changes.body.contains("Not reviewed yet."),
            "{backend}"
        );
        assert!(
            !boss
                .get(&format!("/t/{a}/checklist"))
                .body
                .contains("to review"),
            "{backend}"
        );
        // Globex got its own change record, unreviewed, and no records of Acme's.
        assert!(
            other
                .get(&format!("/t/{b}/changes"))
                .body
                .contains("Not reviewed yet."),
            "{backend}"
        );
    });
}
