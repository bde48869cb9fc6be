//! `onus_oscal::export::leveraging_ssp`: a tenant's SSP that leverages an
//! offering, pointing at the uuids of the provider's own SSP export.

mod common;

use std::collections::HashSet;

use common::{example, schema_errors, validator, EXAMPLES};
use onus_core::identity::{holder_duties, item_id};
use onus_core::resolve::{Matrix, ResolvedOffering};
use onus_oscal::export::{
    leveraging_ssp, ssp, Authorization, DutyRecord, DutyStatus, Input, Tenant,
};
use serde_json::Value;

const TENANT: Tenant<'static> = Tenant {
    id: "acme-bank",
    name: "Acme Bank payments",
    date: Some("2025-11-30"),
    authorization: None,
};

/// The checklist items of the customer in `o`: (item id, duty text).
fn items(o: &ResolvedOffering) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for a in &o.areas {
        for h in a.holders.iter().filter(|h| h.is_customer_part()) {
            for (key, text) in holder_duties(h) {
                let id = item_id(&o.id, &a.id, &h.party, h.scope().as_deref(), &key);
                out.push((id, text.to_string()));
            }
        }
    }
    out
}

/// Every entry of `key` under the by-components (and their `export`).
fn entries<'v>(doc: &'v Value, key: &str) -> Vec<&'v Value> {
    let mut out = Vec::new();
    for r in doc["system-security-plan"]["control-implementation"]["implemented-requirements"]
        .as_array()
        .unwrap()
    {
        for s in r["statements"].as_array().unwrap() {
            for b in s["by-components"].as_array().unwrap() {
                for list in [&b[key], &b["export"][key]] {
                    out.extend(list.as_array().into_iter().flatten());
                }
            }
        }
    }
    out
}

fn uuids_of(doc: &Value, key: &str) -> HashSet<String> {
    entries(doc, key)
        .iter()
        .map(|e| e["uuid"].as_str().unwrap().to_string())
        .collect()
}

/// Records: every third item implemented (with a note), one in progress
/// (with a note), one not applicable, and one for a duty that is gone.
fn records(o: &ResolvedOffering) -> Vec<DutyRecord> {
    let mut out: Vec<DutyRecord> = items(o)
        .iter()
        .enumerate()
        .map(|(i, (item, _))| DutyRecord {
            item: item.clone(),
            status: match i % 3 {
                0 => DutyStatus::Implemented,
                1 => DutyStatus::InProgress,
                _ => DutyStatus::NotApplicable,
            },
            note: Some(format!("note {i}")),
        })
        .collect();
    out.push(DutyRecord {
        item: "0".repeat(32),
        status: DutyStatus::Implemented,
        note: Some("a duty that was reworded".into()),
    });
    out
}

fn check(matrix: &Matrix, o: &ResolvedOffering, what: &str) -> Option<(Value, Value)> {
    let provider = ssp::export(Input::new(matrix), o).ok()?;
    let doc = leveraging_ssp(matrix, &o.id, &records(o), TENANT).unwrap();
    let errors = schema_errors(&validator("oscal_ssp_schema.json"), &doc);
    assert!(errors.is_empty(), "{what}: {errors:#?}");
    // And by the bundled schema `onus oscal validate` uses.
    let report = onus_oscal::validate::validate_value(&doc).unwrap();
    assert_eq!(report.model, "system-security-plan");
    assert!(report.errors.is_empty(), "{what}: {:#?}", report.errors);

    // Every uuid it points at is in the provider's own export.
    let provided = uuids_of(&provider, "provided");
    let responsibilities = uuids_of(&provider, "responsibilities");
    for i in entries(&doc, "inherited") {
        assert!(
            provided.contains(i["provided-uuid"].as_str().unwrap()),
            "{what}: {i:#}"
        );
    }
    for s in entries(&doc, "satisfied") {
        let r = s["responsibility-uuid"].as_str().unwrap();
        assert!(responsibilities.contains(r), "{what}: {s:#}");
    }
    // Everything the provider's side provides is inherited.
    let inherited: HashSet<&str> = entries(&doc, "inherited")
        .iter()
        .map(|i| i["provided-uuid"].as_str().unwrap())
        .collect();
    assert_eq!(inherited.len(), provided.len(), "{what}");
    let system =
        provider["system-security-plan"]["system-implementation"]["components"][0]["uuid"].clone();
    let leveraged = &doc["system-security-plan"]["system-implementation"]["components"][1];
    assert!(leveraged["props"]
        .as_array()
        .unwrap()
        .iter()
        .any(|p| p["name"] == "inherited-uuid" && p["value"] == system));
    // Its own uuids are unique, and the same records give the same document.
    let mut all = Vec::new();
    collect(&doc, &mut all);
    let unique: HashSet<&String> = all.iter().collect();
    assert_eq!(unique.len(), all.len(), "{what}");
    assert_eq!(
        doc,
        leveraging_ssp(matrix, &o.id, &records(o), TENANT).unwrap()
    );
    Some((doc, provider))
}

fn collect(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::Object(o) => {
            for (k, x) in o {
                if k == "uuid" {
                    out.push(x.as_str().unwrap().to_string());
                }
                collect(x, out);
            }
        }
        Value::Array(a) => a.iter().for_each(|x| collect(x, out)),
        _ => {}
    }
}

#[test]
fn every_offering_of_every_example_can_be_leveraged() {
    let mut checked = 0;
    for name in EXAMPLES {
        let e = example(name);
        for o in &e.matrix.offerings {
            checked += usize::from(check(&e.matrix, o, &format!("{name}/{}", o.id)).is_some());
        }
    }
    assert!(checked >= 5, "{checked}");
}

#[test]
fn the_tenants_implemented_duties_are_satisfied_with_its_notes() {
    let e = example("outsystems");
    let o = e.matrix.offerings.iter().find(|o| o.id == "odc").unwrap();
    let (doc, _) = check(&e.matrix, o, "outsystems/odc").unwrap();
    let satisfied = entries(&doc, "satisfied");
    assert!(satisfied.len() > 5, "{}", satisfied.len());
    // The notes of implemented duties are the descriptions, keyed by item.
    let records = records(o);
    for s in &satisfied {
        let item = s["props"][0]["value"].as_str().unwrap();
        let r = records.iter().find(|r| r.item == item).unwrap();
        assert_eq!(r.status, DutyStatus::Implemented);
        assert_eq!(s["description"].as_str(), r.note.as_deref());
    }
    // The reworded duty's record points at nothing and is not used.
    assert!(!satisfied
        .iter()
        .any(|s| s["description"] == "a duty that was reworded"));
    // A control with an implemented and an in-progress duty is partial, the
    // in-progress note in its remarks.
    let statuses: Vec<&Value> = doc["system-security-plan"]["control-implementation"]
        ["implemented-requirements"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| &r["statements"][0]["by-components"][0]["implementation-status"])
        .collect();
    assert!(statuses.iter().any(
        |s| s["state"] == "partial" && s["remarks"].as_str().unwrap().contains("(in-progress)")
    ));
    assert!(statuses.iter().any(|s| s["state"] == "implemented"));

    // Nothing recorded: nothing satisfied, the customer's controls planned.
    let doc = leveraging_ssp(&e.matrix, "odc", &[], TENANT).unwrap();
    assert!(entries(&doc, "satisfied").is_empty());
    assert!(doc.to_string().contains("\"planned\""));
}

#[test]
fn an_unknown_offering_is_refused() {
    let e = example("outsystems");
    let err = leveraging_ssp(&e.matrix, "odk", &[], TENANT).unwrap_err();
    assert!(err.to_string().contains("no offering `odk`"), "{err}");
}

#[test]
fn the_providers_authorization_is_a_leveraged_authorization() {
    let e = example("outsystems");
    let tenant = Tenant {
        authorization: Some(Authorization {
            date: "2024-05-01",
            package: Some("FR2100000000"),
        }),
        ..TENANT
    };
    let doc = leveraging_ssp(&e.matrix, "odc", &[], tenant).unwrap();
    let errors = schema_errors(&validator("oscal_ssp_schema.json"), &doc);
    assert!(errors.is_empty(), "{errors:#?}");
    let system = &doc["system-security-plan"]["system-implementation"];
    let la = &system["leveraged-authorizations"][0];
    assert_eq!(la["date-authorized"], "2024-05-01");
    assert!(la.to_string().contains("FR2100000000"));
    let parties = doc["system-security-plan"]["metadata"]["parties"]
        .as_array()
        .unwrap();
    assert!(parties.iter().any(|p| p["uuid"] == la["party-uuid"]));
    assert!(system["components"][1]["props"]
        .as_array()
        .unwrap()
        .iter()
        .any(|p| p["name"] == "leveraged-authorization-uuid" && p["value"] == la["uuid"]));
    // A date that is no date is refused, not written invalid.
    let bad = Tenant {
        authorization: Some(Authorization {
            date: "2024-02-30",
            package: None,
        }),
        ..TENANT
    };
    let err = leveraging_ssp(&e.matrix, "odc", &[], bad).unwrap_err();
    assert!(
        err.to_string().contains("`2024-02-30` is not a date"),
        "{err}"
    );
    // Without one, none.
    let doc = leveraging_ssp(&e.matrix, "odc", &[], TENANT).unwrap();
    assert!(doc["system-security-plan"]["system-implementation"]
        .get("leveraged-authorizations")
        .is_none());
}

#[test]
fn a_tenant_without_a_name_still_gets_a_valid_document() {
    let e = example("outsystems");
    let tenant = Tenant {
        id: "",
        name: "  ",
        date: Some("not a date"),
        authorization: None,
    };
    let doc = leveraging_ssp(&e.matrix, "odc", &[], tenant).unwrap();
    let errors = schema_errors(&validator("oscal_ssp_schema.json"), &doc);
    assert!(errors.is_empty(), "{errors:#?}");
    assert_eq!(
        doc["system-security-plan"]["system-characteristics"]["system-name"],
        "Tenant"
    );
    assert_eq!(
        doc["system-security-plan"]["metadata"]["last-modified"],
        "1970-01-01T00:00:00Z"
    );
}
