//! FedRAMP's Rev. 5 LOW and LI-SaaS baselines, resolved by onus from
//! FedRAMP's profiles with their catalog import mapped (`--href-map`) to
//! NIST's 5.1.1 HIGH resolved catalog, against FedRAMP's own resolved
//! catalogs: the oracle for resolution with `set-parameters` and `alters`.
//!
//! FedRAMP resolved against an earlier cut of the 5.1.1 catalog, whose
//! parameters had no `props` yet (NIST added the `sp800-53a` labels and
//! `alt-identifier`s in a later update of 5.1.1): parameters are compared
//! on everything but their props; control ids, order, titles, props,
//! parts, links, parameter ids, labels, guidelines and values must be equal.

use std::path::{Path, PathBuf};

use onus_oscal::catalog::{Control, Param};
mod common;

use common::{nist_high_map, relative};
use onus_oscal::load::{read_catalog, resolve_file, HrefMap};
use onus_oscal::{Catalog, ResolvedCatalog};

const DATA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../data/oscal");

fn data(file: &str) -> PathBuf {
    Path::new(DATA).join(file)
}

/// A control without its enhancements, its params without their props.
fn comparable(control: &Control) -> Control {
    Control {
        controls: Vec::new(),
        params: control
            .params
            .iter()
            .map(|p| Param {
                props: Vec::new(),
                ..p.clone()
            })
            .collect(),
        ..control.clone()
    }
}

fn check(baseline: &str, expected: usize) -> ResolvedCatalog {
    let profile = data(&format!(
        "fedramp-rev5/FedRAMP_rev5_{baseline}-baseline_profile.json"
    ));
    let oracle: Catalog = read_catalog(&data(&format!(
        "fedramp-rev5/FedRAMP_rev5_{baseline}-baseline-resolved-profile_catalog.json"
    )))
    .unwrap();
    let resolved = resolve_file(&profile, &nist_high_map()).unwrap();
    assert!(resolved.warnings().is_empty(), "{:?}", resolved.warnings());

    let ours: Vec<&str> = resolved.controls().map(|c| c.id()).collect();
    let theirs: Vec<&str> = oracle.controls().map(|c| c.control.id.as_str()).collect();
    assert_eq!(theirs.len(), expected, "{baseline}: FedRAMP's count");
    assert_eq!(ours, theirs, "{baseline}: ids and order");

    let mut differ = Vec::new();
    let mut values = 0;
    for theirs in oracle.controls() {
        let ours = resolved.control(&theirs.control.id).unwrap();
        if comparable(ours.control) != comparable(theirs.control) {
            differ.push(theirs.control.id.clone());
        }
        assert_eq!(ours.parent_id, theirs.parent.map(|p| p.id.as_str()));
        assert_eq!(
            ours.group.and_then(|g| g.id.as_deref()),
            theirs.group.and_then(|g| g.id.as_deref())
        );
        values += ours
            .params()
            .iter()
            .filter(|p| !p.constraints.is_empty())
            .count();
    }
    assert_eq!(differ, Vec::<String>::new(), "{baseline}: controls differ");
    // FedRAMP sets its values as `constraints` (156 of them).
    assert!(values > 100, "{baseline}: FedRAMP's constraints ({values})");

    common::assert_same_groups_and_back_matter(resolved.catalog(), &oracle, baseline);
    // Metadata as the profile-resolution specification asks: a new uuid and
    // a `resolution-source` link to the profile (as FedRAMP's has).
    let metadata = &resolved.catalog().metadata;
    assert_eq!(metadata.title, oracle.metadata.title);
    let source: Vec<(&str, Option<&str>)> = metadata
        .links
        .iter()
        .map(|l| (l.href.as_str(), l.rel.as_deref()))
        .collect();
    let expected_source = format!("FedRAMP_rev5_{baseline}-baseline_profile.json");
    assert_eq!(
        source,
        [(expected_source.as_str(), Some("resolution-source"))]
    );
    let profile_uuid = onus_oscal::load::read_profile(&profile).unwrap().uuid;
    assert_ne!(resolved.catalog().uuid, profile_uuid);
    // And it is a valid OSCAL 1.2.1 catalog.
    let instance: serde_json::Value = serde_json::from_str(&resolved.to_json_pretty()).unwrap();
    let errors = common::schema_errors(&common::validator("oscal_catalog_schema.json"), &instance);
    assert!(errors.is_empty(), "{baseline}: {errors:#?}");
    resolved
}

#[test]
fn low_resolves_to_fedramps_own_resolved_catalog() {
    let low = check("LOW", 156);
    // FedRAMP's tailoring is there: a value set, a prop added at the control.
    let ac2 = low.control("ac-2").unwrap().control;
    assert!(ac2
        .props
        .iter()
        .any(|p| p.name == "CORE" && p.ns.as_deref() == Some("https://fedramp.gov/ns/oscal")));
}

#[test]
fn li_saas_resolves_to_fedramps_own_resolved_catalog() {
    check("LI-SaaS", 156);
}

#[test]
fn without_the_mapping_the_missing_catalog_says_how_to_map_it() {
    let profile = data("fedramp-rev5/FedRAMP_rev5_LOW-baseline_profile.json");
    let err = resolve_file(&profile, &HrefMap::new()).unwrap_err();
    let message = err.to_string();
    assert!(
        message.contains("--href-map 'NIST_SP-800-53_rev5_catalog.json=PATH'"),
        "{message}"
    );
}

/// A profile in another folder that imports FedRAMP's LOW profile, which
/// imports the catalog: each href is looked up beside the document that
/// holds it, the mapping replaces only the leaf, and the chain is resolved
/// through every level.
#[test]
fn an_overlay_on_fedramp_on_nist_resolves_through_every_level() {
    let dir = tempfile::tempdir().unwrap();
    let low = data("fedramp-rev5/FedRAMP_rev5_LOW-baseline_profile.json");
    let overlay = serde_json::json!({"profile": {
        "uuid": "6a1f2c3e-0000-4000-8000-000000000001",
        "metadata": {"title": "Agency overlay", "last-modified": "2026-01-01T00:00:00Z",
                     "version": "1", "oscal-version": "1.1.2"},
        "imports": [{"href": relative(dir.path(), &low),
                     "exclude-controls": [{"with-ids": ["ac-8"]}]}],
        "merge": {"as-is": true},
        "modify": {"set-parameters": [{"param-id": "ac-07_odp.01", "values": ["five"]}]}
    }});
    let path = dir.path().join("overlay.json");
    std::fs::write(&path, overlay.to_string()).unwrap();
    let resolved = resolve_file(&path, &nist_high_map()).unwrap();
    assert_eq!(resolved.len(), 155);
    assert!(resolved.control("ac-8").is_none());
    let ac7 = resolved.control("ac-7").unwrap().control;
    assert_eq!(
        ac7.params
            .iter()
            .find(|p| p.id == "ac-07_odp.01")
            .unwrap()
            .values,
        ["five"]
    );
    // FedRAMP's own value below the overlay survives.
    let fedramp = resolve_file(&low, &nist_high_map()).unwrap();
    let ac2 = |r: &ResolvedCatalog| r.control("ac-2").unwrap().control.params.clone();
    assert_eq!(ac2(&resolved), ac2(&fedramp));
    assert!(resolved
        .control("ac-2")
        .unwrap()
        .control
        .props
        .iter()
        .any(|p| p.name == "CORE"));
}
