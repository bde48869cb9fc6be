//! Reading an SSP's `export` sections.
//!
//! The system is one offering. Written by onus: components with an `area`
//! prop are the areas, their `responsible-roles` the holders, and the
//! first `by-component` of each area gives each holder's duties
//! (`provided` and `responsibilities` entries), scope, practices, evidence
//! and note.
//!
//! Any other: every component that a `by-component` names is an area
//! (`This System` too), mapped to the controls whose statements name it.
//! The `by-component` description and each `provided` entry are the
//! provider's duties (the party its `responsible-roles` name when the
//! document gives that party a name, else a party for the system's
//! provider, named after the system); each `responsibilities` entry is the
//! customer's. A statement of one part (`ac-2_smt.a`) prefixes its duties
//! with the part; implementation status and `set-parameters` go into the
//! holding's note. The leveraging side: `inherited` entries are duties of
//! the leveraged system's provider (a party per `leveraged-authorizations`
//! entry), `satisfied` ones the system's own; each leveraged authorization
//! is written in the header as the `upstreams:` entry to add.
//!
//! Either way, a leveraged authorization given its model
//! ([`super::Upstream`]) is a real upstream, and the `inherited` entries its
//! own export provides are inherited from it (`super::leveraged`).

use serde_json::Value;

use onus_core::model::Role;

use super::draft::{DraftArea, DraftDuty, DraftHolding, DraftOffering, DraftParty, Key};
use super::{kebab, leveraged, list, onus_prop, onus_props, text, Reader};
use crate::Error;

pub(crate) fn read(r: &mut Reader<'_>) -> Result<(), Error> {
    let doc = r.doc;
    let system = &doc["system-characteristics"];
    let name = text(system, "system-name").unwrap_or("System").to_string();
    let description = text(system, "description")
        .filter(|d| *d != name)
        .map(str::to_string);
    if r.onus {
        let wanted = onus_prop(system, "offering").unwrap_or(&name).to_string();
        let offering = r.take(&wanted, "offering");
        r.note(Key::Offering(offering.clone()), system);
        r.draft.offerings.insert(
            offering.clone(),
            DraftOffering {
                name,
                description,
                runs_on: Vec::new(),
            },
        );
        read_onus(r, &offering);
        leveraged_authorizations(r);
        onus_inherited(r);
        leveraged::apply(r, &offering);
    } else {
        read_foreign(r, name, description)?;
    }
    let customer = r.customer();
    r.draft.fill_gaps(
        &customer,
        "The SSP gives nobody this area: left to the customer.",
    );
    Ok(())
}

/// Every `by-component` of the document, with the control it is for.
fn by_components(doc: &Value) -> Vec<(&str, &Value)> {
    placed_by_components(doc)
        .into_iter()
        .map(|p| (p.control, p.by_component))
        .collect()
}

/// A `by-component` where the document has it: its control's
/// implemented requirement and, when it is in one, its statement.
struct Placed<'d> {
    control: &'d str,
    requirement: &'d Value,
    statement: Option<&'d str>,
    by_component: &'d Value,
}

fn placed_by_components(doc: &Value) -> Vec<Placed<'_>> {
    let mut out = Vec::new();
    for req in list(&doc["control-implementation"], "implemented-requirements") {
        let Some(control) = text(req, "control-id") else {
            continue;
        };
        for b in list(req, "by-components") {
            out.push(Placed {
                control,
                requirement: req,
                statement: None,
                by_component: b,
            });
        }
        for s in list(req, "statements") {
            for b in list(s, "by-components") {
                out.push(Placed {
                    control,
                    requirement: req,
                    statement: text(s, "statement-id"),
                    by_component: b,
                });
            }
        }
    }
    out
}

/// The part of a control a statement is about: `a` of `ac-2_smt.a`;
/// `None` for the whole statement (`ac-2_smt`).
fn part(statement: Option<&str>) -> Option<&str> {
    statement?
        .split_once('.')
        .map(|(_, p)| p)
        .filter(|p| !p.is_empty())
}

/// What the document says of a control's implementation that an onus
/// model has no member for, kept in a holding's note: the
/// `implementation-status` of the by-component, and the `set-parameters`
/// of the by-component and of its requirement.
fn kept(control: &str, req: &Value, b: &Value) -> Option<String> {
    let mut lines = Vec::new();
    if let Some(state) = text(&b["implementation-status"], "state") {
        let mut l = format!("Implementation status of {control}: {state}.");
        if let Some(r) = text(&b["implementation-status"], "remarks") {
            l.push(' ');
            l.push_str(&crate::export::line(r));
        }
        lines.push(l);
    }
    let params: Vec<String> = list(req, "set-parameters")
        .iter()
        .chain(list(b, "set-parameters"))
        .filter_map(|p| {
            let values: Vec<&str> = list(p, "values").iter().filter_map(Value::as_str).collect();
            Some(format!("{} = {}", text(p, "param-id")?, values.join(", ")))
        })
        .collect();
    if !params.is_empty() {
        lines.push(format!("Parameters of {control}: {}.", params.join("; ")));
    }
    (!lines.is_empty()).then(|| lines.join("\n"))
}

fn read_onus(r: &mut Reader<'_>, offering: &str) {
    let doc = r.doc;
    // Component uuid -> area id.
    let mut areas: Vec<(String, String)> = Vec::new();
    for c in list(&doc["system-implementation"], "components") {
        let Some(area) = onus_prop(c, "area") else {
            continue;
        };
        let name = text(c, "title").unwrap_or("Unnamed").to_string();
        let id = r.take_area(area);
        r.note(Key::Area(id.clone()), c);
        r.draft.areas.insert(
            id.clone(),
            DraftArea {
                description: text(c, "description")
                    .filter(|d| *d != name)
                    .map(str::to_string),
                name,
                group: onus_prop(c, "group").map(str::to_string),
                controls: onus_props(c, "control").map(str::to_string).collect(),
                upstream: Vec::new(),
            },
        );
        for role in list(c, "responsible-roles") {
            for uuid in list(role, "party-uuids").iter().filter_map(Value::as_str) {
                if let Some(party) = r.parties.get(uuid).cloned() {
                    let key = Key::Holding(id.clone(), offering.to_string(), party.clone());
                    r.note(key, role);
                    r.draft.hold(&id, offering, &party, DraftHolding::default());
                }
            }
        }
        if let Some(uuid) = text(c, "uuid") {
            areas.push((uuid.to_string(), id));
        }
    }
    let mut detailed: Vec<String> = Vec::new();
    for (_, b) in by_components(doc) {
        let Some(area) = text(b, "component-uuid")
            .and_then(|u| areas.iter().find(|(uuid, _)| uuid == u))
            .map(|(_, id)| id.clone())
        else {
            continue;
        };
        if detailed.contains(&area) {
            continue;
        }
        detailed.push(area.clone());
        let export = &b["export"];
        // Entries grouped by party, in order.
        let mut parties: Vec<(String, Vec<&Value>)> = Vec::new();
        for e in list(export, "provided")
            .iter()
            .chain(list(export, "responsibilities"))
        {
            let Some(party) = r.named_party(&e["responsible-roles"]) else {
                continue;
            };
            match parties.iter_mut().find(|(p, _)| *p == party) {
                Some((_, entries)) => entries.push(e),
                None => parties.push((party, vec![e])),
            }
        }
        for (party, entries) in parties {
            let mut duties: Vec<DraftDuty> = Vec::new();
            for e in &entries {
                if let Some(d) = text(e, "description") {
                    let duty = r.duty(e, d);
                    if !duties.contains(&duty) {
                        duties.push(duty);
                    }
                }
            }
            let holding = r.holding(entries[0], duties);
            let key = Key::Holding(area.clone(), offering.to_string(), party.clone());
            r.note(key, entries[0]);
            r.draft.hold(&area, offering, &party, holding);
        }
    }
}

fn read_foreign(
    r: &mut Reader<'_>,
    name: String,
    description: Option<String>,
) -> Result<(), Error> {
    let doc = r.doc;
    let system = &doc["system-characteristics"];
    r.foreign_parties();
    // The system's provider: the party whose parts the SSP describes.
    let provider = r.take(&name, "provider");
    r.note(Key::Party(provider.clone()), system);
    r.note(Key::Model("publisher"), system);
    r.note(Key::Model("name"), system);
    r.draft.parties.insert(
        provider.clone(),
        DraftParty {
            name: name.clone(),
            role: Role::Provider,
        },
    );
    r.draft.publisher = provider.clone();
    r.draft.name = name.clone();
    let customer = r.customer();
    // The offering's id: the system's short name or an identifier that is
    // not a UUID, else its name; never the provider's id.
    let is_uuid = |s: &str| s.len() == 36 && s.matches('-').count() == 4;
    let wanted = std::iter::once(text(system, "system-name-short"))
        .chain(list(system, "system-ids").iter().map(|s| text(s, "id")))
        .flatten()
        .find(|id| !is_uuid(id) && !kebab(id).is_empty() && kebab(id) != provider)
        .map_or_else(|| format!("{name} offering"), str::to_string);
    let offering = r.take(&wanted, "system");
    r.note(Key::Offering(offering.clone()), system);
    r.draft.offerings.insert(
        offering.clone(),
        DraftOffering {
            name,
            description,
            runs_on: Vec::new(),
        },
    );
    let framework = r.framework(text(&doc["import-profile"], "href").unwrap_or("controls"));
    r.note(Key::Framework(framework.clone()), &doc["import-profile"]);

    // Component uuid -> (title, description).
    let components: Vec<(&str, &str, Option<&str>)> =
        list(&doc["system-implementation"], "components")
            .iter()
            .filter_map(|c| {
                Some((
                    text(c, "uuid")?,
                    text(c, "title").unwrap_or("Component"),
                    text(c, "description"),
                ))
            })
            .collect();
    let authorizations = leveraged_authorizations(r);
    let mut areas: Vec<(String, String)> = Vec::new();
    for placed in placed_by_components(doc) {
        let (control, b) = (placed.control, placed.by_component);
        let label = |d: &str| match part(placed.statement) {
            Some(p) => format!("{control} part {p}: {d}"),
            None => d.to_string(),
        };
        let Some(uuid) = text(b, "component-uuid") else {
            continue;
        };
        let area = match areas.iter().find(|(u, _)| u == uuid) {
            Some((_, id)) => id.clone(),
            None => {
                let (title, description) = components
                    .iter()
                    .find(|(u, _, _)| *u == uuid)
                    .map_or(("Component", None), |(_, t, d)| (*t, *d));
                let id = r.take_area(title);
                let declared = list(&doc["system-implementation"], "components")
                    .iter()
                    .find(|c| text(c, "uuid") == Some(uuid));
                r.note(Key::Area(id.clone()), declared.unwrap_or(b));
                r.draft.areas.insert(
                    id.clone(),
                    DraftArea {
                        name: title.to_string(),
                        description: description.filter(|d| *d != title).map(str::to_string),
                        ..DraftArea::default()
                    },
                );
                areas.push((uuid.to_string(), id.clone()));
                id
            }
        };
        let reference = format!("{framework}:{control}");
        let a = r.draft.areas.get_mut(&area).expect("declared above");
        if !a.controls.contains(&reference) {
            a.controls.push(reference);
        }
        let party_of = |r: &Reader<'_>, roles: &Value| {
            r.named_party(roles)
                .filter(|p| r.draft.parties[p].role != Role::Customer)
                .unwrap_or_else(|| provider.clone())
        };
        let held = |area: &String, party: &String| {
            Key::Holding(area.clone(), offering.clone(), party.clone())
        };
        let own = party_of(r, &b["responsible-roles"]);
        if let Some(d) = text(b, "description") {
            r.note(held(&area, &own), b);
            let mut h = duty(&label(d));
            h.note = kept(control, placed.requirement, b);
            r.draft.hold(&area, &offering, &own, h);
        }
        let export = &b["export"];
        for e in list(export, "provided") {
            let party = party_of(r, &e["responsible-roles"]);
            if let Some(d) = text(e, "description") {
                r.note(held(&area, &party), e);
                r.draft.hold(&area, &offering, &party, duty(&label(d)));
            }
        }
        for e in list(export, "responsibilities") {
            if let Some(d) = text(e, "description") {
                r.note(held(&area, &customer), e);
                r.draft.hold(&area, &offering, &customer, duty(&label(d)));
            }
        }
        // The leveraging side: what is inherited is held by the leveraged
        // system's provider; what the system satisfies of the leveraged
        // system's responsibilities, by the system itself.
        let component = list(&doc["system-implementation"], "components")
            .iter()
            .find(|c| text(c, "uuid") == Some(uuid));
        let from = component
            .and_then(|c| {
                list(c, "props")
                    .iter()
                    .find(|p| text(p, "name") == Some("leveraged-authorization-uuid"))
            })
            .and_then(|p| text(p, "value"))
            .and_then(|la| authorizations.iter().find(|(u, _)| u == la))
            .map(|(_, party)| party.clone())
            // A component that names no authorization, in a document
            // that leverages one: what it inherits is from that one.
            .or_else(|| match authorizations.as_slice() {
                [(_, party)] => Some(party.clone()),
                _ => None,
            });
        for e in list(b, "inherited") {
            if let Some(up) = leveraged::find(r, e, component, control, Some(&area), None) {
                r.note(held(&area, &up), e);
                continue;
            }
            let party = from
                .clone()
                .unwrap_or_else(|| party_of(r, &e["responsible-roles"]));
            if let Some(d) = text(e, "description") {
                r.note(held(&area, &party), e);
                r.draft.hold(&area, &offering, &party, duty(&label(d)));
            }
        }
        for e in list(b, "satisfied") {
            let party = party_of(r, &e["responsible-roles"]);
            if let Some(d) = text(e, "description") {
                r.note(held(&area, &party), e);
                r.draft.hold(&area, &offering, &party, duty(&label(d)));
            }
        }
    }
    if r.draft.areas.is_empty() {
        return Err(Error::NothingToImport {
            path: None,
            what: "no implemented requirement names a component (`by-components`)".into(),
        });
    }
    leveraged::apply(r, &offering);
    r.drop_idle_parties();
    Ok(())
}

/// The `inherited` entries of an onus export (its leveraged systems'
/// by-components), looked up in the upstreams given: each names the
/// party (a holder reached through the upstream, flattened) and the
/// control.
fn onus_inherited(r: &mut Reader<'_>) {
    if r.links.is_empty() {
        return;
    }
    let doc = r.doc;
    let components = list(&doc["system-implementation"], "components");
    for placed in placed_by_components(doc) {
        let b = placed.by_component;
        let component = text(b, "component-uuid")
            .and_then(|u| components.iter().find(|c| text(c, "uuid") == Some(u)));
        for e in list(b, "inherited") {
            let party = r.named_party(&e["responsible-roles"]);
            leveraged::find(r, e, component, placed.control, None, party.as_deref());
        }
    }
}

/// The document's leveraged authorizations, as (uuid, party): each one's
/// party when the document names that organization, else (an SSP not
/// written by onus) a third party named after it. An onus upstream needs
/// the upstream's model, which an SSP does not carry: each one not given
/// a model (`--upstream`) is written in the header as the `upstreams:`
/// entry to add once that model is written.
fn leveraged_authorizations(r: &mut Reader<'_>) -> Vec<(String, String)> {
    let doc = r.doc;
    let mut out = Vec::new();
    let mut entries = Vec::new();
    for la in leveraged::authorizations(doc) {
        let party = match text(la.value, "party-uuid").and_then(|p| r.parties.get(p)) {
            Some(p) => Some(p.clone()),
            None if r.onus => None,
            None => {
                let id = r.take(&format!("{} provider", la.title), "leveraged");
                r.note(Key::Party(id.clone()), la.value);
                r.draft.parties.insert(
                    id.clone(),
                    DraftParty {
                        name: crate::export::line(la.title),
                        role: Role::ThirdParty,
                    },
                );
                Some(id)
            }
        };
        if let Some(p) = &party {
            out.push((la.uuid.to_string(), p.clone()));
        }
        if r.links.iter().any(|l| l.authorization == la.uuid) {
            continue;
        }
        let id = &la.id;
        let mut entry = format!("  {id}: {{ model: {id}.onus.yaml");
        if let Some(date) = la.date {
            entry.push_str(&format!(", authorized: {date}"));
        }
        if let Some(package) = la.package {
            entry.push_str(&format!(
                ", fedramp-package: {}",
                crate::export::line(package)
            ));
        }
        entry.push_str(&format!(" }}  # {}", crate::export::line(la.title)));
        if let Some(p) = &party {
            entry.push_str(&format!(", held here by `{p}`"));
        }
        entries.push(entry);
    }
    if !entries.is_empty() {
        r.draft.header.push(
            "Leveraged authorizations: write each one's onus model, then add it as an upstream \
             (or import again with `--upstream ID=PATH`):"
                .into(),
        );
        r.draft.header.push("upstreams:".into());
        r.draft.header.extend(entries);
    }
    out
}

fn duty(text: &str) -> DraftHolding {
    DraftHolding {
        duties: vec![text.into()],
        ..DraftHolding::default()
    }
}
