//! The build: one model's matrix, cell by cell, from its own holdings and
//! its upstreams' resolved matrices ([`super::upstream`]).

use std::sync::Arc;

use rustc_hash::FxHashMap;

use super::matrix::{
    AreaInfo, Duties, Matrix, PartyInfo, RefIds, ResolvedArea, ResolvedHolder, ResolvedOffering,
};
use super::merge::{annotate, merge};
use super::upstream::{Inherit, Up};
use super::{Resolver, Scope};
use crate::load::ModelId;
use crate::model::{Cell, CellBody, Holder, Holding, Model, Offering, RefKind, Role};
use crate::text::{Text, Texts};

/// A holder: party id, name and role.
#[derive(Clone, Debug)]
pub(super) struct Who {
    pub party: Text,
    pub name: Text,
    pub role: Role,
}

impl Who {
    /// This party holding nothing yet.
    pub fn holder(&self) -> ResolvedHolder {
        ResolvedHolder {
            party: self.party.clone(),
            name: self.name.clone(),
            role: self.role,
            scopes: Texts::default(),
            duties: Duties::default(),
            how: RefIds::none(RefKind::Practice),
            evidence: RefIds::none(RefKind::Evidence),
            note: None,
            via: Texts::default(),
        }
    }
}

/// An upstream that an offering runs on: its slot (index in the model's
/// `upstreams`) and the upstream offering consumed.
#[derive(Clone, Copy)]
struct UpstreamOffering<'a> {
    slot: usize,
    offering: &'a str,
}

/// What a holder id of a cell names.
#[derive(Clone, Copy)]
enum Kind {
    /// A party of the model, by index, and the upstream of the same id
    /// if there is one (an error, reported by the checker).
    Party(usize, Option<usize>),
    /// An upstream of the model, by index.
    Upstream(usize),
}

/// What one model's resolution keeps while it goes.
struct Build<'a> {
    matrix: Matrix,
    holder_kind: FxHashMap<&'a str, Kind>,
    /// The model's parties as holders.
    parties: Vec<Who>,
    /// Upstream slot -> its `as` party as a holder (a provider under its
    /// own id if the model lacks it: reported by the checker).
    as_holders: Vec<Who>,
}

impl<'a> Resolver<'a> {
    /// Upstream `slot` (its index in `m.upstreams`) of model `id`, resolved.
    /// `as_holder`: the upstream's `as` party, as a holder of this model.
    fn upstream(
        &mut self,
        id: ModelId,
        m: &'a Model,
        slot: usize,
        as_holder: &Who,
    ) -> Option<Up<'a>> {
        let (name, _) = m.upstreams.get_index(slot)?;
        let target = (*self.set.get(id).upstreams.get(name)?)?;
        let matrix = self.resolve(target)?;
        let model = self.set.model(target)?;
        let parts_only = self.scope == Scope::CustomerParts;
        Some(Up::new(
            m,
            name,
            matrix,
            model,
            as_holder.clone(),
            parts_only,
        ))
    }

    pub(super) fn build(&mut self, id: ModelId, m: &'a Model) -> Matrix {
        let parts_only = self.scope == Scope::CustomerParts;
        let mut b = Build::new(m);
        // Upstreams are resolved when a cell first needs them.
        let mut ups: Vec<Option<Option<Up<'a>>>> = (0..m.upstreams.len()).map(|_| None).collect();
        let areas = area_infos(m);
        let cells: Vec<Option<&Cell>> = m.areas.keys().map(|a| m.responsibilities.get(a)).collect();
        // What each holder names, looked up once for a cell that is the
        // same in every offering (and per offering for the others).
        let kind = |h: &Holder| b.holder_kind.get(h.id.value.as_str()).copied();
        let same_kinds: Vec<Vec<Option<Kind>>> = cells
            .iter()
            .map(|cell| match cell.map(|c| &c.body) {
                Some(CellBody::Holders(h)) => h.list.iter().map(kind).collect(),
                _ => Vec::new(),
            })
            .collect();
        // The model's own holders, by holder list (its address) and place
        // in it: made the first time, then shared by every offering the
        // list is for (their lists are `Arc`s).
        let mut own_holders: FxHashMap<(usize, usize), ResolvedHolder> = FxHashMap::default();
        let mut offering_kinds = Vec::new();
        let mut holders = Vec::new();
        // Upstream slot -> whether the cell at hand names it.
        let mut named = vec![false; m.upstreams.len()];
        for (oid, offering) in &m.offerings {
            // The upstreams it runs on, in its order.
            let runs_on: Vec<UpstreamOffering<'a>> = offering
                .runs_on
                .iter()
                .filter_map(|(u, r)| {
                    Some(UpstreamOffering {
                        slot: m.upstreams.get_index_of(u)?,
                        offering: r.offering.value.as_str(),
                    })
                })
                .collect();
            let runs_on_slot =
                |slot: usize| runs_on.iter().find(|r| r.slot == slot).map(|r| r.offering);
            let mut resolved_areas = Vec::with_capacity(m.areas.len());
            for (index, (info, cell)) in areas.iter().zip(&cells).enumerate() {
                let list = cell
                    .and_then(|cell| cell.body.for_offering(oid))
                    .map_or(&[][..], |h| &h.list);
                let kinds = match cell.map(|c| &c.body) {
                    Some(CellBody::Holders(_)) => &same_kinds[index],
                    _ => {
                        offering_kinds.clear();
                        offering_kinds.extend(list.iter().map(kind));
                        &offering_kinds
                    }
                };
                holders.clear();
                named.fill(false);
                for (i, (holder, kind)) in list.iter().zip(kinds).enumerate() {
                    match *kind {
                        Some(Kind::Party(p, also_upstream)) => {
                            if let Some(slot) = also_upstream {
                                named[slot] = true;
                            }
                            if parts_only && b.parties[p].role != Role::Customer {
                                continue;
                            }
                            let key = (list.as_ptr() as usize, i);
                            let own = own_holders
                                .entry(key)
                                .or_insert_with(|| b.own_holder(p, holder.holding.as_ref()))
                                .clone();
                            merge(&mut holders, own, true);
                        }
                        Some(Kind::Upstream(slot)) => {
                            named[slot] = true;
                            let Some(up_offering) = runs_on_slot(slot) else {
                                continue;
                            };
                            // Only a customer part that lands on this model's customer is one here.
                            if parts_only && b.as_holders[slot].role != Role::Customer {
                                continue;
                            }
                            let up = ups[slot].get_or_insert_with(|| {
                                self.upstream(id, m, slot, &b.as_holders[slot])
                            });
                            if let Some(up) = up {
                                let what = Inherit::Cell(holder.holding.as_ref());
                                up.inherit(&mut b.matrix, index, up_offering, what, &mut holders);
                            }
                        }
                        None => {}
                    }
                }
                // An upstream's customer part in an area this one claims without
                // inheriting it is the `as` party's to do: when that party holds
                // the area, its duties say so.
                for &UpstreamOffering {
                    slot,
                    offering: up_offering,
                } in &runs_on
                {
                    let as_party = &b.as_holders[slot].party;
                    if named[slot] || (parts_only && b.as_holders[slot].role != Role::Customer) {
                        continue;
                    }
                    // Unless the `as` party's holding says them in its own words.
                    if reworded(list, as_party, m, slot) {
                        continue;
                    }
                    if !holders
                        .iter()
                        .any(|h| h.via.is_empty() && h.party == *as_party)
                    {
                        continue;
                    }
                    let up = ups[slot]
                        .get_or_insert_with(|| self.upstream(id, m, slot, &b.as_holders[slot]));
                    if let Some(up) = up {
                        let what = Inherit::CustomerPart;
                        up.inherit(&mut b.matrix, index, up_offering, what, &mut holders);
                    }
                }
                // Exactly as long as needed (a matrix holds many cells),
                // leaving the scratch list its room for the next cell.
                let mut exact = Vec::with_capacity(holders.len());
                exact.append(&mut holders);
                resolved_areas.push(ResolvedArea {
                    info: Arc::clone(info),
                    holders: exact,
                });
            }
            b.matrix.offerings.push(ResolvedOffering {
                id: oid.clone(),
                name: offering.name.clone(),
                description: offering.description.clone(),
                runs_on: runs_on_pairs(offering),
                areas: resolved_areas,
            });
        }
        b.matrix
    }
}

/// Whether `as_party`'s holding in this cell rewords the customer duties
/// of the upstream in `slot` (`rewords: [UPSTREAM]`).
fn reworded(list: &[Holder], as_party: &str, m: &Model, slot: usize) -> bool {
    list.iter()
        .filter(|h| h.id.value == as_party)
        .filter_map(|h| h.holding.as_ref())
        .flat_map(|h| &h.rewords)
        .any(|u| m.upstreams.get_index_of(&u.value) == Some(slot))
}

fn runs_on_pairs(offering: &Offering) -> Vec<(String, String)> {
    offering
        .runs_on
        .iter()
        .map(|(u, r)| (u.clone(), r.offering.value.clone()))
        .collect()
}

/// Every area of the model, made once and shared by the offerings.
fn area_infos(m: &Model) -> Vec<Arc<AreaInfo>> {
    m.areas
        .iter()
        .map(|(id, area)| {
            Arc::new(AreaInfo {
                id: Text::from(id.as_str()),
                name: area.name.clone(),
                group: area.group.clone(),
                description: area.description.clone(),
                controls: area.controls.iter().map(|c| c.value.clone()).collect(),
            })
        })
        .collect()
}

impl<'a> Build<'a> {
    fn new(m: &'a Model) -> Build<'a> {
        let mut holder_kind = FxHashMap::default();
        for (i, u) in m.upstreams.keys().enumerate() {
            holder_kind.insert(u.as_str(), Kind::Upstream(i));
        }
        for (i, p) in m.parties.keys().enumerate() {
            let upstream = m.upstreams.get_index_of(p);
            holder_kind.insert(p.as_str(), Kind::Party(i, upstream));
        }
        let matrix = Matrix {
            model: m.meta.id.value.clone(),
            name: m.meta.name.clone(),
            title: m.meta.title.clone(),
            version: m.meta.version.clone(),
            description: m.meta.description.clone(),
            url: m.meta.url.clone(),
            publisher: m.meta.publisher.value.clone(),
            parties: m
                .parties
                .iter()
                .map(|(pid, p)| {
                    let info = PartyInfo {
                        name: p.name.clone(),
                        role: p.role,
                        via: Texts::default(),
                    };
                    (pid.clone(), info)
                })
                .collect(),
            references: m.references.clone(),
            frameworks: m.frameworks.clone(),
            offerings: Vec::with_capacity(m.offerings.len()),
        };
        let parties = matrix
            .parties
            .iter()
            .map(|(id, p)| Who {
                party: Text::from(id.as_str()),
                name: p.name.clone(),
                role: p.role,
            })
            .collect();
        let as_holders = m
            .upstreams
            .keys()
            .map(|u| {
                let id = m.as_party(u);
                match m.parties.get(id) {
                    Some(p) => Who {
                        party: Text::from(id),
                        name: p.name.clone(),
                        role: p.role,
                    },
                    None => Who {
                        party: Text::from(id),
                        name: Text::from(id),
                        role: Role::Provider,
                    },
                }
            })
            .collect();
        Build {
            matrix,
            holder_kind,
            parties,
            as_holders,
        }
    }

    fn own_holder(&self, party: usize, holding: Option<&Holding>) -> ResolvedHolder {
        let mut h = self.parties[party].holder();
        if let Some(holding) = holding {
            annotate(&mut h, holding);
        }
        h
    }
}
