//! An SSP's leveraged authorizations, and the upstreams the user names for
//! them (`onus oscal import SSP --upstream NAME=PATH`).
//!
//! Without a model, a leveraged authorization is a comment in the draft's
//! header (the `upstreams:` entry to add) and what the SSP inherits from it
//! is held by a party named after it. With the upstream's model, the
//! authorization is a real `upstreams:` entry: the upstream is exported as
//! `onus oscal export --kind ssp` would (each offering, without its own
//! upstreams), and an `inherited` entry whose `provided-uuid` is one of that
//! export's `provided` entries is inheritance from the upstream's area that
//! holds the entry: the draft's area inherits (`UPSTREAM: ~` in its cell),
//! stands for that area (`upstream:`), and the offering runs on the
//! upstream's offering. An entry that matches nothing stays as before, and
//! the header says how many did not match.

use std::collections::HashMap;

use serde_json::Value;

use onus_core::model::{is_valid_id, Role};
use onus_core::resolve::Matrix;

use super::draft::{DraftArea, DraftHolding, DraftUpstream};
use super::{kebab, list, onus_prop, text, Reader};
use crate::export;
use crate::export::ssp::FEDRAMP_NS;
use crate::Error;

/// An upstream's model, named for one of the SSP's leveraged
/// authorizations.
#[derive(Clone, Copy, Debug)]
pub struct Upstream<'a> {
    /// The leveraged authorization it is the model of: its id (its title
    /// in kebab case, or the upstream id an onus export wrote in its
    /// `upstream` prop), its FedRAMP package id (the
    /// `leveraged-system-identifier` prop) or its uuid. The upstream's id
    /// in the draft is the name when it is the id or the title, else the
    /// authorization's id.
    pub name: &'a str,
    /// The path written as the upstream's `model:`, relative to the draft.
    pub model: &'a str,
    /// The upstream model, resolved.
    pub matrix: &'a Matrix,
}

/// A `leveraged-authorizations` entry.
pub(crate) struct Authorization<'d> {
    pub uuid: &'d str,
    pub title: &'d str,
    /// Its id in the draft: the onus `upstream` prop, else the kebab case
    /// of its title.
    pub id: String,
    pub package: Option<&'d str>,
    /// `date-authorized`, as a date.
    pub date: Option<&'d str>,
    pub value: &'d Value,
}

impl<'d> Authorization<'d> {
    fn names(&self, name: &str) -> bool {
        name == self.id
            || name == kebab(self.title)
            || Some(name) == self.package
            || name == self.uuid
    }
}

/// The document's leveraged authorizations (those with a uuid and a title).
pub(crate) fn authorizations(doc: &Value) -> Vec<Authorization<'_>> {
    list(&doc["system-implementation"], "leveraged-authorizations")
        .iter()
        .filter_map(|la| {
            let (uuid, title) = (text(la, "uuid")?, text(la, "title")?);
            let id = onus_prop(la, "upstream")
                .filter(|id| is_valid_id(id))
                .map_or_else(|| kebab(title), str::to_string);
            let package = list(la, "props")
                .iter()
                .find(|p| {
                    text(p, "name") == Some("leveraged-system-identifier")
                        && text(p, "ns").is_none_or(|ns| ns == FEDRAMP_NS)
                })
                .and_then(|p| text(p, "value"));
            Some(Authorization {
                uuid,
                title,
                id: if id.is_empty() {
                    "leveraged".to_string()
                } else {
                    id
                },
                package,
                date: text(la, "date-authorized").map(|d| d.get(..10).unwrap_or(d)),
                value: la,
            })
        })
        .collect()
}

/// A `provided` entry of an upstream's own SSP export.
#[derive(Clone, Debug)]
pub(crate) struct Provided {
    /// The upstream's offering and area.
    pub offering: String,
    pub area: String,
    /// The duty, as the export words it.
    pub text: String,
}

/// An inherited entry found in an upstream's export: of the draft area
/// the entry's by-component is about (an SSP not written by onus), or of
/// the draft party its `responsible-roles` name, for a control (an onus
/// export: its leveraged system's by-components are per control).
#[derive(Clone, Debug)]
pub(crate) struct Found {
    pub area: Option<String>,
    pub party: Option<String>,
    pub control: String,
    pub provided: Provided,
}

/// A leveraged authorization with the upstream model the user gave.
pub(crate) struct Link {
    /// The upstream's id in the draft.
    pub id: String,
    /// The authorization's uuid.
    pub authorization: String,
    title: String,
    model: String,
    /// `provided` uuid -> the entry, over every offering of the upstream.
    provided: HashMap<String, Provided>,
    /// The upstream's offerings, with the areas whose cell gives a part
    /// to its customer (id, name).
    offerings: Vec<(String, Vec<(String, String)>)>,
    pub found: Vec<Found>,
    pub unmatched: usize,
}

/// Links each upstream given to the authorization it names: the upstream
/// ids taken, and [`Error::UnknownLeveraged`] for a name that names none.
pub(crate) fn link(doc: &Value, upstreams: &[Upstream<'_>]) -> Result<Vec<Link>, Error> {
    let all = authorizations(doc);
    let mut links = Vec::new();
    for u in upstreams {
        let Some(la) = all.iter().find(|la| la.names(u.name)) else {
            return Err(Error::UnknownLeveraged {
                path: None,
                name: u.name.to_string(),
                known: all.iter().map(|la| la.id.clone()).collect(),
            });
        };
        if links.iter().any(|l: &Link| l.authorization == la.uuid) {
            return Err(Error::LeveragedTwice {
                path: None,
                name: u.name.to_string(),
                id: la.id.clone(),
            });
        }
        // Named by its id or title: that name; by its package id or uuid,
        // which identify rather than name it: its id.
        let named = u.name == la.id || u.name == kebab(la.title);
        let id = match named && is_valid_id(u.name) && u.name.len() <= super::MAX_ID {
            true => u.name.to_string(),
            false => la.id.clone(),
        };
        links.push(Link {
            id,
            authorization: la.uuid.to_string(),
            title: export::line(la.title),
            model: u.model.to_string(),
            provided: provided(u.matrix),
            offerings: u
                .matrix
                .offerings
                .iter()
                .map(|o| {
                    let parts = o
                        .areas
                        .iter()
                        .filter(|a| {
                            a.holders
                                .iter()
                                .any(|h| h.via.is_empty() && h.role == Role::Customer)
                        })
                        .map(|a| (a.id.to_string(), a.name.to_string()))
                        .collect();
                    (o.id.clone(), parts)
                })
                .collect(),
            found: Vec::new(),
            unmatched: 0,
        });
    }
    Ok(links)
}

/// Every `provided` entry of the upstream's SSP exports (one per offering
/// that has one), by uuid: the uuids a leveraging SSP points at.
fn provided(matrix: &Matrix) -> HashMap<String, Provided> {
    let mut out = HashMap::new();
    for o in &matrix.offerings {
        let Ok(doc) = export::ssp::export(export::Input::new(matrix), o) else {
            continue;
        };
        let root = &doc["system-security-plan"];
        let areas: HashMap<&str, &str> = list(&root["system-implementation"], "components")
            .iter()
            .filter_map(|c| Some((text(c, "uuid")?, onus_prop(c, "area")?)))
            .collect();
        for req in list(&root["control-implementation"], "implemented-requirements") {
            for st in list(req, "statements") {
                for b in list(st, "by-components") {
                    let Some(area) = text(b, "component-uuid").and_then(|u| areas.get(u)) else {
                        continue;
                    };
                    for p in list(&b["export"], "provided") {
                        let Some(uuid) = text(p, "uuid") else {
                            continue;
                        };
                        out.insert(
                            uuid.to_string(),
                            Provided {
                                offering: o.id.clone(),
                                area: area.to_string(),
                                text: text(p, "description").unwrap_or_default().to_string(),
                            },
                        );
                    }
                }
            }
        }
    }
    out
}

/// The link an inherited entry of `component` (the by-component's) is
/// counted against: the authorization the component names, else the only
/// one the document leverages.
pub(crate) fn link_of(r: &Reader<'_>, component: Option<&Value>) -> Option<usize> {
    let named = component
        .and_then(|c| {
            list(c, "props")
                .iter()
                .find(|p| text(p, "name") == Some("leveraged-authorization-uuid"))
        })
        .and_then(|p| text(p, "value"));
    match named {
        Some(la) => r.links.iter().position(|l| l.authorization == la),
        None if authorizations(r.doc).len() == 1 => (!r.links.is_empty()).then_some(0),
        None => None,
    }
}

/// Looks up the inherited entry `e` (for `control`, in the by-component of
/// `component`) in the upstreams' exports: the upstream's id when found
/// (noted as `area`'s or `party`'s), else `None` (counted as unmatched).
pub(crate) fn find(
    r: &mut Reader<'_>,
    e: &Value,
    component: Option<&Value>,
    control: &str,
    area: Option<&str>,
    party: Option<&str>,
) -> Option<String> {
    if r.links.is_empty() {
        return None;
    }
    let uuid = text(e, "provided-uuid").unwrap_or_default();
    let Some(link) = r.links.iter_mut().find(|l| l.provided.contains_key(uuid)) else {
        if let Some(i) = link_of(r, component) {
            r.links[i].unmatched += 1;
        }
        return None;
    };
    let provided = link.provided[uuid].clone();
    link.found.push(Found {
        area: area.map(str::to_string),
        party: party.map(str::to_string),
        control: control.to_string(),
        provided,
    });
    Some(link.id.clone())
}

/// Turns what was found into the draft's upstreams, `runs-on`, `upstream:`
/// lists and inherited cells, in `offering`; claims what each upstream
/// leaves to its customer that no area stands for; says in the header how
/// each was used.
pub(crate) fn apply(r: &mut Reader<'_>, offering: &str) {
    let links = std::mem::take(&mut r.links);
    for link in &links {
        let la = authorizations(r.doc)
            .into_iter()
            .find(|la| la.uuid == link.authorization)
            .expect("linked to one");
        r.note(super::draft::Key::Upstream(link.id.clone()), la.value);
        r.draft.upstreams.insert(
            link.id.clone(),
            DraftUpstream {
                model: link.model.clone(),
                authorized: la.date.map(str::to_string),
                fedramp_package: la.package.map(export::line),
            },
        );
        // The offering run on: the one most entries are found in (an
        // upstream of one offering: that one).
        let mut counts: Vec<(&str, usize)> = Vec::new();
        for f in &link.found {
            match counts.iter_mut().find(|(o, _)| *o == f.provided.offering) {
                Some((_, n)) => *n += 1,
                None => counts.push((&f.provided.offering, 1)),
            }
        }
        let on = counts
            .iter()
            .max_by_key(|(_, n)| *n)
            .map(|(o, _)| o.to_string())
            .or_else(|| match link.offerings.as_slice() {
                [(o, _)] => Some(o.clone()),
                _ => None,
            });
        let found: Vec<&Found> = link
            .found
            .iter()
            .filter(|f| Some(&f.provided.offering) == on.as_ref())
            .collect();
        let unmatched = link.unmatched + link.found.len() - found.len();
        let parts: &[(String, String)] = on
            .as_ref()
            .and_then(|on| link.offerings.iter().find(|(o, _)| o == on))
            .map_or(&[], |(_, p)| p.as_slice());
        let inheriting = inherit(r, offering, &link.id, &found, parts);

        let mut claimed = Vec::new();
        if let Some(on) = &on {
            let o = r.draft.offerings.get_mut(offering).expect("the offering");
            o.runs_on.push((link.id.clone(), on.clone()));
            for (up_area, name) in parts {
                if !stood_for(r, &link.id, up_area) {
                    claimed.push(claim(r, offering, &link.id, up_area, name));
                }
            }
        }

        r.draft.header.push(format!(
            "Leveraged authorization \"{}\" is the upstream `{}` ({}){}: {} of its \
             inherited entries found in the upstream's own SSP export, inherited in {}.",
            link.title,
            link.id,
            link.model,
            on.as_ref()
                .map_or(String::new(), |o| format!(", offering `{o}`")),
            found.len(),
            match inheriting.as_slice() {
                [] => "no area".to_string(),
                areas => format!("`{}`", areas.join("`, `")),
            }
        ));
        if unmatched > 0 {
            r.draft.header.push(format!(
                "{unmatched} inherited {} nothing in `{}`'s export: held as the SSP says, by \
                 the leveraged system's provider.",
                if unmatched == 1 {
                    "entry matched"
                } else {
                    "entries matched"
                },
                link.id
            ));
        }
        if on.is_none() {
            r.draft.header.push(format!(
                "No offering of `{}` was found to run on: add `runs-on` to the offering.",
                link.id
            ));
        }
        if !claimed.is_empty() {
            r.draft.header.push(format!(
                "`{}` leaves a part to its customer in areas no area of the SSP stands for; \
                 each is an area here, held by the publisher: `{}`.",
                link.id,
                claimed.join("`, `")
            ));
        }
    }
}

/// Makes the draft areas of `found` inherit from `upstream` in `offering`:
/// the area of each entry (an SSP not written by onus), or the areas that
/// the entry's party holds and that map its control (an onus export,
/// whose holders of the upstream's parts were flattened into parties:
/// those holdings become the upstream's). An area inherited alone where
/// the upstream leaves a part to its customer (`parts`) is the
/// publisher's too. Gives the areas that inherit.
fn inherit(
    r: &mut Reader<'_>,
    offering: &str,
    upstream: &str,
    found: &[&Found],
    parts: &[(String, String)],
) -> Vec<String> {
    // Draft area -> upstream areas it stands for, in order.
    let mut stands: Vec<(String, Vec<String>)> = Vec::new();
    let mut add = |area: &str, up: &str| match stands.iter_mut().find(|(a, _)| a == area) {
        Some((_, list)) if !list.iter().any(|u| u == up) => list.push(up.to_string()),
        Some(_) => {}
        None => stands.push((area.to_string(), vec![up.to_string()])),
    };
    let mut replaced: Vec<(String, String)> = Vec::new();
    for f in found {
        if let Some(area) = &f.area {
            add(area, &f.provided.area);
        }
    }
    let areas: Vec<(String, Vec<String>)> = r
        .draft
        .areas
        .iter()
        .map(|(id, a)| (id.clone(), a.controls.clone()))
        .collect();
    for (area, controls) in &areas {
        let Some(holders) = r.draft.cells.get(area).and_then(|c| c.get(offering)) else {
            continue;
        };
        for (party, holding) in holders {
            let maps = |control: &str| {
                controls.iter().any(|c| {
                    let id = c.split_once(':').map_or(c.as_str(), |(_, id)| id);
                    crate::control_id::covers(id, control)
                })
            };
            let candidates: Vec<&Found> = found
                .iter()
                .copied()
                .filter(|f| f.party.as_deref() == Some(party.as_str()) && maps(&f.control))
                .collect();
            if candidates.is_empty() {
                continue;
            }
            // The upstream areas whose duties this holding has, when some
            // have: an area mapped to a control with another that the
            // party holds too does not stand for that other one.
            let own: Vec<&Found> = candidates
                .iter()
                .copied()
                .filter(|f| holding.duties.iter().any(|d| d.text == f.provided.text))
                .collect();
            let chosen = if own.is_empty() { candidates } else { own };
            for f in chosen {
                add(area, &f.provided.area);
            }
            replaced.push((area.clone(), party.clone()));
        }
    }
    // The flattened parties' holdings become the upstream's: what this
    // model adds to them (practices, evidence) stays on the upstream key.
    for (area, party) in &replaced {
        let Some(holders) = r
            .draft
            .cells
            .get_mut(area)
            .and_then(|c| c.get_mut(offering))
        else {
            continue;
        };
        let Some(at) = holders.iter().position(|(p, _)| p == party) else {
            continue;
        };
        let (_, old) = holders.remove(at);
        let holding = DraftHolding {
            how: old.how,
            evidence: old.evidence,
            ..DraftHolding::default()
        };
        match holders.iter_mut().find(|(p, _)| p == upstream) {
            Some((_, h)) => h.merge(holding),
            None => holders.insert(at, (upstream.to_string(), holding)),
        }
    }
    let publisher = r.draft.publisher.clone();
    let customer = r.customer();
    for (_, party) in &replaced {
        let holds = r
            .draft
            .cells
            .values()
            .flat_map(|c| c.values())
            .any(|h| h.iter().any(|(p, _)| p == party));
        if !holds && *party != publisher && *party != customer {
            r.draft.parties.shift_remove(party);
        }
    }
    let mut inheriting = Vec::new();
    for (area, ups) in stands {
        // Upstream ids are not party ids: an SSP read without onus holds
        // the area through the upstream here.
        r.draft
            .hold(&area, offering, upstream, DraftHolding::default());
        let alone = r.draft.cells[&area][offering].len() == 1;
        if alone && ups.iter().any(|u| parts.iter().any(|(p, _)| p == u)) {
            r.draft
                .hold(&area, offering, &publisher, customer_part(upstream));
        }
        if let Some(a) = r.draft.areas.get_mut(&area) {
            // An area stands for the upstream's area of its id unless told.
            if ups != [area.clone()] {
                a.upstream.push((upstream.to_string(), ups));
            }
        }
        inheriting.push(area);
    }
    inheriting
}

/// Whether some draft area stands for `up_area` of `upstream`.
fn stood_for(r: &Reader<'_>, upstream: &str, up_area: &str) -> bool {
    r.draft.areas.iter().any(
        |(id, a)| match a.upstream.iter().find(|(u, _)| u == upstream) {
            Some((_, list)) => list.iter().any(|u| u == up_area),
            None => id == up_area,
        },
    )
}

/// An area for `up_area` of `upstream`, which gives a part to its customer
/// (this system) that the SSP says nothing of: held by the publisher, who
/// is the upstream's customer, so the check finds it claimed and the
/// upstream's customer duties are the publisher's. Gives its id.
fn claim(r: &mut Reader<'_>, offering: &str, upstream: &str, up_area: &str, name: &str) -> String {
    let id = r.take_area(up_area);
    let publisher = r.draft.publisher.clone();
    r.draft.areas.insert(
        id.clone(),
        DraftArea {
            name: name.to_string(),
            description: Some(format!(
                "The upstream `{upstream}` leaves part of its area `{up_area}` to its customer, \
                 this system; the SSP does not say how that part is done."
            )),
            upstream: match id == up_area {
                true => Vec::new(),
                false => vec![(upstream.to_string(), vec![up_area.to_string()])],
            },
            ..DraftArea::default()
        },
    );
    r.draft
        .hold(&id, offering, &publisher, customer_part(upstream));
    id
}

/// The publisher's holding of what `upstream` leaves to its customer.
fn customer_part(upstream: &str) -> DraftHolding {
    DraftHolding {
        note: Some(format!(
            "What `{upstream}` leaves to its customer here; review it."
        )),
        ..DraftHolding::default()
    }
}
