//! End-to-end tests of `onus crm` and `onus oscal export|import` on the
//! bundled examples and NIST's data in the shared folder.

mod common;

use common::{onus, root, shared, stderr, stdout};

fn high() -> String {
    shared("nist-800-53-rev5/NIST_SP-800-53_rev5_HIGH-baseline_profile.json")
}

fn schema(file: &str) -> jsonschema::Validator {
    let schema: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(shared(&format!("schemas/{file}"))).unwrap())
            .unwrap();
    jsonschema::draft7::new(&schema).unwrap()
}

#[test]
fn crm_of_codat_against_high() {
    let o = onus(&["crm", "examples/codat.onus.yaml", "--profile", &high()]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(out.starts_with(
        "Codat: Platform as a service (platform) against NIST Special Publication 800-53 Revision 5 HIGH IMPACT BASELINE\n"
    ));
    assert!(
        out.ends_with(
            "Summary: 370 controls: 40 provider, 0 customer, 0 shared, 23 inherited (azure), 307 unassigned\n"
        ),
        "{out}"
    );

    let o = onus(&[
        "crm",
        "examples/codat.onus.yaml",
        "--profile",
        &high(),
        "--format",
        "json",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let json: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    let platform = &json["offerings"][0];
    assert_eq!(platform["counts"]["total"], 370);
    assert_eq!(platform["counts"]["inherited"], 23);
    let pe3 = platform["controls"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "pe-3")
        .unwrap();
    assert_eq!(pe3["class"], "inherited");
    assert_eq!(pe3["inherited_from"], "azure");
    assert_eq!(pe3["origination"], serde_json::json!(["inherited"]));
}

#[test]
fn crm_markdown_and_csv() {
    let o = onus(&[
        "crm",
        "examples/outsystems.onus.yaml",
        "--profile",
        &high(),
        "--offering",
        "odc",
        "--format",
        "markdown",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let md = stdout(&o);
    assert!(
        md.contains("| CA-8 | Penetration Testing | customer | customer-provided |"),
        "{md}"
    );
    assert!(md.contains("**Mapped but not in the baseline:** sa-11.4 (secure-development)"));
    assert!(md.ends_with("| **total** | **370** |\n"));
    // Each control is one table row of five cells: a holder's duties are
    // bullets inside the cell, not lines that would end the row.
    let rows: Vec<&str> = md.lines().filter(|l| l.starts_with("| AC-2 |")).collect();
    assert_eq!(rows.len(), 1, "{md}");
    let unescaped_pipes = rows[0].replace("\\|", "").matches('|').count();
    assert_eq!(unescaped_pipes, 6, "{}", rows[0]);
    assert!(rows[0].contains("<br>• "), "{}", rows[0]);
    assert!(!md.contains("<br>  - "), "{md}");

    let o = onus(&[
        "crm",
        "examples/outsystems.onus.yaml",
        "--profile",
        &high(),
        "--format",
        "csv",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let csv = stdout(&o);
    let lines: Vec<&str> = csv.lines().collect();
    assert!(lines[0].starts_with("offering,control,label,title,family,class,"));
    // Three offerings, 370 controls and one mapped outside the baseline each.
    assert_eq!(lines.len(), 1 + 3 * 371);
    assert!(lines
        .iter()
        .any(|l| l.starts_with("odc,sa-11.4,,,,not-in-baseline,")));
}

#[test]
fn crm_xlsx_needs_a_file_and_writes_one() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("crm.xlsx");
    let o = onus(&[
        "crm",
        "examples/coherent.onus.yaml",
        "--profile",
        &high(),
        "--format",
        "xlsx",
        "-o",
        file.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stdout(&o).is_empty());
    let bytes = std::fs::read(&file).unwrap();
    assert!(bytes.starts_with(b"PK"), "an XLSX file is a zip");
    // Same CRM, same bytes (to a pipe, as no terminal is involved here).
    let o = onus(&[
        "crm",
        "examples/coherent.onus.yaml",
        "--profile",
        &high(),
        "--format",
        "xlsx",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(o.stdout, bytes);
}

#[test]
fn crm_usage_errors_exit_2_with_a_way_out() {
    let o = onus(&[
        "crm",
        "examples/codat.onus.yaml",
        "--profile",
        &high(),
        "--offering",
        "platfrom",
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(
        stderr(&o),
        "error: the model has no offering `platfrom`; did you mean `platform`?\n"
    );

    let o = onus(&["crm", "examples/codat.onus.yaml", "--profile", "nope.json"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).starts_with("error: cannot read nope.json"),
        "{}",
        stderr(&o)
    );

    let o = onus(&[
        "crm",
        "examples/codat.onus.yaml",
        "--profile",
        &high(),
        "--framework",
        "nist-800-53-rev4",
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("did you mean `nist-800-53-rev5`?"),
        "{}",
        stderr(&o)
    );

    let o = onus(&[
        "crm",
        "crates/onus-cli/tests/check/clean.onus.yaml",
        "--profile",
        &high(),
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("maps no area to a control"),
        "{}",
        stderr(&o)
    );

    // A model with errors: its findings, exit 1.
    let o = onus(&[
        "crm",
        "crates/onus-cli/tests/check/missing-holder.onus.yaml",
        "--profile",
        &high(),
    ]);
    assert_eq!(o.status.code(), Some(1));
}

#[test]
fn export_writes_valid_oscal_to_a_file() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("codat.json");
    let o = onus(&[
        "oscal",
        "export",
        "examples/codat.onus.yaml",
        "-o",
        file.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stdout(&o).is_empty());
    let doc: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    assert!(schema("oscal_component_schema.json").is_valid(&doc));

    let o = onus(&[
        "oscal",
        "export",
        "examples/outsystems.onus.yaml",
        "--kind",
        "ssp",
        "--offering",
        "odc",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let doc: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert!(schema("oscal_ssp_schema.json").is_valid(&doc));
    // Same model, same bytes.
    let again = onus(&[
        "oscal",
        "export",
        "examples/outsystems.onus.yaml",
        "--kind",
        "ssp",
        "--offering",
        "odc",
    ]);
    assert_eq!(o.stdout, again.stdout);
}

#[test]
fn an_ssp_of_a_model_with_several_offerings_needs_one() {
    let o = onus(&[
        "oscal",
        "export",
        "examples/outsystems.onus.yaml",
        "--kind",
        "ssp",
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(
        stderr(&o),
        "error: an SSP describes one offering and examples/outsystems.onus.yaml has 3: \
         choose one with `--offering` (odc, o11-cloud, o11-self-managed)\n"
    );
    let o = onus(&[
        "oscal",
        "export",
        "examples/outsystems.onus.yaml",
        "--kind",
        "ssp",
        "--offering",
        "odk",
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("did you mean `odc`?"), "{}", stderr(&o));
}

#[test]
fn import_writes_a_model_that_onus_check_accepts() {
    let dir = tempfile::tempdir().unwrap();
    let model = dir.path().join("leveraged.onus.yaml");
    let o = onus(&[
        "oscal",
        "import",
        &shared("examples/oscal_leveraged-example_ssp.json"),
        "-o",
        model.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let text = std::fs::read_to_string(&model).unwrap();
    assert!(
        text.starts_with("# Imported by `onus oscal import` from oscal_leveraged-example_ssp.json")
    );
    let o = onus(&["check", model.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));

    // Export, import, export: the same document.
    let first = dir.path().join("first.json");
    let imported = dir.path().join("codat.onus.yaml");
    let second = dir.path().join("second.json");
    for args in [
        vec![
            "oscal",
            "export",
            "examples/codat.onus.yaml",
            "--kind",
            "ssp",
            "-o",
            first.to_str().unwrap(),
        ],
        vec![
            "oscal",
            "import",
            first.to_str().unwrap(),
            "-o",
            imported.to_str().unwrap(),
        ],
        vec![
            "oscal",
            "export",
            imported.to_str().unwrap(),
            "--kind",
            "ssp",
            "-o",
            second.to_str().unwrap(),
        ],
    ] {
        let o = onus(&args);
        assert_eq!(o.status.code(), Some(0), "{args:?}: {}", stderr(&o));
    }
    // What Codat leverages from azure needs azure's model: the imported
    // model has no upstream, and its export no leveraging parts.
    // Nor are its FedRAMP `inherited` originations: the parties reached
    // through azure are parties of the imported model.
    let mut first: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&first).unwrap()).unwrap();
    let mut second: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&second).unwrap()).unwrap();
    for doc in [&mut first, &mut second] {
        for r in doc["system-security-plan"]["control-implementation"]["implemented-requirements"]
            .as_array_mut()
            .unwrap()
        {
            r.as_object_mut().unwrap().remove("props");
        }
    }
    let ssp = &mut first["system-security-plan"];
    let system = ssp["system-implementation"].as_object_mut().unwrap();
    assert!(system.remove("leveraged-authorizations").is_none());
    let components = system["components"].as_array_mut().unwrap();
    let before = components.len();
    components.retain(|c| c["type"] != "system");
    assert_eq!(
        components.len(),
        before - 1,
        "one component stands for azure"
    );
    for r in ssp["control-implementation"]["implemented-requirements"]
        .as_array_mut()
        .unwrap()
    {
        for s in r["statements"].as_array_mut().unwrap() {
            let b = s["by-components"].as_array_mut().unwrap();
            b.retain(|b| b.get("inherited").is_none());
        }
    }
    assert_eq!(first, second);
}

#[test]
fn codat_ssp_inherits_from_azures_own_export() {
    let export = |model: &str, offering: &str| -> serde_json::Value {
        let o = onus(&[
            "oscal",
            "export",
            model,
            "--kind",
            "ssp",
            "--offering",
            offering,
        ]);
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        serde_json::from_str(&stdout(&o)).unwrap()
    };
    let codat = export("examples/codat.onus.yaml", "platform");
    let azure = export("examples/azure.onus.yaml", "paas");
    let v = schema("oscal_ssp_schema.json");
    assert!(v.is_valid(&codat));
    assert!(v.is_valid(&azure));
    fn walk<'v>(v: &'v serde_json::Value, key: &str, out: &mut Vec<&'v serde_json::Value>) {
        match v {
            serde_json::Value::Object(o) => {
                for (k, x) in o {
                    if k == key {
                        out.extend(x.as_array().into_iter().flatten());
                    }
                    walk(x, key, out);
                }
            }
            serde_json::Value::Array(a) => a.iter().for_each(|x| walk(x, key, out)),
            _ => {}
        }
    }
    let mut provided = Vec::new();
    walk(&azure, "provided", &mut provided);
    let provided: std::collections::HashSet<&str> = provided
        .iter()
        .map(|p| p["uuid"].as_str().unwrap())
        .collect();
    let mut inherited = Vec::new();
    walk(&codat, "inherited", &mut inherited);
    assert!(inherited.len() > 10, "{}", inherited.len());
    for i in &inherited {
        let p = i["provided-uuid"].as_str().unwrap();
        assert!(provided.contains(p), "{i:#}");
        // A reference, not a copy of azure's text.
        assert!(i["description"].as_str().unwrap().contains(p));
    }
    // codat.onus.yaml gives azure no authorization date: no leveraged authorization.
    assert!(codat["system-security-plan"]["system-implementation"]
        .get("leveraged-authorizations")
        .is_none());
}

#[test]
fn import_errors_exit_2() {
    let o = onus(&["oscal", "import", &shared("examples/basic-catalog.json")]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("holds `catalog`; `onus oscal import` reads an OSCAL component-definition or system-security-plan"),
        "{}",
        stderr(&o)
    );
    // A document the OSCAL schema refuses: the schema's error, nothing written.
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.json");
    let text =
        std::fs::read_to_string(shared("examples/oscal_leveraged-example_ssp.json")).unwrap();
    let mut doc: serde_json::Value = serde_json::from_str(&text).unwrap();
    doc["system-security-plan"]["metadata"]["last-modified"] = "yesterday".into();
    std::fs::write(&bad, doc.to_string()).unwrap();
    let out = dir.path().join("bad.onus.yaml");
    let o = onus(&[
        "oscal",
        "import",
        bad.to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains(
            "bad.json is not a valid OSCAL system-security-plan: /system-security-plan/metadata/last-modified: "
        ),
        "{}",
        stderr(&o)
    );
    assert!(!out.exists());
    let o = onus(&["oscal", "import", "no-such-file.json"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).starts_with("error: cannot read no-such-file.json"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn a_model_without_controls_has_no_component_definition() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("cd.json");
    let o = onus(&[
        "oscal",
        "export",
        "crates/onus-cli/tests/check/clean.onus.yaml",
        "--kind",
        "component-definition",
        "-o",
        out.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("maps to a control"), "{}", stderr(&o));
    assert!(!out.exists());
}

#[test]
fn import_does_not_replace_a_model_without_force() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("m.onus.yaml");
    std::fs::write(&out, "edited by hand").unwrap();
    let leveraged = shared("examples/oscal_leveraged-example_ssp.json");
    let o = onus(&["oscal", "import", &leveraged, "-o", out.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(std::fs::read_to_string(&out).unwrap(), "edited by hand");
    let o = onus(&[
        "oscal",
        "import",
        &leveraged,
        "-o",
        out.to_str().unwrap(),
        "--force",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(std::fs::read_to_string(&out).unwrap().contains("onus: 1"));
}

const NIST_HIGH_511: &str =
    "nist-800-53-rev5-5.1.1/NIST_SP-800-53_rev5_HIGH-baseline-resolved-profile_catalog-min.json";

fn fedramp(level: &str) -> String {
    shared(&format!(
        "fedramp-rev5/FedRAMP_rev5_{level}-baseline_profile.json"
    ))
}

fn map_to_nist_high() -> String {
    format!("NIST_SP-800-53_rev5_catalog.json={}", shared(NIST_HIGH_511))
}

#[test]
fn crm_against_a_builtin_baseline_needs_no_files() {
    let o = onus(&["crm", "--list-baselines"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let list = stdout(&o);
    for line in [
        "nist-800-53-rev5-moderate  287 controls  release 5.1.1+u4",
        "fedramp-rev5-li-saas       156 controls  release fedramp2.1.0-oscal1.0.4",
    ] {
        assert!(list.contains(line), "{list}");
    }
    assert_eq!(list.lines().count(), 6);

    let o = onus(&[
        "crm",
        "examples/codat.onus.yaml",
        "--baseline",
        "nist-800-53-rev5-moderate",
        "--format",
        "json",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let json: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(
        json["baseline"],
        "NIST Special Publication 800-53 Revision 5.1.1 MODERATE IMPACT BASELINE"
    );
    assert_eq!(json["offerings"][0]["counts"]["total"], 287);

    let codat = ["crm", "examples/codat.onus.yaml"];
    usage_error(
        &[&codat[..], &["--baseline", "fedramp-low"]].concat(),
        "error: there is no built-in baseline `fedramp-low`",
    );
    usage_error(&codat, "--list-baselines");
}

/// Runs `onus ARGS`, which must fail with exit 2 and a message containing `needle`.
fn usage_error(args: &[&str], needle: &str) {
    let o = onus(args);
    assert_eq!(o.status.code(), Some(2), "{args:?}: {}", stderr(&o));
    assert!(stderr(&o).contains(needle), "{args:?}: {}", stderr(&o));
}

/// The built-in FedRAMP LOW is what resolving FedRAMP's profile with
/// `--href-map` gives: the same CRM, byte for byte.
#[test]
fn builtin_fedramp_low_is_the_resolved_profile() {
    let builtin = onus(&[
        "crm",
        "examples/codat.onus.yaml",
        "--baseline",
        "fedramp-rev5-low",
        "--format",
        "csv",
    ]);
    assert_eq!(builtin.status.code(), Some(0), "{}", stderr(&builtin));
    let map = map_to_nist_high();
    let profile = fedramp("LOW");
    let resolved = onus(&[
        "crm",
        "examples/codat.onus.yaml",
        "--profile",
        &profile,
        "--href-map",
        &map,
        "--format",
        "csv",
    ]);
    assert_eq!(resolved.status.code(), Some(0), "{}", stderr(&resolved));
    assert_eq!(stdout(&builtin), stdout(&resolved));
    assert_eq!(stdout(&builtin).lines().count(), 1 + 156 + 17);

    // Without the mapping, the missing catalog says how to map it.
    let args = ["crm", "examples/codat.onus.yaml", "--profile", &profile];
    usage_error(&args, "--href-map 'NIST_SP-800-53_rev5_catalog.json=PATH'");
    usage_error(
        &[
            &args[..],
            &["--href-map", "NIST_SP-800-53_rev5_catalog.json"],
        ]
        .concat(),
        "is not `FROM=TO`",
    );
}

/// A model mapped to another catalog is refused, not shown with every
/// control unassigned.
#[test]
fn crm_with_a_model_of_another_framework_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let model = dir.path().join("ccm.onus.yaml");
    std::fs::write(
        &model,
        "onus: 1
model: { id: acme, name: Acme, publisher: acme }
parties:
  acme: { name: Acme, role: provider }
  customer: { name: Customer, role: customer }
offerings:
  app: { name: App }
areas:
  data: { name: Data, controls: [ccm:DSP-01, ccm:DSP-07] }
frameworks:
  ccm: { name: CSA Cloud Controls Matrix v4 }
responsibilities:
  data: [acme, customer]
",
    )
    .unwrap();
    let o = onus(&[
        "crm",
        model.to_str().unwrap(),
        "--baseline",
        "nist-800-53-rev5-high",
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", stdout(&o));
    assert!(stdout(&o).is_empty());
    assert!(
        stderr(&o).starts_with(
            "error: model `acme` maps areas to 2 control(s) of framework `ccm` (DSP-01, DSP-07), \
             but none of them is a control of `NIST Special Publication 800-53 Revision 5.1.1 HIGH IMPACT BASELINE`"
        ),
        "{}",
        stderr(&o)
    );
}

/// A framework whose `catalog:` names a built-in baseline makes it the default.
#[test]
fn a_framework_catalog_can_name_a_builtin_baseline() {
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(common::root().join("examples/codat.onus.yaml"))
        .unwrap()
        .replace(
            "nist-800-53-rev5: { name: NIST SP 800-53 Rev. 5 }",
            "nist-800-53-rev5: { name: NIST SP 800-53 Rev. 5, catalog: nist-800-53-rev5-low }",
        );
    assert!(text.contains("catalog: nist-800-53-rev5-low"));
    // Codat runs on azure: copy both.
    std::fs::write(dir.path().join("codat.onus.yaml"), text).unwrap();
    std::fs::copy(
        common::root().join("examples/azure.onus.yaml"),
        dir.path().join("azure.onus.yaml"),
    )
    .unwrap();
    let model = dir.path().join("codat.onus.yaml");
    let o = onus(&["crm", model.to_str().unwrap(), "--format", "json"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let json: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(json["offerings"][0]["counts"]["total"], 149);
}

#[test]
fn oscal_resolve_writes_a_schema_valid_catalog() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("low.json");
    let map = map_to_nist_high();
    let o = onus(&[
        "oscal",
        "resolve",
        &fedramp("LI-SaaS"),
        "--href-map",
        &map,
        "-o",
        file.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    let errors: Vec<String> = schema("oscal_catalog_schema.json")
        .iter_errors(&json)
        .take(5)
        .map(|e| format!("{e} at {}", e.instance_path))
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
    let metadata = &json["catalog"]["metadata"];
    assert_eq!(metadata["oscal-version"], "1.2.1");
    assert_eq!(
        metadata["links"],
        serde_json::json!([{"href": "FedRAMP_rev5_LI-SaaS-baseline_profile.json", "rel": "resolution-source"}])
    );
    assert_ne!(
        json["catalog"]["uuid"], "ece2fd2d-87f7-476a-a295-6e1ec8153771",
        "a new uuid, not the profile's"
    );
    // To standard output, the same bytes.
    let o = onus(&["oscal", "resolve", &fedramp("LI-SaaS"), "--href-map", &map]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(o.stdout, std::fs::read(&file).unwrap());
}

/// NIST's PRIVACY profile selects six enhancements whose parents it does
/// not select: each is a warning on standard error, counted, in the JSON,
/// and a failure under `--deny-warnings`.
#[test]
fn resolution_warnings_are_shown_counted_and_can_fail_the_run() {
    let privacy = shared("nist-800-53-rev5/NIST_SP-800-53_rev5_PRIVACY-baseline_profile.json");
    let args = [
        "crm",
        "examples/codat.onus.yaml",
        "--profile",
        &privacy,
        "--format",
        "json",
    ];
    let o = onus(&args);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let err = stderr(&o);
    assert_eq!(err.lines().count(), 7, "{err}");
    assert!(
        err.starts_with("warning: `ac-3.14` is selected but its parent `ac-3` is not"),
        "{err}"
    );
    assert!(
        err.ends_with(&format!("warning: resolving {privacy} gave 6 warnings\n")),
        "{err}"
    );
    let json: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(json["warnings"].as_array().unwrap().len(), 6);

    let o = onus(&[&args[..], &["--deny-warnings"]].concat());
    assert_eq!(o.status.code(), Some(1));
    assert!(stdout(&o).is_empty());
    assert!(
        stderr(&o).ends_with("gave 6 warnings, and `--deny-warnings` was given\n"),
        "{}",
        stderr(&o)
    );

    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("privacy.json");
    let o = onus(&[
        "oscal",
        "resolve",
        &privacy,
        "--deny-warnings",
        "-o",
        file.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert!(!file.exists(), "nothing is written");

    // A built-in baseline has no warnings: the key is there, empty.
    let o = onus(&[
        "crm",
        "examples/codat.onus.yaml",
        "--baseline",
        "nist-800-53-rev5-privacy",
        "--format",
        "json",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stderr(&o).is_empty(), "{}", stderr(&o));
    let json: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(json["warnings"], serde_json::json!([]));
}

/// `--catalog` still works, says it is deprecated, and no longer replaces
/// the chain: NIST's HIGH profile still selects its 370 controls.
#[test]
fn the_deprecated_catalog_option_is_a_fallback() {
    let catalog = shared("nist-800-53-rev5/NIST_SP-800-53_rev5_catalog.json");
    let o = onus(&[
        "crm",
        "examples/codat.onus.yaml",
        "--profile",
        &high(),
        "--catalog",
        &catalog,
        "--format",
        "json",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(
        stderr(&o).starts_with("warning: `--catalog` is deprecated"),
        "{}",
        stderr(&o)
    );
    let json: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(json["offerings"][0]["counts"]["total"], 370);
}

/// `onus oscal validate`: NIST's documents and onus's own exports are
/// valid; a broken one gets each error at its line and JSON pointer.
#[test]
fn oscal_validate() {
    let o = onus(&[
        "oscal",
        "validate",
        &shared("examples/ssp-example.json"),
        &shared("examples/basic-catalog.json"),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(
        stdout(&o).contains("a valid OSCAL system-security-plan"),
        "{}",
        stdout(&o)
    );
    assert!(
        stdout(&o).contains("a valid OSCAL catalog"),
        "{}",
        stdout(&o)
    );

    let dir = tempfile::tempdir().unwrap();
    let export = dir.path().join("codat.json");
    let o = onus(&[
        "oscal",
        "export",
        "examples/codat.onus.yaml",
        "-o",
        export.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let o = onus(&["oscal", "validate", export.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}{}", stdout(&o), stderr(&o));

    // A broken uuid, in YAML: the error is at its line, with its pointer.
    let yaml = dir.path().join("catalog.yaml");
    std::fs::write(
        &yaml,
        "catalog:\n  uuid: not-a-uuid\n  metadata:\n    title: T\n    last-modified: 2024-01-01T00:00:00Z\n    version: '1'\n    oscal-version: 1.1.2\n",
    )
    .unwrap();
    let o = onus(&["oscal", "validate", yaml.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(out.contains("catalog.yaml:2:9: /catalog/uuid: "), "{out}");
    assert!(
        out.contains("1 error against the OSCAL catalog schema"),
        "{out}"
    );

    // Not OSCAL, or not JSON at all: a usage error that says which.
    let model = onus(&["oscal", "validate", "examples/codat.onus.yaml"]);
    assert_eq!(model.status.code(), Some(2));
    assert!(
        stderr(&model).contains("is not an OSCAL document"),
        "{}",
        stderr(&model)
    );
    let broken = dir.path().join("broken.json");
    std::fs::write(&broken, "{\"catalog\": ").unwrap();
    let o = onus(&["oscal", "validate", broken.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("is not valid JSON"), "{}", stderr(&o));

    // XML: NIST's LOW profile as NIST publishes it in XML; a broken
    // element is reported at its line with its pointer; bad XML at its line.
    let low = shared("nist-800-53-rev5/NIST_SP-800-53_rev5_LOW-baseline_profile.xml");
    let o = onus(&["oscal", "validate", &low]);
    assert_eq!(o.status.code(), Some(0), "{}{}", stdout(&o), stderr(&o));
    assert!(
        stdout(&o).contains("a valid OSCAL profile"),
        "{}",
        stdout(&o)
    );
    let xml = dir.path().join("catalog.xml");
    std::fs::write(
        &xml,
        "<catalog xmlns=\"http://csrc.nist.gov/ns/oscal/1.0\" uuid=\"not-a-uuid\">\n  <metadata>\n    <title>T</title>\n    <last-modified>2024-01-01T00:00:00Z</last-modified>\n    <version>1</version>\n    <oscal-version>1.1.2</oscal-version>\n  </metadata>\n  <control id=\"c-1\"/>\n</catalog>\n",
    )
    .unwrap();
    let o = onus(&["oscal", "validate", xml.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(out.contains("catalog.xml:1:1: /catalog/uuid: "), "{out}");
    assert!(
        out.contains("catalog.xml:8:3: /catalog/controls/0: "),
        "{out}"
    );
    std::fs::write(&xml, "<catalog>\n  <metadata>\n</catalog>\n").unwrap();
    let o = onus(&["oscal", "validate", xml.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("catalog.xml:3:1: "), "{}", stderr(&o));
    assert!(stderr(&o).contains("is not valid XML"), "{}", stderr(&o));
}

/// `onus crm --template fedramp`: FedRAMP's CRM columns in CSV; only CSV
/// and XLSX take the template.
#[test]
fn crm_fedramp_template() {
    let o = onus(&[
        "crm",
        "examples/codat.onus.yaml",
        "--baseline",
        "fedramp-rev5-low",
        "--format",
        "csv",
        "--template",
        "fedramp",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(
        out.starts_with("Offering,Control ID,Control Name,Can Be Inherited from CSP,Control Origination,Customer Responsibility,CSP Responsibility,"),
        "{out}"
    );
    assert!(
        out.contains("platform,AC-2,Account Management,Yes,Service Provider System Specific; Inherited from pre-existing FedRAMP Authorization,"),
        "{out}"
    );
    let o = onus(&[
        "crm",
        "examples/codat.onus.yaml",
        "--baseline",
        "fedramp-rev5-low",
        "--template",
        "fedramp",
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("--format xlsx"), "{}", stderr(&o));
}

/// `onus crm --fail-on unassigned`: the CRM is written, and the run fails
/// (exit 1) while a control is unassigned, saying how many.
#[test]
fn crm_fail_on_unassigned() {
    let args = [
        "crm",
        "examples/codat.onus.yaml",
        "--baseline",
        "fedramp-rev5-low",
        "--format",
        "json",
    ];
    let o = onus(&args);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let json: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    let unassigned = json["offerings"][0]["counts"]["unassigned"]
        .as_u64()
        .unwrap();
    assert!(unassigned > 0);
    let o = onus(&[&args[..], &["--fail-on", "unassigned"]].concat());
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert_eq!(
        stdout(&o),
        serde_json::to_string_pretty(&json).unwrap() + "\n"
    );
    assert!(
        stderr(&o).contains(&format!("{unassigned} controls unassigned")),
        "{}",
        stderr(&o)
    );
}

/// `onus oscal import` reads OSCAL XML: NIST's example component
/// definition, as NIST publishes it in XML.
#[test]
fn oscal_import_reads_xml() {
    let o = onus(&[
        "oscal",
        "import",
        &shared("examples/xml/example-component.xml"),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(
        out.contains("test-vendor: { name: Test Vendor, role: provider }"),
        "{out}"
    );
    assert!(out.contains("controls: [nist-800-53-rev4:ac-2.3"), "{out}");
}

#[test]
fn an_ssp_can_target_a_baseline() {
    let o = onus(&[
        "oscal",
        "export",
        "examples/codat.onus.yaml",
        "--kind",
        "ssp",
        "--baseline",
        "nist-800-53-rev5-high",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let doc: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert!(schema("oscal_ssp_schema.json").is_valid(&doc));
    let requirements = doc["system-security-plan"]["control-implementation"]
        ["implemented-requirements"]
        .as_array()
        .unwrap();
    // As `onus crm` says: 370 controls, 307 unassigned.
    assert_eq!(requirements.len(), 370);
    let unassigned = requirements
        .iter()
        .filter(|r| r.get("statements").is_none())
        .count();
    assert_eq!(unassigned, 307);

    // A profile: its path in the baseline's resource.
    let profile = shared("nist-800-53-rev5/NIST_SP-800-53_rev5_MODERATE-baseline_profile.json");
    let o = onus(&[
        "oscal",
        "export",
        "examples/codat.onus.yaml",
        "--kind",
        "ssp",
        "--profile",
        &profile,
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stdout(&o).contains("NIST_SP-800-53_rev5_MODERATE-baseline_profile.json"));

    let o = onus(&[
        "oscal",
        "export",
        "examples/codat.onus.yaml",
        "--baseline",
        "nist-800-53-rev5-high",
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("add `--kind ssp`"), "{}", stderr(&o));
}

/// `onus oscal import SSP --upstream NAME=PATH`: Codat's SSP, leveraging
/// an authorized Azure, comes back with Azure as a real upstream (the path
/// relative to the model written), which `onus check` accepts; a NAME of no
/// leveraged authorization is a usage error that lists those there are,
/// and nothing is written.
#[test]
fn import_with_the_model_of_a_leveraged_authorization() {
    let dir = tempfile::tempdir().unwrap();
    let path = |name: &str| dir.path().join(name).to_str().unwrap().to_string();
    std::fs::copy(
        root().join("examples/azure.onus.yaml"),
        path("azure.onus.yaml"),
    )
    .unwrap();
    let codat = std::fs::read_to_string(root().join("examples/codat.onus.yaml")).unwrap();
    let authorized = codat.replace(
        "azure: { model: azure.onus.yaml }",
        "azure: { model: azure.onus.yaml, authorized: 2024-03-15, fedramp-package: FR1234567890 }",
    );
    assert_ne!(authorized, codat);
    std::fs::write(path("codat.onus.yaml"), authorized).unwrap();
    let o = onus(&[
        "oscal",
        "export",
        &path("codat.onus.yaml"),
        "--kind",
        "ssp",
        "-o",
        &path("codat-ssp.json"),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));

    let o = onus(&[
        "oscal",
        "import",
        &path("codat-ssp.json"),
        "--upstream",
        "azure=azure.onus.yaml",
        "-o",
        &path("imported.onus.yaml"),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let text = std::fs::read_to_string(path("imported.onus.yaml")).unwrap();
    assert!(
        text.contains(
            "\nupstreams:\n  azure: { model: azure.onus.yaml, authorized: \"2024-03-15\", fedramp-package: FR1234567890 }\n"
        ),
        "{text}"
    );
    assert!(text.contains("runs-on: { azure: paas }"), "{text}");
    let o = onus(&["check", &path("imported.onus.yaml")]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    assert!(
        stdout(&o).contains("checked 2 models: 0 errors"),
        "{}",
        stdout(&o)
    );

    // Unknown NAME: exit 2, the names there are, nothing written.
    let o = onus(&[
        "oscal",
        "import",
        &path("codat-ssp.json"),
        "--upstream",
        "aws=azure.onus.yaml",
        "-o",
        &path("unknown.onus.yaml"),
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("has no leveraged authorization `aws`; name one by its id (`azure`)"),
        "{}",
        stderr(&o)
    );
    assert!(!dir.path().join("unknown.onus.yaml").exists());
    // Not NAME=PATH, or a model outside the imported model's folder.
    std::fs::create_dir(path("out")).unwrap();
    for (entry, needle) in [
        ("azure", "write NAME=PATH"),
        ("azure=../azure.onus.yaml", "--allow-outside-root"),
    ] {
        let o = onus(&[
            "oscal",
            "import",
            &path("codat-ssp.json"),
            "--upstream",
            entry,
            "-o",
            &path("out/refused.onus.yaml"),
        ]);
        assert_eq!(o.status.code(), Some(2), "{entry}: {}", stderr(&o));
        assert!(stderr(&o).contains(needle), "{entry}: {}", stderr(&o));
        assert!(!dir.path().join("out/refused.onus.yaml").exists());
    }
}
