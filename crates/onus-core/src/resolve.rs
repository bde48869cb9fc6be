//! Resolution: every cell expanded, per offering and area, into the
//! effective holders, following upstreams to the end of the chain.
//!
//! An upstream's customer part becomes this model's `as` party; every other
//! upstream holder keeps its identity, qualified by the upstreams followed
//! to reach it (`azure/microsoft`). Practices and evidence reached through
//! an upstream are qualified the same way (`azure/firmware-security`).
//! Resolution reads a model that may still have errors: what it cannot
//! follow, it leaves out; [`crate::check`] reports it.

use std::collections::HashMap;
use std::rc::Rc;

use indexmap::IndexMap;

use crate::load::{ModelId, ModelSet};
use crate::model::{ControlRef, Evidence, Holding, Model, Practice, Role};

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
    pub parties: IndexMap<String, PartyInfo>,
    /// Practices by qualified id.
    pub practices: IndexMap<String, Practice>,
    /// Evidence by qualified id.
    pub evidence: IndexMap<String, Evidence>,
    pub offerings: Vec<ResolvedOffering>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct PartyInfo {
    pub name: String,
    pub role: Role,
    /// Upstream ids followed to reach the party, nearest first.
    pub via: Vec<String>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct ResolvedOffering {
    pub id: String,
    pub name: String,
    pub description: Option<String>,
    /// Upstream id -> upstream offering id.
    pub runs_on: Vec<(String, String)>,
    pub areas: Vec<ResolvedArea>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct ResolvedArea {
    pub id: String,
    pub name: String,
    pub group: Option<String>,
    pub description: Option<String>,
    pub controls: Vec<ControlRef>,
    pub holders: Vec<ResolvedHolder>,
}

/// One effective holder of an area in an offering.
#[derive(Clone, Debug, PartialEq)]
pub struct ResolvedHolder {
    /// Qualified party id: `codat`, `azure/microsoft`, `spark/aws/amazon`.
    pub party: String,
    pub name: String,
    pub role: Role,
    pub scope: Option<String>,
    pub duties: Vec<String>,
    /// Qualified practice ids.
    pub how: Vec<String>,
    /// Qualified evidence ids.
    pub evidence: Vec<String>,
    pub note: Option<String>,
    /// Upstream ids followed to reach the party, nearest first.
    pub via: Vec<String>,
}

impl Matrix {
    pub fn offering(&self, id: &str) -> Option<&ResolvedOffering> {
        self.offerings.iter().find(|o| o.id == id)
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
}

impl ResolvedArea {
    /// The holders that are this model's own customer-role party: the
    /// part it leaves to its customer.
    pub fn customer_part(&self) -> impl Iterator<Item = &ResolvedHolder> {
        self.holders
            .iter()
            .filter(|h| h.via.is_empty() && h.role == Role::Customer)
    }

    /// "provider", "customer", "shared" or "none", by the roles of the holders.
    pub fn split(&self) -> &'static str {
        let customer = self
            .holders
            .iter()
            .any(|h| h.via.is_empty() && h.role == Role::Customer);
        let other = self
            .holders
            .iter()
            .any(|h| !(h.via.is_empty() && h.role == Role::Customer));
        match (customer, other) {
            (true, true) => "shared",
            (true, false) => "customer",
            (false, true) => "provider",
            (false, false) => "none",
        }
    }
}

/// Resolves models of a set, each once, sharing the results along chains.
pub struct Resolver<'a> {
    set: &'a ModelSet,
    cache: HashMap<ModelId, Option<Rc<Matrix>>>,
}

impl<'a> Resolver<'a> {
    pub fn new(set: &'a ModelSet) -> Resolver<'a> {
        Resolver {
            set,
            cache: HashMap::new(),
        }
    }

    /// The resolved matrix of a model, or `None` if it did not load.
    pub fn resolve(&mut self, id: ModelId) -> Option<Rc<Matrix>> {
        if let Some(done) = self.cache.get(&id) {
            return done.clone();
        }
        // Marks the model as in progress: a cycle resolves to nothing rather than looping.
        self.cache.insert(id, None);
        let result = self.set.model(id).map(|m| Rc::new(self.build(id, m)));
        self.cache.insert(id, result.clone());
        result
    }

    fn upstream(&mut self, model: ModelId, upstream: &str) -> Option<(Rc<Matrix>, &'a Model)> {
        let target = (*self.set.get(model).upstreams.get(upstream)?)?;
        Some((self.resolve(target)?, self.set.model(target)?))
    }

    fn build(&mut self, id: ModelId, m: &'a Model) -> Matrix {
        let mut matrix = Matrix {
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
                        via: Vec::new(),
                    };
                    (pid.clone(), info)
                })
                .collect(),
            practices: m.practices.clone(),
            evidence: m.evidence.clone(),
            offerings: Vec::with_capacity(m.offerings.len()),
        };
        for (oid, offering) in &m.offerings {
            let mut areas = Vec::with_capacity(m.areas.len());
            for (aid, area) in &m.areas {
                let mut holders = Vec::new();
                if let Some(cell) = m.responsibilities.get(aid) {
                    for holder in cell.body.for_offering(oid).map_or(&[][..], |h| &h.list) {
                        if let Some(party) = m.parties.get(&holder.id.value) {
                            let own = own_holder(
                                &holder.id,
                                party.name.clone(),
                                party.role,
                                holder.holding.as_ref(),
                            );
                            merge(&mut holders, own, true);
                        } else if let Some(runs_on) = offering.runs_on.get(&holder.id.value) {
                            self.inherit(
                                id,
                                m,
                                &mut matrix,
                                aid,
                                &holder.id,
                                &runs_on.offering,
                                holder.holding.as_ref(),
                                &mut holders,
                            );
                        }
                    }
                }
                areas.push(ResolvedArea {
                    id: aid.clone(),
                    name: area.name.clone(),
                    group: area.group.clone(),
                    description: area.description.clone(),
                    controls: area.controls.iter().map(|c| c.value.clone()).collect(),
                    holders,
                });
            }
            matrix.offerings.push(ResolvedOffering {
                id: oid.clone(),
                name: offering.name.clone(),
                description: offering.description.clone(),
                runs_on: offering
                    .runs_on
                    .iter()
                    .map(|(u, r)| (u.clone(), r.offering.value.clone()))
                    .collect(),
                areas,
            });
        }
        matrix
    }

    /// Expands `upstream` in one cell: the upstream's holders of every area
    /// this area stands for, in the offering we consume.
    #[allow(clippy::too_many_arguments)]
    fn inherit(
        &mut self,
        id: ModelId,
        m: &Model,
        matrix: &mut Matrix,
        area: &str,
        upstream: &str,
        upstream_offering: &str,
        annotation: Option<&Holding>,
        holders: &mut Vec<ResolvedHolder>,
    ) {
        let Some((up, up_model)) = self.upstream(id, upstream) else {
            return;
        };
        let Some(offering) = up.offering(upstream_offering) else {
            return;
        };
        let as_party = m.as_party(upstream);
        for up_area in m.stands_for(area, upstream) {
            let Some(up_area) = offering.area(up_area) else {
                continue;
            };
            for h in &up_area.holders {
                let is_customer_part = h.via.is_empty()
                    && up_model
                        .parties
                        .get(&h.party)
                        .is_some_and(|p| p.role == Role::Customer);
                let qualify = |ids: &[String]| {
                    ids.iter()
                        .map(|i| format!("{upstream}/{i}"))
                        .collect::<Vec<_>>()
                };
                copy_refs(matrix, &up, upstream, h);
                let mut resolved = ResolvedHolder {
                    party: format!("{upstream}/{}", h.party),
                    name: h.name.clone(),
                    role: h.role,
                    scope: h.scope.clone(),
                    duties: h.duties.clone(),
                    how: qualify(&h.how),
                    evidence: qualify(&h.evidence),
                    note: h.note.clone(),
                    via: std::iter::once(upstream.to_string())
                        .chain(h.via.iter().cloned())
                        .collect(),
                };
                if is_customer_part {
                    let party = m.parties.get(as_party);
                    resolved.party = as_party.to_string();
                    resolved.name = party.map_or_else(|| as_party.to_string(), |p| p.name.clone());
                    resolved.role = party.map_or(Role::Provider, |p| p.role);
                    resolved.via.clear();
                } else {
                    matrix
                        .parties
                        .entry(resolved.party.clone())
                        .or_insert_with(|| PartyInfo {
                            name: resolved.name.clone(),
                            role: resolved.role,
                            via: resolved.via.clone(),
                        });
                    if let Some(a) = annotation {
                        annotate(&mut resolved, a);
                    }
                }
                merge(holders, resolved, false);
            }
        }
    }
}

/// Convenience: resolves one model of a set.
pub fn resolve(set: &ModelSet, id: ModelId) -> Option<Rc<Matrix>> {
    Resolver::new(set).resolve(id)
}

fn own_holder(id: &str, name: String, role: Role, holding: Option<&Holding>) -> ResolvedHolder {
    let mut h = ResolvedHolder {
        party: id.to_string(),
        name,
        role,
        scope: None,
        duties: Vec::new(),
        how: Vec::new(),
        evidence: Vec::new(),
        note: None,
        via: Vec::new(),
    };
    if let Some(holding) = holding {
        annotate(&mut h, holding);
    }
    h
}

/// Adds what a holding written in this model says to a resolved holder.
fn annotate(h: &mut ResolvedHolder, holding: &Holding) {
    if let Some(scope) = &holding.scope {
        h.scope = Some(scope.value.clone());
    }
    extend_unique(
        &mut h.duties,
        holding.duties.iter().map(|s| s.value.clone()),
    );
    extend_unique(&mut h.how, holding.how.iter().map(|s| s.value.clone()));
    extend_unique(
        &mut h.evidence,
        holding.evidence.iter().map(|s| s.value.clone()),
    );
    if let Some(note) = &holding.note {
        h.note = Some(note.clone());
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
            existing.scope = Some(format!("{old}; {scope}"));
        }
        _ => {}
    }
    extend_unique(&mut existing.duties, new.duties);
    extend_unique(&mut existing.how, new.how);
    extend_unique(&mut existing.evidence, new.evidence);
    if existing.note.is_none() {
        existing.note = new.note;
    }
}

fn extend_unique(list: &mut Vec<String>, items: impl IntoIterator<Item = String>) {
    for item in items {
        if !list.contains(&item) {
            list.push(item);
        }
    }
}

/// Copies the practices and evidence an inherited holder refers to into
/// this matrix, under their qualified ids.
fn copy_refs(matrix: &mut Matrix, up: &Matrix, upstream: &str, h: &ResolvedHolder) {
    for p in &h.how {
        if let Some(practice) = up.practices.get(p) {
            matrix
                .practices
                .entry(format!("{upstream}/{p}"))
                .or_insert_with(|| practice.clone());
        }
    }
    for e in &h.evidence {
        if let Some(evidence) = up.evidence.get(e) {
            matrix
                .evidence
                .entry(format!("{upstream}/{e}"))
                .or_insert_with(|| evidence.clone());
        }
    }
}
