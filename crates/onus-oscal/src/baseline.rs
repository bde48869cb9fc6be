//! A baseline as the Customer Responsibility Matrix reads it: the selected
//! controls in catalog order, each with its label, title, family and
//! parent; for a baseline resolved from a profile, also the statement
//! with its parameters filled in and the parameters' values. The
//! built-in baselines carry no prose.
//!
//! A [`Baseline`] comes from a resolved profile ([`Baseline::of`]), or is
//! one of the [`BUILTIN`] baselines bundled in the binary: NIST SP 800-53
//! Rev. 5 LOW, MODERATE, HIGH and PRIVACY as NIST resolved them (release
//! 5.1.1), and FedRAMP Rev. 5 LOW and LI-SaaS as onus resolves them from
//! FedRAMP's profiles against NIST's 5.1.1 HIGH baseline. They are stored
//! in `baselines/*.json` beside this crate in the compact form
//! [`Baseline::to_compact_json`] writes, one control per line; the test
//! `tests/builtin_baselines.rs` generates them from `data/oscal/` and fails
//! while a bundled file differs from what it generates
//! (`ONUS_BLESS=1 cargo test -p onus-oscal --test builtin_baselines`
//! rewrites them).
//!
//! Decoding one takes about 0.2 ms, where reading the JSON catalog and
//! resolving a profile takes about 20 ms (`docs/benchmarks.md`).

use std::borrow::Cow;
use std::collections::HashMap;
use std::fmt::Write as _;

use serde::{Deserialize, Serialize};

use crate::catalog::{Catalog, Control};
use crate::resolve::ResolvedCatalog;
use crate::Error;

/// One control of a [`Baseline`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BaselineControl {
    /// The control id, e.g. `ac-2.1`.
    pub id: String,
    /// The control's label (its `label` prop, `AC-2(1)`).
    pub label: String,
    /// The control title.
    pub title: String,
    /// The title of its family (the innermost group in the source catalog).
    pub family: Option<String>,
    /// The control it enhances, e.g. `ac-2` for `ac-2.1`.
    pub parent: Option<String>,
    /// The statement with the parameters filled in
    /// ([`crate::statement::statement`]); only for a baseline resolved
    /// from a profile (the built-in ones carry no prose).
    pub statement: Option<String>,
    /// The control's parameters: id and what it reads as (the values the
    /// profile set, else the assignment asked for); only for a baseline
    /// resolved from a profile.
    pub params: Vec<(String, String)>,
}

/// The controls of a baseline, in catalog order (see the module docs).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Baseline {
    /// The built-in name (`nist-800-53-rev5-high`), or empty for a baseline
    /// made from a profile.
    pub name: String,
    /// The baseline's title (the resolved profile's metadata title).
    pub title: String,
    /// The release it is from: the document's `metadata.version`.
    pub release: String,
    /// Every control and enhancement, in catalog order.
    pub controls: Vec<BaselineControl>,
    /// What resolving the profile worked around ([`crate::Warning`]), as
    /// sentences; none for the built-in baselines.
    pub warnings: Vec<String>,
    by_id: HashMap<String, usize>,
}

impl Baseline {
    /// The baseline of a resolved profile.
    pub fn of(resolved: &ResolvedCatalog) -> Baseline {
        let metadata = &resolved.catalog().metadata;
        let mut params: HashMap<&str, &crate::Param> = resolved
            .catalog()
            .params
            .iter()
            .map(|p| (p.id.as_str(), p))
            .collect();
        for c in resolved.controls() {
            params.extend(c.params().iter().map(|p| (p.id.as_str(), p)));
        }
        let controls = resolved
            .controls()
            .map(|c| BaselineControl {
                id: c.id().to_owned(),
                label: label(c.control),
                title: c.title().to_owned(),
                family: c.group.map(|g| g.title.clone()),
                parent: c.parent_id.map(str::to_owned),
                statement: crate::statement::statement(c.control, &params),
                params: c
                    .params()
                    .iter()
                    .map(|p| (p.id.clone(), crate::statement::param_text(p, &params)))
                    .collect(),
            })
            .collect();
        let mut baseline = Baseline::new(
            String::new(),
            metadata.title.clone(),
            metadata.version.clone().unwrap_or_default(),
            controls,
        );
        baseline.warnings = resolved.warnings().iter().map(|w| w.to_string()).collect();
        baseline
    }

    /// The baseline of a catalog that is itself a resolved profile (NIST's
    /// resolved baseline catalogs): its structure gives families and parents.
    pub fn of_catalog(catalog: &Catalog) -> Baseline {
        let controls = catalog
            .controls()
            .map(|c| BaselineControl {
                id: c.control.id.clone(),
                label: label(c.control),
                title: c.control.title.clone(),
                family: c.group.map(|g| g.title.clone()),
                parent: c.parent.map(|p| p.id.clone()),
                statement: None,
                params: Vec::new(),
            })
            .collect();
        Baseline::new(
            String::new(),
            catalog.metadata.title.clone(),
            catalog.metadata.version.clone().unwrap_or_default(),
            controls,
        )
    }

    fn new(name: String, title: String, release: String, controls: Vec<BaselineControl>) -> Self {
        let mut by_id = HashMap::with_capacity(controls.len());
        for (i, c) in controls.iter().enumerate() {
            by_id.entry(c.id.clone()).or_insert(i);
        }
        Baseline {
            name,
            title,
            release,
            controls,
            warnings: Vec::new(),
            by_id,
        }
    }

    /// The control with this id (exactly as the catalog writes it), if the
    /// baseline selects it.
    pub fn control(&self, id: &str) -> Option<&BaselineControl> {
        self.controls.get(*self.by_id.get(id)?)
    }

    /// How many controls and enhancements it holds.
    pub fn len(&self) -> usize {
        self.controls.len()
    }

    /// Whether it holds none.
    pub fn is_empty(&self) -> bool {
        self.controls.is_empty()
    }

    /// The built-in baseline called `name` (see [`BUILTIN`]).
    pub fn builtin(name: &str) -> Result<Baseline, Error> {
        let Some(builtin) = BUILTIN.iter().find(|b| b.name == name) else {
            let known: Vec<&'static str> = BUILTIN.iter().map(|b| b.name).collect();
            return Err(Error::UnknownBaseline {
                name: name.to_owned(),
                suggestion: onus_core::diagnostic::closest(name, known.iter().copied())
                    .map(str::to_owned),
                known,
            });
        };
        Baseline::from_compact_json(builtin.compact)
    }

    /// Writes the compact form the built-in baselines are stored in: a
    /// JSON object with the families listed once and one control per line
    /// (`[id, label, title, family index, parent]`, `label` empty when it
    /// is the id written as SP 800-53 does, [`crate::crm::control_label`]).
    pub fn to_compact_json(&self) -> String {
        let mut families: Vec<&str> = Vec::new();
        let mut rows = Vec::with_capacity(self.controls.len());
        for c in &self.controls {
            let family = c.family.as_deref().map(|f| {
                families.iter().position(|x| *x == f).unwrap_or_else(|| {
                    families.push(f);
                    families.len() - 1
                })
            });
            let label = if c.label == crate::crm::control_label(&c.id) {
                ""
            } else {
                c.label.as_str()
            };
            rows.push(CompactControl(
                Cow::Borrowed(&c.id),
                Cow::Borrowed(label),
                Cow::Borrowed(&c.title),
                family,
                c.parent.as_deref().map(Cow::Borrowed),
            ));
        }
        let mut out = String::from("{");
        let _ = write!(
            out,
            "\"name\":{},\"title\":{},\"release\":{},\n\"families\":{},\n\"controls\":[",
            json(&self.name),
            json(&self.title),
            json(&self.release),
            json(&families),
        );
        for (i, row) in rows.iter().enumerate() {
            out.push_str(if i == 0 { "\n" } else { ",\n" });
            out.push_str(&json(row));
        }
        out.push_str("\n]}\n");
        out
    }

    /// Reads the form [`Baseline::to_compact_json`] writes.
    pub fn from_compact_json(text: &str) -> Result<Baseline, Error> {
        let compact: Compact<'_> =
            serde_json::from_str(text).map_err(|source| Error::Json { path: None, source })?;
        let controls = compact
            .controls
            .into_iter()
            .map(
                |CompactControl(id, label, title, family, parent)| BaselineControl {
                    label: if label.is_empty() {
                        crate::crm::control_label(&id)
                    } else {
                        label.into_owned()
                    },
                    id: id.into_owned(),
                    title: title.into_owned(),
                    family: family
                        .and_then(|i| compact.families.get(i))
                        .map(|f| f.to_string()),
                    parent: parent.map(Cow::into_owned),
                    statement: None,
                    params: Vec::new(),
                },
            )
            .collect();
        Ok(Baseline::new(
            compact.name.into_owned(),
            compact.title.into_owned(),
            compact.release.into_owned(),
            controls,
        ))
    }
}

/// The control's `label` prop without a class (`AC-2(1)`), else its id as
/// SP 800-53 writes it.
fn label(control: &Control) -> String {
    control
        .props
        .iter()
        .find(|p| p.name == "label" && p.ns.is_none() && p.class.is_none())
        .or_else(|| {
            control
                .props
                .iter()
                .find(|p| p.name == "label" && p.ns.is_none())
        })
        .map_or_else(
            || crate::crm::control_label(&control.id),
            |p| p.value.clone(),
        )
}

/// `[id, label, title, family index, parent]`; borrowed from the text
/// unless a string has escapes.
#[derive(Serialize, Deserialize)]
struct CompactControl<'a>(
    #[serde(borrow)] Cow<'a, str>,
    #[serde(borrow)] Cow<'a, str>,
    #[serde(borrow)] Cow<'a, str>,
    Option<usize>,
    #[serde(borrow)] Option<Cow<'a, str>>,
);

#[derive(Deserialize)]
struct Compact<'a> {
    #[serde(borrow)]
    name: Cow<'a, str>,
    #[serde(borrow)]
    title: Cow<'a, str>,
    #[serde(borrow)]
    release: Cow<'a, str>,
    #[serde(borrow)]
    families: Vec<Cow<'a, str>>,
    #[serde(borrow)]
    controls: Vec<CompactControl<'a>>,
}

/// `value` as compact JSON.
fn json<T: Serialize + ?Sized>(value: &T) -> String {
    serde_json::to_string(value).unwrap_or_default()
}

/// A baseline bundled in the binary.
#[derive(Clone, Copy, Debug)]
pub struct Builtin {
    /// The name `--baseline` takes, e.g. `nist-800-53-rev5-moderate`.
    pub name: &'static str,
    /// Where it comes from and which release, for `onus crm --list-baselines`.
    pub source: &'static str,
    /// The framework it selects from (the catalog's usual framework id in
    /// a model's `frameworks:`).
    pub framework: &'static str,
    /// The compact form ([`Baseline::from_compact_json`]).
    compact: &'static str,
}

impl Builtin {
    /// The bundled compact form, as [`Baseline::to_compact_json`] wrote it.
    pub fn compact(&self) -> &'static str {
        self.compact
    }
}

macro_rules! builtin {
    ($name:literal, $framework:literal, $source:literal) => {
        Builtin {
            name: $name,
            source: $source,
            framework: $framework,
            compact: include_str!(concat!("../baselines/", $name, ".json")),
        }
    };
}

/// The built-in baselines, in the order `onus crm --list-baselines` lists them.
pub const BUILTIN: &[Builtin] = &[
    builtin!(
        "nist-800-53-rev5-low",
        "nist-800-53-rev5",
        "NIST SP 800-53 Rev. 5 release 5.1.1: NIST's resolved LOW baseline"
    ),
    builtin!(
        "nist-800-53-rev5-moderate",
        "nist-800-53-rev5",
        "NIST SP 800-53 Rev. 5 release 5.1.1: NIST's resolved MODERATE baseline"
    ),
    builtin!(
        "nist-800-53-rev5-high",
        "nist-800-53-rev5",
        "NIST SP 800-53 Rev. 5 release 5.1.1: NIST's resolved HIGH baseline"
    ),
    builtin!(
        "nist-800-53-rev5-privacy",
        "nist-800-53-rev5",
        "NIST SP 800-53 Rev. 5 release 5.1.1: NIST's resolved PRIVACY baseline"
    ),
    builtin!(
        "fedramp-rev5-low",
        "nist-800-53-rev5",
        "FedRAMP Rev. 5 LOW profile (fedramp2.1.0), resolved by onus against NIST 5.1.1 HIGH"
    ),
    builtin!(
        "fedramp-rev5-li-saas",
        "nist-800-53-rev5",
        "FedRAMP Rev. 5 LI-SaaS profile (fedramp2.1.0), resolved by onus against NIST 5.1.1 HIGH"
    ),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compact_json_round_trips() {
        let c =
            |id: &str, label: &str, family: Option<&str>, parent: Option<&str>| BaselineControl {
                id: id.into(),
                label: label.into(),
                title: format!("Title of {id} \"quoted\""),
                family: family.map(str::to_owned),
                parent: parent.map(str::to_owned),
                statement: None,
                params: Vec::new(),
            };
        let baseline = Baseline::new(
            "x".into(),
            "X baseline".into(),
            "1.0".into(),
            vec![
                c("ac-1", "AC-1", Some("Access Control"), None),
                c("ac-2.1", "AC-02(01)", Some("Access Control"), Some("ac-2")),
                c("zz-1", "ZZ-1", None, None),
                c("au-1", "AU-1", Some("Audit"), None),
            ],
        );
        let text = baseline.to_compact_json();
        assert!(
            text.contains(r#"["ac-1","","Title of ac-1 \"quoted\"",0,null]"#),
            "{text}"
        );
        assert_eq!(Baseline::from_compact_json(&text).unwrap(), baseline);
        assert_eq!(baseline.control("ac-2.1").unwrap().label, "AC-02(01)");
        assert!(baseline.control("AC-1").is_none());
    }

    #[test]
    fn every_builtin_decodes() {
        for b in BUILTIN {
            let baseline = Baseline::builtin(b.name).unwrap();
            assert_eq!(baseline.name, b.name);
            assert!(!baseline.is_empty(), "{}", b.name);
        }
        let err = Baseline::builtin("nist-800-53-rev5-moderat").unwrap_err();
        assert_eq!(
            err.to_string(),
            "there is no built-in baseline `nist-800-53-rev5-moderat`; did you mean `nist-800-53-rev5-moderate`?"
        );
    }
}
