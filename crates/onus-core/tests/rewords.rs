//! `rewords: [UPSTREAM]`: the upstream's customer duties carried to its
//! `as` party are said in the downstream's own words, and only there.

use std::collections::HashMap;
use std::path::PathBuf;

use onus_core::check::check;
use onus_core::load::ModelSet;
use onus_core::resolve::resolve;

const UP: &str = "onus: 1
model: { id: up, name: Up, publisher: cloud }
parties:
  cloud: { name: Cloud, role: provider }
  customer: { name: Customer, role: customer }
offerings:
  saas: { name: SaaS }
areas:
  os: { name: Operating system }
responsibilities:
  os: { customer: { duties: [Patch the guest operating system] } }
";

/// The downstream model with `cell` as its `os` cell, checked: its findings'
/// codes and the duties of `acme` in `os`.
fn down(cell: &str) -> (Vec<&'static str>, Vec<String>) {
    let text = format!(
        "onus: 1
model: {{ id: down, name: Acme, publisher: acme }}
parties:
  acme: {{ name: Acme, role: provider }}
  customer: {{ name: Customer, role: customer }}
upstreams:
  up: {{ model: up.onus.yaml }}
offerings:
  app: {{ name: App, runs-on: {{ up: saas }} }}
areas:
  os: {{ name: Servers }}
responsibilities:
  os: {cell}
"
    );
    let files: HashMap<PathBuf, String> =
        [("up.onus.yaml", UP.to_string()), ("down.onus.yaml", text)]
            .into_iter()
            .map(|(p, t)| (PathBuf::from(p), t))
            .collect();
    let set = ModelSet::load(&[PathBuf::from("down.onus.yaml")], &files).unwrap();
    let codes: Vec<&'static str> = check(&set).iter().map(|d| d.code.name()).collect();
    let matrix = resolve(&set, set.roots[0]).unwrap();
    let duties = matrix.offerings[0].areas[0]
        .holders
        .iter()
        .filter(|h| h.party == "acme")
        .flat_map(|h| h.duties.iter().map(|d| d.to_string()))
        .collect();
    (codes, duties)
}

#[test]
fn carried_duties_are_added_unless_reworded() {
    let (codes, duties) = down("{ acme: { duties: [Patches its servers every week] } }");
    assert!(codes.is_empty(), "{codes:?}");
    assert_eq!(
        duties,
        [
            "Patches its servers every week",
            "Patch the guest operating system"
        ]
    );

    let (codes, duties) =
        down("{ acme: { duties: [Patches its servers every week], rewords: [up] } }");
    assert!(codes.is_empty(), "{codes:?}");
    assert_eq!(duties, ["Patches its servers every week"]);
}

#[test]
fn rewords_that_would_do_nothing_are_errors() {
    // Not an upstream.
    let (codes, _) = down("{ acme: { duties: [Patches], rewords: [upp] } }");
    assert_eq!(codes, ["unknown-upstream"]);
    // Nothing said in its place.
    let (codes, _) = down("{ acme: { scope: hosts, rewords: [up] } }");
    assert_eq!(codes, ["missing-key"]);
    // The cell inherits: the customer part is merged, not carried.
    let (codes, _) = down("{ up: ~, acme: { duties: [Patches], rewords: [up] } }");
    assert_eq!(codes, ["invalid-value"]);
    // Not the `as` party: nothing is carried to the customer.
    let (codes, _) =
        down("{ acme: { duties: [Patches] }, customer: { duties: [Uses it], rewords: [up] } }");
    assert_eq!(codes, ["invalid-value"]);
}
