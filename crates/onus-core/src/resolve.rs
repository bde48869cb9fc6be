//! Resolution: every cell expanded, per offering and area, into the
//! effective holders, following upstreams to the end of the chain.
//!
//! An upstream's customer part becomes this model's `as` party; every other
//! upstream holder keeps its identity, qualified by the upstreams followed
//! to reach it (`azure/microsoft`). Practices and evidence reached through
//! an upstream are qualified the same way (`azure/firmware-security`).
//! Resolution reads a model that may still have errors: what it cannot
//! follow, it leaves out; [`crate::check`] reports it.
//!
//! A resolved matrix repeats the same few strings (parties, areas, duties)
//! in thousands of cells, and each model of a chain repeats its upstream's:
//! they are [`Text`], shared rather than copied, and every id is looked up
//! once per model resolved rather than once per cell.

use std::collections::HashMap;
use std::sync::Arc;

use rustc_hash::FxHashMap;

use crate::load::{ModelId, ModelSet};
use crate::model::{
    Cell, CellBody, ControlRef, Evidence, Holder, Holding, Map, Model, Offering, Practice, Role,
};
use crate::source::Spanned;
pub use crate::text::{Text, Texts};

/// The resolved model: who holds what, per offering, across the chain.
#[derive(Clone, Debug, PartialEq)]
pub struct Matrix {
    pub model: String,
    pub name: String,
    pub title: Option<String>,
    pub version: Option<String>,
    pub description: Option<String>,
    pub url: Option<String>,
    /// Qualified id of the publisher (always a party of the model itself).
    pub publisher: String,
    /// Every party that holds something, and the model's own parties, by qualified id.
    pub parties: Map<PartyInfo>,
    /// Practices by qualified id.
    pub practices: Map<Practice>,
    /// Evidence by qualified id.
    pub evidence: Map<Evidence>,
    pub offerings: Vec<ResolvedOffering>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct PartyInfo {
    pub name: Text,
    pub role: Role,
    /// Upstream ids followed to reach the party, nearest first.
    pub via: Texts,
}

#[derive(Clone, Debug, PartialEq)]
pub struct ResolvedOffering {
    pub id: String,
    pub name: String,
    pub description: Option<String>,
    /// Upstream id -> upstream offering id.
    pub runs_on: Vec<(String, String)>,
    /// The model's areas, in its order.
    pub areas: Vec<ResolvedArea>,
}

/// An area in one offering: what the area is (shared by every offering,
/// and read through this: `area.id`, `area.name`) and who holds it there.
#[derive(Clone, Debug, PartialEq)]
pub struct ResolvedArea {
    pub info: Arc<AreaInfo>,
    pub holders: Vec<ResolvedHolder>,
}

/// What an area is, the same in every offering.
#[derive(Clone, Debug, PartialEq)]
pub struct AreaInfo {
    pub id: Text,
    pub name: Text,
    pub group: Option<Text>,
    pub description: Option<Text>,
    pub controls: Vec<ControlRef>,
}

impl std::ops::Deref for ResolvedArea {
    type Target = AreaInfo;
    fn deref(&self) -> &AreaInfo {
        &self.info
    }
}

/// One effective holder of an area in an offering.
#[derive(Clone, Debug, PartialEq)]
pub struct ResolvedHolder {
    /// Qualified party id: `codat`, `azure/microsoft`, `spark/aws/amazon`.
    pub party: Text,
    pub name: Text,
    pub role: Role,
    pub scope: Option<Text>,
    pub duties: Texts,
    /// Qualified practice ids.
    pub how: Texts,
    /// Qualified evidence ids.
    pub evidence: Texts,
    pub note: Option<Text>,
    /// Upstream ids followed to reach the party, nearest first.
    pub via: Texts,
}

impl Matrix {
    pub fn offering(&self, id: &str) -> Option<&ResolvedOffering> {
        self.offerings.iter().find(|o| o.id == id)
    }

    /// [`Matrix::offering`] in constant time, for the matrix resolved from
    /// `model` (its offerings are the model's, in order).
    pub(crate) fn offering_of(&self, model: &Model, id: &str) -> Option<&ResolvedOffering> {
        let offering = self.offerings.get(model.offerings.get_index_of(id)?)?;
        (offering.id == id).then_some(offering)
    }

    /// Qualified id of the model's customer-role party.
    pub fn customer(&self) -> Option<&str> {
        self.parties
            .iter()
            .find(|(_, p)| p.role == Role::Customer && p.via.is_empty())
            .map(|(id, _)| id.as_str())
    }
}

impl ResolvedOffering {
    pub fn area(&self, id: &str) -> Option<&ResolvedArea> {
        self.areas.iter().find(|a| a.id == id)
    }

    /// [`ResolvedOffering::area`] in constant time, for an offering of the
    /// matrix resolved from `model` (its areas are the model's, in order).
    pub(crate) fn area_of(&self, model: &Model, id: &str) -> Option<&ResolvedArea> {
        let area = self.areas.get(model.areas.get_index_of(id)?)?;
        (area.id == id).then_some(area)
    }
}

impl ResolvedArea {
    /// The holders that are this model's own customer-role party: the
    /// part it leaves to its customer.
    pub fn customer_part(&self) -> impl Iterator<Item = &ResolvedHolder> {
        self.holders.iter().filter(|h| h.is_customer_part())
    }

    /// "provider", "customer", "shared" or "none", by the roles of the holders.
    pub fn split(&self) -> &'static str {
        let customer = self.holders.iter().any(ResolvedHolder::is_customer_part);
        let other = self.holders.iter().any(|h| !h.is_customer_part());
        match (customer, other) {
            (true, true) => "shared",
            (true, false) => "customer",
            (false, true) => "provider",
            (false, false) => "none",
        }
    }
}

impl ResolvedHolder {
    /// How people read the holder: [`party_label`].
    pub fn label(&self) -> String {
        party_label(&self.name, &self.via)
    }

    /// Whether this is the model's own customer-role party.
    pub fn is_customer_part(&self) -> bool {
        self.via.is_empty() && self.role == Role::Customer
    }
}

/// A party's name as people read it: `Microsoft (via azure)` for one
/// reached through upstreams, so that it still says where it comes from
/// where the upstreams are not shown.
pub fn party_label(name: &str, via: &[Text]) -> String {
    match via {
        [] => name.to_string(),
        via => format!("{name} (via {})", via.join("/")),
    }
}

/// Resolves models of a set, each once, sharing the results along chains.
///
/// A matrix is kept only while a model that runs on it is still to be
/// resolved: along a long chain of big models, only two levels are held at
/// a time. Asking again for a model whose downstream models are all
/// resolved computes it again.
pub struct Resolver<'a> {
    set: &'a ModelSet,
    scope: Scope,
    cache: HashMap<ModelId, Option<Arc<Matrix>>>,
    /// Model -> how many models that run on it are not resolved yet.
    waiting: HashMap<ModelId, usize>,
}

/// What a [`Resolver`] works out.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Scope {
    /// Every holder of every cell.
    Everything,
    /// Only each cell's customer part ([`ResolvedArea::customer_part`]),
    /// exactly as [`Scope::Everything`] gives it: what checking the models
    /// that run on a model needs, at a fraction of the cost.
    CustomerParts,
}

impl<'a> Resolver<'a> {
    pub fn new(set: &'a ModelSet) -> Resolver<'a> {
        Resolver::with_scope(set, Scope::Everything)
    }

    /// A resolver whose matrices hold only the customer part of each cell
    /// (and the model's own parties): what the chain rules of the checker
    /// read of an upstream, and what a customer is left to do.
    pub fn customer_parts(set: &'a ModelSet) -> Resolver<'a> {
        Resolver::with_scope(set, Scope::CustomerParts)
    }

    fn with_scope(set: &'a ModelSet, scope: Scope) -> Resolver<'a> {
        let mut waiting = HashMap::new();
        for i in 0..set.models.len() {
            for target in direct_upstreams(set, ModelId(i)) {
                *waiting.entry(target).or_insert(0) += 1;
            }
        }
        Resolver {
            set,
            scope,
            cache: HashMap::new(),
            waiting,
        }
    }

    /// The resolved matrix of a model, or `None` if it did not load.
    pub fn resolve(&mut self, id: ModelId) -> Option<Arc<Matrix>> {
        if let Some(done) = self.cache.get(&id) {
            return done.clone();
        }
        // Marks the model as in progress: a cycle resolves to nothing rather than looping.
        self.cache.insert(id, None);
        let result = self.set.model(id).map(|m| Arc::new(self.build(id, m)));
        self.cache.insert(id, result.clone());
        for target in direct_upstreams(self.set, id) {
            let left = self.waiting.entry(target).or_insert(0);
            *left = left.saturating_sub(1);
            if *left == 0 && matches!(self.cache.get(&target), Some(Some(_))) {
                self.cache.remove(&target);
            }
        }
        result
    }

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

    fn build(&mut self, id: ModelId, m: &'a Model) -> Matrix {
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
        let mut offering_kinds = Vec::new();
        let mut holders = Vec::new();
        // Upstream slot -> whether the cell at hand names it.
        let mut named = vec![false; m.upstreams.len()];
        for (oid, offering) in &m.offerings {
            // The upstreams it runs on, in its order: slot, upstream offering.
            let runs_on: Vec<(usize, &'a str)> = offering
                .runs_on
                .iter()
                .filter_map(|(u, r)| {
                    Some((m.upstreams.get_index_of(u)?, r.offering.value.as_str()))
                })
                .collect();
            let runs_on_slot = |slot: usize| runs_on.iter().find(|(s, _)| *s == slot).map(|r| r.1);
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
                for (holder, kind) in list.iter().zip(kinds) {
                    match *kind {
                        Some(Kind::Party(p, also_upstream)) => {
                            if let Some(slot) = also_upstream {
                                named[slot] = true;
                            }
                            if parts_only && b.parties[p].2 != Role::Customer {
                                continue;
                            }
                            let own = b.own_holder(p, holder.holding.as_ref());
                            merge(&mut holders, own, true);
                        }
                        Some(Kind::Upstream(slot)) => {
                            named[slot] = true;
                            let Some(up_offering) = runs_on_slot(slot) else {
                                continue;
                            };
                            // Only a customer part that lands on this model's customer is one here.
                            if parts_only && b.as_holders[slot].2 != Role::Customer {
                                continue;
                            }
                            let up = ups[slot].get_or_insert_with(|| {
                                self.upstream(id, m, slot, &b.as_holders[slot])
                            });
                            if let Some(up) = up {
                                let how = Inherit::Cell(holder.holding.as_ref());
                                up.inherit(&mut b.matrix, index, up_offering, how, &mut holders);
                            }
                        }
                        None => {}
                    }
                }
                // An upstream's customer part in an area this one claims without
                // inheriting it is the `as` party's to do: when that party holds
                // the area, its duties say so.
                for &(slot, up_offering) in &runs_on {
                    let as_party = &b.as_holders[slot].0;
                    if named[slot] || (parts_only && b.as_holders[slot].2 != Role::Customer) {
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
                        let how = Inherit::CustomerPart;
                        up.inherit(&mut b.matrix, index, up_offering, how, &mut holders);
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
                name: Text::from(area.name.as_str()),
                group: area.group.as_deref().map(Text::from),
                description: area.description.as_deref().map(Text::from),
                controls: area.controls.iter().map(|c| c.value.clone()).collect(),
            })
        })
        .collect()
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

/// A holder's party id, name and role.
type Who = (Text, Text, Role);

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
                        name: Text::from(p.name.as_str()),
                        role: p.role,
                        via: Texts::default(),
                    };
                    (pid.clone(), info)
                })
                .collect(),
            practices: m.practices.clone(),
            evidence: m.evidence.clone(),
            offerings: Vec::with_capacity(m.offerings.len()),
        };
        let parties = matrix
            .parties
            .iter()
            .map(|(id, p)| (Text::from(id.as_str()), p.name.clone(), p.role))
            .collect();
        Build {
            matrix,
            holder_kind,
            parties,
            as_holders: m
                .upstreams
                .keys()
                .map(|u| {
                    let id = m.as_party(u);
                    match m.parties.get(id) {
                        Some(p) => (Text::from(id), Text::from(p.name.as_str()), p.role),
                        None => (Text::from(id), Text::from(id), Role::Provider),
                    }
                })
                .collect(),
        }
    }

    fn own_holder(&self, party: usize, holding: Option<&Holding>) -> ResolvedHolder {
        let (party, name, role) = self.parties[party].clone();
        let mut h = ResolvedHolder {
            party,
            name,
            role,
            scope: None,
            duties: Texts::default(),
            how: Texts::default(),
            evidence: Texts::default(),
            note: None,
            via: Texts::default(),
        };
        if let Some(holding) = holding {
            annotate(&mut h, holding);
        }
        h
    }
}

/// One upstream of the model being resolved, with what was already
/// worked out about it.
struct Up<'a> {
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
    practices: Refs,
    evidence: Refs,
    /// Take only customer parts ([`Scope::CustomerParts`]).
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
    fn new(
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
            practices: Refs::default(),
            evidence: Refs::default(),
            parts_only,
        }
    }

    /// Expands this upstream in one cell: its holders of every area that
    /// area `area` (by index) stands for, in the upstream offering we consume.
    fn inherit(
        &mut self,
        matrix: &mut Matrix,
        area: usize,
        upstream_offering: &str,
        how: Inherit<'_>,
        holders: &mut Vec<ResolvedHolder>,
    ) {
        let Some(&offering) = self.offerings.get(upstream_offering) else {
            return;
        };
        let up = Arc::clone(&self.matrix);
        let Some(offering) = up.offerings.get(offering) else {
            return;
        };
        for i in 0..self.stands_for[area].len() {
            let Some(up_area) = offering.areas.get(self.stands_for[area][i]) else {
                continue;
            };
            for h in &up_area.holders {
                let q = self.qualify(h);
                let parts_only = self.parts_only || matches!(how, Inherit::CustomerPart);
                if parts_only && !q.customer_part {
                    continue;
                }
                if !q.customer_part && !q.listed {
                    self.list(matrix, &h.party, &q);
                }
                let (name, up) = (self.name, &self.matrix);
                let practices =
                    self.practices
                        .list(name, &up.practices, &mut matrix.practices, &h.how);
                let evidence =
                    self.evidence
                        .list(name, &up.evidence, &mut matrix.evidence, &h.evidence);
                let cell = matches!(how, Inherit::Cell(_));
                let mut resolved = if q.customer_part {
                    let (party, name, role) = self.as_holder.clone();
                    ResolvedHolder {
                        party,
                        name,
                        role,
                        // Folded into a party's own holding, the upstream's
                        // scope and note would read as this model's.
                        scope: h.scope.clone().filter(|_| cell),
                        duties: h.duties.clone(),
                        how: practices,
                        evidence,
                        note: h.note.clone().filter(|_| cell),
                        via: Texts::default(),
                    }
                } else {
                    ResolvedHolder {
                        party: q.party,
                        name: q.name,
                        role: q.role,
                        scope: h.scope.clone(),
                        duties: h.duties.clone(),
                        how: practices,
                        evidence,
                        note: h.note.clone(),
                        via: q.via,
                    }
                };
                if let (false, Inherit::Cell(Some(a))) = (q.customer_part, how) {
                    annotate(&mut resolved, a);
                }
                merge(holders, resolved, false);
            }
        }
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

/// The ids of one kind of upstream reference (practices, or evidence) as
/// qualified in the model being resolved.
#[derive(Default)]
struct Refs {
    /// Upstream id -> qualified id.
    ids: FxHashMap<Text, Text>,
    /// Upstream list, by address -> the qualified list. Sound because the
    /// upstream matrix, and so every list in it, lives as long as this: no
    /// two lists can share an address meanwhile.
    lists: FxHashMap<usize, Texts>,
}

impl Refs {
    /// A list of upstream `upstream`'s ids, qualified; what they refer to in
    /// `from` is copied into `into` the first time.
    fn list<T: Clone>(
        &mut self,
        upstream: &str,
        from: &Map<T>,
        into: &mut Map<T>,
        list: &Texts,
    ) -> Texts {
        if list.is_empty() {
            return Texts::default();
        }
        let key = list.address();
        if let Some(q) = self.lists.get(&key) {
            return q.clone();
        }
        let q: Texts = list
            .iter()
            .map(|id| self.id(upstream, from, into, id))
            .collect();
        self.lists.insert(key, q.clone());
        q
    }

    fn id<T: Clone>(
        &mut self,
        upstream: &str,
        from: &Map<T>,
        into: &mut Map<T>,
        id: &Text,
    ) -> Text {
        if let Some(q) = self.ids.get(id.as_str()) {
            return q.clone();
        }
        let q = Text::from(format!("{upstream}/{id}"));
        if let Some(item) = from.get(id.as_str()) {
            into.entry(q.to_string()).or_insert_with(|| item.clone());
        }
        self.ids.insert(id.clone(), q.clone());
        q
    }
}

/// The distinct models that `id` runs on directly.
fn direct_upstreams(set: &ModelSet, id: ModelId) -> Vec<ModelId> {
    let mut targets: Vec<ModelId> = Vec::new();
    for target in set.get(id).upstreams.values().flatten() {
        if !targets.contains(target) {
            targets.push(*target);
        }
    }
    targets
}

/// What [`Up::inherit`] takes from an upstream area.
#[derive(Clone, Copy)]
enum Inherit<'h> {
    /// Every holder: the cell names the upstream (with this holding, if any).
    Cell(Option<&'h Holding>),
    /// Only the upstream's customer part, as duties of the `as` party: the
    /// area claims the upstream area without inheriting it.
    CustomerPart,
}

/// Convenience: resolves one model of a set.
pub fn resolve(set: &ModelSet, id: ModelId) -> Option<Arc<Matrix>> {
    Resolver::new(set).resolve(id)
}

/// Adds what a holding written in this model says to a resolved holder.
fn annotate(h: &mut ResolvedHolder, holding: &Holding) {
    if let Some(scope) = &holding.scope {
        h.scope = Some(Text::from(scope.value.as_str()));
    }
    add_written(&mut h.duties, &holding.duties);
    add_written(&mut h.how, &holding.how);
    add_written(&mut h.evidence, &holding.evidence);
    if let Some(note) = &holding.note {
        h.note = Some(Text::from(note.as_str()));
    }
}

/// [`extend_unique`] for a list written in the model: made in one
/// allocation when `list` is empty and the items are distinct, as they
/// nearly always are.
fn add_written(list: &mut Texts, items: &[Spanned<String>]) {
    let text = |s: &Spanned<String>| Text::from(s.value.as_str());
    let distinct =
        || (1..items.len()).all(|i| items[..i].iter().all(|b| b.value != items[i].value));
    if list.is_empty() && distinct() {
        *list = items.iter().map(text).collect();
    } else {
        extend_unique(list, items.iter().map(text));
    }
}

/// Adds a holder, or folds it into the entry the same party already has.
/// A scope written for the party in this model (`own`) wins over an inherited one.
fn merge(holders: &mut Vec<ResolvedHolder>, new: ResolvedHolder, own: bool) {
    let Some(existing) = holders.iter_mut().find(|h| h.party == new.party) else {
        holders.push(new);
        return;
    };
    match (&existing.scope, new.scope) {
        (_, Some(scope)) if own => existing.scope = Some(scope),
        (None, scope) => existing.scope = scope,
        // Two inherited parts with different scopes (the area stands for
        // several upstream areas): keep both.
        (Some(old), Some(scope)) if !old.split("; ").any(|s| s == scope) => {
            existing.scope = Some(Text::from(format!("{old}; {scope}")));
        }
        _ => {}
    }
    merge_list(&mut existing.duties, new.duties);
    merge_list(&mut existing.how, new.how);
    merge_list(&mut existing.evidence, new.evidence);
    if existing.note.is_none() {
        existing.note = new.note;
    }
}

/// [`extend_unique`] for a resolved list, which has no duplicates: shared
/// rather than copied when `list` is empty.
fn merge_list(list: &mut Texts, items: Texts) {
    if list.is_empty() {
        *list = items;
    } else {
        extend_unique(list, items.iter().cloned());
    }
}

/// Appends the items `list` does not have yet, in order; `list` is
/// copied only when something is added.
fn extend_unique(list: &mut Texts, items: impl IntoIterator<Item = Text>) {
    let items = items.into_iter();
    let room = list.len() + items.size_hint().0;
    let mut grown: Option<Vec<Text>> = None;
    for item in items {
        let current = grown.as_deref().unwrap_or(list);
        if !current.contains(&item) {
            grown
                .get_or_insert_with(|| {
                    let mut copy = Vec::with_capacity(room);
                    copy.extend_from_slice(list);
                    copy
                })
                .push(item);
        }
    }
    if let Some(grown) = grown {
        *list = grown.into();
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;
    use std::path::PathBuf;

    use super::*;
    use crate::check::test_support::model;

    /// `a` runs on `b` runs on `c`, each inheriting `hosts` with a party beside it.
    fn chain() -> ModelSet {
        let on = |up: &str| {
            model(
                &format!("upstreams:\n  up: {{ model: {up} }}"),
                "  data: customer\n  hosts: { up: ~, acme: { duties: [Run hosts] } }",
            )
            .replace("{ name: SaaS }", "{ name: SaaS, runs-on: { up: saas } }")
            .replace("{ name: PaaS }", "{ name: PaaS, runs-on: { up: paas } }")
        };
        let files: HashMap<PathBuf, String> = [
            ("a.onus.yaml", on("b.onus.yaml")),
            ("b.onus.yaml", on("c.onus.yaml")),
            ("c.onus.yaml", model("", "  data: customer\n  hosts: acme")),
        ]
        .into_iter()
        .map(|(p, t)| (PathBuf::from(p), t))
        .collect();
        ModelSet::load(&[PathBuf::from("a.onus.yaml")], &files).unwrap()
    }

    #[test]
    fn one_resolver_gives_what_fresh_ones_give() {
        let set = chain();
        assert!(crate::check::check(&set).is_empty());
        let mut resolver = Resolver::new(&set);
        let root = resolver.resolve(ModelId(0)).unwrap();
        assert_eq!(*root, *resolve(&set, ModelId(0)).unwrap());
        let hosts = root.offerings[0].area("hosts").unwrap();
        let parties: Vec<&str> = hosts.holders.iter().map(|h| h.party.as_str()).collect();
        assert_eq!(parties, ["up/up/acme", "up/acme", "acme"]);
        // The upstreams were let go once `a` was resolved: asked again, they are resolved again.
        for i in 1..3 {
            let again = resolver.resolve(ModelId(i)).unwrap();
            assert_eq!(*again, *resolve(&set, ModelId(i)).unwrap());
        }
    }

    #[test]
    fn customer_parts_are_the_customer_parts_of_the_whole() {
        let set = chain();
        let parts = Resolver::customer_parts(&set).resolve(ModelId(0)).unwrap();
        let full = resolve(&set, ModelId(0)).unwrap();
        let data = |m: &Matrix| m.offerings[0].area("data").unwrap().holders.clone();
        assert_eq!(data(&parts), data(&full));
        assert_eq!(data(&parts)[0].party, "customer");
        // `hosts` is held by providers only: no customer part.
        assert!(parts.offerings[0].area("hosts").unwrap().holders.is_empty());
        assert!(!full.offerings[0].area("hosts").unwrap().holders.is_empty());
        assert_eq!(parts.parties.len(), 2, "{:?}", parts.parties.keys());
    }

    /// An upstream's customer part in an area claimed without inheriting it
    /// becomes duties of the `as` party, when it holds the area; never a
    /// new holder, and never the upstream's scope.
    #[test]
    fn a_claimed_customer_part_is_the_as_party_duty() {
        let up = model(
            "",
            "  data: { customer: { scope: tenant, duties: [Back up data] } }\n  hosts: acme",
        );
        let down = |data: &str| {
            model(
                "upstreams:\n  up: { model: up.onus.yaml }",
                &format!("  data: {data}\n  hosts: up"),
            )
            .replace("{ name: SaaS }", "{ name: SaaS, runs-on: { up: saas } }")
            .replace("{ name: PaaS }", "{ name: PaaS, runs-on: { up: paas } }")
        };
        for (data, expected) in [
            (
                "{ acme: { scope: platform, duties: [Run backups] } }",
                vec![(
                    "acme",
                    Some("platform"),
                    vec!["Run backups", "Back up data"],
                )],
            ),
            ("customer", vec![("customer", None, vec![])]),
        ] {
            let files: HashMap<PathBuf, String> =
                [("d.onus.yaml", down(data)), ("up.onus.yaml", up.clone())]
                    .into_iter()
                    .map(|(p, t)| (PathBuf::from(p), t))
                    .collect();
            let set = ModelSet::load(&[PathBuf::from("d.onus.yaml")], &files).unwrap();
            assert!(crate::check::check(&set).is_empty(), "{data}");
            let root = resolve(&set, ModelId(0)).unwrap();
            let holders: Vec<(&str, Option<&str>, Vec<&str>)> = root.offerings[0]
                .area("data")
                .unwrap()
                .holders
                .iter()
                .map(|h| {
                    (
                        h.party.as_str(),
                        h.scope.as_deref(),
                        h.duties.iter().map(Text::as_str).collect(),
                    )
                })
                .collect();
            assert_eq!(holders, expected, "{data}");
        }
    }
}
