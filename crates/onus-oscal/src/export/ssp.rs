//! The SSP fragment of one offering: the system is the offering, its
//! components are the model's areas, and each control's statement says,
//! area by area (`by-components`), what the provider side does and what it
//! leaves to the customer, in the `export` that a leveraging system reads:
//!
//! - `provided`: one entry per duty of each holder other than the customer
//!   (the model's provider and third parties, and upstream holders,
//!   written `Microsoft (via azure)`), with `responsible-roles` naming it;
//! - `responsibilities`: one entry per duty of the customer, linked by
//!   `provided-uuid` to the first `provided` of the same area when the
//!   area has one (the provider's part the customer's part completes).
//!
//! Each area component's `responsible-roles` lists every holder of the area,
//! so an area mapped to no control still says who holds it. The fragment
//! covers the controls of one framework: the first one the offering's
//! areas map to, which `import-profile` points to (a back-matter resource).

use serde_json::{json, Map, Value};

use onus_core::model::Role;
use onus_core::resolve::{ResolvedArea, ResolvedHolder, ResolvedOffering};

use super::component_definition::is_token;
use super::{line, mapped, prop, Context, Input};
use crate::Error;

/// The SSP fragment of `offering` (an offering of `input.matrix`), as OSCAL JSON.
///
/// Fails with [`Error::NothingToExport`] when no area of the offering maps
/// to a control: an SSP needs at least one implemented requirement.
pub fn export(input: Input<'_>, offering: &ResolvedOffering) -> Result<Value, Error> {
    let ctx = Context::new(input);
    let m = ctx.matrix;
    let o = offering;
    let framework = o
        .areas
        .iter()
        .flat_map(|a| a.controls.iter())
        .find(|c| is_token(crate::control_id::base(&c.control)))
        .map(|c| c.framework.clone())
        .ok_or_else(|| Error::NothingToExport {
            model: m.model.clone(),
            what: format!(
                "no area of offering `{}` maps to a control, and an SSP needs at least one; \
                 add `controls: [FRAMEWORK:ID, ...]` to its areas",
                o.id
            ),
        })?;
    let framework_name = m
        .frameworks
        .get(&framework)
        .map_or(framework.clone(), |f| f.name.clone());

    let system = ctx.uuid(&["system", &o.id]);
    let offering_description = o.description.clone().unwrap_or_else(|| o.name.clone());
    let mut components = vec![json!({
        "uuid": system,
        "type": "this-system",
        "title": line(&o.name),
        "description": offering_description,
        "status": {"state": "operational"},
    })];
    for a in &o.areas {
        components.push(area_component(&ctx, a));
    }

    let mut requirements = Vec::new();
    for (control, areas) in mapped(&o.areas, &framework) {
        if !is_token(&control) {
            continue;
        }
        let by_components: Vec<Value> = areas
            .iter()
            .map(|a| by_component(&ctx, o, &control, a))
            .collect();
        requirements.push(json!({
            "uuid": ctx.uuid(&["implemented-requirement", &o.id, &control]),
            "control-id": control,
            "statements": [{
                "statement-id": format!("{control}_smt"),
                "uuid": ctx.uuid(&["statement", &o.id, &control]),
                "by-components": by_components,
            }],
        }));
    }

    let mut root = Map::new();
    root.insert("uuid".into(), json!(ctx.uuid(&["ssp", &o.id])));
    root.insert("metadata".into(), ctx.metadata());
    root.insert(
        "import-profile".into(),
        json!({"href": format!("#{}", ctx.framework_uuid(&framework))}),
    );
    root.insert(
        "system-characteristics".into(),
        json!({
            "system-ids": [{"identifier-type": "https://ietf.org/rfc/rfc4122", "id": system}],
            "system-name": line(&o.name),
            "system-name-short": o.id,
            "description": offering_description,
            "props": [prop("offering", &o.id)],
            "system-information": {"information-types": [{
                "uuid": ctx.uuid(&["information-type", &o.id]),
                "title": "Not categorized",
                "description": "A shared responsibility model does not categorize the information the system handles.",
            }]},
            "status": {"state": "operational"},
            "authorization-boundary": {
                "description": format!(
                    "Not stated by {}'s shared responsibility model. The components are its areas; \
                     each names the parties that hold it.",
                    m.name
                ),
            },
        }),
    );
    root.insert(
        "system-implementation".into(),
        json!({ "components": components }),
    );
    root.insert(
        "control-implementation".into(),
        json!({
            "description": format!(
                "How {}'s shared responsibility model splits the controls of {framework_name} in {}: \
                 what the provider side does (`provided`) and what it leaves to the customer \
                 (`responsibilities`), area by area.",
                m.name, o.name
            ),
            "implemented-requirements": requirements,
        }),
    );
    if let Some(back) = ctx.back_matter() {
        root.insert("back-matter".into(), back);
    }
    Ok(json!({ "system-security-plan": root }))
}

/// An area as a system component: who holds it, by role, in its `responsible-roles`.
fn area_component(ctx: &Context<'_>, a: &ResolvedArea) -> Value {
    let mut c = Map::new();
    c.insert("uuid".into(), json!(ctx.uuid(&["area", &a.id])));
    c.insert("type".into(), json!("service"));
    c.insert("title".into(), json!(line(&a.name)));
    c.insert(
        "description".into(),
        json!(a.description.clone().unwrap_or_else(|| a.name.clone())),
    );
    c.insert("props".into(), Value::Array(Context::area_props(a)));
    c.insert("status".into(), json!({"state": "operational"}));
    // Roles in order of first appearance, each with its holders in order.
    let mut roles: Vec<(Role, Vec<String>)> = Vec::new();
    for h in &a.holders {
        let uuid = ctx.party_uuid(&h.party);
        match roles.iter_mut().find(|(r, _)| *r == h.role) {
            Some((_, list)) => list.push(uuid),
            None => roles.push((h.role, vec![uuid])),
        }
    }
    if !roles.is_empty() {
        let roles: Vec<Value> = roles
            .into_iter()
            .map(|(r, uuids)| json!({"role-id": r.as_str(), "party-uuids": uuids}))
            .collect();
        c.insert("responsible-roles".into(), Value::Array(roles));
    }
    Value::Object(c)
}

/// What one area says about one control: `export` with `provided` and `responsibilities`.
fn by_component(ctx: &Context<'_>, o: &ResolvedOffering, control: &str, a: &ResolvedArea) -> Value {
    let ids = |kind: &str, h: &ResolvedHolder, duty: &str| {
        ctx.uuid(&[kind, &o.id, control, &a.id, &ctx.party_id(&h.party), duty])
    };
    let mut provided = Vec::new();
    for h in a.holders.iter().filter(|h| !is_customer(h)) {
        let duties = Context::duty_texts(h, a, &o.name);
        for (key, duty) in duty_keys(h, &duties).iter().zip(duties) {
            provided.push(entry(ctx, h, ids("provided", h, key), None, duty));
        }
    }
    let first_provided = provided
        .first()
        .and_then(|p| p["uuid"].as_str())
        .map(str::to_string);
    let mut responsibilities = Vec::new();
    for h in a.holders.iter().filter(|h| is_customer(h)) {
        let duties = Context::duty_texts(h, a, &o.name);
        for (key, duty) in duty_keys(h, &duties).iter().zip(duties) {
            responsibilities.push(entry(
                ctx,
                h,
                ids("responsibility", h, key),
                first_provided.clone(),
                duty,
            ));
        }
    }
    let holders: Vec<String> = a.holders.iter().map(Context::label).collect();
    let mut b = Map::new();
    b.insert("component-uuid".into(), json!(ctx.uuid(&["area", &a.id])));
    b.insert(
        "uuid".into(),
        json!(ctx.uuid(&["by-component", &o.id, control, &a.id])),
    );
    b.insert(
        "description".into(),
        json!(if holders.is_empty() {
            format!("{}: nobody holds it.", a.name)
        } else {
            format!("{}: held by {}.", a.name, holders.join(", "))
        }),
    );
    let mut export = Map::new();
    if !provided.is_empty() {
        export.insert("provided".into(), Value::Array(provided));
    }
    if !responsibilities.is_empty() {
        export.insert("responsibilities".into(), Value::Array(responsibilities));
    }
    if !export.is_empty() {
        b.insert("export".into(), Value::Object(export));
    }
    Value::Object(b)
}

/// The identities of `texts`, a holder's duties as [`Context::duty_texts`]
/// gives them (the one sentence of a holder without duties has no id).
fn duty_keys(h: &ResolvedHolder, texts: &[String]) -> Vec<String> {
    onus_core::identity::duty_keys(
        texts
            .iter()
            .enumerate()
            .map(|(i, text)| (text.as_str(), h.duties.id(i).map(|id| id.as_str()))),
    )
}

/// A `provided` entry (no `provided-uuid`) or a `responsibilities` one.
fn entry(
    ctx: &Context<'_>,
    h: &ResolvedHolder,
    uuid: String,
    provided_uuid: Option<String>,
    description: String,
) -> Value {
    let mut e = Map::new();
    e.insert("uuid".into(), json!(uuid));
    if let Some(p) = provided_uuid {
        e.insert("provided-uuid".into(), json!(p));
    }
    e.insert("description".into(), json!(description));
    let props = ctx.holding_props(h);
    if !props.is_empty() {
        e.insert("props".into(), Value::Array(props));
    }
    let links = ctx.holding_links(h);
    if !links.is_empty() {
        e.insert("links".into(), Value::Array(links));
    }
    e.insert("responsible-roles".into(), ctx.responsible(h));
    if let Some(note) = h.note.as_deref().filter(|n| !n.trim().is_empty()) {
        e.insert("remarks".into(), json!(note));
    }
    Value::Object(e)
}

/// The model's own customer: its part is a responsibility, every other one is provided.
fn is_customer(h: &ResolvedHolder) -> bool {
    h.via.is_empty() && h.role == Role::Customer
}
