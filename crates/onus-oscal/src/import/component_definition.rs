//! Reading a component definition.
//!
//! Written by onus: capabilities with an `offering` prop are the offerings,
//! those with an `area` prop the areas; each control implementation of a
//! component is its party's holding of one area in one offering (its
//! description holds the duties, one paragraph each).
//!
//! Any other: each component is an offering, provided by the party its
//! `responsible-roles` name (or a party named after it); each control it
//! implements is an area. The requirement's and each statement's
//! description are duties: the customer's when their `responsible-roles`
//! name only the customer role, else the provider's.

use serde_json::Value;

use onus_core::model::Role;

use super::draft::{DraftArea, DraftDuty, DraftHolding, DraftOffering, DraftParty, Key};
use super::{area_id_of_control, customer_only, kebab, list, onus_prop, onus_props, text, Reader};
use crate::crm::control_label;
use crate::Error;

pub(crate) fn read(r: &mut Reader<'_>) -> Result<(), Error> {
    if r.onus {
        read_onus(r);
    } else {
        read_foreign(r)?;
    }
    let customer = r.customer();
    r.draft.fill_gaps(
        &customer,
        "No component of the component definition holds this area here: left to the customer.",
    );
    Ok(())
}

fn read_onus(r: &mut Reader<'_>) {
    let doc = r.doc;
    for c in list(doc, "capabilities") {
        let name = text(c, "name").unwrap_or("Unnamed").to_string();
        let description = text(c, "description")
            .filter(|d| *d != name)
            .map(str::to_string);
        if let Some(id) = onus_prop(c, "offering") {
            let id = r.take(id, "offering");
            r.note(Key::Offering(id.clone()), c);
            r.draft.offerings.insert(
                id,
                DraftOffering {
                    name,
                    description,
                    runs_on: Vec::new(),
                },
            );
        } else if let Some(id) = onus_prop(c, "area") {
            let id = r.take_area(id);
            r.note(Key::Area(id.clone()), c);
            r.draft.areas.insert(
                id,
                DraftArea {
                    name,
                    group: onus_prop(c, "group").map(str::to_string),
                    description,
                    controls: onus_props(c, "control").map(str::to_string).collect(),
                    upstream: Vec::new(),
                },
            );
        }
    }
    for component in list(doc, "components") {
        let party = onus_prop(component, "party")
            .map(str::to_string)
            .or_else(|| r.named_party(&component["responsible-roles"]));
        let Some(party) = party.filter(|p| r.draft.parties.contains_key(p)) else {
            continue;
        };
        for ci in list(component, "control-implementations") {
            let (Some(offering), Some(area)) = (onus_prop(ci, "offering"), onus_prop(ci, "area"))
            else {
                continue;
            };
            if !r.draft.offerings.contains_key(offering) || !r.draft.areas.contains_key(area) {
                continue;
            }
            let duties = text(ci, "description")
                .map(|d| d.split("\n\n").map(DraftDuty::from).collect())
                .unwrap_or_default();
            let mut holding = r.holding(ci, duties);
            holding.note = list(ci, "implemented-requirements")
                .iter()
                .find_map(|req| text(req, "remarks"))
                .map(str::to_string);
            let key = Key::Holding(area.to_string(), offering.to_string(), party.clone());
            r.note(key, ci);
            r.draft.hold(area, offering, &party, holding);
        }
    }
}

fn read_foreign(r: &mut Reader<'_>) -> Result<(), Error> {
    let doc = r.doc;
    r.foreign_parties();
    let components = list(doc, "components");
    if components.is_empty() {
        return Err(Error::NothingToImport {
            path: None,
            what: "it defines no component".into(),
        });
    }
    let customer = r.customer();
    for component in components {
        let title = text(component, "title").unwrap_or("Component");
        let party = match r.named_party(&component["responsible-roles"]) {
            Some(p) if r.draft.parties[&p].role != Role::Customer => p,
            _ => {
                let id = r.take(title, "provider");
                r.note(Key::Party(id.clone()), component);
                r.draft.parties.insert(
                    id.clone(),
                    DraftParty {
                        name: title.to_string(),
                        role: Role::Provider,
                    },
                );
                id
            }
        };
        if r.draft.publisher.is_empty() {
            r.draft.publisher = party.clone();
            r.draft.name = r.draft.parties[&party].name.clone();
            r.note(Key::Model("publisher"), component);
            r.note(Key::Model("name"), component);
        }
        // The offering is the component; its id must not be the party's.
        let kind = text(component, "type").unwrap_or("component");
        let wanted = if kebab(title) == party {
            format!("{title} {kind}")
        } else {
            title.to_string()
        };
        let offering = r.take(&wanted, "offering");
        r.note(Key::Offering(offering.clone()), component);
        r.draft.offerings.insert(
            offering.clone(),
            DraftOffering {
                name: title.to_string(),
                description: text(component, "description").map(str::to_string),
                runs_on: Vec::new(),
            },
        );
        for ci in list(component, "control-implementations") {
            let framework = r.framework(text(ci, "source").unwrap_or("controls"));
            r.note(Key::Framework(framework.clone()), ci);
            for req in list(ci, "implemented-requirements") {
                let Some(control) = text(req, "control-id") else {
                    continue;
                };
                let area = area_for(r, control, &framework);
                r.note(Key::Area(area.clone()), req);
                for party in [&party, &customer] {
                    let key = Key::Holding(area.clone(), offering.clone(), party.clone());
                    r.note(key, req);
                }
                let mut provider = Vec::new();
                let mut customer_duties = Vec::new();
                let mut route = |roles: &Value, description: Option<&str>| {
                    if let Some(d) = description {
                        if customer_only(roles) {
                            customer_duties.push(d.to_string());
                        } else {
                            provider.push(d.to_string());
                        }
                    }
                };
                route(&req["responsible-roles"], text(req, "description"));
                for s in list(req, "statements") {
                    route(&s["responsible-roles"], text(s, "description"));
                }
                if !provider.is_empty() || customer_duties.is_empty() {
                    let holding = plain(provider);
                    r.draft.hold(&area, &offering, &party, holding);
                }
                if !customer_duties.is_empty() {
                    r.draft
                        .hold(&area, &offering, &customer, plain(customer_duties));
                }
            }
        }
    }
    if r.draft.areas.is_empty() {
        return Err(Error::NothingToImport {
            path: None,
            what: "no component implements a control".into(),
        });
    }
    r.drop_idle_parties();
    Ok(())
}

/// The area standing for `control` (one per control id, whatever the
/// framework), declared on first use, with `FRAMEWORK:control` mapped.
pub(super) fn area_for(r: &mut Reader<'_>, control: &str, framework: &str) -> String {
    let wanted = area_id_of_control(control);
    let reference = format!("{framework}:{control}");
    let existing = r
        .draft
        .areas
        .iter()
        .find(|(_, a)| {
            a.controls
                .iter()
                .any(|c| c.ends_with(&format!(":{control}")))
        })
        .map(|(id, _)| id.clone());
    let id = match existing {
        Some(id) => id,
        None => {
            let id = r.take_area(&wanted);
            r.draft.areas.insert(
                id.clone(),
                DraftArea {
                    name: control_label(control),
                    ..DraftArea::default()
                },
            );
            id
        }
    };
    let area = r.draft.areas.get_mut(&id).expect("declared above");
    if !area.controls.contains(&reference) {
        area.controls.push(reference);
    }
    id
}

fn plain(duties: Vec<String>) -> DraftHolding {
    let mut h = DraftHolding::default();
    for d in duties {
        let d = DraftDuty::from(d.as_str());
        if !d.text.trim().is_empty() && !h.duties.contains(&d) {
            h.duties.push(d);
        }
    }
    h
}
