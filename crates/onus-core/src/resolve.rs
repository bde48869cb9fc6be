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
///
/// A matrix is kept only while a model that runs on it is still to be
/// resolved: along a long chain of big models, only two levels are held at
/// a time. Asking again for a model whose downstream models are all
/// resolved computes it again.
pub struct Resolver<'a> {
    set: &'a ModelSet,
    cache: HashMap<ModelId, Option<Rc<Matrix>>>,
    /// Model -> how many models that run on it are not resolved yet.
    waiting: HashMap<ModelId, usize>,
}

/// The upstreams one build has looked up, by upstream id.
type Upstreams<'a> = Vec<(&'a str, Option<(Rc<Matrix>, &'a Model)>)>;

impl<'a> Resolver<'a> {
    pub fn new(set: &'a ModelSet) -> Resolver<'a> {
        let mut waiting = HashMap::new();
        for i in 0..set.models.len() {
            for target in direct_upstreams(set, ModelId(i)) {
                *waiting.entry(target).or_insert(0) += 1;
            }
        }
        Resolver {
            set,
            cache: HashMap::new(),
            waiting,
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
        for target in direct_upstreams(self.set, id) {
            let left = self.waiting.entry(target).or_insert(0);
            *left = left.saturating_sub(1);
            if *left == 0 && matches!(self.cache.get(&target), Some(Some(_))) {
                self.cache.remove(&target);
            }
        }
        result
    }

    /// Upstream `upstream` of `model`, looked up once per build.
    fn upstream(
        &mut self,
        seen: &mut Upstreams<'a>,
        model: ModelId,
        upstream: &'a str,
    ) -> Option<(Rc<Matrix>, &'a Model)> {
        if let Some((_, found)) = seen.iter().find(|(u, _)| *u == upstream) {
            return found.clone();
        }
        let found = (|| {
            let target = (*self.set.get(model).upstreams.get(upstream)?)?;
            Some((self.resolve(target)?, self.set.model(target)?))
        })();
        seen.push((upstream, found.clone()));
        found
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
        let mut upstreams = Upstreams::new();
        for (oid, offering) in &m.offerings {
            let mut areas = Vec::with_capacity(m.areas.len());
            for (aid, area) in &m.areas {
                let list = m
                    .responsibilities
                    .get(aid)
                    .and_then(|cell| cell.body.for_offering(oid))
                    .map_or(&[][..], |h| &h.list);
                let mut holders = Vec::with_capacity(list.len());
                for holder in list {
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
                            &mut upstreams,
                            id,
                            m,
                            &mut matrix,
                            aid,
                            &holder.id,
                            &runs_on.offering,
                            Inherit::Cell(holder.holding.as_ref()),
                            &mut holders,
                        );
                    }
                }
                // An upstream's customer part in an area this one claims without
                // inheriting it is the `as` party's to do: when that party holds
                // the area, its duties say so.
                for (upstream, runs_on) in &offering.runs_on {
                    let inherited = list.iter().any(|h| h.id.value == *upstream);
                    let as_party = m.as_party(upstream);
                    let holds = holders
                        .iter()
                        .any(|h| h.via.is_empty() && h.party == as_party);
                    if !inherited && holds {
                        self.inherit(
                            &mut upstreams,
                            id,
                            m,
                            &mut matrix,
                            aid,
                            upstream,
                            &runs_on.offering,
                            Inherit::CustomerPart,
                            &mut holders,
                        );
                    }
                }
                if holders.capacity() > holders.len() {
                    holders.shrink_to_fit();
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
        upstreams: &mut Upstreams<'a>,
        id: ModelId,
        m: &Model,
        matrix: &mut Matrix,
        area: &str,
        upstream: &'a str,
        upstream_offering: &str,
        how: Inherit<'_>,
        holders: &mut Vec<ResolvedHolder>,
    ) {
        let Some((up, up_model)) = self.upstream(upstreams, id, upstream) else {
            return;
        };
        let Some(offering) = up.offering_of(up_model, upstream_offering) else {
            return;
        };
        let as_party = m.as_party(upstream);
        for up_area in m.stands_for(area, upstream) {
            let Some(up_area) = offering.area_of(up_model, up_area) else {
                continue;
            };
            for h in &up_area.holders {
                let is_customer_part = h.via.is_empty()
                    && up_model
                        .parties
                        .get(&h.party)
                        .is_some_and(|p| p.role == Role::Customer);
                if matches!(how, Inherit::CustomerPart) && !is_customer_part {
                    continue;
                }
                let qualify = |ids: &[String]| {
                    ids.iter()
                        .map(|i| format!("{upstream}/{i}"))
                        .collect::<Vec<_>>()
                };
                let (practices, evidence) = (qualify(&h.how), qualify(&h.evidence));
                copy_refs(matrix, &up, h, &practices, &evidence);
                let mut resolved = if is_customer_part {
                    let party = m.parties.get(as_party);
                    ResolvedHolder {
                        party: as_party.to_string(),
                        name: party.map_or_else(|| as_party.to_string(), |p| p.name.clone()),
                        role: party.map_or(Role::Provider, |p| p.role),
                        // Folded into a party's own holding, the upstream's
                        // scope and note would read as this model's.
                        scope: h.scope.clone().filter(|_| matches!(how, Inherit::Cell(_))),
                        duties: h.duties.clone(),
                        how: practices,
                        evidence,
                        note: h.note.clone().filter(|_| matches!(how, Inherit::Cell(_))),
                        via: Vec::new(),
                    }
                } else {
                    let mut via = Vec::with_capacity(1 + h.via.len());
                    via.push(upstream.to_string());
                    via.extend(h.via.iter().cloned());
                    ResolvedHolder {
                        party: format!("{upstream}/{}", h.party),
                        name: h.name.clone(),
                        role: h.role,
                        scope: h.scope.clone(),
                        duties: h.duties.clone(),
                        how: practices,
                        evidence,
                        note: h.note.clone(),
                        via,
                    }
                };
                if !is_customer_part {
                    if !matrix.parties.contains_key(&resolved.party) {
                        let info = PartyInfo {
                            name: resolved.name.clone(),
                            role: resolved.role,
                            via: resolved.via.clone(),
                        };
                        matrix.parties.insert(resolved.party.clone(), info);
                    }
                    if let Inherit::Cell(Some(a)) = how {
                        annotate(&mut resolved, a);
                    }
                }
                merge(holders, resolved, false);
            }
        }
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

/// What [`Resolver::inherit`] takes from an upstream area.
#[derive(Clone, Copy)]
enum Inherit<'h> {
    /// Every holder: the cell names the upstream (with this holding, if any).
    Cell(Option<&'h Holding>),
    /// Only the upstream's customer part, as duties of the `as` party: the
    /// area claims the upstream area without inheriting it.
    CustomerPart,
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
    h.duties.reserve(holding.duties.len());
    h.how.reserve(holding.how.len());
    h.evidence.reserve(holding.evidence.len());
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
/// this matrix, under their qualified ids (`how` and `evidence`, in the
/// holder's order).
fn copy_refs(
    matrix: &mut Matrix,
    up: &Matrix,
    h: &ResolvedHolder,
    how: &[String],
    evidence: &[String],
) {
    for (p, qualified) in h.how.iter().zip(how) {
        if let Some(practice) = up.practices.get(p) {
            if !matrix.practices.contains_key(qualified) {
                matrix.practices.insert(qualified.clone(), practice.clone());
            }
        }
    }
    for (e, qualified) in h.evidence.iter().zip(evidence) {
        if let Some(item) = up.evidence.get(e) {
            if !matrix.evidence.contains_key(qualified) {
                matrix.evidence.insert(qualified.clone(), item.clone());
            }
        }
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
        let mut resolver = Resolver::new(&set);
        assert!(crate::check::check_with(&set, &mut resolver).is_empty());
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
                        h.duties.iter().map(String::as_str).collect(),
                    )
                })
                .collect();
            assert_eq!(holders, expected, "{data}");
        }
    }
}
