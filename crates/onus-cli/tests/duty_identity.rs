//! A duty's OSCAL uuid is its identity, not its place: `onus oscal export
//! --kind ssp` of a model edited around its duties (duties inserted,
//! reordered and reworded, with and without `id:`, in the model and in its
//! upstream) keeps every untouched duty's uuid, keeps the uuid of a duty
//! reworded under its id, and gives a duty reworded without an id a new
//! uuid that no other duty takes.

mod common;

use std::collections::{HashMap, HashSet};
use std::path::Path;

use common::{onus, stderr, stdout};

const UP_BEFORE: &str = "onus: 1
model: { id: up, name: Up, publisher: cloud }
parties:
  cloud: { name: Cloud, role: provider }
  customer: { name: Customer, role: customer }
offerings:
  iaas: { name: IaaS }
areas:
  hosts: { name: Hosts }
responsibilities:
  hosts:
    cloud: { duties: [Runs the hypervisor, { id: firmware, text: Updates the firmware }] }
    customer: { duties: [{ id: guest-os, text: Patches the guest operating system }] }
";

/// Upstream: a duty inserted first, the id'd ones reworded.
const UP_AFTER: &str = "onus: 1
model: { id: up, name: Up, publisher: cloud }
parties:
  cloud: { name: Cloud, role: provider }
  customer: { name: Customer, role: customer }
offerings:
  iaas: { name: IaaS }
areas:
  hosts: { name: Hosts }
responsibilities:
  hosts:
    cloud: { duties: [Guards the data centres, Runs the hypervisor, { id: firmware, text: Keeps BIOS and BMC current }] }
    customer: { duties: [{ id: guest-os, text: Keeps its machine images current }] }
";

fn model(access: &str, customer: &str) -> String {
    format!(
        "onus: 1
model: {{ id: acme, name: Acme, publisher: acme }}
parties:
  acme: {{ name: Acme, role: provider }}
  customer: {{ name: Customer, role: customer }}
upstreams:
  up: {{ model: up.onus.yaml }}
offerings:
  saas: {{ name: SaaS, runs-on: {{ up: iaas }} }}
areas:
  access: {{ name: Access, controls: [nist-800-53-rev5:ac-2] }}
  hosts: {{ name: Hosts, controls: [nist-800-53-rev5:ac-2] }}
frameworks:
  nist-800-53-rev5: {{ name: NIST SP 800-53 Rev. 5 }}
responsibilities:
  access:
    acme:
      duties:
{access}
    customer:
      duties:
{customer}
  hosts: {{ up: ~, acme: {{ duties: [Watches the hosts] }} }}
"
    )
}

const ACCESS_BEFORE: &str = "        - { id: sso, text: Runs single sign-on }
        - Reviews admin access every quarter
        - Rotates the signing keys
        - { id: audit, text: Keeps an audit log of sign-ins }";
/// Inserted (with and without an id), reordered, `sso` reworded under its
/// id, `Reviews admin access...` reworded without one.
const ACCESS_AFTER: &str = "        - { id: mfa, text: Enforces MFA for staff }
        - Rotates the signing keys
        - { id: audit, text: Keeps an audit log of sign-ins }
        - Hardens the sign-in pages
        - Reviews administrator access every month
        - { id: sso, text: Operates the identity provider }";
const CUSTOMER_BEFORE: &str = "        - Manages its users
        - { id: own-access, text: Reviews its access }";
const CUSTOMER_AFTER: &str = "        - { id: own-access, text: Reviews who can reach its tenant }
        - Enrols its users in MFA
        - Manages its users";

/// `provided` and `responsibilities` of the SSP, as description -> uuid.
fn export(dir: &Path, up: &str, access: &str, customer: &str) -> HashMap<String, String> {
    std::fs::write(dir.join("up.onus.yaml"), up).unwrap();
    let file = dir.join("acme.onus.yaml");
    std::fs::write(&file, model(access, customer)).unwrap();
    let o = onus(&["oscal", "export", file.to_str().unwrap(), "--kind", "ssp"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let doc: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    let schema: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(common::shared("schemas/oscal_ssp_schema.json")).unwrap(),
    )
    .unwrap();
    assert!(jsonschema::draft7::new(&schema).unwrap().is_valid(&doc));
    let mut out = HashMap::new();
    let mut uuids = HashSet::new();
    let requirements = doc["system-security-plan"]["control-implementation"]
        ["implemented-requirements"]
        .as_array()
        .unwrap();
    for b in requirements
        .iter()
        .flat_map(|r| r["statements"][0]["by-components"].as_array().unwrap())
    {
        for kind in ["provided", "responsibilities"] {
            for e in b["export"][kind].as_array().into_iter().flatten() {
                let uuid = e["uuid"].as_str().unwrap().to_string();
                assert!(uuids.insert(uuid.clone()), "{uuid} twice");
                // A duty with an id says it, qualified through the upstream.
                let id = e["props"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .find(|p| p["name"] == "duty-id")
                    .map(|p| p["value"].as_str().unwrap().to_string());
                let description = e["description"].as_str().unwrap();
                let expected = [
                    ("Runs single sign-on", "sso"),
                    ("Operates the identity provider", "sso"),
                    ("Reviews its access", "own-access"),
                    ("Updates the firmware", "up/firmware"),
                    ("Patches the guest operating system", "up/guest-os"),
                    ("Rotates the signing keys", ""),
                ];
                if let Some((_, want)) = expected.iter().find(|(t, _)| *t == description) {
                    assert_eq!(
                        id.as_deref(),
                        Some(*want).filter(|w| !w.is_empty()),
                        "{description}"
                    );
                }
                out.insert(e["description"].as_str().unwrap().to_string(), uuid);
            }
        }
    }
    out
}

#[test]
fn duty_uuids_follow_ids_and_texts_not_places() {
    let dir = tempfile::tempdir().unwrap();
    let before = export(dir.path(), UP_BEFORE, ACCESS_BEFORE, CUSTOMER_BEFORE);
    let after = export(dir.path(), UP_AFTER, ACCESS_AFTER, CUSTOMER_AFTER);
    assert_eq!(before.len(), 10, "{before:#?}");
    assert_eq!(after.len(), 14, "{after:#?}");

    // Untouched duties keep their uuid, wherever they moved.
    let untouched = [
        "Rotates the signing keys",
        "Keeps an audit log of sign-ins",
        "Manages its users",
        "Watches the hosts",
        "Runs the hypervisor",
    ];
    for text in untouched {
        assert_eq!(before[text], after[text], "`{text}` changed its uuid");
    }
    // Duties reworded under their id keep their uuid, in the model and upstream.
    for (old, new) in [
        ("Runs single sign-on", "Operates the identity provider"),
        ("Reviews its access", "Reviews who can reach its tenant"),
        ("Updates the firmware", "Keeps BIOS and BMC current"),
        (
            "Patches the guest operating system",
            "Keeps its machine images current",
        ),
    ] {
        assert_eq!(before[old], after[new], "`{old}` -> `{new}`");
    }
    // A duty reworded without an id is a new duty: a new uuid, and its old
    // one names nothing now.
    let old = &before["Reviews admin access every quarter"];
    assert_ne!(old, &after["Reviews administrator access every month"]);
    assert!(after.values().all(|u| u != old));
    // Every new duty has a uuid of its own.
    let kept: HashSet<&String> = before.values().collect();
    for text in [
        "Enforces MFA for staff",
        "Hardens the sign-in pages",
        "Enrols its users in MFA",
        "Guards the data centres",
    ] {
        assert!(!kept.contains(&after[text]), "`{text}` took an old uuid");
    }
}

/// `onus diff` says a duty reworded under its id was reworded (not removed
/// and added), and says when a duty's id is given.
#[test]
fn diff_reports_a_duty_by_its_id() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("up.onus.yaml"), UP_BEFORE).unwrap();
    let old = dir.path().join("old.onus.yaml");
    let new = dir.path().join("new.onus.yaml");
    std::fs::write(&old, model(ACCESS_BEFORE, CUSTOMER_BEFORE)).unwrap();
    let access = ACCESS_BEFORE
        .replace("Runs single sign-on", "Operates the identity provider")
        .replace(
            "- Rotates the signing keys",
            "- { id: keys, text: Rotates the signing keys }",
        );
    std::fs::write(&new, model(&access, CUSTOMER_BEFORE)).unwrap();
    let o = onus(&[
        "diff",
        old.to_str().unwrap(),
        new.to_str().unwrap(),
        "--format",
        "json",
    ]);
    let doc: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    let kinds: Vec<(&str, &str)> = doc["changes"]
        .as_array()
        .unwrap_or_else(|| panic!("{doc:#}"))
        .iter()
        .map(|c| {
            (
                c["kind"].as_str().unwrap(),
                c["message"].as_str().unwrap_or(""),
            )
        })
        .collect();
    assert_eq!(kinds.len(), 2, "{kinds:#?}");
    assert_eq!(kinds[0].0, "duty-reworded");
    assert_eq!(kinds[1].0, "duty-id-changed");
    let o = onus(&["diff", old.to_str().unwrap(), new.to_str().unwrap()]);
    let text = stdout(&o);
    assert!(
        text.contains(
            "duty of Acme reworded: \"Runs single sign-on\" is now \"Operates the identity provider\""
        ),
        "{text}"
    );
    assert!(
        text.contains("duty \"Rotates the signing keys\" of Acme now has the id `keys`"),
        "{text}"
    );
}

/// `onus matrix --format json` gives each duty's id, qualified through
/// the upstream, beside the duties, only for holders where one has an id.
#[test]
fn matrix_json_carries_duty_ids() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("up.onus.yaml"), UP_BEFORE).unwrap();
    let file = dir.path().join("acme.onus.yaml");
    std::fs::write(&file, model(ACCESS_BEFORE, CUSTOMER_BEFORE)).unwrap();
    let o = onus(&["matrix", file.to_str().unwrap(), "--format", "json"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let doc: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    let holders = |area: usize| doc["offerings"][0]["areas"][area]["holders"].clone();
    let access = holders(0);
    assert_eq!(
        access[0]["duty-ids"],
        serde_json::json!(["sso", null, null, "audit"])
    );
    assert_eq!(
        access[1]["duty-ids"],
        serde_json::json!([null, "own-access"])
    );
    let hosts = holders(1);
    let by_party = |p: &str| {
        hosts
            .as_array()
            .unwrap()
            .iter()
            .find(|h| h["party"] == p)
            .unwrap_or_else(|| panic!("{p} in {hosts:#}"))
            .clone()
    };
    assert_eq!(
        by_party("up/cloud")["duty-ids"],
        serde_json::json!([null, "up/firmware"])
    );
    // The upstream's customer part, carried to Acme beside its own duty.
    assert_eq!(
        by_party("acme")["duty-ids"],
        serde_json::json!(["up/guest-os", null])
    );
    // A holder without ids has no such key.
    let o = onus(&["matrix", "examples/codat.onus.yaml", "--format", "json"]);
    assert!(!stdout(&o).contains("duty-ids"));
}
