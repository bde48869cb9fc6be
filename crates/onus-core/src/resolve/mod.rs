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
//!
//! - `matrix.rs`: the public types ([`Matrix`] and what it holds).
//! - `build.rs`: one model's matrix, cell by cell.
//! - `upstream.rs`: the walk into an upstream's matrix.
//! - `merge.rs`: folding a party's holdings into one holder.

mod build;
mod matrix;
mod merge;
mod upstream;

use std::collections::HashMap;
use std::sync::Arc;

use crate::load::{ModelId, ModelSet};
pub use crate::text::{Text, Texts};
pub use matrix::{
    party_label, AreaInfo, Duties, Matrix, PartyInfo, RefIds, ResolvedArea, ResolvedHolder,
    ResolvedOffering,
};

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
    /// How many matrices were built.
    built: usize,
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
            built: 0,
        }
    }

    /// How many matrices it has built: each model once, unless asked
    /// again after it was let go.
    pub fn built(&self) -> usize {
        self.built
    }

    /// The resolved matrix of a model, or `None` if it did not load.
    pub fn resolve(&mut self, id: ModelId) -> Option<Arc<Matrix>> {
        if let Some(done) = self.cache.get(&id) {
            return done.clone();
        }
        // Marks the model as in progress: a cycle resolves to nothing rather than looping.
        self.cache.insert(id, None);
        let result = self.set.model(id).map(|m| Arc::new(self.build(id, m)));
        self.built += usize::from(result.is_some());
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

/// Convenience: resolves one model of a set.
pub fn resolve(set: &ModelSet, id: ModelId) -> Option<Arc<Matrix>> {
    Resolver::new(set).resolve(id)
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
        assert_eq!(resolver.built(), 3);
        // The upstreams were let go once `a` was resolved: asked again, they are resolved again.
        for i in 1..3 {
            let again = resolver.resolve(ModelId(i)).unwrap();
            assert_eq!(*again, *resolve(&set, ModelId(i)).unwrap());
        }
    }

    /// Checking with the resolver that then resolves the root (as the CLI
    /// does) resolves each model of the chain once.
    #[test]
    fn check_and_resolve_share_one_resolver() {
        let set = chain();
        let mut resolver = Resolver::new(&set);
        assert!(crate::check::check_with(&set, &mut resolver).is_empty());
        assert_eq!(resolver.built(), 2, "the upstreams, for the chain rules");
        let root = resolver.resolve(ModelId(0)).unwrap();
        assert_eq!(resolver.built(), 3, "and the root, on the cached upstreams");
        assert_eq!(*root, *resolve(&set, ModelId(0)).unwrap());
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
                        h.scopes.first().map(Text::as_str),
                        h.duties.iter().map(Text::as_str).collect(),
                    )
                })
                .collect();
            assert_eq!(holders, expected, "{data}");
        }
    }
}
