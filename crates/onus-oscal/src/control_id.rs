//! Control ids as people write them (`AC-2(1)`, `ac-02.01`, `ac-2.1`),
//! against the catalog their framework names: the check `onus check` runs
//! on every area's `controls:` whose framework has a known catalog.
//!
//! The catalog of the framework id `nist-800-53-rev5` is bundled in a
//! compact form ([`CatalogIndex::builtin`]): every control id of NIST SP
//! 800-53 Rev. 5 (release 5.0.1's full catalog, withdrawn controls
//! included, with what they were incorporated into), generated from
//! `data/oscal/` by `tests/builtin_baselines.rs`.

use std::collections::HashMap;
use std::sync::OnceLock;

use onus_core::diagnostic::{closest, Code, Diagnostic};
use onus_core::load::ModelSet;
use serde::{Deserialize, Serialize};

use crate::catalog::{Catalog, Control};

/// The controls a withdrawn control's content went to (its
/// `incorporated-into` and `moved-to` links, `#ac-2_smt.k` read as `ac-2`).
fn incorporated_into(control: &Control) -> Vec<String> {
    let mut ids: Vec<String> = Vec::new();
    for link in &control.links {
        if !matches!(link.rel.as_deref(), Some("incorporated-into" | "moved-to")) {
            continue;
        }
        let Some(target) = link.href.strip_prefix('#') else {
            continue;
        };
        let id = target.split('_').next().unwrap_or(target).to_string();
        if !ids.contains(&id) {
            ids.push(id);
        }
    }
    ids
}
use crate::Error;

/// A control id in the catalog's own form (`ac-2.1`), from the forms
/// people write: upper case, NIST's printed `AC-2(1)`, zero-padded
/// `ac-02.01`. `None` when `written` has no control id's shape
/// (`family-number[.enhancement]`).
pub fn normalise(written: &str) -> Option<String> {
    let lower = written.trim().to_ascii_lowercase();
    // `ac-2(1)` -> `ac-2.1`; `ac-2 (1)` too.
    let dotted = match lower.split_once('(') {
        Some((base, rest)) => {
            let enhancement = rest.strip_suffix(')')?;
            format!("{}.{}", base.trim_end(), enhancement.trim())
        }
        None => lower,
    };
    let (family, number) = dotted.split_once('-')?;
    if family.is_empty() || !family.bytes().all(|b| b.is_ascii_lowercase()) {
        return None;
    }
    let mut parts = Vec::new();
    for part in number.split('.') {
        if part.is_empty() || !part.bytes().all(|b| b.is_ascii_digit()) || part.len() > 4 {
            return None;
        }
        parts.push(part.trim_start_matches('0').to_string());
        if parts.last().is_some_and(String::is_empty) {
            return None; // `ac-0`: no control is numbered 0
        }
    }
    if parts.len() > 2 {
        return None;
    }
    Some(format!("{family}-{}", parts.join(".")))
}

/// What a catalog says of one control id.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Lookup {
    /// The id is the catalog's, as written.
    Known,
    /// The catalog has it, written another way: the catalog's form.
    OtherForm(String),
    /// The catalog withdrew it (its id, in the catalog's form), and says
    /// where its content went (control ids, possibly none).
    Withdrawn { id: String, into: Vec<String> },
    /// The catalog has no such control; the nearest id, if one is close.
    Unknown(Option<String>),
}

/// The control a mapping with its enhancements names: `ac-2` for `ac-2+`
/// (the form an area writes to map a control and every enhancement of it
/// that the baseline selects); `None` for a plain id.
pub fn with_enhancements(written: &str) -> Option<&str> {
    written
        .strip_suffix('+')
        .filter(|base| !base.is_empty() && !base.ends_with('+'))
}

/// The control id a mapping names without its `+` (see [`with_enhancements`]).
pub fn base(written: &str) -> &str {
    with_enhancements(written).unwrap_or(written)
}

/// Whether the mapping `written` (`ac-2`, or `ac-2+` with its enhancements)
/// covers the control `id`, ignoring ASCII case.
pub fn covers(written: &str, id: &str) -> bool {
    match with_enhancements(written) {
        None => written.eq_ignore_ascii_case(id),
        Some(base) => {
            id.eq_ignore_ascii_case(base)
                || (id.len() > base.len() + 1
                    && id.is_char_boundary(base.len())
                    && id[..base.len()].eq_ignore_ascii_case(base)
                    && id.as_bytes()[base.len()] == b'.')
        }
    }
}

/// The control ids of a catalog, with their titles and withdrawals.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CatalogIndex {
    /// What the catalog is, for messages (`NIST SP 800-53 Rev. 5 (5.0.1)`).
    pub name: String,
    /// Every control, in catalog order: `[id, title]`, or `[id, title,
    /// into...]` for a withdrawn one.
    controls: Vec<Vec<String>>,
    #[serde(skip)]
    by_id: HashMap<String, usize>,
}

impl CatalogIndex {
    /// The index of `catalog`, named `name`.
    pub fn of_catalog(name: &str, catalog: &Catalog) -> CatalogIndex {
        let controls = catalog
            .controls()
            .map(|c| {
                let c = c.control;
                let mut row = vec![c.id.clone(), c.title.clone()];
                if c.is_withdrawn() {
                    row.extend(incorporated_into(c));
                }
                row
            })
            .collect();
        CatalogIndex::new(name.to_string(), controls)
    }

    fn new(name: String, controls: Vec<Vec<String>>) -> CatalogIndex {
        let by_id = controls
            .iter()
            .enumerate()
            .map(|(i, row)| (row[0].clone(), i))
            .collect();
        CatalogIndex {
            name,
            controls,
            by_id,
        }
    }

    /// The compact JSON bundled in the binary.
    pub fn to_compact_json(&self) -> String {
        let mut out = serde_json::to_string(self).unwrap_or_default();
        out.push('\n');
        out
    }

    /// Reads [`CatalogIndex::to_compact_json`]'s form.
    pub fn from_compact_json(text: &str) -> Result<CatalogIndex, Error> {
        let raw: CatalogIndex =
            serde_json::from_str(text).map_err(|source| Error::Json { path: None, source })?;
        Ok(CatalogIndex::new(raw.name, raw.controls))
    }

    /// The bundled index of a framework id's catalog, if onus has one:
    /// `nist-800-53-rev5`.
    pub fn builtin(framework: &str) -> Option<&'static CatalogIndex> {
        static NIST_800_53_REV5: OnceLock<CatalogIndex> = OnceLock::new();
        match framework {
            NIST_800_53_REV5_FRAMEWORK => Some(NIST_800_53_REV5.get_or_init(|| {
                CatalogIndex::from_compact_json(NIST_800_53_REV5_INDEX)
                    .expect("the bundled control index is valid")
            })),
            _ => None,
        }
    }

    /// How many controls the catalog has (withdrawn ones included).
    pub fn len(&self) -> usize {
        self.controls.len()
    }

    /// Whether the catalog has no control.
    pub fn is_empty(&self) -> bool {
        self.controls.is_empty()
    }

    /// The title of the control `id` (as the catalog writes it), withdrawn
    /// or not.
    pub fn title(&self, id: &str) -> Option<&str> {
        let row = &self.controls[*self.by_id.get(id)?];
        row.get(1).map(String::as_str)
    }

    /// What the catalog says of `written`.
    pub fn lookup(&self, written: &str) -> Lookup {
        let normal = normalise(written);
        let Some(row) = normal
            .as_deref()
            .or(Some(written))
            .and_then(|id| self.by_id.get(id))
            .map(|&i| &self.controls[i])
        else {
            let candidates = self
                .controls
                .iter()
                .filter(|r| r.len() == 2)
                .map(|r| r[0].as_str());
            let probe = normal.as_deref().unwrap_or(written);
            return Lookup::Unknown(closest(probe, candidates).map(str::to_string));
        };
        let id = &row[0];
        if row.len() > 2 {
            Lookup::Withdrawn {
                id: id.clone(),
                into: row[2..].to_vec(),
            }
        } else if id == written {
            Lookup::Known
        } else {
            Lookup::OtherForm(id.clone())
        }
    }
}

/// The framework id whose catalog is bundled.
pub const NIST_800_53_REV5_FRAMEWORK: &str = "nist-800-53-rev5";

/// The bundled index (see [`CatalogIndex::builtin`]).
pub const NIST_800_53_REV5_INDEX: &str = include_str!("../baselines/nist-800-53-rev5-catalog.json");

/// Checks every area's `controls:` of every model in `set` whose framework
/// has a bundled catalog ([`CatalogIndex::builtin`]) and no `catalog:` of
/// its own: unknown ids are errors, with the nearest id; withdrawn ones
/// and ids written in another form are warnings, with the id to write.
pub fn check(set: &ModelSet) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for model in set.models.iter().filter_map(|m| m.model.as_ref()) {
        for area in model.areas.values() {
            for control in &area.controls {
                let framework = &control.framework;
                let own_catalog = model
                    .frameworks
                    .get(framework)
                    .is_none_or(|f| f.catalog.is_some());
                let Some(index) = CatalogIndex::builtin(framework).filter(|_| !own_catalog) else {
                    continue;
                };
                // `ac-2+` is checked as `ac-2`; a fix-it keeps the `+`.
                let plus = if with_enhancements(&control.control).is_some() {
                    "+"
                } else {
                    ""
                };
                let written = base(&control.control);
                let at = control.span;
                let diagnostic = match index.lookup(written) {
                    Lookup::Known => continue,
                    Lookup::OtherForm(id) => Diagnostic::new(
                        Code::ControlIdForm,
                        at,
                        format!("`{written}` is written `{id}` in {}", index.name),
                    )
                    .with_help(format!("write `{framework}:{id}{plus}`")),
                    Lookup::Withdrawn { id, into } => Diagnostic::new(
                        Code::WithdrawnControl,
                        at,
                        format!("control `{id}` is withdrawn from {}", index.name),
                    )
                    .with_help(match into.as_slice() {
                        [] => "remove it from `controls:`".to_string(),
                        ids => format!(
                            "its content is now in {}: map to {} instead",
                            ids.iter().map(|i| format!("`{i}`")).collect::<Vec<_>>().join(", "),
                            if ids.len() == 1 { "it" } else { "them" }
                        ),
                    }),
                    Lookup::Unknown(nearest) => Diagnostic::new(
                        Code::UnknownControl,
                        at,
                        format!("{} has no control `{written}`", index.name),
                    )
                    .with_help(match nearest {
                        Some(id) => format!("did you mean `{framework}:{id}{plus}`?"),
                        None => format!(
                            "use an id of the catalog, such as `{framework}:ac-2` or `{framework}:ac-2.1`"
                        ),
                    }),
                };
                out.push(diagnostic);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_normalised_from_the_forms_people_write() {
        assert_eq!(normalise("ac-2").as_deref(), Some("ac-2"));
        assert_eq!(normalise("AC-2").as_deref(), Some("ac-2"));
        assert_eq!(normalise("AC-2(1)").as_deref(), Some("ac-2.1"));
        assert_eq!(normalise("ac-2 (12)").as_deref(), Some("ac-2.12"));
        assert_eq!(normalise("ac-02.01").as_deref(), Some("ac-2.1"));
        assert_eq!(normalise("SC-7(24)").as_deref(), Some("sc-7.24"));
        for bad in [
            "", "ac", "ac-", "ac-x", "ac-2.1.1", "ac-0", "-2", "a c-2", "ac-2(1", "ac-99999",
        ] {
            assert_eq!(normalise(bad), None, "{bad}");
        }
    }

    #[test]
    fn a_control_with_its_enhancements() {
        assert_eq!(with_enhancements("ac-2+"), Some("ac-2"));
        assert_eq!(with_enhancements("ac-2"), None);
        assert_eq!(with_enhancements("+"), None);
        assert_eq!(with_enhancements("ac-2++"), None);
        assert!(covers("ac-2+", "ac-2"));
        assert!(covers("AC-2+", "ac-2.12"));
        assert!(!covers("ac-2+", "ac-20"));
        assert!(!covers("ac-2+", "ac-2."));
        assert!(!covers("ac-2", "ac-2.1"));
        assert!(covers("AC-2", "ac-2"));
    }

    #[test]
    fn the_bundled_catalog_knows_nist_ids() {
        let index = CatalogIndex::builtin("nist-800-53-rev5").unwrap();
        assert_eq!(index.len(), 1189);
        assert_eq!(index.lookup("ac-2"), Lookup::Known);
        assert_eq!(index.lookup("ac-2.1"), Lookup::Known);
        assert_eq!(index.lookup("AC-2(1)"), Lookup::OtherForm("ac-2.1".into()));
        assert_eq!(
            index.lookup("ac-3.1"),
            Lookup::Withdrawn {
                id: "ac-3.1".into(),
                into: vec!["ac-6".into()]
            }
        );
        assert_eq!(
            index.lookup("ac-2.99"),
            Lookup::Unknown(Some("ac-2.9".into()))
        );
        assert_eq!(index.lookup("nonsense-999"), Lookup::Unknown(None));
        assert_eq!(index.lookup("acc-2"), Lookup::Unknown(Some("ac-2".into())));
        assert!(CatalogIndex::builtin("iso-27001").is_none());
    }
}
