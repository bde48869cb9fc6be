//! OSCAL back to an onus model: a component definition, or an SSP's
//! `export` sections, to the YAML text of a model that `onus check` accepts.
//!
//! Two readings, chosen by the document:
//!
//! - **Written by onus** (its metadata has the [`NS`] prop `model`): the
//!   model's parties, offerings, areas, frameworks, practices and evidence,
//!   and each holder's scope, duties, practices, evidence and note come
//!   back from where [`crate::export`] put them, so that exporting the
//!   import gives the same document.
//! - **Any other**: each control becomes an area (`ac-2.1` -> area `ac-2-1`,
//!   named `AC-2(1)`), or each SSP component does; descriptions become
//!   duties; a part whose `responsible-roles` say `customer` is the
//!   customer's, every other part is the provider's.
//!
//! Either way, an area that nobody holds in an offering is given to the
//! customer with a note: what the document does not give the provider side
//! is left to the customer, and a model needs a holder in every offering.
//! What is lost is listed in `docs/oscal.md`.

mod component_definition;
mod draft;
mod leveraged;
mod origin;
mod ssp;

use std::collections::{HashMap, HashSet};

use serde_json::Value;

use onus_core::model::{is_valid_id, Role, DEFAULT_OFFERING};

use crate::export::{Kind, CATALOG_MEDIA_TYPE, NS, UNVERSIONED};
use crate::Error;
use draft::{Draft, DraftDuty, DraftFramework, DraftHolding, DraftParty, DraftReference, Key};
pub use leveraged::Upstream;
use origin::Noted;
pub use origin::Origins;

/// An imported model.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Imported {
    /// The model's YAML text, with a header comment saying where it came from.
    pub yaml: String,
    /// The model id.
    pub model: String,
    /// What was read.
    pub kind: Kind,
    /// Whether the document was written by onus (and read back exactly).
    pub from_onus: bool,
    /// Which element of the input each part of `yaml` came from: findings
    /// about the model are shown there ([`Origins::relocate`]).
    pub origins: Origins,
}

/// Imports an OSCAL component definition or SSP given as JSON text;
/// `source` names it in the header comment (a file name).
pub fn import(json: &str, source: &str) -> Result<Imported, Error> {
    import_with(json, source, &[])
}

/// Like [`import`], with the models of leveraged authorizations of an SSP:
/// each becomes an upstream of the model, and what the SSP inherits from
/// it, inheritance (see [`Upstream`]). [`Error::UnknownLeveraged`] when
/// one names no leveraged authorization of the document.
pub fn import_with(
    json: &str,
    source: &str,
    upstreams: &[Upstream<'_>],
) -> Result<Imported, Error> {
    let root: Value =
        serde_json::from_str(json).map_err(|source| Error::Json { path: None, source })?;
    import_value(&root, source, upstreams)
}

/// Like [`import_with`], from the document already read into its JSON
/// form (from YAML or XML, say).
pub fn import_value(
    root: &Value,
    source: &str,
    upstreams: &[Upstream<'_>],
) -> Result<Imported, Error> {
    // What the schema refuses is not read: a wrong member would be
    // silently lost or misread.
    if let Some(report) = crate::validate::validate_value(root) {
        if !report.errors.is_empty() {
            return Err(Error::SchemaInvalid {
                path: None,
                model: report.model,
                errors: report
                    .errors
                    .iter()
                    .map(|e| {
                        let pointer = if e.pointer.is_empty() {
                            "/"
                        } else {
                            &e.pointer
                        };
                        format!("{pointer}: {}", crate::validate::shorten(&e.message))
                    })
                    .collect(),
            });
        }
    }
    let (kind, doc) = match root.as_object() {
        Some(o) if o.contains_key(Kind::ComponentDefinition.root()) => (
            Kind::ComponentDefinition,
            &o[Kind::ComponentDefinition.root()],
        ),
        Some(o) if o.contains_key(Kind::Ssp.root()) => (Kind::Ssp, &o[Kind::Ssp.root()]),
        Some(o) => {
            return Err(Error::NotImportable {
                path: None,
                found: o
                    .keys()
                    .find(|k| *k != "$schema")
                    .cloned()
                    .unwrap_or_else(|| "an empty object".into()),
            })
        }
        None => {
            return Err(Error::NotImportable {
                path: None,
                found: "no object".into(),
            })
        }
    };
    let links = leveraged::link(doc, upstreams)?;
    let mut reader = Reader::new(doc, links);
    let from_onus = reader.onus;
    match kind {
        Kind::ComponentDefinition => component_definition::read(&mut reader)?,
        Kind::Ssp => ssp::read(&mut reader)?,
    }
    let noted = reader.noted;
    let mut draft = reader.draft;
    let meta = &doc["metadata"];
    let mut header = vec![format!(
        "Imported by `onus oscal import` from {source}: an OSCAL {} titled \"{}\" (OSCAL {}).",
        kind.root(),
        text(meta, "title").unwrap_or("untitled"),
        text(meta, "oscal-version").unwrap_or("version not stated"),
    )];
    header.push(if from_onus {
        format!(
            "Written by onus: read back from its props. Upstream chains were flattened (a party \
             reached through an upstream is a party here, named `... (via UPSTREAM)`){}.",
            if upstreams.is_empty() {
                ""
            } else {
                ", except where the upstreams given are inherited from again"
            }
        )
    } else {
        "Areas, holders and duties are read from the document's controls and parts as \
         docs/oscal.md describes; review them before publishing."
            .to_string()
    });
    header.append(&mut draft.header);
    draft.header = header;
    let (yaml, traced) = draft.to_traced_yaml();
    Ok(Imported {
        yaml,
        model: draft.id.clone(),
        kind,
        from_onus,
        origins: Origins::new(traced, &noted, root, kind.root()),
    })
}

/// What both readers share: the document, the draft, and the ids given so far.
pub(crate) struct Reader<'d> {
    pub doc: &'d Value,
    pub draft: Draft,
    /// Whether the document was written by onus.
    pub onus: bool,
    /// Party uuid -> party id.
    pub parties: HashMap<String, String>,
    /// Back-matter resource uuid -> what it became.
    pub resources: HashMap<String, Resource>,
    /// Ids taken in the namespace parties and offerings share.
    taken: HashSet<String>,
    taken_areas: HashSet<String>,
    /// Duty id -> the text it was first read with.
    duty_ids: HashMap<String, String>,
    /// The element of the document each part of the draft was read from.
    noted: Noted<'d>,
    /// The leveraged authorizations given an upstream model.
    pub links: Vec<leveraged::Link>,
}

/// What a back-matter resource became.
#[derive(Clone, Debug)]
pub(crate) enum Resource {
    Framework(String),
    Practice(String),
    Evidence(String),
    /// A resource onus did not write: its title, description and links.
    Other {
        text: String,
        hrefs: Vec<String>,
    },
}

impl<'d> Reader<'d> {
    fn new(doc: &'d Value, links: Vec<leveraged::Link>) -> Reader<'d> {
        let meta = &doc["metadata"];
        let onus = onus_prop(meta, "model").is_some();
        // Upstreams share the namespace of parties and offerings.
        let taken = links.iter().map(|l| l.id.clone()).collect();
        let mut r = Reader {
            doc,
            draft: Draft::default(),
            onus,
            parties: HashMap::new(),
            resources: HashMap::new(),
            taken,
            taken_areas: HashSet::new(),
            duty_ids: HashMap::new(),
            noted: Noted::default(),
            links,
        };
        r.metadata();
        r.back_matter();
        r
    }

    /// Notes that the draft's `key` was read from `value` (the first
    /// noted stays).
    pub fn note(&mut self, key: Key, value: &'d Value) {
        self.noted.note(key, value);
    }

    fn metadata(&mut self) {
        let doc = self.doc;
        let meta = &doc["metadata"];
        for (key, member) in [
            ("title", "title"),
            ("version", "version"),
            ("description", "remarks"),
        ] {
            self.note(Key::Model(key), &meta[member]);
        }
        let title = text(meta, "title").map(str::to_string);
        let d = &mut self.draft;
        d.version = text(meta, "version").map(str::to_string);
        d.description = text(meta, "remarks").map(str::to_string);
        let homepage = list(meta, "links")
            .iter()
            .find(|l| text(l, "rel") == Some("homepage"));
        d.url = homepage.and_then(|l| text(l, "href")).map(str::to_string);
        if let Some(link) = homepage {
            self.noted.note(Key::Model("url"), &link["href"]);
        }
        if self.onus {
            // Ids as written when they are ids, else made into ones the way
            // party ids are (so a publisher still names its party).
            let id = |name: &str| {
                let written = onus_prop(meta, name).unwrap_or_default();
                match is_valid_id(written) && written.len() <= MAX_ID {
                    true => written.to_string(),
                    false => kebab(written),
                }
            };
            d.id = Some(id("model"))
                .filter(|id| !id.is_empty())
                .unwrap_or_else(|| "imported".into());
            d.name = onus_prop(meta, "model-name")
                .unwrap_or_default()
                .to_string();
            d.publisher = id("publisher");
            d.title = title.filter(|t| *t != d.name);
            for (key, prop) in [
                ("id", "model"),
                ("name", "model-name"),
                ("publisher", "publisher"),
            ] {
                if let Some(value) = onus_prop_value(meta, prop) {
                    self.noted.note(Key::Model(key), value);
                }
            }
            if d.version.as_deref() == Some(UNVERSIONED) {
                d.version = None;
            }
            for p in list(meta, "parties") {
                let Some(uuid) = text(p, "uuid") else {
                    continue;
                };
                let name = text(p, "name").unwrap_or("Unnamed party").to_string();
                let wanted = text(p, "short-name").unwrap_or(&name).to_string();
                let role = onus_prop(p, "role")
                    .and_then(Role::parse)
                    .unwrap_or(Role::Provider);
                let id = self.take(&wanted, "party");
                self.note(Key::Party(id.clone()), p);
                self.parties.insert(uuid.to_string(), id.clone());
                self.draft.parties.insert(id, DraftParty { name, role });
            }
        } else {
            d.title = title.clone();
            d.id = kebab(title.as_deref().unwrap_or("imported"));
            if d.id.is_empty() {
                d.id = "imported".into();
            }
            self.note(Key::Model("id"), &meta["title"]);
        }
    }

    fn back_matter(&mut self) {
        let doc = self.doc;
        for r in list(&doc["back-matter"], "resources") {
            let Some(uuid) = text(r, "uuid") else {
                continue;
            };
            let title = text(r, "title");
            let rlinks = list(r, "rlinks");
            let href = |catalog: bool| {
                rlinks
                    .iter()
                    .find(|l| (text(l, "media-type") == Some(CATALOG_MEDIA_TYPE)) == catalog)
                    .and_then(|l| text(l, "href"))
                    .map(str::to_string)
            };
            let resource = if let Some(id) = self.onus_id(r, "framework") {
                self.note(Key::Framework(id.clone()), r);
                self.draft.frameworks.insert(
                    id.clone(),
                    DraftFramework {
                        name: title.unwrap_or(&id).to_string(),
                        catalog: href(true),
                        url: href(false),
                    },
                );
                Resource::Framework(id)
            } else if let Some((id, evidence)) = self
                .onus_id(r, "practice")
                .map(|id| (id, false))
                .or_else(|| self.onus_id(r, "evidence").map(|id| (id, true)))
            {
                let reference = DraftReference {
                    name: title.unwrap_or(&id).to_string(),
                    kind: onus_prop(r, "kind").map(str::to_string),
                    url: rlinks
                        .first()
                        .and_then(|l| text(l, "href"))
                        .map(str::to_string),
                    access: onus_prop(r, "access")
                        .filter(|a| *a != "public")
                        .map(str::to_string),
                    description: text(r, "description").map(str::to_string),
                };
                let key = match evidence {
                    true => Key::Evidence(id.clone()),
                    false => Key::Practice(id.clone()),
                };
                self.note(key, r);
                if evidence {
                    self.draft.evidence.insert(id.clone(), reference);
                    Resource::Evidence(id)
                } else {
                    self.draft.practices.insert(id.clone(), reference);
                    Resource::Practice(id)
                }
            } else {
                let label = [title, text(r, "description")]
                    .into_iter()
                    .flatten()
                    .collect::<Vec<_>>()
                    .join(" ");
                Resource::Other {
                    text: label,
                    hrefs: rlinks
                        .iter()
                        .filter_map(|l| text(l, "href"))
                        .map(str::to_string)
                        .collect(),
                }
            };
            self.resources.insert(uuid.to_string(), resource);
        }
    }

    /// An onus prop holding an id, if valid.
    fn onus_id(&self, v: &Value, name: &str) -> Option<String> {
        if !self.onus {
            return None;
        }
        onus_prop(v, name)
            .filter(|id| is_valid_id(id))
            .map(str::to_string)
    }

    /// A fresh id in the namespace parties and offerings share, from `wanted`.
    pub fn take(&mut self, wanted: &str, fallback: &str) -> String {
        let id = unique(wanted, fallback, &self.taken);
        self.taken.insert(id.clone());
        id
    }

    /// A fresh area id from `wanted`.
    pub fn take_area(&mut self, wanted: &str) -> String {
        let id = unique(wanted, "area", &self.taken_areas);
        self.taken_areas.insert(id.clone());
        id
    }

    /// The framework a `source` or `import-profile` href names: the onus
    /// framework of a back-matter resource, or one named after what the
    /// resource (or the href) says, declared on first use.
    pub fn framework(&mut self, href: &str) -> String {
        let resource = href
            .strip_prefix('#')
            .and_then(|uuid| self.resources.get(uuid).cloned());
        if let Some(Resource::Framework(id)) = &resource {
            return id.clone();
        }
        let (label, url) = match resource {
            Some(Resource::Other { text, hrefs }) => {
                (text, hrefs.into_iter().find(|h| h.starts_with("https://")))
            }
            _ => (href.to_string(), None),
        };
        let (id, name) = framework_name(&label);
        self.draft
            .frameworks
            .entry(id.clone())
            .or_insert(DraftFramework {
                name,
                catalog: None,
                url,
            });
        id
    }

    /// The duty an onus export's entry `v` describes as `text`: with the
    /// id of its `duty-id` prop when that is an id the model can hold (one
    /// written through an upstream, `aws/guest-os`, is not) and names no
    /// other text in this document (one id, one duty), else known by its
    /// text alone.
    pub fn duty(&mut self, v: &Value, text: &str) -> DraftDuty {
        let id = onus_prop(v, "duty-id")
            .filter(|id| onus_core::model::is_valid_id(id))
            .filter(|id| {
                self.duty_ids
                    .entry((*id).to_string())
                    .or_insert_with(|| text.to_string())
                    == text
            });
        DraftDuty {
            text: text.to_string(),
            id: id.map(str::to_string),
        }
    }

    /// The practices and evidence a holding's links point to.
    pub fn holding(&self, v: &Value, duties: Vec<DraftDuty>) -> DraftHolding {
        let mut h = DraftHolding {
            scope: onus_prop(v, "scope").map(str::to_string),
            note: text(v, "remarks").map(str::to_string),
            ..DraftHolding::default()
        };
        if onus_prop(v, "duties") != Some("none") {
            h.duties = duties
                .into_iter()
                .filter(|d| !d.text.trim().is_empty())
                .collect();
        }
        for l in list(v, "links") {
            let target = text(l, "href")
                .and_then(|h| h.strip_prefix('#'))
                .and_then(|uuid| self.resources.get(uuid));
            match target {
                Some(Resource::Practice(id)) if !h.how.contains(id) => h.how.push(id.clone()),
                Some(Resource::Evidence(id)) if !h.evidence.contains(id) => {
                    h.evidence.push(id.clone())
                }
                _ => {}
            }
        }
        h
    }

    /// The model's customer party, declared if the document has none.
    pub fn customer(&mut self) -> String {
        if let Some((id, _)) = self
            .draft
            .parties
            .iter()
            .find(|(_, p)| p.role == Role::Customer)
        {
            return id.clone();
        }
        let id = self.take("customer", "customer");
        self.draft.parties.insert(
            id.clone(),
            DraftParty {
                name: "Customer".into(),
                role: Role::Customer,
            },
        );
        id
    }

    /// The party a `responsible-roles` list names first, if the document
    /// gave it an id (an organization or person with a name).
    pub fn named_party(&self, roles: &Value) -> Option<String> {
        list_of(roles)
            .iter()
            .flat_map(|r| list(r, "party-uuids"))
            .filter_map(Value::as_str)
            .find_map(|uuid| self.parties.get(uuid).cloned())
    }

    /// Declares the document's named parties (for a document not written
    /// by onus) as providers; persons and parties without names are not
    /// parties of a responsibility model.
    pub fn foreign_parties(&mut self) {
        let doc = self.doc;
        let meta = &doc["metadata"];
        for p in list(meta, "parties") {
            let (Some(uuid), Some(name)) = (text(p, "uuid"), text(p, "name")) else {
                continue;
            };
            if text(p, "type") == Some("person") {
                continue;
            }
            let wanted = text(p, "short-name").unwrap_or(name);
            let id = self.take(wanted, "party");
            self.note(Key::Party(id.clone()), p);
            self.parties.insert(uuid.to_string(), id.clone());
            self.draft.parties.insert(
                id,
                DraftParty {
                    name: name.to_string(),
                    role: Role::Provider,
                },
            );
        }
    }

    /// Drops declared parties that hold nothing (a foreign document lists
    /// authors and contacts too), keeping the publisher and the customer.
    pub fn drop_idle_parties(&mut self) {
        let d = &mut self.draft;
        let used: Vec<String> = d
            .cells
            .values()
            .flat_map(|c| c.values())
            .flat_map(|h| h.iter().map(|(p, _)| p.clone()))
            .collect();
        let publisher = d.publisher.clone();
        d.parties
            .retain(|id, p| used.contains(id) || *id == publisher || p.role == Role::Customer);
    }
}

/// `ac-2.1` -> area id `ac-2-1`.
pub(crate) fn area_id_of_control(control: &str) -> String {
    kebab(control)
}

/// An id in `[a-z0-9][a-z0-9-]*` from any text: `CSP IaaS` -> `csp-iaas`.
pub(crate) fn kebab(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
    }
    let mut out = out.trim_end_matches('-').to_string();
    if out.len() > MAX_ID {
        out.truncate(MAX_ID);
        out = out.trim_end_matches('-').to_string();
    }
    out
}

/// Generated ids are at most this long (ids of the document that are
/// longer are shortened, not refused).
const MAX_ID: usize = 60;

/// A valid id from `wanted` not in `taken`: `wanted` itself if it is one
/// of at most [`MAX_ID`] characters, else its kebab case cut to that length
/// (or `fallback`), with `-2`, `-3` ... on a clash.
fn unique(wanted: &str, fallback: &str, taken: &HashSet<String>) -> String {
    let mut base = if is_valid_id(wanted) && wanted.len() <= MAX_ID {
        wanted.to_string()
    } else {
        kebab(wanted)
    };
    if base.is_empty() {
        base = fallback.to_string();
    }
    if base == DEFAULT_OFFERING {
        base = format!("{base}-{fallback}");
    }
    let mut id = base.clone();
    let mut n = 2;
    while taken.contains(&id) {
        id = format!("{base}-{n}");
        n += 1;
    }
    id
}

/// A framework id and name from what a document says of its source:
/// NIST SP 800-53 (with its revision) by its usual names, else the kebab
/// case of the text.
fn framework_name(label: &str) -> (String, String) {
    let lower = label.to_ascii_lowercase();
    let name = label.trim().to_string();
    if lower.contains("800-53") || lower.contains("800_53") {
        let rev = ["5", "4"].into_iter().find(|r| {
            lower.contains(&format!("rev{r}"))
                || lower.contains(&format!("rev. {r}"))
                || lower.contains(&format!("rev {r}"))
                || lower.contains(&format!("revision {r}"))
        });
        return match rev {
            Some(r) => (
                format!("nist-800-53-rev{r}"),
                format!("NIST SP 800-53 Rev. {r}"),
            ),
            None => ("nist-800-53".into(), "NIST SP 800-53".into()),
        };
    }
    let id = kebab(label);
    if id.is_empty() {
        ("controls".into(), "Controls".into())
    } else {
        (id, name)
    }
}

/// A string member.
pub(crate) fn text<'v>(v: &'v Value, key: &str) -> Option<&'v str> {
    v.get(key)
        .and_then(Value::as_str)
        .filter(|s| !s.trim().is_empty())
}

/// An array member (empty when absent).
pub(crate) fn list<'v>(v: &'v Value, key: &str) -> &'v [Value] {
    v.get(key).map_or(&[], list_of)
}

fn list_of(v: &Value) -> &[Value] {
    v.as_array().map_or(&[], Vec::as_slice)
}

/// The value of the first onus prop `name` of `v`.
pub(crate) fn onus_prop<'v>(v: &'v Value, name: &str) -> Option<&'v str> {
    list(v, "props")
        .iter()
        .find(|p| text(p, "ns") == Some(NS) && text(p, "name") == Some(name))
        .and_then(|p| text(p, "value"))
}

/// The `value` of the first onus prop `name` of `v`, as written.
fn onus_prop_value<'v>(v: &'v Value, name: &str) -> Option<&'v Value> {
    list(v, "props")
        .iter()
        .find(|p| text(p, "ns") == Some(NS) && text(p, "name") == Some(name))
        .map(|p| &p["value"])
}

/// The values of every onus prop `name` of `v`.
pub(crate) fn onus_props<'v>(v: &'v Value, name: &'v str) -> impl Iterator<Item = &'v str> + 'v {
    list(v, "props")
        .iter()
        .filter(move |p| text(p, "ns") == Some(NS) && text(p, "name") == Some(name))
        .filter_map(|p| text(p, "value"))
}

/// Whether a `responsible-roles` list names the customer role (and no other).
pub(crate) fn customer_only(roles: &Value) -> bool {
    let roles = list_of(roles);
    !roles.is_empty() && roles.iter().all(|r| text(r, "role-id") == Some("customer"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_from_text() {
        assert_eq!(kebab("CSP IaaS System"), "csp-iaas-system");
        assert_eq!(kebab("csp_iaas_system"), "csp-iaas-system");
        assert_eq!(area_id_of_control("ac-2.1"), "ac-2-1");
        let none = HashSet::new();
        assert_eq!(unique("Codat", "party", &none), "codat");
        let codat = HashSet::from(["codat".to_string()]);
        assert_eq!(unique("codat", "party", &codat), "codat-2");
        assert_eq!(unique("default", "offering", &none), "default-offering");
        assert_eq!(unique("é", "party", &none), "party");
        // A valid id too long is shortened, not kept nor refused.
        assert_eq!(unique(&"a".repeat(300), "party", &none), "a".repeat(MAX_ID));
    }

    #[test]
    fn frameworks_by_their_usual_names() {
        assert_eq!(
            framework_name("NIST Special Publication 800-53 Revision 4: Low Baseline Profile").0,
            "nist-800-53-rev4"
        );
        assert_eq!(
            framework_name("NIST_SP-800-53_rev5_catalog.json").0,
            "nist-800-53-rev5"
        );
        assert_eq!(
            framework_name("FedRAMP Revision 4 High Baseline Profile").0,
            "fedramp-revision-4-high-baseline-profile"
        );
    }
}
