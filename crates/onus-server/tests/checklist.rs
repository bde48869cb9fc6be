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
        // Platform staff see progress as counts, and none of the checklist.
        let overview = admin.get("/admin");
        assert!(
            overview.body.contains("1 of 8 done"),
            "{backend}: counts on the overview"
        );
        assert!(
            !overview.body.contains("Data classified in the DLP tool."),
            "{backend}"
        );
        assert_eq!(
            admin.get(&format!("/t/{a}/checklist")).status,
            404,
            "{backend}: no standing access"
        );
        assert_eq!(
            admin.get(&format!("/t/{a}/items/{assets}")).status,
            404,
            "{backend}"
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

        // Evidence on the duty that will be reworded and on the one that will go.
        let token = mint(db, "boss@acme.io", "write");
        for (item, name) in [(&assets, "dlp-report.txt"), (&reviews, "review-log.txt")] {
            let up = boss.upload(
                &format!("/api/v1/tenants/{a}/items/{item}/evidence"),
                &token,
                name,
                &format!("{name}: evidence for the auditor\n"),
            );
            assert_eq!(up.status, 201, "{backend}: {}", up.body);
        }
        let hash_of = |name: &str| onus_store::hash(&format!("{name}: evidence for the auditor\n"));
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
        assert!(
            page.body.contains("dlp-report.txt") && page.body.contains(&hash_of("dlp-report.txt")),
            "{backend}: evidence kept"
        );
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
        assert!(
            page.body.contains(&hash_of("review-log.txt")),
            "{backend}: an archived item keeps its evidence"
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

/// Two tenants on one model, each with a checklist and a model change;
/// returns (portal admin, A's admin, B's admin, A's id, B's id).
fn two_tenants(db: &str) -> (Client, Client, Client, String, String) {
    let (mut admin, token) = portal(db);
    setup_admin(&mut admin, &token);
    let (a, a_invite) = create_tenant(&mut admin, "Acme", "outsystems/odc", "boss@acme.io");
    let (b, b_invite) = create_tenant(&mut admin, "Globex", "outsystems/odc", "boss@globex.io");
    let (mut boss, _) = accept(&admin, &a_invite, "Bo Boss");
    let (mut other, _) = accept(&admin, &b_invite, "Gil Globex");
    assert_eq!(boss.get(&format!("/t/{a}/checklist")).status, 200);
    assert_eq!(other.get(&format!("/t/{b}/checklist")).status, 200);
    runtime().block_on(async {
        let store = Store::open(db).await.unwrap();
        let files = edited_outsystems(&[REWORDED, REMOVED]);
        onus_server::publish::publish_with(
            &store,
            &PathBuf::from("/bundled/outsystems.onus.yaml"),
            &files,
            "edited",
        )
        .await
        .unwrap();
        store.close().await;
    });
    (admin, boss, other, a, b)
}

fn mint(db: &str, email: &str, scope: &str) -> String {
    runtime().block_on(async {
        let store = Store::open(db).await.unwrap();
        let token = onus_server::admin_mint_token(&store, email, scope, None, "test", 90)
            .await
            .unwrap();
        store.close().await;
        token
    })
}

fn json(r: &Reply) -> serde_json::Value {
    serde_json::from_str(&r.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", r.body))
}

#[test]
fn the_checklist_api_uses_etags_and_exports_for_auditors() {
    both_backends(|backend, db| {
        let (_admin, mut boss, _other, a, _b) = two_tenants(db);
        let write = mint(db, "boss@acme.io", "write");
        let read = mint(db, "boss@acme.io", "read");
        let items = boss.api(
            "GET",
            &format!("/api/v1/tenants/{a}/items"),
            Some(&read),
            None,
        );
        assert_eq!(items.status, 200, "{backend}: {}", items.body);
        let list = json(&items);
        assert_eq!(
            list.as_array().unwrap().len(),
            7,
            "{backend}: 8 - 1 removed (the reworded one kept)"
        );
        let mitigate = list
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["duty"] == "Mitigating application vulnerabilities and associated risks")
            .unwrap()["id"]
            .as_str()
            .unwrap()
            .to_string();
        let path = format!("/api/v1/tenants/{a}/items/{mitigate}");
        let got = boss.api("GET", &path, Some(&read), None);
        assert_eq!(got.header("etag"), Some("\"1\""), "{backend}");

        // Changing needs the write scope, If-Match, and valid fields.
        let body = r#"{"status":"implemented","notes":"=HYPERLINK(\"http://evil\")"}"#;
        assert_eq!(
            boss.api_with(
                "PATCH",
                &path,
                Some(&read),
                Some(body),
                &[("If-Match", "\"1\"")]
            )
            .status,
            403
        );
        let missing = boss.api("PATCH", &path, Some(&write), Some(body));
        assert_eq!(missing.status, 428, "{backend}: {}", missing.body);
        assert_eq!(
            missing.header("content-type"),
            Some("application/problem+json")
        );
        let bad = boss.api_with(
            "PATCH",
            &path,
            Some(&write),
            Some(r#"{"status":"done"}"#),
            &[("If-Match", "\"1\"")],
        );
        assert!(
            bad.status == 422 && bad.body.contains("is not a status"),
            "{backend}: {}",
            bad.body
        );
        let unknown = boss.api_with(
            "PATCH",
            &path,
            Some(&write),
            Some(r#"{"stauts":"implemented"}"#),
            &[("If-Match", "\"1\"")],
        );
        assert_eq!(unknown.status, 422, "{backend}: unknown fields are refused");
        let ok = boss.api_with(
            "PATCH",
            &path,
            Some(&write),
            Some(body),
            &[("If-Match", "\"1\"")],
        );
        assert_eq!(ok.status, 200, "{backend}: {}", ok.body);
        assert_eq!(ok.header("etag"), Some("\"2\""));
        assert_eq!(json(&ok)["status"], "implemented");
        // A second writer still holding revision 1 is told, with the current ETag.
        let stale = boss.api_with(
            "PATCH",
            &path,
            Some(&write),
            Some(r#"{"status":"in-progress"}"#),
            &[("If-Match", "\"1\"")],
        );
        assert_eq!(stale.status, 412, "{backend}: {}", stale.body);
        assert_eq!(stale.header("etag"), Some("\"2\""));
        assert_eq!(
            json(&boss.api("GET", &path, Some(&read), None))["status"],
            "implemented",
            "{backend}: not overwritten"
        );
        let history = json(&boss.api("GET", &format!("{path}/history"), Some(&read), None));
        assert!(
            history
                .as_array()
                .unwrap()
                .iter()
                .any(|h| h["field"] == "status"
                    && h["from"] == "not-started"
                    && h["to"] == "implemented"),
            "{backend}: {history}"
        );
        let filtered = json(&boss.api(
            "GET",
            &format!("/api/v1/tenants/{a}/items?status=implemented"),
            Some(&read),
            None,
        ));
        assert_eq!(filtered.as_array().unwrap().len(), 1);
        let archived = json(&boss.api(
            "GET",
            &format!("/api/v1/tenants/{a}/items?archived=true"),
            Some(&read),
            None,
        ));
        assert_eq!(
            archived[0]["duty"], "Conducting code security reviews on developed applications",
            "{backend}"
        );

        // Exports: attachments, formulas neutralised, a real workbook.
        let csv = boss.api(
            "GET",
            &format!("/api/v1/tenants/{a}/exports/checklist.csv"),
            Some(&read),
            None,
        );
        assert_eq!(csv.status, 200);
        assert_eq!(
            csv.header("content-disposition"),
            Some("attachment; filename=\"acme-checklist.csv\"")
        );
        assert!(
            csv.body
                .starts_with("Offering,Group,Area,Scope,Duty,Status"),
            "{backend}"
        );
        assert!(
            csv.body.contains("\"'=HYPERLINK(\"\"http://evil\"\")\""),
            "{backend}: {}",
            csv.body
        );
        assert_eq!(
            csv.body.lines().count(),
            9,
            "{backend}: header, 7 live, 1 archived"
        );
        let page_csv = boss.get(&format!("/t/{a}/checklist.csv"));
        assert_eq!(
            page_csv.body, csv.body,
            "{backend}: the page and the API give one file"
        );
        let xlsx = boss.api(
            "GET",
            &format!("/api/v1/tenants/{a}/exports/checklist.xlsx"),
            Some(&read),
            None,
        );
        assert_eq!(xlsx.status, 200);
        assert!(xlsx
            .header("content-type")
            .unwrap()
            .contains("spreadsheetml"));
        // OSCAL: the tenant's SSP, valid, joined to the provider's own export.
        let oscal = boss.api(
            "GET",
            &format!("/api/v1/tenants/{a}/exports/checklist.oscal.json"),
            Some(&read),
            None,
        );
        assert_eq!(oscal.status, 200, "{backend}: {}", oscal.body);
        let doc = json(&oscal);
        let report = onus_oscal::validate::validate_value(&doc).expect("an OSCAL document");
        assert_eq!(report.model, "system-security-plan");
        assert!(report.errors.is_empty(), "{backend}: {:?}", report.errors);
        let provider = provider_ssp();
        let mut satisfied = 0;
        for (key, target) in [("inherited", "provided"), ("satisfied", "responsibilities")] {
            let known = uuids(&provider, target);
            for r in refs(&doc, key) {
                let pointed = r[if key == "inherited" {
                    "provided-uuid"
                } else {
                    "responsibility-uuid"
                }]
                .as_str()
                .unwrap();
                assert!(
                    known.contains(pointed),
                    "{backend}: {key} points at {pointed}, not in the provider's export"
                );
                if key == "satisfied" {
                    satisfied += 1;
                    assert!(
                        r["description"].as_str().unwrap().contains("HYPERLINK"),
                        "{backend}: the tenant's note"
                    );
                }
            }
        }
        assert!(
            satisfied >= 1,
            "{backend}: the implemented item is satisfied"
        );

        // What changed, reviewed by an admin through the API.
        let changes = json(&boss.api(
            "GET",
            &format!("/api/v1/tenants/{a}/changes"),
            Some(&read),
            None,
        ));
        assert_eq!(changes.as_array().unwrap().len(), 1, "{backend}");
        assert_eq!(changes[0]["items"]["archived"].as_array().unwrap().len(), 1);
        assert_eq!(changes[0]["items"]["reworded"].as_array().unwrap().len(), 1);
        let change = changes[0]["id"].as_str().unwrap();
        let review = format!("/api/v1/tenants/{a}/changes/{change}/review");
        assert_eq!(boss.api("POST", &review, Some(&read), None).status, 403);
        assert_eq!(boss.api("POST", &review, Some(&write), None).status, 204);
        assert_eq!(
            boss.api("POST", &review, Some(&write), None).status,
            404,
            "{backend}: once"
        );
        // Every change and sensitive read is in the tenant's chain, which verifies.
        let log = boss.get(&format!("/t/{a}/audit"));
        assert_eq!(log.status, 200, "{backend}");
        for action in [
            "item-updated",
            "checklist-exported",
            "change-reviewed",
            "checklist-synced",
        ] {
            assert!(
                log.body.contains(action),
                "{backend}: {action} in the audit log"
            );
        }
        let export = boss.get(&format!("/t/{a}/audit.jsonl"));
        assert_eq!(export.header("content-type"), Some("application/x-ndjson"));
        let verified = onus_store::audit::verify_lines(&export.body).unwrap();
        assert!(
            verified.broken.is_empty(),
            "{backend}: {:?}",
            verified.broken
        );
        assert_eq!(
            verified.chains.len(),
            1,
            "{backend}: the tenant's chain only"
        );
        let head = between(&log, "<code class=\"hash\" id=\"head\">", "<");
        // The export records itself: the page's head is the entry just before it.
        let lines: Vec<&str> = export.body.lines().collect();
        assert!(
            lines[lines.len() - 1].contains("\"action\":\"audit-exported\""),
            "{backend}"
        );
        assert!(
            lines[lines.len() - 2].ends_with(&format!("\"hash\":\"{head}\"}}")),
            "{backend}: the head shown is the last entry's hash"
        );
        let spec = boss.api("GET", "/api/v1/openapi.json", None, None);
        for p in [
            "/api/v1/tenants/{tenant}/items/{item}",
            "/api/v1/tenants/{tenant}/changes/{change}/review",
            "/api/v1/tenants/{tenant}/exports/{file}",
        ] {
            assert!(spec.body.contains(p), "{backend}: {p} documented");
        }
    });
}

/// A value for each path parameter: tenant B's ids.
fn fill(path: &str, ids: &[(&str, String)]) -> String {
    let mut out = String::new();
    let mut rest = path;
    while let Some(start) = rest.find('{') {
        let end = rest[start..].find('}').unwrap() + start;
        let name = &rest[start + 1..end];
        let value = ids.iter().find(|(k, _)| *k == name).unwrap_or_else(|| {
            panic!("the isolation sweep has no id for `{{{name}}}` in {path}: add one")
        });
        out.push_str(&rest[..start]);
        out.push_str(&value.1);
        rest = &rest[end + 1..];
    }
    out.push_str(rest);
    out
}

#[test]
fn every_tenant_route_answers_404_to_another_tenant() {
    both_backends(|backend, db| {
        let (_admin, mut boss, mut other, a, b) = two_tenants(db);
        // Tenant B's ids, as an attacker in A might learn them.
        let b_list = other.get(&format!("/t/{b}/checklist"));
        let b_item = item_of(
            &b_list,
            &b,
            "Mitigating application vulnerabilities and associated risks",
        );
        let b_change = between(
            &other.get(&format!("/t/{b}/changes")),
            "/changes/",
            "/review",
        );
        let b_user = between(&other.get(&format!("/t/{b}")), "/members/", "/role");
        // A request for access to B, by an operator; and evidence of B's.
        let password = runtime().block_on(async {
            let store = Store::open(db).await.unwrap();
            onus_server::admin_create_user(
                &store,
                "ops@portal.io",
                "Olu Ops",
                "platform-operator",
                None,
            )
            .await
            .unwrap()
            .1
        });
        let mut ops = Client::new(boss.addr);
        assert_eq!(sign_in(&mut ops, "ops@portal.io", &password).status, 303);
        let form = ops.get(&format!("/admin/tenants/{b}/access"));
        let asked = ops.post(
            &format!("/admin/tenants/{b}/access"),
            &[
                ("csrf", &form.csrf()),
                ("reason", "support"),
                ("scope", "read"),
                ("minutes", "30"),
            ],
        );
        assert_eq!(asked.status, 200, "{backend}");
        let b_grant = between(&other.get(&format!("/t/{b}/access")), "/access/", "/decide");
        let b_token = mint(db, "boss@globex.io", "write");
        let up = other.upload(
            &format!("/api/v1/tenants/{b}/items/{b_item}/evidence"),
            &b_token,
            "globex.txt",
            "Globex's own evidence\n",
        );
        assert_eq!(up.status, 201, "{backend}: {}", up.body);
        let b_evidence = json(&up)["id"].as_str().unwrap().to_string();
        let ids = [
            ("tenant", b.clone()),
            ("grant", b_grant.clone()),
            ("evidence", b_evidence.clone()),
            ("item", b_item.clone()),
            ("change", b_change.clone()),
            ("user", b_user.clone()),
            ("file", "checklist.csv".to_string()),
        ];
        let token = mint(db, "boss@acme.io", "write");
        let csrf = boss.get(&format!("/t/{a}")).csrf();
        let mut swept = 0;
        for (method, pattern) in onus_server::route_list() {
            if !pattern.contains("{tenant}") {
                continue;
            }
            let path = fill(pattern, &ids);
            let reply = if pattern.starts_with("/api/") {
                boss.api_with(
                    method.as_str(),
                    &path,
                    Some(&token),
                    Some("{}"),
                    &[("If-Match", "\"1\"")],
                )
            } else if method == "GET" {
                boss.get(&path)
            } else {
                boss.post(
                    &path,
                    &[
                        ("csrf", &csrf),
                        ("revision", "1"),
                        ("status", "implemented"),
                        ("role", "tenant-viewer"),
                        ("email", "x@acme.io"),
                        ("require", "on"),
                    ],
                )
            };
            assert_eq!(
                reply.status, 404,
                "{backend}: {method} {path} as tenant A: {}",
                reply.body
            );
            swept += 1;
        }
        assert!(swept >= 20, "{backend}: {swept} routes swept");
        // B's data is as it was.
        let item = other.get(&format!("/t/{b}/items/{b_item}"));
        assert!(
            item.body.contains("status not-started")
                && item.body.contains("name=\"revision\" value=\"1\""),
            "{backend}"
        );
        assert!(
            other
                .get(&format!("/t/{b}/changes"))
                .body
                .contains("Not reviewed yet."),
            "{backend}"
        );
        assert!(
            other.get(&format!("/t/{b}")).body.contains("tenant-admin"),
            "{backend}"
        );
        assert!(
            other
                .get(&format!("/t/{b}/access"))
                .body
                .contains("pending"),
            "{backend}: the request is still undecided"
        );
        let kept = other.get(&format!("/t/{b}/items/{b_item}/evidence"));
        assert!(
            kept.body.contains("globex.txt") && kept.body.contains("kept"),
            "{backend}: B's evidence untouched"
        );
    });
}

/// A webhook receiver on 127.0.0.1 answering `status`: its address and
/// what it receives (headers, body).
/// What a receiver got: headers (names lower-cased) and body.
type Received = (Vec<(String, String)>, String);

fn receiver(status: u16) -> (String, std::sync::mpsc::Receiver<Received>) {
    use std::io::{BufRead, BufReader, Read, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut headers = Vec::new();
            let mut line = String::new();
            reader.read_line(&mut line).unwrap();
            loop {
                line.clear();
                reader.read_line(&mut line).unwrap();
                let l = line.trim_end();
                if l.is_empty() {
                    break;
                }
                if let Some((k, v)) = l.split_once(':') {
                    headers.push((k.trim().to_ascii_lowercase(), v.trim().to_string()));
                }
            }
            let len: usize = headers
                .iter()
                .find(|(k, _)| k == "content-length")
                .map_or(0, |(_, v)| v.parse().unwrap());
            let mut body = vec![0; len];
            reader.read_exact(&mut body).unwrap();
            write!(
                stream,
                "HTTP/1.1 {status} X\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
            )
            .unwrap();
            let _ = tx.send((headers, String::from_utf8(body).unwrap()));
        }
    });
    (format!("http://{addr}/hook"), rx)
}

#[test]
fn a_new_version_is_notified_to_the_tenants_webhook_signed_and_retried() {
    both_backends(|backend, db| {
        let (mut admin, token) = portal(db);
        setup_admin(&mut admin, &token);
        let (a, a_invite) = create_tenant(&mut admin, "Acme", "outsystems/odc", "boss@acme.io");
        let (b, b_invite) = create_tenant(&mut admin, "Globex", "outsystems/odc", "boss@globex.io");
        let (mut boss, _) = accept(&admin, &a_invite, "Bo Boss");
        let (mut other, _) = accept(&admin, &b_invite, "Gil Globex");
        let (good, received) = receiver(204);
        let (bad, refused) = receiver(500);
        let set = |c: &mut Client, t: &str, url: &str| {
            let csrf = c.get(&format!("/t/{t}")).csrf();
            let r = c.post(&format!("/t/{t}/webhook"), &[("csrf", &csrf), ("url", url)]);
            assert_eq!(r.status, 200, "{}", r.body);
            shown_value(&r)
        };
        let csrf = boss.get(&format!("/t/{a}")).csrf();
        let refused_url = boss.post(
            &format!("/t/{a}/webhook"),
            &[("csrf", &csrf), ("url", "ftp://x")],
        );
        assert_eq!(refused_url.status, 422, "{backend}");
        let secret = set(&mut boss, &a, &good);
        assert_eq!(secret.len(), 64);
        set(&mut other, &b, &bad);
        for (c, t) in [(&mut boss, &a), (&mut other, &b)] {
            assert_eq!(c.get(&format!("/t/{t}/checklist")).status, 200);
        }
        runtime().block_on(async {
            let store = Store::open(db).await.unwrap();
            let files = edited_outsystems(&[REWORDED, REMOVED]);
            onus_server::publish::publish_with(
                &store,
                &PathBuf::from("/bundled/outsystems.onus.yaml"),
                &files,
                "edited",
            )
            .await
            .unwrap();
            store.close().await;
        });
        // The portal notices at the next visit (or publish from the admin page).
        assert_eq!(boss.get(&format!("/t/{a}/checklist")).status, 200);
        assert_eq!(other.get(&format!("/t/{b}/checklist")).status, 200);
        let (headers, body) = received
            .recv_timeout(std::time::Duration::from_secs(30))
            .expect("the notice arrives");
        let header = |name: &str| {
            headers
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.clone())
                .unwrap_or_default()
        };
        let timestamp: i64 = header("x-onus-timestamp").parse().unwrap();
        assert_eq!(
            header("x-onus-signature"),
            onus_server::webhooks::sign(&secret, timestamp, &body),
            "{backend}"
        );
        assert_eq!(header("x-onus-event"), "model-changed");
        let notice: serde_json::Value = serde_json::from_str(&body).unwrap();
        assert_eq!(
            notice["tenant"]["id"],
            a.as_str(),
            "{backend}: only Acme's notice here"
        );
        assert_eq!(notice["items"]["archived"], 1);
        assert_eq!(notice["items"]["reworded"], 1);
        assert_eq!(
            (
                notice["from_version"].as_i64(),
                notice["to_version"].as_i64()
            ),
            (Some(1), Some(2))
        );
        // The receiver that fails is tried again later, with the error recorded.
        refused
            .recv_timeout(std::time::Duration::from_secs(30))
            .expect("an attempt");
        let mut page = other.get(&format!("/t/{b}"));
        for _ in 0..20 {
            if page.body.contains("answered HTTP 500") {
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(250));
            page = other.get(&format!("/t/{b}"));
        }
        assert!(
            page.body.contains("retrying") && page.body.contains("answered HTTP 500"),
            "{backend}: {}",
            page.body
        );
        // The receiver that answered has its notice marked delivered
        // (once the sender has recorded the answer).
        let mut delivered = boss.get(&format!("/t/{a}"));
        for _ in 0..20 {
            if delivered.body.contains("delivered") {
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(250));
            delivered = boss.get(&format!("/t/{a}"));
        }
        assert!(
            delivered.body.contains("delivered"),
            "{backend}: {}",
            delivered.body
        );
    });
}

/// The provider's own SSP export of the edited outsystems (what the tenant's document joins to).
fn provider_ssp() -> serde_json::Value {
    let files = edited_outsystems(&[REWORDED, REMOVED]);
    let set =
        onus_core::load::ModelSet::load(&[PathBuf::from("/bundled/outsystems.onus.yaml")], &files)
            .unwrap();
    let matrix = onus_core::resolve::resolve(&set, set.roots[0]).unwrap();
    let odc = matrix.offerings.iter().find(|o| o.id == "odc").unwrap();
    onus_oscal::export::ssp::export(onus_oscal::export::Input::new(&matrix), odc).unwrap()
}

/// Every entry under `key` in the by-components of an SSP (and their `export`).
fn refs<'v>(doc: &'v serde_json::Value, key: &str) -> Vec<&'v serde_json::Value> {
    let mut out = Vec::new();
    let reqs = doc["system-security-plan"]["control-implementation"]["implemented-requirements"]
        .as_array()
        .unwrap();
    for r in reqs {
        let statements = r["statements"].as_array().into_iter().flatten();
        for b in statements
            .flat_map(|s| s["by-components"].as_array().into_iter().flatten())
            .chain(r["by-components"].as_array().into_iter().flatten())
        {
            for list in [&b[key], &b["export"][key]] {
                out.extend(list.as_array().into_iter().flatten());
            }
        }
    }
    out
}

fn uuids(doc: &serde_json::Value, key: &str) -> std::collections::HashSet<String> {
    refs(doc, key)
        .iter()
        .map(|e| e["uuid"].as_str().unwrap().to_string())
        .collect()
}
