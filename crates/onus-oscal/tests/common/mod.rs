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
use onus_oscal::export::{Framework, Input};
use onus_oscal::ResolvedCatalog;
use serde_json::Value;

pub const EXAMPLES: &[&str] = &["azure", "aws", "codat", "outsystems", "coherent"];

pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

pub fn shared(path: &str) -> PathBuf {
    root().join("data/oscal").join(path)
}

/// An example model, checked (no errors) and resolved, with its frameworks.
pub struct Example {
    pub matrix: Arc<Matrix>,
    pub frameworks: Vec<Framework>,
}

impl Example {
    pub fn input(&self) -> Input<'_> {
        Input {
            matrix: &self.matrix,
            frameworks: &self.frameworks,
        }
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

fn model(set: &ModelSet) -> Example {
    let errors: Vec<_> = check(set).into_iter().filter(|d| d.is_error()).collect();
    assert!(errors.is_empty(), "{errors:#?}");
    let root = set.roots[0];
    Example {
        matrix: resolve(set, root).unwrap(),
        frameworks: Framework::of_model(set.model(root).unwrap()),
    }
}

/// NIST SP 800-53 Rev. 5 HIGH, resolved once per test binary.
pub fn high() -> &'static ResolvedCatalog {
    static HIGH: OnceLock<ResolvedCatalog> = OnceLock::new();
    HIGH.get_or_init(|| {
        onus_oscal::load::resolve_file(
            &shared("nist-800-53-rev5/NIST_SP-800-53_rev5_HIGH-baseline_profile.json"),
            None,
        )
        .unwrap()
    })
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
