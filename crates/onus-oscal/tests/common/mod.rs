//! What the export, import and CRM tests share: the bundled examples, the
//! NIST data in `data/oscal/`, and the official OSCAL schemas.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::OnceLock;

use onus_core::check::check;
use onus_core::diagnostic::Diagnostic;
use onus_core::load::ModelSet;
use onus_core::resolve::{resolve, Matrix};
use onus_fs::OsFiles;
use onus_oscal::export::Input;
use onus_oscal::{Baseline, ResolvedCatalog};
use serde_json::Value;

pub const EXAMPLES: &[&str] = &["azure", "aws", "codat", "outsystems", "coherent"];

pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

pub fn shared(path: &str) -> PathBuf {
    root().join("data/oscal").join(path)
}

/// An example model, checked (no errors) and resolved.
pub struct Example {
    pub matrix: Arc<Matrix>,
    /// The model's direct upstreams, resolved: (id, matrix).
    pub upstreams: Vec<(String, Arc<Matrix>)>,
}

impl Example {
    pub fn input(&self) -> Input<'_> {
        Input::new(&self.matrix)
    }

    /// Its upstreams as an SSP leverages them, each authorized on
    /// `authorized` (if given) with package id `FR-{id}`.
    pub fn leveraged<'a>(
        &'a self,
        packages: &'a [String],
        authorized: Option<&'a str>,
    ) -> Vec<onus_oscal::export::Upstream<'a>> {
        self.upstreams
            .iter()
            .zip(packages)
            .map(|((id, matrix), package)| onus_oscal::export::Upstream {
                id,
                matrix,
                fedramp_package: Some(package),
                authorized,
            })
            .collect()
    }
}

pub fn example(name: &str) -> Example {
    let path = root().join(format!("examples/{name}.onus.yaml"));
    let set = ModelSet::load(&[path], &OsFiles).unwrap();
    model(&set)
}

/// A model given as YAML text (no upstreams), with its diagnostics.
pub fn from_text(yaml: &str) -> (Option<Example>, Vec<Diagnostic>) {
    let set = ModelSet::load_text(
        Path::new("imported.onus.yaml"),
        yaml.to_string(),
        &std::collections::HashMap::<PathBuf, String>::new(),
    );
    let found = check(&set);
    if found.iter().any(Diagnostic::is_error) {
        return (None, found);
    }
    (Some(model(&set)), found)
}

/// The model `root` among `files` (name -> YAML text), its upstreams read
/// from them too, checked clean and resolved.
pub fn from_files(root: &str, files: &[(&str, &str)]) -> Example {
    let files: std::collections::HashMap<PathBuf, String> = files
        .iter()
        .map(|(p, t)| (PathBuf::from(p), (*t).to_string()))
        .collect();
    let set = ModelSet::load(&[PathBuf::from(root)], &files).unwrap();
    model(&set)
}

fn model(set: &ModelSet) -> Example {
    let errors: Vec<_> = check(set).into_iter().filter(|d| d.is_error()).collect();
    assert!(errors.is_empty(), "{errors:#?}");
    let root = set.roots[0];
    let upstreams = set
        .get(root)
        .upstreams
        .iter()
        .filter_map(|(id, target)| Some((id.clone(), resolve(set, (*target)?)?)))
        .collect();
    Example {
        matrix: resolve(set, root).unwrap(),
        upstreams,
    }
}

/// NIST SP 800-53 Rev. 5 HIGH (5.0.1), resolved once per test binary.
pub fn high_resolved() -> &'static ResolvedCatalog {
    static HIGH: OnceLock<ResolvedCatalog> = OnceLock::new();
    HIGH.get_or_init(|| {
        onus_oscal::load::resolve_file(
            &shared("nist-800-53-rev5/NIST_SP-800-53_rev5_HIGH-baseline_profile.json"),
            &onus_oscal::load::HrefMap::new(),
        )
        .unwrap()
    })
}

/// NIST SP 800-53 Rev. 5 HIGH (5.0.1) as the CRM reads it.
pub fn high() -> &'static Baseline {
    static HIGH: OnceLock<Baseline> = OnceLock::new();
    HIGH.get_or_init(|| Baseline::of(high_resolved()))
}

/// A validator for the official OSCAL 1.2.1 JSON schema `file`
/// (`oscal_component_schema.json`, `oscal_ssp_schema.json`).
///
/// The schemas are draft-07. Formats (`uri`, `date-time`, `uri-reference`)
/// are validated too, not only patterns. jsonschema's default regex engine
/// (fancy-regex) accepts every OSCAL pattern, `\p{L}` classes included.
pub fn validator(file: &str) -> jsonschema::Validator {
    let schema: Value =
        serde_json::from_str(&std::fs::read_to_string(shared(&format!("schemas/{file}"))).unwrap())
            .unwrap();
    jsonschema::draft7::options()
        .should_validate_formats(true)
        .build(&schema)
        .unwrap()
}

/// The schema errors of `instance` (at most 10), as readable lines.
pub fn schema_errors(validator: &jsonschema::Validator, instance: &Value) -> Vec<String> {
    validator
        .iter_errors(instance)
        .take(10)
        .map(|e| format!("{e} at {}", e.instance_path))
        .collect()
}

/// FedRAMP's Rev. 5 profiles import `NIST_SP-800-53_rev5_catalog.json` (a
/// back-matter resource), which is not in `data/oscal/fedramp-rev5/`: for
/// LOW and LI-SaaS, NIST's 5.1.1 HIGH resolved catalog holds every control.
pub fn nist_high_map() -> onus_oscal::load::HrefMap {
    let mut map = onus_oscal::load::HrefMap::new();
    map.insert(
        "NIST_SP-800-53_rev5_catalog.json",
        shared("nist-800-53-rev5-5.1.1/NIST_SP-800-53_rev5_HIGH-baseline-resolved-profile_catalog-min.json"),
    );
    map
}

/// `target` as an href relative to the folder `dir` (both absolute).
pub fn relative(dir: &Path, target: &Path) -> String {
    let up = "../".repeat(dir.components().count() - 1);
    format!(
        "{up}{}",
        target.display().to_string().trim_start_matches('/')
    )
}

/// Asserts that `ours` has the groups (by id) and back-matter resources (by
/// uuid, in order) of `oracle`.
pub fn assert_same_groups_and_back_matter(
    ours: &onus_oscal::Catalog,
    oracle: &onus_oscal::Catalog,
    what: &str,
) {
    let groups = |c: &onus_oscal::Catalog| -> Vec<(Option<String>, String)> {
        c.groups
            .iter()
            .map(|g| (g.id.clone(), g.title.clone()))
            .collect()
    };
    assert_eq!(groups(ours), groups(oracle), "{what}: groups");
    let resources = |c: &onus_oscal::Catalog| -> Vec<String> {
        c.back_matter
            .iter()
            .flat_map(|b| &b.resources)
            .map(|r| r.uuid.clone())
            .collect()
    };
    assert_eq!(resources(ours), resources(oracle), "{what}: back-matter");
}
