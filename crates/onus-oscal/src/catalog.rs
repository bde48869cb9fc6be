//! The OSCAL catalog model: groups, controls with their enhancements,
//! parameters, parts, properties and links.
//!
//! Members that onus reads are typed; every other member is kept in the
//! `extra` map of its object, so a catalog read and written back is the same
//! JSON (member order aside).

use serde_json::Value;

use crate::document::{self, Document};
use crate::object::oscal_object;
use crate::Error;

oscal_object! {
    /// An OSCAL catalog: a structured set of controls, e.g. NIST SP 800-53.
    ///
    /// Parse one with [`Catalog::from_json`]; find a control with
    /// [`Catalog::control`]; walk them all in document order with
    /// [`Catalog::controls`].
    pub struct Catalog {
        /// The catalog's UUID.
        "uuid" required uuid: String,
        /// Title, version and the other document metadata.
        "metadata" required metadata: Metadata,
        /// Parameters that belong to no control.
        "params" optional params: Vec<Param>,
        /// Controls outside any group.
        "controls" optional controls: Vec<Control>,
        /// Groups of controls (the 20 families of SP 800-53).
        "groups" optional groups: Vec<Group>,
        /// Resources that controls cite, by `#uuid`.
        "back-matter" optional back_matter: Option<BackMatter>,
    }
}

oscal_object! {
    /// Document metadata shared by catalogs and profiles.
    pub struct Metadata {
        /// The document title.
        "title" required title: String,
        /// When the document was last changed (RFC 3339).
        "last-modified" optional last_modified: Option<String>,
        /// The document's own version.
        "version" optional version: Option<String>,
        /// The OSCAL version the document was written against.
        "oscal-version" optional oscal_version: Option<String>,
        /// Properties of the document.
        "props" optional props: Vec<Prop>,
        /// Links from the document.
        "links" optional links: Vec<Link>,
    }
}

oscal_object! {
    /// A group of controls, or of groups (a control family in SP 800-53).
    pub struct Group {
        /// The group id, e.g. `ac`.
        "id" optional id: Option<String>,
        /// A sub-type of the group, e.g. `family`.
        "class" optional class: Option<String>,
        /// The group title, e.g. `Access Control`.
        "title" required title: String,
        /// Parameters declared on the group.
        "params" optional params: Vec<Param>,
        /// Properties of the group.
        "props" optional props: Vec<Prop>,
        /// Links from the group.
        "links" optional links: Vec<Link>,
        /// Prose of the group.
        "parts" optional parts: Vec<Part>,
        /// Sub-groups.
        "groups" optional groups: Vec<Group>,
        /// Controls of the group.
        "controls" optional controls: Vec<Control>,
    }
}

oscal_object! {
    /// A control; its `controls` are its enhancements (e.g. `ac-2.1` in `ac-2`).
    pub struct Control {
        /// The control id, e.g. `ac-2` or `ac-2.1`.
        "id" required id: String,
        /// A sub-type of the control, e.g. `SP800-53-enhancement`.
        "class" optional class: Option<String>,
        /// The control title, e.g. `Account Management`.
        "title" required title: String,
        /// The control's parameters (organization-defined values).
        "params" optional params: Vec<Param>,
        /// Properties: `label` (`AC-2(1)`), `sort-id`, `status` ...
        "props" optional props: Vec<Prop>,
        /// Links to references and related controls.
        "links" optional links: Vec<Link>,
        /// The statement, guidance and other prose.
        "parts" optional parts: Vec<Part>,
        /// Child controls (enhancements).
        "controls" optional controls: Vec<Control>,
    }
}

oscal_object! {
    /// A parameter: a value the control leaves for the organization to set.
    pub struct Param {
        /// The parameter id, e.g. `ac-1_prm_1`.
        "id" required id: String,
        /// A sub-type of the parameter.
        "class" optional class: Option<String>,
        /// Properties of the parameter.
        "props" optional props: Vec<Prop>,
        /// Links from the parameter.
        "links" optional links: Vec<Link>,
        /// The placeholder shown while no value is set, e.g.
        /// `organization-defined personnel or roles`.
        "label" optional label: Option<String>,
        /// What the parameter is for.
        "usage" optional usage: Option<String>,
        /// Constraints on the value, kept as written.
        "constraints" optional constraints: Vec<Value>,
        /// Guidance on choosing the value, kept as written.
        "guidelines" optional guidelines: Vec<Value>,
        /// The values set, by the catalog or by a profile's `set-parameters`.
        "values" optional values: Vec<String>,
        /// A choice among alternatives (`how-many`, `choice`), kept as written.
        "select" optional select: Option<Value>,
    }
}

oscal_object! {
    /// A piece of control prose (statement, guidance, objective ...), possibly nested.
    pub struct Part {
        /// The part id, e.g. `ac-2_smt.a`.
        "id" optional id: Option<String>,
        /// What kind of part: `statement`, `item`, `guidance` ...
        "name" required name: String,
        /// The namespace qualifying `name`.
        "ns" optional ns: Option<String>,
        /// A sub-type of the part.
        "class" optional class: Option<String>,
        /// The part title.
        "title" optional title: Option<String>,
        /// Properties of the part.
        "props" optional props: Vec<Prop>,
        /// The prose (Markdown, with `{{ insert: param, id }}` placeholders).
        "prose" optional prose: Option<String>,
        /// Sub-parts.
        "parts" optional parts: Vec<Part>,
        /// Links from the part.
        "links" optional links: Vec<Link>,
    }
}

oscal_object! {
    /// A name/value property, e.g. `label` = `AC-2`.
    pub struct Prop {
        /// The property name.
        "name" required name: String,
        /// The property's UUID.
        "uuid" optional uuid: Option<String>,
        /// The namespace qualifying `name`.
        "ns" optional ns: Option<String>,
        /// The property value.
        "value" required value: String,
        /// A sub-type of the property.
        "class" optional class: Option<String>,
    }
}

oscal_object! {
    /// A link to a resource (`#uuid` in back-matter, or a URL) or a control (`#ac-3`).
    pub struct Link {
        /// Where the link points.
        "href" required href: String,
        /// The relation, e.g. `reference` or `related`.
        "rel" optional rel: Option<String>,
        /// The media type of the target.
        "media-type" optional media_type: Option<String>,
        /// The link text.
        "text" optional text: Option<String>,
    }
}

oscal_object! {
    /// Resources cited by the document.
    pub struct BackMatter {
        /// The resources.
        "resources" optional resources: Vec<Resource>,
    }
}

oscal_object! {
    /// A cited resource: a publication, a law, another OSCAL document ...
    pub struct Resource {
        /// The UUID that links cite as `#uuid`.
        "uuid" required uuid: String,
        /// The resource title.
        "title" optional title: Option<String>,
        /// Where the resource can be fetched.
        "rlinks" optional rlinks: Vec<Rlink>,
    }
}

oscal_object! {
    /// A location of a back-matter resource.
    pub struct Rlink {
        /// The URL or path.
        "href" required href: String,
        /// The media type at that location.
        "media-type" optional media_type: Option<String>,
    }
}

impl Catalog {
    /// Parses an OSCAL catalog document (`{"catalog": {...}}`) from JSON text.
    ///
    /// Fails with [`Error::Json`] on malformed JSON or a member of the wrong
    /// type, and [`Error::WrongDocument`] if the text is another OSCAL model.
    pub fn from_json(json: &str) -> Result<Catalog, Error> {
        Self::from_document(Document::from_json(json)?)
    }

    /// Like [`Catalog::from_json`], from bytes.
    pub fn from_json_slice(json: &[u8]) -> Result<Catalog, Error> {
        Self::from_document(Document::from_json_slice(json)?)
    }

    fn from_document(document: Document) -> Result<Catalog, Error> {
        match document {
            Document::Catalog(catalog) => Ok(catalog),
            other => Err(Error::WrongDocument {
                path: None,
                expected: document::CATALOG,
                found: other.kind().to_owned(),
            }),
        }
    }

    /// Writes the catalog as an OSCAL JSON document (`{"catalog": {...}}`).
    pub fn to_json_pretty(&self) -> String {
        document::to_json_pretty(document::CATALOG, self)
    }

    /// Every control and enhancement, depth first in document order
    /// (top-level controls first, then the groups).
    pub fn controls(&self) -> Controls<'_> {
        Controls::new(self)
    }

    /// The control or enhancement with this id, wherever it is.
    pub fn control(&self, id: &str) -> Option<&Control> {
        self.controls().map(|c| c.control).find(|c| c.id == id)
    }

    /// The back-matter resource with this UUID.
    pub fn resource(&self, uuid: &str) -> Option<&Resource> {
        self.back_matter
            .as_ref()?
            .resources
            .iter()
            .find(|r| r.uuid == uuid)
    }
}

impl Control {
    /// The value of the first property with this name (and no namespace).
    pub fn prop(&self, name: &str) -> Option<&str> {
        find_prop(&self.props, name)
    }

    /// The display label, e.g. `AC-2(1)`; falls back to the id.
    pub fn label(&self) -> &str {
        self.prop("label").unwrap_or(&self.id)
    }

    /// Whether the catalog marks this control withdrawn (`status` = `withdrawn`).
    pub fn is_withdrawn(&self) -> bool {
        self.prop("status") == Some("withdrawn")
    }
}

impl Group {
    /// The value of the first property with this name (and no namespace).
    pub fn prop(&self, name: &str) -> Option<&str> {
        find_prop(&self.props, name)
    }
}

fn find_prop<'a>(props: &'a [Prop], name: &str) -> Option<&'a str> {
    props
        .iter()
        .find(|p| p.name == name && p.ns.is_none())
        .map(|p| p.value.as_str())
}

/// A control seen during a walk of a catalog, with where it sits.
#[derive(Debug, Clone, Copy)]
pub struct ControlRef<'a> {
    /// The control itself.
    pub control: &'a Control,
    /// The control it is an enhancement of, if any.
    pub parent: Option<&'a Control>,
    /// The innermost group that holds it, if any.
    pub group: Option<&'a Group>,
}

/// Iterator over every control of a catalog; see [`Catalog::controls`].
#[derive(Debug)]
pub struct Controls<'a> {
    /// Pending work, last first: a control (with its parent and group) or a group.
    stack: Vec<Pending<'a>>,
}

#[derive(Debug)]
enum Pending<'a> {
    Control(ControlRef<'a>),
    Group(&'a Group),
}

impl<'a> Controls<'a> {
    fn new(catalog: &'a Catalog) -> Self {
        let mut stack = Vec::new();
        stack.extend(catalog.groups.iter().rev().map(Pending::Group));
        push_controls(&mut stack, &catalog.controls, None, None);
        Controls { stack }
    }
}

fn push_controls<'a>(
    stack: &mut Vec<Pending<'a>>,
    controls: &'a [Control],
    parent: Option<&'a Control>,
    group: Option<&'a Group>,
) {
    stack.extend(controls.iter().rev().map(|control| {
        Pending::Control(ControlRef {
            control,
            parent,
            group,
        })
    }));
}

impl<'a> Iterator for Controls<'a> {
    type Item = ControlRef<'a>;

    fn next(&mut self) -> Option<ControlRef<'a>> {
        loop {
            match self.stack.pop()? {
                Pending::Control(item) => {
                    push_controls(
                        &mut self.stack,
                        &item.control.controls,
                        Some(item.control),
                        item.group,
                    );
                    return Some(item);
                }
                Pending::Group(group) => {
                    self.stack
                        .extend(group.groups.iter().rev().map(Pending::Group));
                    push_controls(&mut self.stack, &group.controls, None, Some(group));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SMALL: &str = r#"{"catalog": {
        "uuid": "00000000-0000-4000-8000-000000000000",
        "metadata": {"title": "Small", "oscal-version": "1.0.0", "remarks": "kept"},
        "groups": [{"id": "ac", "title": "Access Control", "controls": [
            {"id": "ac-1", "title": "Policy", "props": [{"name": "label", "value": "AC-1"}],
             "params": [{"id": "ac-1_prm_1", "label": "personnel", "x-unknown": [1, 2]}],
             "controls": [{"id": "ac-1.1", "title": "Enh", "props": [{"name": "status", "value": "withdrawn"}]}]},
            {"id": "ac-2", "title": "Accounts"}
        ]}],
        "controls": [{"id": "top", "title": "Top"}]
    }}"#;

    #[test]
    fn parses_typed_members_and_keeps_the_rest() {
        let catalog = Catalog::from_json(SMALL).unwrap();
        assert_eq!(catalog.metadata.title, "Small");
        assert_eq!(catalog.metadata.extra["remarks"], "kept");
        let ac1 = catalog.control("ac-1").unwrap();
        assert_eq!(ac1.label(), "AC-1");
        assert_eq!(ac1.params[0].extra["x-unknown"], serde_json::json!([1, 2]));
        assert!(catalog.control("ac-1.1").unwrap().is_withdrawn());
        assert_eq!(catalog.control("ac-2").unwrap().label(), "ac-2");
    }

    #[test]
    fn round_trips_without_loss() {
        let catalog = Catalog::from_json(SMALL).unwrap();
        let written: Value = serde_json::from_str(&catalog.to_json_pretty()).unwrap();
        let original: Value = serde_json::from_str(SMALL).unwrap();
        assert_eq!(written, original);
    }

    #[test]
    fn walks_controls_in_document_order_with_parent_and_group() {
        let catalog = Catalog::from_json(SMALL).unwrap();
        let walked: Vec<_> = catalog
            .controls()
            .map(|c| {
                (
                    c.control.id.as_str(),
                    c.parent.map(|p| p.id.as_str()),
                    c.group.and_then(|g| g.id.as_deref()),
                )
            })
            .collect();
        assert_eq!(
            walked,
            [
                ("top", None, None),
                ("ac-1", None, Some("ac")),
                ("ac-1.1", Some("ac-1"), Some("ac")),
                ("ac-2", None, Some("ac")),
            ]
        );
    }

    #[test]
    fn missing_required_member_is_an_error_with_position() {
        let err = Catalog::from_json(r#"{"catalog": {"uuid": "u", "metadata": {}}}"#).unwrap_err();
        let message = err.to_string();
        assert!(message.contains("missing field `title`"), "{message}");
        assert!(message.contains("line 1"), "{message}");
    }

    #[test]
    fn duplicate_member_is_an_error() {
        let err = Catalog::from_json(
            r#"{"catalog": {"uuid": "u", "uuid": "v", "metadata": {"title": "t"}}}"#,
        )
        .unwrap_err();
        assert!(err.to_string().contains("duplicate field `uuid`"), "{err}");
    }
}
