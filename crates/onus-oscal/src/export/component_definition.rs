//! The component definition: what each provider-side party implements.
//!
//! - one `component` (type `service`) per party other than the customer
//!   that holds at least one mapped area; its `control-implementations`
//!   are one per offering, area and framework where it holds the area: the
//!   `description` is the party's duties there (one paragraph each), and
//!   one `implemented-requirement` per control of the area, with one
//!   statement (`{control}_smt`) holding the same duties;
//! - one `capability` per offering (its name and description; the
//!   components that implement something in it) and one per area (its
//!   name, description, group and controls in props; the components that
//!   hold it);
//! - `back-matter`: the frameworks (control-implementation `source`s point
//!   to them), practices and evidence.
//!
//! The customer's parts are not here: a component definition says what
//! components implement. They are in the SSP's `responsibilities`.

use std::collections::HashMap;

use indexmap::IndexSet;
use serde_json::{json, Map, Value};

use onus_core::model::Role;
use onus_core::resolve::{party_label, ResolvedArea, ResolvedHolder};

use super::{line, prop, Context, Input};
use crate::control_id::base;
use crate::crm::control_label;

/// The component definition of a resolved model, as OSCAL JSON.
pub fn export(input: Input<'_>) -> Value {
    let ctx = Context::new(input);
    let m = ctx.matrix;
    let mut components = Vec::new();
    // Component uuids per offering and per area, for the capabilities
    // (sets: a model of 60,000 areas has as many keys).
    let mut in_offering = Incorporated::default();
    let mut in_area = Incorporated::default();
    for (q, party) in &m.parties {
        if party.role == Role::Customer {
            continue;
        }
        let pid = ctx.party_id(q);
        let component_uuid = ctx.uuid(&["component", &pid]);
        let mut implementations = Vec::new();
        for o in &ctx.offerings {
            for a in &o.areas {
                let Some(h) = a.holders.iter().find(|h| h.party == *q) else {
                    continue;
                };
                let mut frameworks: Vec<&str> = Vec::new();
                for c in a.controls.iter() {
                    if !frameworks.contains(&c.framework.as_str()) {
                        frameworks.push(&c.framework);
                    }
                }
                for f in frameworks {
                    let requirements: Vec<Value> = a
                        .controls
                        .iter()
                        // `ac-2+` (with its enhancements) is implemented as `ac-2`.
                        .filter(|c| c.framework == f && is_token(base(&c.control)))
                        .map(|c| {
                            let ids = ["implemented-requirement", &pid, &o.id, &a.id, f, &c.control];
                            let mut r = Map::new();
                            r.insert("uuid".into(), json!(ctx.uuid(&ids)));
                            r.insert("control-id".into(), json!(base(&c.control)));
                            r.insert(
                                "description".into(),
                                json!(format!(
                                    "{} covers {} through {} in {}.",
                                    Context::label(h),
                                    control_label(base(&c.control)),
                                    a.name,
                                    o.name
                                )),
                            );
                            r.insert("responsible-roles".into(), ctx.responsible(h));
                            r.insert(
                                "statements".into(),
                                json!([{
                                    "statement-id": format!("{}_smt", base(&c.control)),
                                    "uuid": ctx.uuid(&["statement", &pid, &o.id, &a.id, f, &c.control]),
                                    "description": description(h, a, &o.name),
                                    "responsible-roles": ctx.responsible(h),
                                }]),
                            );
                            if let Some(note) = h.note.as_deref().filter(|n| !n.trim().is_empty()) {
                                r.insert("remarks".into(), json!(note));
                            }
                            Value::Object(r)
                        })
                        .collect();
                    if requirements.is_empty() {
                        continue;
                    }
                    let mut props = vec![prop("offering", &o.id), prop("area", &a.id)];
                    props.extend(ctx.holding_props(h));
                    let mut ci = Map::new();
                    ci.insert(
                        "uuid".into(),
                        json!(ctx.uuid(&["control-implementation", &pid, &o.id, &a.id, f])),
                    );
                    ci.insert(
                        "source".into(),
                        json!(format!("#{}", ctx.framework_uuid(f))),
                    );
                    ci.insert("description".into(), json!(description(h, a, &o.name)));
                    ci.insert("props".into(), Value::Array(props));
                    let links = ctx.holding_links(h);
                    if !links.is_empty() {
                        ci.insert("links".into(), Value::Array(links));
                    }
                    ci.insert(
                        "implemented-requirements".into(),
                        Value::Array(requirements),
                    );
                    implementations.push(Value::Object(ci));
                    in_offering.add(&o.id, &component_uuid);
                    in_area.add(&a.id, &component_uuid);
                }
            }
        }
        if implementations.is_empty() {
            continue;
        }
        let label = party_label(&party.name, &party.via);
        components.push(json!({
            "uuid": component_uuid,
            "type": "service",
            "title": line(&label),
            "description": format!(
                "What {label} implements under {}'s shared responsibility model, per offering and area.",
                m.name
            ),
            "props": [prop("party", &pid)],
            "responsible-roles": [{"role-id": party.role.as_str(), "party-uuids": [ctx.party_uuid(q)]}],
            "control-implementations": implementations,
        }));
    }

    let mut capabilities = Vec::new();
    for o in &ctx.offerings {
        let mut c = Map::new();
        c.insert("uuid".into(), json!(ctx.uuid(&["offering", &o.id])));
        c.insert("name".into(), json!(line(&o.name)));
        c.insert(
            "description".into(),
            json!(o.description.clone().unwrap_or_else(|| o.name.clone())),
        );
        c.insert("props".into(), json!([prop("offering", &o.id)]));
        incorporates(
            &mut c,
            &in_offering,
            &o.id,
            "Implements controls in this offering.",
        );
        capabilities.push(Value::Object(c));
    }
    if let Some(first) = ctx.offerings.first() {
        for a in &first.areas {
            let mut c = Map::new();
            c.insert("uuid".into(), json!(ctx.uuid(&["area", &a.id])));
            c.insert("name".into(), json!(line(&a.name)));
            c.insert(
                "description".into(),
                json!(a.description.clone().unwrap_or_else(|| a.name.clone())),
            );
            c.insert("props".into(), Value::Array(Context::area_props(a)));
            incorporates(&mut c, &in_area, &a.id, "Holds this area.");
            capabilities.push(Value::Object(c));
        }
    }

    let mut root = Map::new();
    root.insert("uuid".into(), json!(ctx.uuid(&["component-definition"])));
    root.insert("metadata".into(), ctx.metadata());
    if !components.is_empty() {
        root.insert("components".into(), Value::Array(components));
    }
    if !capabilities.is_empty() {
        root.insert("capabilities".into(), Value::Array(capabilities));
    }
    if let Some(back) = ctx.back_matter() {
        root.insert("back-matter".into(), back);
    }
    json!({ "component-definition": root })
}

/// A holding's duties, one paragraph each (or a sentence when it has none).
fn description(h: &ResolvedHolder, a: &ResolvedArea, offering: &str) -> String {
    Context::duty_texts(h, a, offering).join("\n\n")
}

/// Offering or area id -> the uuids of the components that implement
/// controls in it, in the order met, each once.
#[derive(Default)]
struct Incorporated(HashMap<String, IndexSet<String>>);

impl Incorporated {
    fn add(&mut self, key: &str, uuid: &str) {
        let uuids = match self.0.get_mut(key) {
            Some(uuids) => uuids,
            None => self.0.entry(key.to_owned()).or_default(),
        };
        if !uuids.contains(uuid) {
            uuids.insert(uuid.to_owned());
        }
    }
}

fn incorporates(c: &mut Map<String, Value>, by_key: &Incorporated, key: &str, what: &str) {
    let list: Vec<Value> = by_key
        .0
        .get(key)
        .into_iter()
        .flatten()
        .map(|uuid| json!({"component-uuid": uuid, "description": what}))
        .collect();
    if !list.is_empty() {
        c.insert("incorporates-components".into(), Value::Array(list));
    }
}

/// Whether `s` is an OSCAL token (an XML NCName), as `control-id` must be.
pub(crate) fn is_token(s: &str) -> bool {
    let mut chars = s.chars();
    chars.next().is_some_and(|c| c.is_alphabetic() || c == '_')
        && chars.all(|c| c.is_alphanumeric() || matches!(c, '.' | '-' | '_'))
}
