//! The generator of the built-in baselines (`crates/onus-oscal/baselines/`)
//! and the test that they are current: each bundled file must be exactly
//! what this generates from `data/oscal/`. After a deliberate change:
//!
//! ```text
//! ONUS_BLESS=1 cargo test -p onus-oscal --test builtin_baselines
//! ```
//!
//! NIST's baselines are NIST's own resolved catalogs of release 5.1.1;
//! FedRAMP's LOW and LI-SaaS are resolved by onus from FedRAMP's profiles,
//! their catalog import mapped to NIST's 5.1.1 HIGH resolved catalog
//! (`tests/fedramp.rs` proves that gives FedRAMP's own resolved catalogs).

mod common;

use std::path::{Path, PathBuf};

use onus_oscal::baseline::{Baseline, BUILTIN};
use onus_oscal::control_id::{CatalogIndex, NIST_800_53_REV5_INDEX};
use onus_oscal::load::{read_catalog, resolve_file};

const DATA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../data/oscal");

fn data(file: &str) -> PathBuf {
    Path::new(DATA).join(file)
}

/// The baseline `name` from the reference data.
fn generate(name: &str) -> Baseline {
    let nist = |level: &str| {
        let file = if level == "HIGH" {
            "NIST_SP-800-53_rev5_HIGH-baseline-resolved-profile_catalog-min.json".to_owned()
        } else {
            format!("NIST_SP-800-53_rev5_{level}-baseline-resolved-profile_catalog.json")
        };
        Baseline::of_catalog(
            &read_catalog(&data(&format!("nist-800-53-rev5-5.1.1/{file}"))).unwrap(),
        )
    };
    let fedramp = |level: &str| {
        let profile = data(&format!(
            "fedramp-rev5/FedRAMP_rev5_{level}-baseline_profile.json"
        ));
        let resolved = resolve_file(&profile, &common::nist_high_map()).unwrap();
        assert!(
            resolved.warnings().is_empty(),
            "{name}: {:?}",
            resolved.warnings()
        );
        Baseline::of(&resolved)
    };
    let mut baseline = match name {
        "nist-800-53-rev5-low" => nist("LOW"),
        "nist-800-53-rev5-moderate" => nist("MODERATE"),
        "nist-800-53-rev5-high" => nist("HIGH"),
        "nist-800-53-rev5-privacy" => nist("PRIVACY"),
        "fedramp-rev5-low" => fedramp("LOW"),
        "fedramp-rev5-li-saas" => fedramp("LI-SaaS"),
        other => panic!("no generator for the built-in baseline `{other}`"),
    };
    baseline.name = name.to_owned();
    baseline
}

#[test]
fn bundled_baselines_are_what_the_data_generates() {
    let bless = std::env::var_os("ONUS_BLESS").is_some();
    let mut stale = Vec::new();
    for builtin in BUILTIN {
        let generated = generate(builtin.name).to_compact_json();
        if generated == builtin.compact() {
            continue;
        }
        if bless {
            let path = Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("baselines")
                .join(format!("{}.json", builtin.name));
            std::fs::write(&path, &generated).unwrap();
        }
        stale.push(builtin.name);
    }
    assert!(
        stale.is_empty() || bless,
        "stale built-in baselines {stale:?}: run `ONUS_BLESS=1 cargo test -p onus-oscal --test builtin_baselines`"
    );
}

#[test]
fn builtin_baselines_have_the_published_sizes_and_releases() {
    let sizes: Vec<(&str, usize, String)> = BUILTIN
        .iter()
        .map(|b| {
            let baseline = Baseline::builtin(b.name).unwrap();
            (b.name, baseline.len(), baseline.release)
        })
        .collect();
    let nist = "5.1.1+u4".to_owned();
    let fedramp = "fedramp2.1.0-oscal1.0.4".to_owned();
    assert_eq!(
        sizes,
        [
            ("nist-800-53-rev5-low", 149, nist.clone()),
            ("nist-800-53-rev5-moderate", 287, nist.clone()),
            ("nist-800-53-rev5-high", 370, nist.clone()),
            ("nist-800-53-rev5-privacy", 102, nist),
            ("fedramp-rev5-low", 156, fedramp.clone()),
            ("fedramp-rev5-li-saas", 156, fedramp),
        ]
    );
}

#[test]
fn a_builtin_control_has_what_the_crm_shows() {
    let high = Baseline::builtin("nist-800-53-rev5-high").unwrap();
    let c = high.control("ac-2.1").unwrap();
    assert_eq!(
        (
            c.label.as_str(),
            c.title.as_str(),
            c.family.as_deref(),
            c.parent.as_deref()
        ),
        (
            "AC-2(1)",
            "Automated System Account Management",
            Some("Access Control"),
            Some("ac-2")
        )
    );
    assert_eq!(high.controls[0].id, "ac-1");
    let low = Baseline::builtin("fedramp-rev5-low").unwrap();
    assert_eq!(low.title, "FedRAMP Rev 5 Low Baseline");
    assert!(low.control("ac-2").is_some() && low.control("ac-2.1").is_none());
}

/// The bundled control index of `nist-800-53-rev5` (what `onus check`
/// checks control ids against) is NIST's full 5.0.1 catalog's ids, titles
/// and withdrawals.
#[test]
fn bundled_control_index_is_what_the_catalog_generates() {
    let catalog = read_catalog(&data("nist-800-53-rev5/NIST_SP-800-53_rev5_catalog.json")).unwrap();
    let generated = CatalogIndex::of_catalog("NIST SP 800-53 Rev. 5 (release 5.0.1)", &catalog)
        .to_compact_json();
    if generated == NIST_800_53_REV5_INDEX {
        return;
    }
    if std::env::var_os("ONUS_BLESS").is_some() {
        let path =
            Path::new(env!("CARGO_MANIFEST_DIR")).join("baselines/nist-800-53-rev5-catalog.json");
        std::fs::write(path, &generated).unwrap();
    }
    panic!("baselines/nist-800-53-rev5-catalog.json is stale: run ONUS_BLESS=1 cargo test -p onus-oscal --test builtin_baselines");
}
