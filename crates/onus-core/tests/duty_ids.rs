//! Duty ids in `onus diff`: a duty whose `id:` stays while its text changes
//! is one `duty-reworded` change (however different the texts), also when
//! the duty comes from an upstream; without ids the same edit is a removal
//! and an addition.

use std::collections::HashMap;
use std::path::PathBuf;

use onus_core::check::check;
use onus_core::diff::{diff, Change, Kind};
use onus_core::load::ModelSet;
use onus_core::resolve::{resolve, Matrix};

const UP: &str = "onus: 1
model: { id: up, name: Up, publisher: cloud }
parties:
  cloud: { name: Cloud, role: provider }
  customer: { name: Customer, role: customer }
offerings:
  iaas: { name: IaaS }
areas:
  os: { name: Operating system }
responsibilities:
  os:
    cloud: { duties: [Runs the hypervisor] }
    customer: { duties: [{ id: guest-os, text: UPSTREAM }] }
";

/// The `app` model (on `up`) with `acme`'s duties `duties`, and `up`'s
/// customer duty worded `upstream`, resolved (and checked clean).
fn matrix(duties: &str, upstream: &str) -> Matrix {
    let text = format!(
        "onus: 1
model: {{ id: app, name: App, publisher: acme }}
parties:
  acme: {{ name: Acme, role: provider }}
  customer: {{ name: Customer, role: customer }}
upstreams:
  up: {{ model: up.onus.yaml }}
offerings:
  app: {{ name: App, runs-on: {{ up: iaas }} }}
areas:
  os: {{ name: Servers }}
responsibilities:
  os:
    up: ~
    acme:
      duties:
{duties}
"
    );
    let files: HashMap<PathBuf, String> = [
        ("up.onus.yaml", UP.replace("UPSTREAM", upstream)),
        ("app.onus.yaml", text),
    ]
    .into_iter()
    .map(|(p, t)| (PathBuf::from(p), t))
    .collect();
    let set = ModelSet::load(&[PathBuf::from("app.onus.yaml")], &files).unwrap();
    let found = check(&set);
    assert!(found.is_empty(), "{found:?}");
    resolve(&set, set.roots[0]).unwrap().as_ref().clone()
}

/// The duty changes: (kind, reference, before, after).
fn duty_changes(old: &Matrix, new: &Matrix) -> Vec<(&'static str, Option<String>, String, String)> {
    let text =
        |v: &Option<onus_core::diff::Value>| v.as_ref().map_or(String::new(), |v| v.joined());
    diff(old, new)
        .iter()
        .filter(|c: &&Change| {
            matches!(
                c.kind,
                Kind::DutyAdded | Kind::DutyRemoved | Kind::DutyReworded | Kind::DutyIdChanged
            )
        })
        .map(|c| {
            (
                c.kind.as_str(),
                c.reference.clone(),
                text(&c.before),
                text(&c.after),
            )
        })
        .collect()
}

const OLD: &str = "        - { id: backup, text: Backs up the servers every night }
        - Encrypts the disks";
const NEW: &str = "        - Encrypts the disks
        - { id: backup, text: Keeps a copy of each server in another region }";

#[test]
fn a_duty_keeps_its_id_while_its_text_changes() {
    let guest = "Patches the guest operating system";
    let old = matrix(OLD, guest);
    let new = matrix(NEW, guest);
    assert_eq!(
        duty_changes(&old, &new),
        [(
            "duty-reworded",
            Some("backup".to_string()),
            "Backs up the servers every night".to_string(),
            "Keeps a copy of each server in another region".to_string()
        )]
    );
    // The same edit without the id: too unlike to pair, so removed and added.
    let plain = |s: &str| s.replace("{ id: backup, text: ", "\"").replace(" }", "\"");
    let kinds: Vec<&str> = duty_changes(&matrix(&plain(OLD), guest), &matrix(&plain(NEW), guest))
        .iter()
        .map(|c| c.0)
        .collect();
    assert_eq!(kinds, ["duty-removed", "duty-added"]);
}

#[test]
fn an_upstream_duty_keeps_its_qualified_id_downstream() {
    let old = matrix(OLD, "Patches the guest operating system");
    let new = matrix(OLD, "Keeps every machine image current");
    assert_eq!(
        duty_changes(&old, &new),
        [(
            "duty-reworded",
            Some("up/guest-os".to_string()),
            "Patches the guest operating system".to_string(),
            "Keeps every machine image current".to_string()
        )]
    );
}

#[test]
fn an_id_given_to_a_duty_is_a_change_of_what_it_is_known_by() {
    let guest = "Patches the guest operating system";
    let old = matrix("        - Encrypts the disks", guest);
    let new = matrix("        - { id: disks, text: Encrypts the disks }", guest);
    let changes = duty_changes(&old, &new);
    assert_eq!(
        changes,
        [("duty-id-changed", None, String::new(), "disks".to_string())]
    );
    assert_eq!(
        duty_changes(&new, &old),
        [("duty-id-changed", None, "disks".to_string(), String::new())]
    );
    let other = matrix(
        "        - { id: encryption, text: Encrypts the disks }",
        guest,
    );
    assert_eq!(
        duty_changes(&new, &other),
        [(
            "duty-id-changed",
            None,
            "disks".to_string(),
            "encryption".to_string()
        )]
    );
}
