//! OSCAL exports of every example: valid against the official OSCAL 1.2.1
//! JSON schemas, deterministic, with UUIDs that identify one thing each.

mod common;

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use common::{example, from_files, schema_errors, validator, EXAMPLES};
use onus_oscal::export::{component_definition, ssp};
use serde_json::Value;

fn uuids(v: &Value, key: &str, out: &mut Vec<String>) {
    match v {
        Value::Object(o) => {
            for (k, v) in o {
                if k == key {
                    if let Some(s) = v.as_str() {
                        out.push(s.to_string());
                    }
                }
                uuids(v, key, out);
            }
        }
        Value::Array(a) => a.iter().for_each(|v| uuids(v, key, out)),
        _ => {}
    }
}

fn assert_unique_uuids(doc: &Value, what: &str) {
    let mut all = Vec::new();
    uuids(doc, "uuid", &mut all);
    let set: HashSet<&String> = all.iter().collect();
    assert_eq!(set.len(), all.len(), "{what}: a uuid is used twice");
}

#[test]
fn the_schema_check_can_fail() {
    let v = validator("oscal_component_schema.json");
    let mut doc = component_definition::export(example("codat").input());
    doc["component-definition"]["metadata"]["last-modified"] = "yesterday".into();
    assert!(!schema_errors(&v, &doc).is_empty());
    let mut doc = component_definition::export(example("codat").input());
    doc["component-definition"]["components"][0]["uuid"] = "not-a-uuid".into();
    assert!(!schema_errors(&v, &doc).is_empty());
}

#[test]
fn component_definitions_of_every_example_are_valid() {
    let v = validator("oscal_component_schema.json");
    for name in EXAMPLES {
        let doc = component_definition::export(example(name).input());
        let errors = schema_errors(&v, &doc);
        assert!(errors.is_empty(), "{name}: {errors:#?}");
        assert_unique_uuids(&doc, name);
        let components = doc["component-definition"]["components"]
            .as_array()
            .unwrap();
        assert!(!components.is_empty(), "{name}");
    }
}

#[test]
fn ssps_of_every_offering_of_every_example_are_valid() {
    let v = validator("oscal_ssp_schema.json");
    for name in EXAMPLES {
        let e = example(name);
        for o in &e.matrix.offerings {
            let doc = ssp::export(e.input(), o).unwrap();
            let errors = schema_errors(&v, &doc);
            assert!(errors.is_empty(), "{name}/{}: {errors:#?}", o.id);
            assert_unique_uuids(&doc, &format!("{name}/{}", o.id));
        }
    }
}

#[test]
fn exports_are_deterministic() {
    for name in EXAMPLES {
        let a = component_definition::export(example(name).input());
        let b = component_definition::export(example(name).input());
        assert_eq!(a, b, "{name}");
    }
    let codat = example("codat");
    let doc = component_definition::export(codat.input());
    let meta = &doc["component-definition"]["metadata"];
    assert_eq!(meta["last-modified"], "1970-01-01T00:00:00Z");
    assert_eq!(meta["oscal-version"], "1.2.1");
    assert_eq!(meta["version"], "unversioned");
    // A v5 UUID of a stable name: the same in every run and every version.
    assert_eq!(
        doc["component-definition"]["uuid"],
        onus_oscal::export::uuid_of("codat/component-definition")
    );
}

/// The seed's split, in OSCAL: Codat's component implements what Codat
/// holds, Microsoft's (reached through `azure`) what it holds.
#[test]
fn codat_component_definition_has_one_component_per_provider_party() {
    let doc = component_definition::export(example("codat").input());
    let titles: Vec<&str> = doc["component-definition"]["components"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["title"].as_str().unwrap())
        .collect();
    assert_eq!(titles, ["Codat", "Microsoft (via azure)"]);
    let microsoft = &doc["component-definition"]["components"][1];
    let pe3 = microsoft["control-implementations"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|ci| ci["implemented-requirements"].as_array().unwrap())
        .find(|r| r["control-id"] == "pe-3")
        .expect("Microsoft implements PE-3 through the physical datacenter");
    assert_eq!(pe3["statements"][0]["statement-id"], "pe-3_smt");
}

/// In the SSP, the customer's part pairs with the provider's part of the
/// same area by `provided-uuid`; a customer-only area has no provided part.
#[test]
fn ssp_responsibilities_link_to_provided_parts() {
    let e = example("coherent");
    let doc = ssp::export(e.input(), &e.matrix.offerings[0]).unwrap();
    let requirements = doc["system-security-plan"]["control-implementation"]
        ["implemented-requirements"]
        .as_array()
        .unwrap();
    let mut paired = 0;
    for r in requirements {
        for s in r["statements"].as_array().into_iter().flatten() {
            for b in s["by-components"].as_array().unwrap() {
                let provided: Vec<&str> = b["export"]["provided"]
                    .as_array()
                    .map(|p| p.iter().map(|e| e["uuid"].as_str().unwrap()).collect())
                    .unwrap_or_default();
                for resp in b["export"]["responsibilities"]
                    .as_array()
                    .map(Vec::as_slice)
                    .unwrap_or_default()
                {
                    let link = resp["provided-uuid"].as_str().unwrap();
                    assert!(provided.contains(&link), "{link} not in {provided:?}");
                    paired += 1;
                }
            }
        }
    }
    assert!(paired > 0);
    // An area the customer holds alone links to what the provider's side
    // provides for the same control in another area.
    let mut across = 0;
    for name in EXAMPLES {
        let e = example(name);
        for o in &e.matrix.offerings {
            let doc = ssp::export(e.input(), o).unwrap();
            for r in doc["system-security-plan"]["control-implementation"]
                ["implemented-requirements"]
                .as_array()
                .unwrap()
            {
                let bs = r["statements"][0]["by-components"].as_array().unwrap();
                let all: Vec<&str> = bs
                    .iter()
                    .flat_map(|b| b["export"]["provided"].as_array().into_iter().flatten())
                    .map(|p| p["uuid"].as_str().unwrap())
                    .collect();
                for b in bs.iter().filter(|b| b["export"]["provided"].is_null()) {
                    for resp in b["export"]["responsibilities"]
                        .as_array()
                        .into_iter()
                        .flatten()
                    {
                        match resp["provided-uuid"].as_str() {
                            Some(link) => {
                                assert_eq!(link, all[0], "{name}");
                                across += 1;
                            }
                            None => assert!(all.is_empty(), "{name}: {resp:#}"),
                        }
                    }
                }
            }
        }
    }
    assert!(across > 0);
    // IA-2 in Coherent's privileged access management: each part names its holder.
    let ia2 = requirements
        .iter()
        .find(|r| r["control-id"] == "ia-2")
        .unwrap();
    let export = &ia2["statements"][0]["by-components"][0]["export"];
    assert_eq!(
        export["provided"][0]["description"],
        "Platform-level IAM governance and JIT privileged access."
    );
    assert_eq!(
        export["responsibilities"][0]["description"],
        "Authentication and MFA configuration."
    );
    assert_eq!(
        export["responsibilities"][0]["responsible-roles"][0]["role-id"],
        "customer"
    );
}

#[test]
fn an_offering_without_controls_has_no_ssp() {
    let e = example("codat");
    let mut matrix = (*e.matrix).clone();
    for a in &mut matrix.offerings[0].areas {
        Arc::make_mut(&mut a.info).controls.clear();
    }
    let input = onus_oscal::export::Input::new(&matrix);
    let err = ssp::export(input, &matrix.offerings[0]).unwrap_err();
    assert!(err.to_string().contains("add `controls:"), "{err}");
}

/// A duty's uuid is its identity, not its position: inserting, reordering
/// and rewording duties leaves every untouched duty's `provided` and
/// `responsibilities` uuid pointing at the same text.
#[test]
fn duty_uuids_survive_insertions_reorders_and_rewordings() {
    let model = |provider: &str, customer: &str| {
        format!(
            "onus: 1
model: {{ id: acme, name: Acme, publisher: acme }}
parties:
  acme: {{ name: Acme, role: provider }}
  customer: {{ name: Customer, role: customer }}
offerings:
  saas: {{ name: SaaS }}
areas:
  access: {{ name: Access, controls: [nist-800-53-rev5:ac-2] }}
frameworks:
  nist-800-53-rev5: {{ name: NIST SP 800-53 Rev. 5 }}
responsibilities:
  access:
    acme: {{ duties: [{provider}] }}
    customer: {{ duties: [{customer}] }}
"
        )
    };
    let duties = |text: &str| -> Vec<(String, String)> {
        let (example, found) = common::from_text(text);
        let example = example.unwrap_or_else(|| panic!("{found:#?}"));
        let doc = ssp::export(example.input(), &example.matrix.offerings[0]).unwrap();
        let mut out = Vec::new();
        let components = doc["system-security-plan"]["control-implementation"]
            ["implemented-requirements"][0]["statements"][0]["by-components"]
            .as_array()
            .unwrap();
        for b in components {
            for kind in ["provided", "responsibilities"] {
                for e in b["export"][kind].as_array().into_iter().flatten() {
                    out.push((
                        e["uuid"].as_str().unwrap().to_string(),
                        e["description"].as_str().unwrap().to_string(),
                    ));
                }
            }
        }
        out
    };
    let before = duties(&model(
        "Runs the directory, Reviews admin access, Rotates keys",
        "Manages its users, Reviews its access",
    ));
    assert_eq!(before.len(), 5, "{before:?}");
    let after = duties(&model(
        "Hardens the hosts, Rotates keys, Runs the directory, Reviews administrator access",
        "Reviews its access, Enrols MFA, Manages its users",
    ));
    for (uuid, text) in &before {
        match after.iter().find(|(_, t)| t == text) {
            Some((kept, _)) => assert_eq!(kept, uuid, "`{text}` changed its uuid"),
            // The reworded duty is a new text: its uuid is new, and no
            // other duty took the old one.
            None => assert!(
                after.iter().all(|(u, _)| u != uuid),
                "`{text}`'s uuid now names another duty"
            ),
        }
    }
    let unique: HashSet<&str> = after.iter().map(|(u, _)| u.as_str()).collect();
    assert_eq!(unique.len(), after.len());
}

/// The `provided` uuids of an SSP export.
fn provided_uuids(doc: &Value) -> HashSet<String> {
    let mut out = HashSet::new();
    for r in doc["system-security-plan"]["control-implementation"]["implemented-requirements"]
        .as_array()
        .unwrap()
    {
        for s in r["statements"].as_array().into_iter().flatten() {
            for b in s["by-components"].as_array().unwrap() {
                for p in b["export"]["provided"].as_array().into_iter().flatten() {
                    out.insert(p["uuid"].as_str().unwrap().to_string());
                }
            }
        }
    }
    out
}

/// Every entry of `key` (`inherited`, `provided` ...) of every by-component.
fn entries<'v>(doc: &'v Value, key: &str) -> Vec<(&'v Value, &'v Value)> {
    let mut out = Vec::new();
    for r in doc["system-security-plan"]["control-implementation"]["implemented-requirements"]
        .as_array()
        .unwrap()
    {
        for s in r["statements"].as_array().into_iter().flatten() {
            for b in s["by-components"].as_array().unwrap() {
                let list = b[key].as_array().or(b["export"][key].as_array());
                for e in list.into_iter().flatten() {
                    out.push((b, e));
                }
            }
        }
    }
    out
}

#[test]
fn codat_inherits_what_azures_own_export_provides() {
    let v = validator("oscal_ssp_schema.json");
    let codat = example("codat");
    let packages = vec!["FR1234567890".to_string()];
    let ups = codat.leveraged(&packages, Some("2024-03-15"));
    assert_eq!(ups.len(), 1);
    let platform = &codat.matrix.offerings[0];
    let doc = ssp::export(codat.input().with_upstreams(&ups), platform).unwrap();
    let errors = schema_errors(&v, &doc);
    assert!(errors.is_empty(), "{errors:#?}");
    assert_unique_uuids(&doc, "codat leveraging azure");

    // Azure's own export, of the offering Codat runs on, from its own file.
    let azure = example("azure");
    let (_, on) = platform.runs_on.iter().find(|(u, _)| u == "azure").unwrap();
    let paas = azure.matrix.offerings.iter().find(|o| &o.id == on).unwrap();
    let azure_doc = ssp::export(azure.input(), paas).unwrap();
    let provided = provided_uuids(&azure_doc);

    let inherited = entries(&doc, "inherited");
    assert!(inherited.len() > 10, "{}", inherited.len());
    for (_, e) in &inherited {
        let p = e["provided-uuid"].as_str().unwrap();
        assert!(provided.contains(p), "{e:#}");
    }
    // Every duty Codat's matrix holds through azure is inherited: as many
    // `inherited` entries as `provided` entries of azure's parties.
    let azure_parties: HashSet<&str> = doc["system-security-plan"]["metadata"]["parties"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["short-name"].as_str().unwrap().starts_with("azure-"))
        .map(|p| p["uuid"].as_str().unwrap())
        .collect();
    let via_azure = entries(&doc, "provided")
        .into_iter()
        .filter(|(_, e)| {
            azure_parties.contains(
                e["responsible-roles"][0]["party-uuids"][0]
                    .as_str()
                    .unwrap(),
            )
        })
        .count();
    assert_eq!(inherited.len(), via_azure);

    // The leveraged authorization, and the component that stands for azure.
    let system = &doc["system-security-plan"]["system-implementation"];
    let la = &system["leveraged-authorizations"][0];
    assert_eq!(la["date-authorized"], "2024-03-15");
    assert!(la["props"]
        .as_array()
        .unwrap()
        .iter()
        .any(|p| p["name"] == "leveraged-system-identifier" && p["value"] == "FR1234567890"));
    assert!(azure_parties.contains(la["party-uuid"].as_str().unwrap()));
    let component = system["components"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["type"] == "system")
        .unwrap();
    assert!(component["props"]
        .as_array()
        .unwrap()
        .iter()
        .any(|p| p["name"] == "leveraged-authorization-uuid" && p["value"] == la["uuid"]));
    for (b, _) in &inherited {
        assert_eq!(b["component-uuid"], component["uuid"]);
    }

    // Not authorized: no leveraged authorization (OSCAL needs its date), the
    // same inherited entries.
    let ups = codat.leveraged(&packages, None);
    let doc2 = ssp::export(codat.input().with_upstreams(&ups), platform).unwrap();
    assert!(schema_errors(&v, &doc2).is_empty());
    assert!(doc2["system-security-plan"]["system-implementation"]
        .get("leveraged-authorizations")
        .is_none());
    assert_eq!(entries(&doc2, "inherited").len(), inherited.len());
}

/// An upstream whose provider holds the same words twice, as two duties
/// told apart by their `id:`, in two areas mapped to one control: each
/// inherited duty points at its own `provided` entry, not the first one
/// with those words.
#[test]
fn inherited_duties_find_their_provided_entry_by_duty_id() {
    const UP: &str = "onus: 1
model: { id: up, name: Up, publisher: cloud }
parties:
  cloud: { name: Cloud, role: provider }
  customer: { name: Customer, role: customer }
offerings:
  iaas: { name: IaaS }
frameworks:
  nist-800-53-rev5: { name: NIST SP 800-53 Rev. 5 }
areas:
  compute: { name: Compute, controls: [nist-800-53-rev5:si-2] }
  storage: { name: Storage, controls: [nist-800-53-rev5:si-2] }
responsibilities:
  compute:
    cloud: { duties: [{ id: patch-compute, text: Patches the hosts }] }
  storage:
    cloud: { duties: [{ id: patch-storage, text: Patches the hosts }] }
";
    const APP: &str = "onus: 1
model: { id: app, name: App, publisher: acme }
parties:
  acme: { name: Acme, role: provider }
  customer: { name: Customer, role: customer }
upstreams:
  up: { model: up.onus.yaml }
offerings:
  app: { name: App, runs-on: { up: iaas } }
frameworks:
  nist-800-53-rev5: { name: NIST SP 800-53 Rev. 5 }
areas:
  compute: { name: Compute, controls: [nist-800-53-rev5:si-2] }
  storage: { name: Storage, controls: [nist-800-53-rev5:si-2] }
responsibilities:
  compute: { up: ~ }
  storage: { up: ~ }
";
    let files = [("up.onus.yaml", UP), ("app.onus.yaml", APP)];
    let app = from_files("app.onus.yaml", &files);
    let up = from_files("up.onus.yaml", &files);
    let packages = vec!["FR-up".to_string()];
    let ups = app.leveraged(&packages, None);
    let doc = ssp::export(app.input().with_upstreams(&ups), &app.matrix.offerings[0]).unwrap();
    let up_doc = ssp::export(up.input(), &up.matrix.offerings[0]).unwrap();
    // The upstream's provided uuids, by duty id.
    let by_id: HashMap<String, String> = entries(&up_doc, "provided")
        .into_iter()
        .map(|(_, e)| {
            let id = e["props"]
                .as_array()
                .unwrap()
                .iter()
                .find(|p| p["name"] == "duty-id")
                .unwrap()["value"]
                .as_str()
                .unwrap()
                .to_string();
            (e["uuid"].as_str().unwrap().to_string(), id)
        })
        .collect();
    assert_eq!(by_id.len(), 2, "{up_doc:#}");
    let pointed: Vec<&str> = entries(&doc, "inherited")
        .into_iter()
        .map(|(_, e)| by_id[e["provided-uuid"].as_str().unwrap()].as_str())
        .collect();
    let mut sorted = pointed.clone();
    sorted.sort_unstable();
    assert_eq!(sorted, ["patch-compute", "patch-storage"], "{doc:#}");
}

#[test]
fn every_leveraging_example_is_valid_and_resolves_its_inherited() {
    let v = validator("oscal_ssp_schema.json");
    for name in EXAMPLES {
        let e = example(name);
        let packages: Vec<String> = e.upstreams.iter().map(|(u, _)| format!("FR-{u}")).collect();
        let ups = e.leveraged(&packages, Some("2023-01-31"));
        for o in &e.matrix.offerings {
            let doc = ssp::export(e.input().with_upstreams(&ups), o).unwrap();
            let errors = schema_errors(&v, &doc);
            assert!(errors.is_empty(), "{name}/{}: {errors:#?}", o.id);
            assert_unique_uuids(&doc, &format!("{name}/{} leveraging", o.id));
            let mut provided = HashSet::new();
            for (up, matrix) in &e.upstreams {
                let Some((_, on)) = o.runs_on.iter().find(|(u, _)| u == up) else {
                    continue;
                };
                let uo = matrix.offerings.iter().find(|x| &x.id == on).unwrap();
                if let Ok(d) = ssp::export(onus_oscal::export::Input::new(matrix), uo) {
                    provided.extend(provided_uuids(&d));
                }
            }
            for (_, i) in entries(&doc, "inherited") {
                assert!(
                    provided.contains(i["provided-uuid"].as_str().unwrap()),
                    "{name}/{}",
                    o.id
                );
            }
        }
    }
}

#[test]
fn ssp_requirements_carry_fedramp_origination_and_status() {
    let codat = example("codat");
    let doc = ssp::export(codat.input(), &codat.matrix.offerings[0]).unwrap();
    let requirements = doc["system-security-plan"]["control-implementation"]
        ["implemented-requirements"]
        .as_array()
        .unwrap();
    let origination = |r: &Value| -> Vec<String> {
        r["props"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|p| {
                p["name"] == "control-origination" && p["ns"] == "https://fedramp.gov/ns/oscal"
            })
            .map(|p| p["value"].as_str().unwrap().to_string())
            .collect()
    };
    // Codat's ac-2: Codat, with Microsoft's directory service inherited.
    let ac2 = requirements
        .iter()
        .find(|r| r["control-id"] == "ac-2")
        .unwrap();
    assert_eq!(origination(ac2), ["sp-system", "inherited"]);
    // Every requirement has the origination the CRM gives.
    let platform = &codat.matrix.offerings[0];
    for r in requirements {
        let control = r["control-id"].as_str().unwrap();
        let holders = platform
            .areas
            .iter()
            .filter(|a| {
                a.controls
                    .iter()
                    .any(|c| onus_oscal::control_id::base(&c.control) == control)
            })
            .flat_map(|a| &a.holders);
        let expected: Vec<String> = onus_oscal::crm::origination(control, holders)
            .into_iter()
            .map(|o| o.as_str().to_string())
            .collect();
        assert_eq!(origination(r), expected, "{control}");
        assert!(!expected.is_empty(), "{control}");
        // The provider's side holds a part of each of its areas: implemented.
        for b in r["statements"][0]["by-components"].as_array().unwrap() {
            assert_eq!(
                b["implementation-status"]["state"], "implemented",
                "{control}"
            );
        }
    }
}

#[test]
fn an_ssp_targeting_a_baseline_has_a_requirement_for_every_control() {
    let v = validator("oscal_ssp_schema.json");
    let high = onus_oscal::Baseline::builtin("nist-800-53-rev5-high").unwrap();
    for name in ["codat", "outsystems"] {
        let e = example(name);
        let framework = onus_oscal::crm::choose_framework(&e.matrix, None).unwrap();
        let target = onus_oscal::export::Target {
            baseline: &high,
            framework: &framework,
            profile: None,
        };
        for o in &e.matrix.offerings {
            let what = format!("{name}/{}", o.id);
            let doc = ssp::export(e.input().with_target(target), o).unwrap();
            let errors = schema_errors(&v, &doc);
            assert!(errors.is_empty(), "{what}: {errors:#?}");
            assert_unique_uuids(&doc, &what);
            let ssp = &doc["system-security-plan"];
            let requirements = ssp["control-implementation"]["implemented-requirements"]
                .as_array()
                .unwrap();
            let crm = onus_oscal::crm::build(&e.matrix, o, &high, &framework);
            assert_eq!(
                requirements.len(),
                high.len() + crm.not_in_baseline.len(),
                "{what}"
            );
            // The baseline's controls, in its order, then those mapped outside it.
            for (r, c) in requirements.iter().zip(&high.controls) {
                assert_eq!(r["control-id"], c.id.as_str(), "{what}");
            }
            // Unassigned: no statement, said so; as many as the CRM counts.
            let unassigned: Vec<&Value> = requirements
                .iter()
                .filter(|r| r.get("statements").is_none())
                .collect();
            assert_eq!(unassigned.len(), crm.counts.unassigned, "{what}");
            for r in &unassigned {
                assert_eq!(r["props"][0]["name"], "unassigned");
                assert!(r["remarks"].as_str().unwrap().starts_with("Unassigned"));
            }
            // `import-profile` names the baseline, in the back-matter.
            let href = ssp["import-profile"]["href"].as_str().unwrap();
            let resource = ssp["back-matter"]["resources"]
                .as_array()
                .unwrap()
                .iter()
                .find(|r| format!("#{}", r["uuid"].as_str().unwrap()) == href)
                .unwrap();
            assert_eq!(resource["title"], high.title.as_str());
            // Targeting changes no duty's uuid.
            let plain = ssp::export(e.input(), o).unwrap();
            assert_eq!(provided_uuids(&doc), provided_uuids(&plain), "{what}");
        }
    }
}

/// An upstream whose publisher holds nothing this model inherits is still
/// a party of its leveraged authorization: named in the metadata.
#[test]
fn a_leveraged_authorizations_party_is_always_in_the_metadata() {
    use std::collections::HashMap;
    use std::path::PathBuf;
    let up = "onus: 1
model: { id: up, name: Up, publisher: up }
parties:
  up: { name: Up Inc, role: provider }
  vendor: { name: Vendor, role: third-party }
  customer: { name: Customer, role: customer }
frameworks:
  nist-800-53-rev5: { name: NIST SP 800-53 Rev. 5 }
offerings:
  paas: { name: PaaS }
areas:
  hosts: { name: Hosts, controls: [nist-800-53-rev5:pe-3] }
responsibilities:
  hosts: { vendor: { duties: [Guard the data centre] } }
";
    let down = "onus: 1
model: { id: down, name: Down, publisher: down }
parties:
  down: { name: Down, role: provider }
  customer: { name: Customer, role: customer }
upstreams:
  up: { model: up.onus.yaml, authorized: 2022-09-01, fedramp-package: FR0000000001 }
frameworks:
  nist-800-53-rev5: { name: NIST SP 800-53 Rev. 5 }
offerings:
  saas: { name: SaaS, runs-on: { up: paas } }
areas:
  hosts: { name: Hosts, controls: [nist-800-53-rev5:pe-3] }
responsibilities:
  hosts: up
";
    let files: HashMap<PathBuf, String> = [
        (PathBuf::from("down.onus.yaml"), down.to_string()),
        (PathBuf::from("up.onus.yaml"), up.to_string()),
    ]
    .into_iter()
    .collect();
    let set = onus_core::load::ModelSet::load(&[PathBuf::from("down.onus.yaml")], &files).unwrap();
    let errors: Vec<_> = onus_core::check::check(&set)
        .into_iter()
        .filter(|d| d.is_error())
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
    let root = set.roots[0];
    let matrix = onus_core::resolve::resolve(&set, root).unwrap();
    let up_id = set.get(root).upstreams["up"].unwrap();
    let up_matrix = onus_core::resolve::resolve(&set, up_id).unwrap();
    assert!(!matrix.parties.contains_key("up/up"));
    let ups = [onus_oscal::export::Upstream {
        id: "up",
        matrix: &up_matrix,
        fedramp_package: Some("FR0000000001"),
        authorized: Some("2022-09-01"),
    }];
    let input = onus_oscal::export::Input::new(&matrix).with_upstreams(&ups);
    let doc = ssp::export(input, &matrix.offerings[0]).unwrap();
    let errors = schema_errors(&validator("oscal_ssp_schema.json"), &doc);
    assert!(errors.is_empty(), "{errors:#?}");
    let ssp = &doc["system-security-plan"];
    let la = &ssp["system-implementation"]["leveraged-authorizations"][0];
    let party = ssp["metadata"]["parties"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["uuid"] == la["party-uuid"])
        .unwrap();
    assert_eq!(party["name"], "Up Inc (via up)");
    // The vendor's duty is inherited from up's own export.
    let up_doc = ssp::export(
        onus_oscal::export::Input::new(&up_matrix),
        &up_matrix.offerings[0],
    )
    .unwrap();
    let inherited = entries(&doc, "inherited");
    assert_eq!(inherited.len(), 1);
    assert!(provided_uuids(&up_doc).contains(inherited[0].1["provided-uuid"].as_str().unwrap()));
}
