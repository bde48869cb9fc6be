//! A resolved onus model as OSCAL: a component definition
//! ([`component_definition`]) or an SSP fragment ([`ssp`]), as JSON; and
//! the SSP fragment of a tenant's system that leverages one of its
//! offerings ([`leveraging_ssp`]).
//!
//! Both documents are built from the resolved [`Matrix`] (plus the model's
//! frameworks, which resolution does not carry) and are deterministic:
//!
//! - every UUID is a version 5 UUID of a stable name
//!   (`{model}/{kind}/{ids...}`) in the namespace [`namespace()`], so the same
//!   model gives the same UUIDs and two versions of a model diff cleanly;
//! - `last-modified` is the model's `version` when that is a date
//!   (`2024-06` or `2024-06-30`, at midnight UTC), else [`EPOCH`]; never the clock;
//! - `oscal-version` is [`OSCAL_VERSION`].
//!
//! What onus knows and OSCAL has no member for (area and offering ids,
//! scopes, a party's role ...) travels in props of the [`NS`] namespace, so
//! that [`crate::import`] can read an export back into the same model:
//! export, import and export again gives the same document.
//!
//! Parties are written *flat*: a party reached through an upstream
//! (`azure/microsoft`) gets the id `azure-microsoft` and the name
//! `Microsoft (via azure)`. The export is a view of the resolved model, and
//! an import of it is a model without upstreams.

pub mod component_definition;
pub mod leveraging;
pub mod ssp;

pub use leveraging::{leveraging_ssp, Authorization, DutyRecord, DutyStatus, Tenant};

use std::collections::{HashMap, HashSet};

use indexmap::IndexMap;
use serde_json::{json, Map, Value};
use uuid::Uuid;

use onus_core::model::{RefKind, Role};
use onus_core::resolve::{
    party_label, Matrix, ResolvedArea, ResolvedHolder, ResolvedOffering, Text,
};

/// The OSCAL version exports declare (the schemas in the shared data are 1.2.1).
pub const OSCAL_VERSION: &str = "1.2.1";

/// The namespace of onus's own props.
pub const NS: &str = "https://onus.dev/ns/oscal";

/// `last-modified` when the model's version is not a date.
pub const EPOCH: &str = "1970-01-01T00:00:00Z";

/// `metadata.version` when the model has none.
pub const UNVERSIONED: &str = "unversioned";

/// The namespace of every UUID onus writes: the v5 UUID of [`NS`] in the
/// URL namespace (`uuid::Uuid::NAMESPACE_URL`).
pub fn namespace() -> Uuid {
    Uuid::new_v5(&Uuid::NAMESPACE_URL, NS.as_bytes())
}

/// The UUID onus writes for the stable name `name`.
pub fn uuid_of(name: &str) -> String {
    Uuid::new_v5(&namespace(), name.as_bytes()).to_string()
}

/// Which OSCAL document to write.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// A component definition: one component per provider-side party.
    ComponentDefinition,
    /// A system security plan fragment for one offering, with `export`.
    Ssp,
}

impl Kind {
    /// The root member name: `component-definition` or `system-security-plan`.
    pub fn root(self) -> &'static str {
        match self {
            Kind::ComponentDefinition => "component-definition",
            Kind::Ssp => "system-security-plan",
        }
    }
}

/// What an export reads: the resolved matrix (its frameworks included),
/// which of its offerings to export, and the upstreams it leverages.
#[derive(Clone, Copy, Debug)]
pub struct Input<'a> {
    pub matrix: &'a Matrix,
    /// Only this offering (`--offering`); `None`: every offering.
    pub only: Option<&'a ResolvedOffering>,
    /// The model's upstreams, each with its own resolved matrix: an SSP
    /// says what it inherits from them by the uuids of their own SSP
    /// exports (`inherited`), and writes a `leveraged-authorizations`
    /// entry for each one authorized. Empty: none of that is written.
    pub upstreams: &'a [Upstream<'a>],
    /// The baseline an SSP targets (`--baseline`, `--profile`): every
    /// control of it gets an implemented requirement, unassigned ones
    /// included. `None`: the controls the offering's areas map.
    pub target: Option<Target<'a>>,
}

/// The baseline an SSP targets, and which framework's mappings meet it.
#[derive(Clone, Copy, Debug)]
pub struct Target<'a> {
    pub baseline: &'a crate::Baseline,
    /// The model's framework whose controls are the baseline's.
    pub framework: &'a str,
    /// The profile it was resolved from, as given (`--profile`), for
    /// `import-profile`; `None` for a built-in baseline (its name is used).
    pub profile: Option<&'a str>,
}

/// An upstream of the exported model, as an SSP leverages it.
#[derive(Clone, Copy, Debug)]
pub struct Upstream<'a> {
    /// Its id in the model (`azure`): the first step of its holders' `via`.
    pub id: &'a str,
    /// Its resolved matrix, from which its own SSP export is built.
    pub matrix: &'a Matrix,
    /// Its FedRAMP package id (the model's `fedramp-package`).
    pub fedramp_package: Option<&'a str>,
    /// When it was authorized, `YYYY-MM-DD` (the model's `authorized`).
    pub authorized: Option<&'a str>,
}

impl<'a> Input<'a> {
    /// Every offering of `matrix`, no upstream.
    pub fn new(matrix: &'a Matrix) -> Input<'a> {
        Input {
            matrix,
            only: None,
            upstreams: &[],
            target: None,
        }
    }

    /// The same input, targeting `target`.
    pub fn with_target(self, target: Target<'a>) -> Input<'a> {
        Input {
            target: Some(target),
            ..self
        }
    }

    /// The same input, leveraging `upstreams`.
    pub fn with_upstreams(self, upstreams: &'a [Upstream<'a>]) -> Input<'a> {
        Input { upstreams, ..self }
    }

    /// The offerings to export, in the matrix's order.
    pub fn offerings(&self) -> impl Iterator<Item = &'a ResolvedOffering> + 'a {
        let only = self.only;
        self.matrix
            .offerings
            .iter()
            .filter(move |o| only.is_none_or(|x| x.id == o.id))
    }
}

/// Writes `document` as pretty JSON with a final newline.
pub fn to_json_pretty(document: &Value) -> String {
    let mut text = serde_json::to_string_pretty(document).unwrap_or_default();
    text.push('\n');
    text
}

/// Shared state of one export: the flat ids of parties, practices and
/// evidence, and the UUID names.
pub(crate) struct Context<'a> {
    pub matrix: &'a Matrix,
    /// The offerings exported.
    pub offerings: Vec<&'a ResolvedOffering>,
    /// Qualified party id -> flat id.
    parties: HashMap<String, String>,
    /// Qualified practice or evidence id -> flat id.
    refs: HashMap<(RefKind, String), String>,
}

impl<'a> Context<'a> {
    pub fn new(input: Input<'a>) -> Context<'a> {
        let matrix = input.matrix;
        let mut taken = HashSet::new();
        let parties = matrix
            .parties
            .keys()
            .map(|q| (q.clone(), flat_id(q, &mut taken)))
            .collect();
        let mut refs = HashMap::new();
        for kind in RefKind::ALL {
            let mut taken = HashSet::new();
            for q in matrix.references.of(kind).keys() {
                refs.insert((kind, q.clone()), flat_id(q, &mut taken));
            }
        }
        Context {
            matrix,
            offerings: input.offerings().collect(),
            parties,
            refs,
        }
    }

    /// The UUID of `{model}/{parts...}`.
    pub fn uuid(&self, parts: &[&str]) -> String {
        let mut name = self.matrix.model.clone();
        for p in parts {
            name.push('/');
            name.push_str(p);
        }
        uuid_of(&name)
    }

    /// The flat id of a party (`azure/microsoft` -> `azure-microsoft`).
    pub fn party_id(&self, qualified: &str) -> String {
        self.parties
            .get(qualified)
            .cloned()
            .unwrap_or_else(|| qualified.replace('/', "-"))
    }

    pub fn party_uuid(&self, qualified: &str) -> String {
        self.uuid(&["party", &self.party_id(qualified)])
    }

    /// The flat id of a practice or evidence (each kind has its own).
    fn ref_id(&self, kind: RefKind, qualified: &str) -> String {
        self.refs
            .get(&(kind, qualified.to_string()))
            .cloned()
            .unwrap_or_else(|| qualified.replace('/', "-"))
    }

    pub fn framework_uuid(&self, id: &str) -> String {
        self.uuid(&["framework", id])
    }

    /// `metadata`, with the model's identity in props.
    pub fn metadata(&self) -> Value {
        let m = self.matrix;
        let mut meta = Map::new();
        meta.insert(
            "title".into(),
            json!(line(m.title.as_deref().unwrap_or(&m.name))),
        );
        meta.insert(
            "last-modified".into(),
            json!(last_modified(m.version.as_deref())),
        );
        meta.insert(
            "version".into(),
            json!(m.version.as_deref().map_or(UNVERSIONED.to_string(), line)),
        );
        meta.insert("oscal-version".into(), json!(OSCAL_VERSION));
        meta.insert(
            "props".into(),
            json!([
                prop("model", &m.model),
                prop("model-name", &m.name),
                prop("publisher", &self.party_id(&m.publisher)),
            ]),
        );
        if let Some(url) = m.url.as_deref().filter(|u| linkable(u)) {
            meta.insert("links".into(), json!([{"href": url, "rel": "homepage"}]));
        }
        let mut roles = Vec::new();
        for role in [Role::Provider, Role::Customer, Role::ThirdParty] {
            if m.parties.values().any(|p| p.role == role) {
                roles.push(json!({"id": role.as_str(), "title": role_title(role)}));
            }
        }
        meta.insert("roles".into(), Value::Array(roles));
        let parties: Vec<Value> = m
            .parties
            .iter()
            .map(|(q, p)| {
                json!({
                    "uuid": self.party_uuid(q),
                    "type": "organization",
                    "name": line(&party_label(&p.name, &p.via)),
                    "short-name": self.party_id(q),
                    "props": [prop("role", p.role.as_str())],
                })
            })
            .collect();
        meta.insert("parties".into(), Value::Array(parties));
        if let Some(d) = m.description.as_deref().filter(|d| !d.trim().is_empty()) {
            meta.insert("remarks".into(), json!(d));
        }
        Value::Object(meta)
    }

    /// `back-matter`: the frameworks, practices and evidence, or `None` if
    /// the model has none.
    pub fn back_matter(&self) -> Option<Value> {
        let mut resources = Vec::new();
        for (id, f) in &self.matrix.frameworks {
            let mut r = Map::new();
            r.insert("uuid".into(), json!(self.framework_uuid(id)));
            r.insert("title".into(), json!(line(&f.name)));
            r.insert("props".into(), json!([prop("framework", id)]));
            let mut rlinks = Vec::new();
            if let Some(c) = f.catalog.as_ref().map(|c| &c.value) {
                rlinks.push(json!({"href": c, "media-type": CATALOG_MEDIA_TYPE}));
            }
            if let Some(u) = f.url.as_deref().filter(|u| linkable(u)) {
                rlinks.push(json!({"href": u}));
            }
            if !rlinks.is_empty() {
                r.insert("rlinks".into(), Value::Array(rlinks));
            }
            resources.push(Value::Object(r));
        }
        for kind in RefKind::ALL {
            for (q, r) in self.matrix.references.of(kind) {
                let id = self.ref_id(kind, q);
                resources.push(reference(
                    self.uuid(&[kind.noun(), &id]),
                    kind.noun(),
                    &id,
                    &r.name,
                    r.kind.as_deref(),
                    r.access.as_str(),
                    r.url.as_deref(),
                    r.description.as_deref(),
                ));
            }
        }
        (!resources.is_empty()).then(|| json!({ "resources": resources }))
    }

    /// Links from a holding to the practices (`how`) and evidence it names.
    pub fn holding_links(&self, h: &ResolvedHolder) -> Vec<Value> {
        [&h.how, &h.evidence]
            .into_iter()
            .flat_map(|list| {
                let kind = list.kind().noun();
                list.iter().map(move |id| {
                    let uuid = self.uuid(&[kind, &self.ref_id(list.kind(), id)]);
                    json!({"href": format!("#{uuid}"), "rel": kind})
                })
            })
            .collect()
    }

    /// The props of a holding: its scope, and `duties: none` when it has no duties.
    pub fn holding_props(&self, h: &ResolvedHolder) -> Vec<Value> {
        let mut props = Vec::new();
        if let Some(s) = h.scope().as_deref().filter(|s| !s.trim().is_empty()) {
            props.push(prop("scope", s));
        }
        if h.duties.is_empty() {
            props.push(prop("duties", "none"));
        }
        props
    }

    /// `responsible-roles` naming one holder.
    pub fn responsible(&self, h: &ResolvedHolder) -> Value {
        json!([{"role-id": h.role.as_str(), "party-uuids": [self.party_uuid(&h.party)]}])
    }

    /// A holder's name as exports show it: `Microsoft (via azure)`.
    pub fn label(h: &ResolvedHolder) -> String {
        h.label()
    }

    /// The props of an area: its id, group and controls (`FRAMEWORK:ID`).
    pub fn area_props(a: &ResolvedArea) -> Vec<Value> {
        let mut props = vec![prop("area", &a.id)];
        if let Some(g) = a.group.as_deref().filter(|g| !g.trim().is_empty()) {
            props.push(prop("group", g));
        }
        for c in a.controls.iter() {
            props.push(prop("control", &format!("{}:{}", c.framework, c.control)));
        }
        props
    }

    /// What a holder says it does: its duties, or a sentence saying that it
    /// holds the area when it lists none.
    pub fn duty_texts(h: &ResolvedHolder, area: &ResolvedArea, offering: &str) -> Vec<String> {
        if h.duties.is_empty() {
            vec![format!(
                "{} holds {} in {offering}.",
                Self::label(h),
                area.name
            )]
        } else {
            h.duties.iter().map(Text::to_string).collect()
        }
    }
}

/// The media type that marks a framework's `catalog:` link.
pub const CATALOG_MEDIA_TYPE: &str = "application/oscal.catalog+json";

#[allow(clippy::too_many_arguments)]
fn reference(
    uuid: String,
    kind_prop: &str,
    id: &str,
    name: &str,
    kind: Option<&str>,
    access: &str,
    url: Option<&str>,
    description: Option<&str>,
) -> Value {
    let mut r = Map::new();
    r.insert("uuid".into(), json!(uuid));
    r.insert("title".into(), json!(line(name)));
    if let Some(d) = description.filter(|d| !d.trim().is_empty()) {
        r.insert("description".into(), json!(d));
    }
    let mut props = vec![prop(kind_prop, id)];
    if let Some(k) = kind {
        props.push(prop("kind", k));
    }
    props.push(prop("access", access));
    r.insert("props".into(), Value::Array(props));
    if let Some(u) = url.filter(|u| linkable(u)) {
        r.insert("rlinks".into(), json!([{ "href": u }]));
    }
    Value::Object(r)
}

/// Whether a model's URL may be written as a link, by the one URL-safety
/// rule of `onus check`'s `unsafe-url` and the renderers
/// ([`onus_core::url::classify`]); relative URLs are kept as written.
fn linkable(url: &str) -> bool {
    onus_core::url::classify(url) == onus_core::url::Safety::Safe
}

/// An onus prop. The value is made a valid OSCAL string (one line, no
/// surrounding spaces).
pub fn prop(name: &str, value: &str) -> Value {
    json!({"name": name, "ns": NS, "value": line(value)})
}

/// `text` on one line: runs of whitespace become one space, ends trimmed.
pub fn line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn role_title(role: Role) -> &'static str {
    match role {
        Role::Provider => "Provider",
        Role::Customer => "Customer",
        Role::ThirdParty => "Third party",
    }
}

/// A flat, unique id for a qualified one: `azure/microsoft` -> `azure-microsoft`.
fn flat_id(qualified: &str, taken: &mut HashSet<String>) -> String {
    let base = qualified.replace('/', "-");
    let mut id = base.clone();
    let mut n = 2;
    while taken.contains(&id) {
        id = format!("{base}-{n}");
        n += 1;
    }
    taken.insert(id.clone());
    id
}

/// `last-modified`: the model's version when it is a date (`2024-06`,
/// `2024-06-30`), else [`EPOCH`].
pub fn last_modified(version: Option<&str>) -> String {
    let Some(v) = version.map(str::trim) else {
        return EPOCH.to_string();
    };
    let parts: Vec<&str> = v.split('-').collect();
    let number = |s: &str, len: usize| s.len() == len && s.bytes().all(|b| b.is_ascii_digit());
    let (year, month, day) = match parts.as_slice() {
        [y, m] if number(y, 4) && number(m, 2) => (*y, *m, "01"),
        [y, m, d] if number(y, 4) && number(m, 2) && number(d, 2) => (*y, *m, *d),
        _ => return EPOCH.to_string(),
    };
    let (y, m, d): (u32, u32, u32) = (
        year.parse().unwrap_or(0),
        month.parse().unwrap_or(0),
        day.parse().unwrap_or(0),
    );
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let days = match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => 0,
    };
    // OSCAL's date-time pattern accepts the years 1900 to 2999 only.
    if !(1900..=2999).contains(&y) || d == 0 || d > days {
        return EPOCH.to_string();
    }
    format!("{year}-{month}-{day}T00:00:00Z")
}

/// Areas of an offering that map to a control of `framework`, with those controls.
pub(crate) fn mapped<'m>(
    areas: &'m [ResolvedArea],
    framework: &str,
) -> IndexMap<String, Vec<&'m ResolvedArea>> {
    let mut by_control: IndexMap<String, Vec<&ResolvedArea>> = IndexMap::new();
    for area in areas {
        for c in area.controls.iter().filter(|c| c.framework == framework) {
            // `ac-2+` (with its enhancements) is implemented as `ac-2`.
            let id = crate::control_id::base(&c.control).to_owned();
            let list = by_control.entry(id).or_default();
            // Areas come one after the other: a repeat is the last one.
            if list.last().is_none_or(|a| a.id != area.id) {
                list.push(area);
            }
        }
    }
    by_control
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn last_modified_is_a_date_version_or_the_epoch() {
        assert_eq!(last_modified(None), EPOCH);
        assert_eq!(last_modified(Some("2024-06")), "2024-06-01T00:00:00Z");
        assert_eq!(last_modified(Some("2024-02-29")), "2024-02-29T00:00:00Z");
        assert_eq!(last_modified(Some("2023-02-29")), EPOCH);
        assert_eq!(last_modified(Some("v2")), EPOCH);
        assert_eq!(last_modified(Some("1850-01")), EPOCH);
    }

    #[test]
    fn uuids_are_v5_and_stable() {
        let a = uuid_of("codat/party/codat");
        assert_eq!(a, uuid_of("codat/party/codat"));
        assert_ne!(a, uuid_of("codat/party/customer"));
        assert_eq!(&a[14..15], "5", "{a}");
    }

    #[test]
    fn flat_ids_are_unique() {
        let mut taken = HashSet::new();
        assert_eq!(flat_id("azure-microsoft", &mut taken), "azure-microsoft");
        assert_eq!(flat_id("azure/microsoft", &mut taken), "azure-microsoft-2");
    }
}
