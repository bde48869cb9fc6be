//! The upstream walk: one upstream of the model being resolved, and how
//! its resolved holders read here (qualified ids, `via`, its customer part
//! as this model's `as` party).

use std::sync::Arc;

use rustc_hash::FxHashMap;

use super::build::Who;
use super::matrix::{Duties, Matrix, PartyInfo, RefIds, ResolvedHolder};
use super::merge::{annotate, merge};
use crate::model::{Holding, Model, RefKind, References, Role};
use crate::text::{Text, Texts};

/// What [`Up::inherit`] takes from an upstream area.
#[derive(Clone, Copy)]
pub(super) enum Inherit<'h> {
    /// Every holder: the cell names the upstream (with this holding, if any).
    Cell(Option<&'h Holding>),
    /// Only the upstream's customer part, as duties of the `as` party: the
    /// area claims the upstream area without inheriting it.
    CustomerPart,
}

/// One upstream of the model being resolved, with what was already
/// worked out about it.
pub(super) struct Up<'a> {
    name: &'a str,
    matrix: Arc<Matrix>,
    model: &'a Model,
    /// The `as` party, as the holder an upstream customer part becomes.
    as_holder: Who,
    /// Area of the model (by index) -> the upstream areas it stands for.
    stands_for: Vec<Vec<usize>>,
    /// Upstream offering id -> its index.
    offerings: FxHashMap<&'a str, usize>,
    /// Upstream party -> the holder it is here.
    parties: FxHashMap<Text, Qualified>,
    /// Upstream practices and evidence, as qualified here.
    refs: Refs,
    /// Upstream duty id lists, by address -> qualified here.
    duty_ids: FxHashMap<usize, Texts>,
    /// Take only customer parts.
    parts_only: bool,
}

/// An upstream holder as this model sees it.
#[derive(Clone)]
struct Qualified {
    party: Text,
    name: Text,
    role: Role,
    via: Texts,
    /// The upstream's own customer party: it becomes the `as` party.
    customer_part: bool,
    /// Whether it is in the matrix's parties yet.
    listed: bool,
}

impl<'a> Up<'a> {
    /// Upstream `name` of model `m`, resolved to `matrix` from `model`.
    pub(super) fn new(
        m: &'a Model,
        name: &'a str,
        matrix: Arc<Matrix>,
        model: &'a Model,
        as_holder: Who,
        parts_only: bool,
    ) -> Up<'a> {
        let stands_for = m
            .areas
            .keys()
            .map(|a| {
                m.stands_for(a, name)
                    .filter_map(|u| model.areas.get_index_of(u))
                    .collect()
            })
            .collect();
        let offerings = model
            .offerings
            .keys()
            .enumerate()
            .map(|(i, o)| (o.as_str(), i))
            .collect();
        Up {
            name,
            matrix,
            model,
            as_holder,
            stands_for,
            offerings,
            parties: FxHashMap::default(),
            refs: Refs::default(),
            duty_ids: FxHashMap::default(),
            parts_only,
        }
    }

    /// Expands this upstream in one cell: its holders of every area that
    /// area `area` (by index) stands for, in the upstream offering we consume.
    pub(super) fn inherit(
        &mut self,
        matrix: &mut Matrix,
        area: usize,
        upstream_offering: &str,
        what: Inherit<'_>,
        holders: &mut Vec<ResolvedHolder>,
    ) {
        let Some(&offering) = self.offerings.get(upstream_offering) else {
            return;
        };
        let up = Arc::clone(&self.matrix);
        let Some(offering) = up.offerings.get(offering) else {
            return;
        };
        let cell = matches!(what, Inherit::Cell(_));
        let parts_only = self.parts_only || !cell;
        for i in 0..self.stands_for[area].len() {
            let Some(up_area) = offering.areas.get(self.stands_for[area][i]) else {
                continue;
            };
            for h in &up_area.holders {
                let q = self.qualify(h);
                if parts_only && !q.customer_part {
                    continue;
                }
                if !q.customer_part && !q.listed {
                    self.list(matrix, &h.party, &q);
                }
                let refs = &mut matrix.references;
                let how = self.refs.list(self.name, &up.references, refs, &h.how);
                let evidence = self.refs.list(self.name, &up.references, refs, &h.evidence);
                let duties = self.duties(&h.duties);
                let mut resolved = if q.customer_part {
                    ResolvedHolder {
                        // Folded into a party's own holding, the upstream's
                        // scope and note would read as this model's.
                        scopes: if cell {
                            h.scopes.clone()
                        } else {
                            Texts::default()
                        },
                        duties,
                        how,
                        evidence,
                        note: h.note.clone().filter(|_| cell),
                        ..self.as_holder.holder()
                    }
                } else {
                    ResolvedHolder {
                        party: q.party,
                        name: q.name,
                        role: q.role,
                        scopes: h.scopes.clone(),
                        duties,
                        how,
                        evidence,
                        note: h.note.clone(),
                        via: q.via,
                    }
                };
                if let (false, Inherit::Cell(Some(a))) = (q.customer_part, what) {
                    annotate(&mut resolved, a);
                }
                merge(holders, resolved, false);
            }
        }
    }

    /// An upstream holder's duties as they read here: the same texts,
    /// their ids qualified like a party (`azure/patch-os`), so that an
    /// upstream's id never meets one of this model's in a holder. The
    /// ids of a list are qualified once: the upstream matrix, and so
    /// every list in it, lives as long as this.
    fn duties(&mut self, duties: &Duties) -> Duties {
        let Some(up_ids) = duties.ids() else {
            return duties.clone();
        };
        let name = self.name;
        let ids = self.duty_ids.entry(up_ids.address()).or_insert_with(|| {
            up_ids
                .iter()
                .map(|id| match id.is_empty() {
                    true => Text::default(),
                    false => Text::from(format!("{name}/{id}")),
                })
                .collect()
        });
        Duties::from_parts(duties.texts().clone(), Some(ids.clone()))
    }

    /// How upstream holder `h` reads here (worked out once per party).
    fn qualify(&mut self, h: &ResolvedHolder) -> Qualified {
        if let Some(q) = self.parties.get(h.party.as_str()) {
            return q.clone();
        }
        let customer_part = h.via.is_empty()
            && self
                .model
                .parties
                .get(h.party.as_str())
                .is_some_and(|p| p.role == Role::Customer);
        let mut via = Vec::with_capacity(1 + h.via.len());
        via.push(Text::from(self.name));
        via.extend(h.via.iter().cloned());
        let q = Qualified {
            party: Text::from(format!("{}/{}", self.name, h.party)),
            name: h.name.clone(),
            role: h.role,
            via: via.into(),
            customer_part,
            listed: false,
        };
        self.parties.insert(h.party.clone(), q.clone());
        q
    }

    /// Adds an upstream party to the matrix's parties, the first time it holds something.
    fn list(&mut self, matrix: &mut Matrix, up_party: &Text, q: &Qualified) {
        if !matrix.parties.contains_key(q.party.as_str()) {
            let info = PartyInfo {
                name: q.name.clone(),
                role: q.role,
                via: q.via.clone(),
            };
            matrix.parties.insert(q.party.to_string(), info);
        }
        if let Some(seen) = self.parties.get_mut(up_party.as_str()) {
            seen.listed = true;
        }
    }
}

/// The upstream's practice and evidence ids as qualified in the model
/// being resolved, each kind in its own namespace.
#[derive(Default)]
struct Refs {
    /// Upstream (kind, id) -> qualified id.
    ids: FxHashMap<(RefKind, Text), Text>,
    /// Upstream list, by address -> the qualified list. Sound because the
    /// upstream matrix, and so every list in it, lives as long as this: no
    /// two lists can share an address meanwhile.
    lists: FxHashMap<usize, Texts>,
}

impl Refs {
    /// A list of upstream `upstream`'s ids, qualified; what they refer to in
    /// `from` is copied into `into` the first time.
    fn list(
        &mut self,
        upstream: &str,
        from: &References,
        into: &mut References,
        list: &RefIds,
    ) -> RefIds {
        let kind = list.kind();
        if list.is_empty() {
            return RefIds::none(kind);
        }
        let key = list.ids().address();
        if let Some(q) = self.lists.get(&key) {
            return RefIds::new(kind, q.clone());
        }
        let q: Texts = list
            .iter()
            .map(|id| self.id(upstream, from, into, kind, id))
            .collect();
        self.lists.insert(key, q.clone());
        RefIds::new(kind, q)
    }

    fn id(
        &mut self,
        upstream: &str,
        from: &References,
        into: &mut References,
        kind: RefKind,
        id: &Text,
    ) -> Text {
        let key = (kind, id.clone());
        if let Some(q) = self.ids.get(&key) {
            return q.clone();
        }
        let q = Text::from(format!("{upstream}/{id}"));
        if let Some(item) = from.get(kind, id) {
            into.of_mut(kind)
                .entry(q.to_string())
                .or_insert_with(|| item.clone());
        }
        self.ids.insert(key, q.clone());
        q
    }
}
