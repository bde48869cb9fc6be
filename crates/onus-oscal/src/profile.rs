//! The OSCAL profile model: which controls to import from which catalogs,
//! how to structure them, and how to tailor them.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::catalog::{BackMatter, Link, Metadata, Param, Part, Prop};
use crate::document::{self, Document};
use crate::object::{oscal_object, VisitStrings};
use crate::Error;

oscal_object! {
    /// An OSCAL profile, e.g. the NIST SP 800-53 HIGH baseline.
    ///
    /// Resolve it against its catalog with [`crate::resolve()`].
    pub struct Profile {
        /// The profile's UUID.
        "uuid" required uuid: String,
        /// Title, version and the other document metadata.
        "metadata" required metadata: Metadata,
        /// The catalogs (or profiles) it selects controls from.
        "imports" required imports: Vec<Import>,
        /// How the selected controls are structured.
        "merge" optional merge: Option<Merge>,
        /// Parameter settings and alterations.
        "modify" optional modify: Option<Modify>,
        /// Resources the profile cites; an import may name one as `#uuid`.
        "back-matter" optional back_matter: Option<BackMatter>,
    }
}

oscal_object! {
    /// One import: a catalog or profile, and which of its controls to take.
    pub struct Import {
        /// Where the catalog or profile is: a path, URL, or `#uuid` of a
        /// back-matter resource.
        "href" required href: String,
        /// Present (`{}`) to take every control.
        "include-all" optional include_all: Option<Value>,
        /// Controls to take.
        "include-controls" optional include_controls: Vec<SelectControls>,
        /// Controls to leave out of those taken.
        "exclude-controls" optional exclude_controls: Vec<SelectControls>,
    }
}

oscal_object! {
    /// Selects controls by id or by a glob pattern on the id.
    pub struct SelectControls {
        /// Whether the children (enhancements) of each selected control are
        /// selected too; `no` when absent.
        "with-child-controls" optional with_child_controls: Option<WithChildControls>,
        /// Control ids, e.g. `ac-2.1`.
        "with-ids" optional with_ids: Vec<String>,
        /// Glob patterns (`*`, `?`) on control ids.
        "matching" optional matching: Vec<Matching>,
    }
}

oscal_object! {
    /// A glob pattern on control ids, e.g. `ac-*`.
    pub struct Matching {
        /// The pattern: `*` matches any run of characters, `?` any one.
        "pattern" optional pattern: Option<String>,
    }
}

oscal_object! {
    /// How the selected controls are structured in the resolved catalog.
    pub struct Merge {
        /// What to do with a control imported more than once.
        "combine" optional combine: Option<Combine>,
        /// Present for a flat list of controls without groups.
        "flat" optional flat: Option<Value>,
        /// `true` to keep the catalog's groups and nesting.
        "as-is" optional as_is: Option<bool>,
        /// A custom structure (not supported: resolution fails with
        /// [`Error::Unsupported`]).
        "custom" optional custom: Option<Value>,
    }
}

oscal_object! {
    /// The rule for a control imported more than once.
    pub struct Combine {
        /// `use-first`, `merge` or `keep`.
        "method" optional method: Option<String>,
    }
}

oscal_object! {
    /// Tailoring applied after selection.
    pub struct Modify {
        /// Parameter values and other parameter changes.
        "set-parameters" optional set_parameters: Vec<SetParameter>,
        /// Additions to and removals from controls.
        "alters" optional alters: Vec<Alter>,
    }
}

oscal_object! {
    /// Sets a parameter: `values`, `select`, `label`, `usage` and `class`
    /// replace the catalog's; `props`, `links`, `constraints` and
    /// `guidelines` are added to it.
    pub struct SetParameter {
        /// The parameter to set, e.g. `ac-1_prm_2`.
        "param-id" required param_id: String,
        /// Replaces the parameter class.
        "class" optional class: Option<String>,
        /// Properties to add.
        "props" optional props: Vec<Prop>,
        /// Links to add.
        "links" optional links: Vec<Link>,
        /// Replaces the label.
        "label" optional label: Option<String>,
        /// Replaces the usage text.
        "usage" optional usage: Option<String>,
        /// Constraints to add.
        "constraints" optional constraints: Vec<Value>,
        /// Guidelines to add.
        "guidelines" optional guidelines: Vec<Value>,
        /// Replaces the values.
        "values" optional values: Vec<String>,
        /// Replaces the selection.
        "select" optional select: Option<Value>,
    }
}

oscal_object! {
    /// Changes to one control.
    pub struct Alter {
        /// The control to change.
        "control-id" required control_id: String,
        /// What to take out of it.
        "removes" optional removes: Vec<Remove>,
        /// What to put into it.
        "adds" optional adds: Vec<Add>,
    }
}

oscal_object! {
    /// Removes every param, prop, link or part of the control (at any depth,
    /// not inside its enhancements) that matches all the criteria given.
    pub struct Remove {
        /// Matches a `name` (parts and props).
        "by-name" optional by_name: Option<String>,
        /// Matches one of the space-separated tokens of a `class`.
        "by-class" optional by_class: Option<String>,
        /// Matches an `id` (params and parts).
        "by-id" optional by_id: Option<String>,
        /// Matches the kind of item: `param`, `prop`, `link` or `part`.
        "by-item-name" optional by_item_name: Option<String>,
        /// Matches a namespace `ns` (parts and props).
        "by-ns" optional by_ns: Option<String>,
    }
}

oscal_object! {
    /// Adds content to the control, or at a param or part of it (`by-id`).
    pub struct Add {
        /// Where, relative to the target; `ending` when absent.
        "position" optional position: Option<Position>,
        /// The id of a param or part of the control; the control itself when absent.
        "by-id" optional by_id: Option<String>,
        /// Replaces the title of the target.
        "title" optional title: Option<String>,
        /// Parameters to add.
        "params" optional params: Vec<Param>,
        /// Properties to add.
        "props" optional props: Vec<Prop>,
        /// Links to add.
        "links" optional links: Vec<Link>,
        /// Parts to add.
        "parts" optional parts: Vec<Part>,
    }
}

/// `yes` or `no`, as OSCAL writes booleans in `with-child-controls`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum WithChildControls {
    /// Select the children too.
    Yes,
    /// Select only the named controls.
    No,
}

/// Where an [`Add`] puts its content, relative to its target.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Position {
    /// Before the target, as siblings.
    Before,
    /// After the target, as siblings.
    After,
    /// Inside the target, first.
    Starting,
    /// Inside the target, last.
    #[default]
    Ending,
}

impl VisitStrings for WithChildControls {
    fn visit_strings(&self, _: &mut dyn FnMut(&str)) {}
}

impl VisitStrings for Position {
    fn visit_strings(&self, _: &mut dyn FnMut(&str)) {}
}

impl Profile {
    /// Parses an OSCAL profile document (`{"profile": {...}}`) from JSON text.
    ///
    /// Fails with [`Error::Json`] on malformed JSON or a member of the wrong
    /// type, and [`Error::WrongDocument`] if the text is another OSCAL model.
    pub fn from_json(json: &str) -> Result<Profile, Error> {
        Self::from_document(Document::from_json(json)?)
    }

    /// Like [`Profile::from_json`], from bytes.
    pub fn from_json_slice(json: &[u8]) -> Result<Profile, Error> {
        Self::from_document(Document::from_json_slice(json)?)
    }

    fn from_document(document: Document) -> Result<Profile, Error> {
        match document {
            Document::Profile(profile) => Ok(profile),
            other => Err(Error::WrongDocument {
                path: None,
                expected: document::PROFILE,
                found: other.kind().to_owned(),
            }),
        }
    }

    /// Writes the profile as an OSCAL JSON document (`{"profile": {...}}`).
    pub fn to_json_pretty(&self) -> String {
        document::to_json_pretty(document::PROFILE, self)
    }
}

impl Merge {
    /// `true` when the profile asks to keep the catalog's structure.
    pub fn is_as_is(&self) -> bool {
        self.as_is == Some(true)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_selection_merge_and_modify() {
        let profile = Profile::from_json(
            r#"{"profile": {
                "uuid": "u", "metadata": {"title": "P"},
                "imports": [{"href": "cat.json",
                    "include-controls": [{"with-child-controls": "yes", "with-ids": ["ac-2"]}],
                    "exclude-controls": [{"matching": [{"pattern": "ac-2.1*"}]}]}],
                "merge": {"as-is": true, "combine": {"method": "use-first"}},
                "modify": {
                    "set-parameters": [{"param-id": "ac-2_prm_1", "values": ["30 days"]}],
                    "alters": [{"control-id": "ac-2",
                        "removes": [{"by-name": "guidance"}],
                        "adds": [{"position": "before", "by-id": "ac-2_smt", "props": [{"name": "n", "value": "v"}]}]}]
                }
            }}"#,
        )
        .unwrap();
        let import = &profile.imports[0];
        assert_eq!(
            import.include_controls[0].with_child_controls,
            Some(WithChildControls::Yes)
        );
        assert_eq!(
            import.exclude_controls[0].matching[0].pattern.as_deref(),
            Some("ac-2.1*")
        );
        assert!(profile.merge.as_ref().unwrap().is_as_is());
        let modify = profile.modify.as_ref().unwrap();
        assert_eq!(modify.set_parameters[0].values, ["30 days"]);
        assert_eq!(modify.alters[0].adds[0].position, Some(Position::Before));
        assert_eq!(
            modify.alters[0].removes[0].by_name.as_deref(),
            Some("guidance")
        );
    }

    #[test]
    fn a_catalog_is_not_a_profile() {
        let err = Profile::from_json(r#"{"catalog": {"uuid": "u", "metadata": {"title": "t"}}}"#)
            .unwrap_err();
        assert!(
            matches!(&err, Error::WrongDocument { expected: "profile", found, .. } if found == "catalog"),
            "{err:?}"
        );
        assert!(err.to_string().contains("profile"), "{err}");
    }

    #[test]
    fn bad_position_is_a_json_error() {
        let err = Profile::from_json(
            r#"{"profile": {"uuid": "u", "metadata": {"title": "t"}, "imports": [],
                "modify": {"alters": [{"control-id": "a", "adds": [{"position": "sideways"}]}]}}}"#,
        )
        .unwrap_err();
        assert!(matches!(err, Error::Json { .. }), "{err:?}");
        assert!(err.to_string().contains("sideways"), "{err}");
    }
}
