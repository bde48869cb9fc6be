//! Resolution of the NIST SP 800-53 Rev. 5 baselines, checked against the
//! resolved catalogs NIST publishes (the oracle) in the shared data folder.

mod common;

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use onus_oscal::catalog::Control;
use onus_oscal::load::{read_catalog, resolve_file, HrefMap};
use onus_oscal::{resolve_against, Catalog, Profile, ResolvedCatalog, Warning};

const DATA: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../data/oscal/nist-800-53-rev5"
);

fn data(file: &str) -> PathBuf {
    Path::new(DATA).join(file)
}

fn profile_path(baseline: &str) -> PathBuf {
    data(&format!(
        "NIST_SP-800-53_rev5_{baseline}-baseline_profile.json"
    ))
}

fn oracle(baseline: &str) -> Catalog {
    read_catalog(&data(&format!(
        "NIST_SP-800-53_rev5_{baseline}-baseline-resolved-profile_catalog.json"
    )))
    .unwrap()
}

fn catalog() -> Catalog {
    read_catalog(&data("NIST_SP-800-53_rev5_catalog.json")).unwrap()
}

/// A control without its enhancements, for comparing its own content.
fn own(control: &Control) -> Control {
    Control {
        controls: Vec::new(),
        ..control.clone()
    }
}

/// Resolves `baseline` from its profile file, whose import href
/// (`NIST_SP-800-53_rev5_catalog.xml`) maps to the `.json` beside it, and
/// compares the result with NIST's resolved catalog.
fn check(baseline: &str, expected_count: usize) -> ResolvedCatalog {
    let resolved = resolve_file(&profile_path(baseline), &HrefMap::new()).unwrap();
    let oracle = oracle(baseline);

    let ours: Vec<&str> = resolved.controls().map(|c| c.id()).collect();
    let theirs: Vec<&str> = oracle.controls().map(|c| c.control.id.as_str()).collect();
    assert_eq!(ours.len(), expected_count, "{baseline}: our count");
    assert_eq!(theirs.len(), expected_count, "{baseline}: NIST's count");
    let (ours_set, theirs_set): (HashSet<_>, HashSet<_>) = (
        ours.iter().copied().collect(),
        theirs.iter().copied().collect(),
    );
    assert_eq!(
        ours_set
            .symmetric_difference(&theirs_set)
            .collect::<Vec<_>>(),
        Vec::<&&str>::new(),
        "{baseline}: ids differ"
    );
    assert_eq!(ours, theirs, "{baseline}: same ids, different order");

    // Same content control by control: title, props, links, parts, and the
    // params with their labels and values.
    for theirs in oracle.controls() {
        let ours = resolved.control(&theirs.control.id).unwrap();
        assert_eq!(
            own(ours.control),
            own(theirs.control),
            "{baseline}: {}",
            ours.id()
        );
        // Parent and family as NIST's structure has them.
        assert_eq!(ours.parent_id, theirs.parent.map(|p| p.id.as_str()));
        assert_eq!(
            ours.group.and_then(|g| g.id.as_deref()),
            theirs.group.and_then(|g| g.id.as_deref())
        );
    }

    common::assert_same_groups_and_back_matter(resolved.catalog(), &oracle, baseline);
    resolved
}

#[test]
fn low_baseline_matches_nist() {
    let resolved = check("LOW", 149);
    assert!(resolved.warnings().is_empty(), "{:?}", resolved.warnings());
}

#[test]
fn moderate_baseline_matches_nist() {
    let resolved = check("MODERATE", 287);
    assert!(resolved.warnings().is_empty(), "{:?}", resolved.warnings());
}

#[test]
fn high_baseline_matches_nist() {
    let resolved = check("HIGH", 370);
    assert!(resolved.warnings().is_empty(), "{:?}", resolved.warnings());
}

/// The PRIVACY profile lists 96 ids; six are enhancements of controls it does
/// not select, which NIST's structure-keeping resolution leaves out (90).
#[test]
fn privacy_baseline_matches_nist_and_reports_the_six_left_out() {
    let resolved = check("PRIVACY", 90);
    let mut left_out: Vec<(&str, &str)> = resolved
        .warnings()
        .iter()
        .map(|w| match w {
            Warning::NotPlaced {
                control_id,
                parent_id,
            } => (control_id.as_str(), parent_id.as_str()),
            other => panic!("unexpected warning {other:?}"),
        })
        .collect();
    left_out.sort();
    assert_eq!(
        left_out,
        [
            ("ac-3.14", "ac-3"),
            ("au-3.3", "au-3"),
            ("pe-8.3", "pe-8"),
            ("pm-5.1", "pm-5"),
            ("sa-8.33", "sa-8"),
            ("sc-7.24", "sc-7")
        ]
    );
}

#[test]
fn an_explicit_catalog_gives_the_same_result() {
    let catalog = catalog();
    for baseline in ["LOW", "HIGH"] {
        let profile = onus_oscal::load::read_profile(&profile_path(baseline)).unwrap();
        let explicit = resolve_against(&profile, &catalog).unwrap();
        let mut map = HrefMap::new();
        map.insert(
            "NIST_SP-800-53_rev5_catalog.xml",
            data("NIST_SP-800-53_rev5_catalog.json"),
        );
        let mapped = resolve_file(&profile_path(baseline), &map).unwrap();
        let by_href = resolve_file(&profile_path(baseline), &HrefMap::new()).unwrap();
        // The file resolutions add a `resolution-source` link; all else is equal.
        let mut explicit = explicit;
        explicit.add_resolution_source(&format!(
            "NIST_SP-800-53_rev5_{baseline}-baseline_profile.json"
        ));
        assert_eq!(explicit.catalog(), by_href.catalog(), "{baseline}");
        assert_eq!(mapped.catalog(), by_href.catalog(), "{baseline}");
    }
}

#[test]
fn what_a_responsibility_matrix_needs() {
    let high = resolve_file(&profile_path("HIGH"), &HrefMap::new()).unwrap();
    let enhancement = high.control("ac-2.1").unwrap();
    assert_eq!(enhancement.title(), "Automated System Account Management");
    assert_eq!(enhancement.control.label(), "AC-2(1)");
    assert_eq!(enhancement.parent_id, Some("ac-2"));
    let family = enhancement.group.unwrap();
    assert_eq!(
        (family.id.as_deref(), family.title.as_str()),
        (Some("ac"), "Access Control")
    );
    let ac2 = high.control("ac-2").unwrap();
    assert_eq!(ac2.params().len(), 10);
    assert_eq!(
        ac2.params()[0].label.as_deref(),
        Some("organization-defined prerequisites and criteria")
    );
    assert!(high.control("ac-2.8").is_none(), "not in HIGH");
}

/// NIST's baselines set no parameters, so tailor HIGH the way an agency or
/// FedRAMP does and check the values land where the profile puts them.
#[test]
fn set_parameters_on_a_real_baseline() {
    let high = onus_oscal::load::read_profile(&profile_path("HIGH")).unwrap();
    let mut tailored: serde_json::Value = serde_json::from_str(&high.to_json_pretty()).unwrap();
    tailored["profile"]["modify"] = serde_json::json!({
        "set-parameters": [
            {"param-id": "ac-1_prm_1", "values": ["all personnel"]},
            {"param-id": "ac-2_prm_10", "values": ["monthly"], "label": "review frequency"},
            {"param-id": "au-11_prm_1", "values": ["at least ninety days"]},
            {"param-id": "ac-2.8_prm_1", "values": ["never applies: not in HIGH"]}
        ],
        "alters": [{"control-id": "ac-2", "removes": [{"by-name": "guidance"}]}]
    });
    let tailored = Profile::from_json(&tailored.to_string()).unwrap();
    let resolved = resolve_against(&tailored, &catalog()).unwrap();
    let values = |control: &str, param: &str| -> Vec<String> {
        let control = resolved.control(control).unwrap().control;
        control
            .params
            .iter()
            .find(|p| p.id == param)
            .unwrap()
            .values
            .clone()
    };
    assert_eq!(values("ac-1", "ac-1_prm_1"), ["all personnel"]);
    assert_eq!(values("ac-2", "ac-2_prm_10"), ["monthly"]);
    assert_eq!(values("au-11", "au-11_prm_1"), ["at least ninety days"]);
    assert!(
        values("ac-1", "ac-1_prm_2").is_empty(),
        "unset params stay unset"
    );
    let ac2 = resolved.control("ac-2").unwrap().control;
    assert!(ac2.parts.iter().all(|p| p.name != "guidance"));
    assert_eq!(
        resolved.warnings(),
        [Warning::UnknownParameter {
            param_id: "ac-2.8_prm_1".into()
        }]
    );
    assert_eq!(resolved.len(), 370);
}

#[test]
fn the_full_catalog_round_trips_without_loss() {
    let text = std::fs::read_to_string(data("NIST_SP-800-53_rev5_catalog.json")).unwrap();
    let catalog = Catalog::from_json(&text).unwrap();
    assert_eq!(catalog.controls().count(), 1189);
    assert_eq!(catalog.groups.len(), 20);
    let original: serde_json::Value = serde_json::from_str(&text).unwrap();
    let written: serde_json::Value = serde_json::from_str(&catalog.to_json_pretty()).unwrap();
    assert!(
        original == written,
        "the catalog changed on the way through"
    );
}

#[test]
fn resolved_high_is_valid_against_the_oscal_catalog_schema() {
    let schema_path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../data/oscal/schemas/oscal_catalog_schema.json"
    );
    let schema: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(schema_path).unwrap()).unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    let broken = serde_json::json!({"catalog": {"uuid": "not a uuid", "metadata": {}}});
    assert!(
        !validator.is_valid(&broken),
        "the schema check must be able to fail"
    );
    let resolved = resolve_file(&profile_path("HIGH"), &HrefMap::new()).unwrap();
    let instance: serde_json::Value = serde_json::from_str(&resolved.to_json_pretty()).unwrap();
    let errors: Vec<String> = validator
        .iter_errors(&instance)
        .take(5)
        .map(|e| format!("{} at {}", e, e.instance_path))
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
}

/// A tailored profile in another folder imports NIST's MODERATE profile by
/// a relative href; MODERATE's own import (`NIST_SP-800-53_rev5_catalog.xml`)
/// is looked up beside MODERATE, not beside the tailored profile. A
/// fallback catalog (the deprecated `--catalog`) replaces only imports
/// that cannot be found: the chain is still resolved, never skipped.
#[test]
fn a_nested_relative_import_resolves_beside_the_profile_that_holds_it() {
    // In the repository (its `target/`): imports stay in the profile's git
    // repository, and this one imports the repository's data.
    let dir = tempfile::tempdir_in(env!("CARGO_TARGET_TMPDIR")).unwrap();
    let moderate = profile_path("MODERATE");
    let up = "../".repeat(dir.path().components().count() - 1);
    let href = format!(
        "{up}{}",
        moderate.display().to_string().trim_start_matches('/')
    );
    let tailored = serde_json::json!({"profile": {
        "uuid": "6a1f2c3e-0000-4000-8000-000000000002",
        "metadata": {"title": "Tailored MODERATE", "last-modified": "2026-01-01T00:00:00Z",
                     "version": "1", "oscal-version": "1.1.2"},
        "imports": [{"href": href, "exclude-controls": [{"with-ids": ["ac-2.1"]}]}],
        "merge": {"as-is": true}
    }});
    let path = dir.path().join("tailored.json");
    std::fs::write(&path, tailored.to_string()).unwrap();
    let resolved = resolve_file(&path, &HrefMap::new()).unwrap();
    assert_eq!(resolved.len(), 286);
    assert!(resolved.control("ac-2.1").is_none());
    let fallback = HrefMap::new().with_fallback(Some(data("NIST_SP-800-53_rev5_catalog.json")));
    assert_eq!(resolve_file(&path, &fallback).unwrap().len(), 286);
}

/// A profile written in OSCAL's YAML form resolves like its JSON form: a
/// YAML profile importing NIST's JSON catalog.
#[test]
fn a_yaml_profile_resolves() {
    let dir = tempfile::tempdir_in(env!("CARGO_TARGET_TMPDIR")).unwrap();
    let catalog = data("NIST_SP-800-53_rev5_catalog.json");
    let profile = dir.path().join("tailored.yaml");
    std::fs::write(
        &profile,
        format!(
            "profile:
  uuid: 9f4b1e58-8d0c-4bd3-9d6e-0a6c1d2f4e11
  metadata:
    title: A tailored baseline
    last-modified: 2024-01-01T00:00:00Z
    version: '1'
    oscal-version: 1.1.2
  imports:
    - href: {}
      include-controls:
        - with-ids: [ac-1, ac-2, ac-2.1]
  merge:
    as-is: true
",
            catalog.display()
        ),
    )
    .unwrap();
    let resolved = resolve_file(&profile, &HrefMap::new()).unwrap();
    let ids: Vec<&str> = resolved.controls().map(|c| c.id()).collect();
    assert_eq!(ids, ["ac-1", "ac-2", "ac-2.1"]);
    assert!(resolved.warnings().is_empty(), "{:?}", resolved.warnings());
}

/// JSON is YAML: NIST's whole catalog read through the YAML path is the
/// catalog read as JSON.
#[test]
fn the_yaml_path_reads_the_whole_catalog() {
    let text = std::fs::read_to_string(data("NIST_SP-800-53_rev5_catalog.json")).unwrap();
    let as_yaml = onus_oscal::Document::from_yaml(&text).unwrap();
    let as_json = onus_oscal::Document::from_json(&text).unwrap();
    assert!(as_yaml == as_json, "the YAML reading differs");
}
