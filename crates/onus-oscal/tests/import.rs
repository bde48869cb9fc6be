//! OSCAL back to onus: exports of the examples come back as models that
//! `onus check` accepts and that export to the same document; NIST's
//! examples import into models that `onus check` accepts.

mod common;

use common::{example, from_text, schema_errors, shared, validator, EXAMPLES};
use onus_oscal::export::{component_definition, ssp, to_json_pretty, Kind};
use onus_oscal::import::{import, import_with, Upstream};
use onus_oscal::Error;

/// Imports `json` and checks the model: no errors.
fn imported(json: &str, what: &str) -> (common::Example, String) {
    let imported = import(json, "test.json").unwrap_or_else(|e| panic!("{what}: {e}"));
    let (model, found) = from_text(&imported.yaml);
    let errors: Vec<_> = found.iter().filter(|d| d.is_error()).collect();
    assert!(
        errors.is_empty(),
        "{what}: the imported model has errors: {errors:#?}\n{}",
        imported.yaml
    );
    (model.unwrap(), imported.yaml)
}

#[test]
fn component_definition_export_import_export_is_stable() {
    for name in EXAMPLES {
        let first = component_definition::export(example(name).input());
        let (model, yaml) = imported(&to_json_pretty(&first), name);
        let second = component_definition::export(model.input());
        assert!(
            first == second,
            "{name}: the export of the import differs\n{yaml}\n{}",
            first_difference(&first, &second)
        );
    }
}

#[test]
fn ssp_export_import_export_is_stable() {
    for name in EXAMPLES {
        let e = example(name);
        for o in &e.matrix.offerings {
            let first = ssp::export(e.input(), o).unwrap();
            let what = format!("{name}/{}", o.id);
            let (model, yaml) = imported(&to_json_pretty(&first), &what);
            assert_eq!(model.matrix.offerings.len(), 1);
            let mut second = ssp::export(model.input(), &model.matrix.offerings[0]).unwrap();
            let mut first = first.clone();
            if !e.upstreams.is_empty() {
                // The import has no upstream: what was inherited is now
                // held by parties of the model (`... (via azure)`), so the
                // FedRAMP origination `inherited` is not computed again.
                without_origination(&mut first);
                without_origination(&mut second);
            }
            assert!(
                first == second,
                "{what}: the export of the import differs\n{yaml}\n{}",
                first_difference(&first, &second)
            );
        }
    }
}

/// Removes the FedRAMP `control-origination` props of every requirement.
fn without_origination(doc: &mut serde_json::Value) {
    let requirements = doc["system-security-plan"]["control-implementation"]
        ["implemented-requirements"]
        .as_array_mut()
        .unwrap();
    for r in requirements {
        if let Some(r) = r.as_object_mut() {
            r.remove("props");
        }
    }
}

/// The SSP keeps every holder's part: the imported Coherent model resolves
/// to the same matrix as the original (upstream-free, one offering).
#[test]
fn an_ssp_import_keeps_holders_and_duties() {
    let e = example("coherent");
    let doc = ssp::export(e.input(), &e.matrix.offerings[0]).unwrap();
    let (model, _) = imported(&to_json_pretty(&doc), "coherent");
    let (a, b) = (&e.matrix.offerings[0], &model.matrix.offerings[0]);
    assert_eq!(a.areas.len(), b.areas.len());
    for (x, y) in a.areas.iter().zip(&b.areas) {
        assert_eq!(x.id, y.id);
        assert_eq!(x.controls, y.controls);
        assert_eq!(x.holders, y.holders, "{}", x.id);
    }
}

/// NIST's leveraged SSP: an IaaS that exports `provided` and
/// `responsibilities` for AC-2 on two components.
#[test]
fn nist_leveraged_ssp_imports_into_a_valid_model() {
    let json =
        std::fs::read_to_string(shared("examples/oscal_leveraged-example_ssp.json")).unwrap();
    let (model, yaml) = imported(&json, "leveraged SSP");
    let m = &model.matrix;
    assert_eq!(m.model, "csp-iaas-system-security-plan", "{yaml}");
    assert_eq!(m.publisher, "leveraged-iaas-system");
    let o = &m.offerings[0];
    assert_eq!(o.id, "csp-iaas-system");
    let ids: Vec<&str> = o.areas.iter().map(|a| a.id.as_str()).collect();
    assert_eq!(ids, ["this-system", "application"]);
    for a in &o.areas {
        assert_eq!(a.controls[0].framework, "nist-800-53-rev4");
        assert_eq!(a.controls[0].control, "ac-2");
        assert_eq!(a.split(), "shared", "{}", a.id);
        let customer = a.customer_part().next().unwrap();
        // Each duty says which part of the control's statement it is about.
        assert!(
            customer.duties[0].starts_with("ac-2 part a: Leveraging system's responsibilities"),
            "{}",
            customer.duties[0]
        );
    }
}

#[test]
fn nist_component_definitions_import_into_valid_models() {
    for file in [
        "example-component-definition.json",
        "example-component.json",
    ] {
        let json = std::fs::read_to_string(shared(&format!("examples/{file}"))).unwrap();
        imported(&json, file);
    }
    let json =
        std::fs::read_to_string(shared("examples/example-component-definition.json")).unwrap();
    let (model, yaml) = imported(&json, "MongoDB");
    let m = &model.matrix;
    assert_eq!(m.name, "MongoDB", "{yaml}");
    let o = &m.offerings[0];
    let ids: Vec<&str> = o.areas.iter().map(|a| a.id.as_str()).collect();
    assert_eq!(ids, ["sc-8", "sc-8-1", "sa-4-9"]);
    // SC-8(1): the statement names the customer role, so it is the customer's part.
    let sc81 = o.area("sc-8-1").unwrap();
    assert_eq!(sc81.name, "SC-8(1)");
    assert_eq!(sc81.split(), "shared");
    assert!(sc81.customer_part().next().unwrap().duties[0].contains("PEMKeyFile"));
    assert_eq!(o.area("sc-8").unwrap().split(), "provider");
}

/// Every other NIST example either imports into a valid model or says
/// there is nothing to import.
#[test]
fn other_nist_examples_import_or_say_why_not() {
    for file in [
        "ssp-example.json",
        "ifa_ssp-example.json",
        "oscal_leveraging-example_ssp.json",
    ] {
        let json = std::fs::read_to_string(shared(&format!("examples/{file}"))).unwrap();
        match import(&json, file) {
            Ok(i) => {
                let (_, found) = from_text(&i.yaml);
                let errors: Vec<_> = found.iter().filter(|d| d.is_error()).collect();
                assert!(errors.is_empty(), "{file}: {errors:#?}\n{}", i.yaml);
            }
            Err(e) => assert!(matches!(e, Error::NothingToImport { .. }), "{file}: {e}"),
        }
    }
}

#[test]
fn a_catalog_is_not_importable() {
    let json = std::fs::read_to_string(shared("examples/basic-catalog.json")).unwrap();
    let err = import(&json, "basic-catalog.json").unwrap_err();
    assert!(matches!(err, Error::NotImportable { .. }), "{err}");
    assert!(err.to_string().contains("holds `catalog`"), "{err}");
    assert!(matches!(
        import("{", "x.json").unwrap_err(),
        Error::Json { .. }
    ));
}

/// What an import writes re-exports to valid OSCAL, even from a foreign document.
#[test]
fn foreign_imports_export_valid_oscal() {
    let json =
        std::fs::read_to_string(shared("examples/oscal_leveraged-example_ssp.json")).unwrap();
    let (model, _) = imported(&json, "leveraged SSP");
    let doc = ssp::export(model.input(), &model.matrix.offerings[0]).unwrap();
    let errors = schema_errors(&validator("oscal_ssp_schema.json"), &doc);
    assert!(errors.is_empty(), "{errors:#?}");
    let imported = import(&to_json_pretty(&doc), "again.json").unwrap();
    assert_eq!(imported.kind, Kind::Ssp);
    assert!(imported.from_onus);
}

/// Each part of an imported model knows the element of the input it came
/// from (findings of `onus check` are shown there): every line of the
/// model points at an element that exists, and the areas, parties and
/// holdings at the very element that gave them.
#[test]
fn every_line_of_an_import_points_at_the_element_it_came_from() {
    let e = example("codat");
    let cd = to_json_pretty(&component_definition::export(e.input()));
    let ssp_json =
        std::fs::read_to_string(shared("examples/oscal_leveraged-example_ssp.json")).unwrap();
    for (json, what) in [(cd, "codat"), (ssp_json, "leveraged SSP")] {
        let root: serde_json::Value = serde_json::from_str(&json).unwrap();
        let i = import(&json, "t.json").unwrap();
        let mut offset = 0;
        let mut pointed = std::collections::HashSet::new();
        for line in i.yaml.split_inclusive('\n') {
            let pointer = i.origins.pointer_at(offset);
            assert!(
                root.pointer(pointer).is_some(),
                "{what}: {line:?} points at {pointer}, not in the input"
            );
            pointed.insert(pointer.to_string());
            offset += line.len();
        }
        // Not everything at the document's root.
        assert!(pointed.len() > 10, "{what}: {pointed:?}");
    }

    let e = example("codat");
    let doc = component_definition::export(e.input());
    let i = import(&to_json_pretty(&doc), "t.json").unwrap();
    let at = |needle: &str| {
        let offset = i.yaml.find(needle).unwrap_or_else(|| panic!("{needle}"));
        doc.pointer(i.origins.pointer_at(offset + 2)).unwrap()
    };
    let area = &e.matrix.offerings[0].areas[0].id;
    let capability = at(&format!("\n  {area}:\n    name:"));
    assert!(
        capability["props"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["name"] == "area" && p["value"] == area.as_str()),
        "{capability}"
    );
    let party = at("\n  codat: {");
    assert_eq!(party["short-name"], "codat", "{party}");
}

/// The first path where two JSON values differ, for failure messages.
fn first_difference(a: &serde_json::Value, b: &serde_json::Value) -> String {
    use serde_json::Value;
    fn walk(a: &Value, b: &Value, path: String) -> Option<String> {
        match (a, b) {
            (Value::Object(x), Value::Object(y)) => {
                for (k, v) in x {
                    match y.get(k) {
                        Some(w) => {
                            if let Some(d) = walk(v, w, format!("{path}/{k}")) {
                                return Some(d);
                            }
                        }
                        None => return Some(format!("{path}/{k}: missing on the right")),
                    }
                }
                y.keys()
                    .find(|k| !x.contains_key(*k))
                    .map(|k| format!("{path}/{k}: missing on the left"))
            }
            (Value::Array(x), Value::Array(y)) => {
                for (i, (v, w)) in x.iter().zip(y).enumerate() {
                    if let Some(d) = walk(v, w, format!("{path}/{i}")) {
                        return Some(d);
                    }
                }
                (x.len() != y.len()).then(|| format!("{path}: {} vs {} items", x.len(), y.len()))
            }
            _ => (a != b).then(|| format!("{path}: {a} vs {b}")),
        }
    }
    walk(a, b, String::new()).unwrap_or_default()
}

#[test]
fn a_schema_invalid_document_is_refused_with_the_schemas_error() {
    let json =
        std::fs::read_to_string(shared("examples/oscal_leveraged-example_ssp.json")).unwrap();
    let mut doc: serde_json::Value = serde_json::from_str(&json).unwrap();
    doc["system-security-plan"]["uuid"] = "not-a-uuid".into();
    let err = import(&doc.to_string(), "bad.json").unwrap_err();
    assert!(matches!(err, Error::SchemaInvalid { .. }), "{err}");
    let message = err.to_string();
    assert!(
        message.contains("is not a valid OSCAL system-security-plan")
            && message.contains("/system-security-plan/uuid: \"not-a-uuid\" does not match"),
        "{message}"
    );
}

#[test]
fn a_leveraging_ssp_keeps_what_a_model_can_hold() {
    let json =
        std::fs::read_to_string(shared("examples/oscal_leveraging-example_ssp.json")).unwrap();
    let mut doc: serde_json::Value = serde_json::from_str(&json).unwrap();
    // An implementation status on the first by-component.
    doc["system-security-plan"]["control-implementation"]["implemented-requirements"][0]
        ["statements"][0]["by-components"][0]["implementation-status"] =
        serde_json::json!({"state": "partial", "remarks": "Half of it."});
    let (model, yaml) = imported(&doc.to_string(), "leveraging SSP");

    // Its leveraged authorization: the upstream to add once its model is written.
    assert!(
        yaml.contains(
            "# upstreams:\n#   csp-iaas-leveraged-system: { model: csp-iaas-leveraged-system.onus.yaml, authorized: 2018-01-01 }"
        ),
        "{yaml}"
    );
    let m = &model.matrix;
    let o = &m.offerings[0];
    let holders: Vec<_> = o.areas.iter().flat_map(|a| &a.holders).collect();
    // What is inherited is held by the leveraged system's provider.
    let iaas = holders
        .iter()
        .find(|h| h.party.as_str() == "csp-iaas-leveraged-system-provider")
        .unwrap_or_else(|| panic!("{yaml}"));
    assert_eq!(iaas.role, onus_core::model::Role::ThirdParty);
    assert!(iaas
        .duties
        .iter()
        .any(|d| d.starts_with("ac-2 part a: Optional description.")));
    // What the system satisfies is its own, by statement part.
    assert!(holders.iter().any(|h| h
        .duties
        .iter()
        .any(|d| d == "ac-2 part a: Description of how the responsibility was satisfied.")));
    // Parameters and implementation status, in the notes.
    let notes: Vec<&str> = holders.iter().filter_map(|h| h.note.as_deref()).collect();
    assert!(notes
        .iter()
        .any(|n| n.contains("Parameters of ac-2: ac-2_prm_1 = privileged and non-privileged.")));
    assert!(notes
        .iter()
        .any(|n| n.contains("Implementation status of ac-2: partial. Half of it.")));
}

/// Duty ids come back: an SSP export of a model whose duties have `id:`s
/// imports into a model with the same ids, whose export is the same
/// document (the uuids derive from the ids). A hostile document that
/// gives one id to two texts, or an id the format cannot hold, keeps the
/// duties by their text.
#[test]
fn an_ssp_import_keeps_duty_ids() {
    const MODEL: &str = "onus: 1
model: { id: ids, name: Ids, publisher: acme }
parties:
  acme: { name: Acme, role: provider }
  customer: { name: Customer, role: customer }
offerings:
  app: { name: App }
frameworks:
  nist-800-53-rev5: { name: NIST SP 800-53 Rev. 5 }
areas:
  accounts: { name: Accounts, controls: [nist-800-53-rev5:ac-2] }
responsibilities:
  accounts:
    acme:
      duties:
        - { id: sso, text: Runs single sign-on for every tenant }
        - Reviews administrator access every quarter
    customer:
      duties:
        - { id: own-users, text: Manages its users and their roles }
";
    let (original, found) = from_text(MODEL);
    assert!(found.iter().all(|d| !d.is_error()), "{found:#?}");
    let original = original.unwrap();
    let first = ssp::export(original.input(), &original.matrix.offerings[0]).unwrap();
    let json = to_json_pretty(&first);
    let (model, yaml) = imported(&json, "ids");
    assert!(
        yaml.contains("- id: sso\n") && yaml.contains("- id: own-users\n"),
        "{yaml}"
    );
    let second = ssp::export(model.input(), &model.matrix.offerings[0]).unwrap();
    assert!(
        first == second,
        "{yaml}\n{}",
        first_difference(&first, &second)
    );

    // One id on two texts: the first keeps it. A qualified id is dropped.
    let two_texts = json.replace("\"value\": \"own-users\"", "\"value\": \"sso\"");
    let qualified = json.replace("\"value\": \"sso\"", "\"value\": \"aws/sso\"");
    for (what, hostile, kept) in [
        ("two texts", two_texts, "sso"),
        ("qualified", qualified, "own-users"),
    ] {
        assert_ne!(hostile, json);
        let (_, yaml) = imported(&hostile, what);
        assert_eq!(yaml.matches("- id: ").count(), 1, "{what}: {yaml}");
        assert!(yaml.contains(&format!("- id: {kept}\n")), "{what}: {yaml}");
    }
}

/// Codat's SSP, leveraging Azure (authorized), imported with Azure's model
/// given for its leveraged authorization.
fn codat_leveraging_azure() -> (common::Example, serde_json::Value) {
    let codat = example("codat");
    let packages = vec!["FR1234567890".to_string()];
    let ups = codat.leveraged(&packages, Some("2024-03-15"));
    let doc = ssp::export(
        codat.input().with_upstreams(&ups),
        &codat.matrix.offerings[0],
    )
    .unwrap();
    (codat, doc)
}

/// The import of `doc` with `azure` for `name`, checked with Azure's model
/// beside it (no errors) and resolved.
fn with_azure(doc: &serde_json::Value, name: &str) -> (common::Example, String) {
    let azure = example("azure");
    let given = [Upstream {
        name,
        model: "azure.onus.yaml",
        matrix: &azure.matrix,
    }];
    let imported = import_with(&to_json_pretty(doc), "codat-ssp.json", &given).unwrap();
    let azure_text =
        std::fs::read_to_string(common::root().join("examples/azure.onus.yaml")).unwrap();
    let files = [
        ("imported.onus.yaml", imported.yaml.as_str()),
        ("azure.onus.yaml", azure_text.as_str()),
    ];
    (
        common::from_files("imported.onus.yaml", &files),
        imported.yaml,
    )
}

/// The holders of an area as resolution gives them, duties in order.
fn holders(a: &onus_core::resolve::ResolvedArea) -> Vec<(String, Vec<String>, Vec<String>)> {
    a.holders
        .iter()
        .map(|h| {
            (
                h.party.to_string(),
                h.via.iter().map(|v| v.to_string()).collect(),
                h.duties.iter().map(|d| d.to_string()).collect(),
            )
        })
        .collect()
}

/// The leveraged authorization becomes a real upstream, the offering runs
/// on Azure's PaaS, and the areas Codat inherits from Azure resolve to
/// Azure's holders again, as in Codat's own model (not to parties named
/// `Microsoft (via azure)`).
#[test]
fn a_leveraged_authorization_given_its_model_is_an_upstream() {
    let (codat, doc) = codat_leveraging_azure();
    let (model, yaml) = with_azure(&doc, "azure");
    assert!(
        yaml.contains(
            "\nupstreams:\n  azure: { model: azure.onus.yaml, authorized: \"2024-03-15\", fedramp-package: FR1234567890 }\n"
        ),
        "{yaml}"
    );
    assert!(yaml.contains("runs-on: { azure: paas }"), "{yaml}");
    assert!(!yaml.contains("azure-microsoft"), "{yaml}");
    assert_eq!(model.upstreams.len(), 1);
    let (original, imported) = (&codat.matrix.offerings[0], &model.matrix.offerings[0]);
    assert_eq!(imported.runs_on, original.runs_on);
    let mut inherited = 0;
    for a in &original.areas {
        let b = imported.areas.iter().find(|b| b.id == a.id).unwrap();
        let via_azure = |a: &onus_core::resolve::ResolvedArea| {
            holders(a)
                .into_iter()
                .filter(|(_, via, _)| via.iter().any(|v| v == "azure"))
                .collect::<Vec<_>>()
        };
        assert_eq!(via_azure(b), via_azure(a), "{}\n{yaml}", a.id);
        if !via_azure(a).is_empty() {
            inherited += 1;
        }
        // Codat's own part, the upstream's customer part included.
        let own = |a: &onus_core::resolve::ResolvedArea| {
            let mut own: Vec<_> = holders(a)
                .into_iter()
                .filter(|(_, via, _)| via.is_empty())
                .collect();
            for (_, _, duties) in &mut own {
                duties.sort();
            }
            own
        };
        assert_eq!(own(b), own(a), "{}\n{yaml}", a.id);
    }
    // The three shared areas and the four of Azure's scope.
    assert_eq!(inherited, 7, "{yaml}");
    assert!(
        yaml.contains("inherited entries found in the upstream's own SSP export"),
        "{yaml}"
    );
    assert!(!yaml.contains("matched nothing"), "{yaml}");
}

/// The authorization is named by its FedRAMP package id too; an inherited
/// entry that points at nothing of the upstream's export stays held by a
/// party, and the header says so; a name of no authorization is refused
/// with the names there are.
#[test]
fn leveraged_authorizations_are_named_and_unmatched_entries_counted() {
    let (_, mut doc) = codat_leveraging_azure();
    let la = doc["system-security-plan"]["system-implementation"]["leveraged-authorizations"][0]
        ["uuid"]
        .as_str()
        .unwrap()
        .to_string();
    // One inherited entry pointing at nothing.
    let requirements = doc["system-security-plan"]["control-implementation"]
        ["implemented-requirements"]
        .as_array_mut()
        .unwrap();
    let entry = requirements
        .iter_mut()
        .flat_map(|r| r["statements"][0]["by-components"].as_array_mut().unwrap())
        .find_map(|b| b.get_mut("inherited"))
        .unwrap();
    entry[0]["provided-uuid"] = serde_json::json!("00000000-0000-4000-8000-000000000000");
    for name in ["FR1234567890", la.as_str()] {
        let (model, yaml) = with_azure(&doc, name);
        assert!(yaml.contains("\nupstreams:\n  azure: { model:"), "{yaml}");
        assert!(
            yaml.contains("# 1 inherited entry matched nothing in `azure`'s export"),
            "{yaml}"
        );
        assert_eq!(model.upstreams.len(), 1);
    }
    let azure = example("azure");
    let given = [Upstream {
        name: "aws",
        model: "aws.onus.yaml",
        matrix: &azure.matrix,
    }];
    let err = import_with(&to_json_pretty(&doc), "codat-ssp.json", &given).unwrap_err();
    assert!(matches!(err, Error::UnknownLeveraged { .. }), "{err}");
    // One authorization, two models: refused.
    let twice = [
        Upstream {
            name: "azure",
            ..given[0]
        },
        Upstream {
            name: "FR1234567890",
            ..given[0]
        },
    ];
    let twice = import_with(&to_json_pretty(&doc), "codat-ssp.json", &twice).unwrap_err();
    assert!(matches!(twice, Error::LeveragedTwice { .. }), "{twice}");
    let message = err.to_string();
    assert!(
        message.contains("no leveraged authorization `aws`"),
        "{message}"
    );
    assert!(message.contains("(`azure`)"), "{message}");
}

/// An SSP not written by onus (NIST's leveraging example) whose component
/// inherits, by `provided-uuid`, what Azure's own SSP export of its PaaS
/// provides: with Azure's model given for its leveraged authorization, the
/// component's area inherits Azure's area (and stands for it), the offering
/// runs on Azure's PaaS, what Azure leaves to its customer elsewhere is
/// claimed by areas of the publisher, and an entry pointing at nothing
/// stays with the leveraged system's provider.
#[test]
fn a_foreign_leveraging_ssp_inherits_from_the_upstream_given() {
    let azure = example("azure");
    let paas = azure
        .matrix
        .offerings
        .iter()
        .find(|o| o.id == "paas")
        .unwrap();
    let azure_doc = ssp::export(azure.input(), paas).unwrap();
    let area_uuid = azure_doc["system-security-plan"]["system-implementation"]["components"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["title"] == "Identity and directory infrastructure")
        .unwrap()["uuid"]
        .clone();
    let (_, microsoft) = entries(&azure_doc, "provided")
        .into_iter()
        .find(|(b, e)| {
            b["component-uuid"] == area_uuid
                && e["description"].as_str().unwrap().contains("directory")
        })
        .unwrap();
    let (provided, duty) = (microsoft["uuid"].clone(), microsoft["description"].clone());

    let json =
        std::fs::read_to_string(shared("examples/oscal_leveraging-example_ssp.json")).unwrap();
    let mut doc: serde_json::Value = serde_json::from_str(&json).unwrap();
    let b = &mut doc["system-security-plan"]["control-implementation"]["implemented-requirements"]
        [0]["statements"][0]["by-components"][2];
    let inherited = b["inherited"].as_array_mut().unwrap();
    assert_eq!(inherited.len(), 1);
    let mut unknown = inherited[0].clone();
    unknown["uuid"] = serde_json::json!("22222222-0000-4000-9009-000000000099");
    inherited[0]["provided-uuid"] = provided;
    inherited.push(unknown);

    let given = [Upstream {
        name: "csp-iaas-leveraged-system",
        model: "azure.onus.yaml",
        matrix: &azure.matrix,
    }];
    let imported = import_with(&doc.to_string(), "leveraging.json", &given).unwrap();
    let yaml = imported.yaml;
    let azure_text =
        std::fs::read_to_string(common::root().join("examples/azure.onus.yaml")).unwrap();
    let files = [
        ("imported.onus.yaml", yaml.as_str()),
        ("azure.onus.yaml", azure_text.as_str()),
    ];
    let model = common::from_files("imported.onus.yaml", &files);
    assert!(
        yaml.contains(
            "\nupstreams:\n  csp-iaas-leveraged-system: { model: azure.onus.yaml, authorized: \"2018-01-01\" }\n"
        ),
        "{yaml}"
    );
    assert!(
        yaml.contains(
            "upstream: { csp-iaas-leveraged-system: [identity-and-directory-infrastructure] }"
        ),
        "{yaml}"
    );
    assert!(
        yaml.contains(
            "# 1 inherited entry matched nothing in `csp-iaas-leveraged-system`'s export"
        ),
        "{yaml}"
    );
    let o = &model.matrix.offerings[0];
    assert_eq!(
        o.runs_on,
        [("csp-iaas-leveraged-system".to_string(), "paas".to_string())]
    );
    let appliance = o
        .areas
        .iter()
        .find(|a| a.id == "access-control-appliance")
        .unwrap_or_else(|| panic!("{yaml}"));
    let up = appliance
        .holders
        .iter()
        .find(|h| h.party.as_str() == "csp-iaas-leveraged-system/microsoft")
        .unwrap_or_else(|| panic!("{yaml}"));
    assert!(
        up.duties.iter().any(|d| *d == duty.as_str().unwrap()),
        "{yaml}"
    );
    // Azure's own holders of the area, as Azure's model resolves them.
    let theirs = paas
        .areas
        .iter()
        .find(|a| a.id == "identity-and-directory-infrastructure")
        .unwrap();
    let microsoft = theirs
        .holders
        .iter()
        .find(|h| h.party.as_str() == "microsoft")
        .unwrap();
    assert_eq!(up.duties, microsoft.duties);
    // The entry that points at nothing: the leveraged system's provider's duty.
    assert!(appliance
        .holders
        .iter()
        .any(|h| h.party.as_str() == "csp-iaas-leveraged-system-provider"));
    // What Azure's PaaS leaves to its customer, claimed.
    for area in [
        "information-and-data",
        "devices",
        "applications",
        "network-controls",
    ] {
        assert!(o.areas.iter().any(|a| a.id == area), "{area}\n{yaml}");
    }
}

/// Every `key` entry (`provided`, `inherited` ...) of an SSP, with its by-component.
fn entries<'v>(
    doc: &'v serde_json::Value,
    key: &str,
) -> Vec<(&'v serde_json::Value, &'v serde_json::Value)> {
    let mut out = Vec::new();
    let requirements =
        &doc["system-security-plan"]["control-implementation"]["implemented-requirements"];
    for r in requirements.as_array().into_iter().flatten() {
        for s in r["statements"].as_array().into_iter().flatten() {
            for b in s["by-components"].as_array().into_iter().flatten() {
                let list = b[key].as_array().or(b["export"][key].as_array());
                out.extend(list.into_iter().flatten().map(|e| (b, e)));
            }
        }
    }
    out
}
