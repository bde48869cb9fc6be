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
//!   area has one (the provider's part the customer's part completes),
//!   else to the first of the control's other areas.
//!
//! Each area component's `responsible-roles` lists every holder of the area,
//! so an area mapped to no control still says who holds it. The fragment
//! covers the controls of one framework: the first one the offering's
//! areas map to, which `import-profile` points to (a back-matter resource).
//!
//! Given the upstreams ([`Input::upstreams`]), the offering leverages the
//! ones it runs on: each is a component (type `system`), with a
//! `leveraged-authorizations` entry when its authorization date is known,
//! and per control a `by-component` of it whose `inherited` entries point,
//! by `provided-uuid`, at the `provided` entries of the upstream's own SSP
//! export (what `onus oscal export --kind ssp` of the upstream gives for the
//! offering run on), rather than copying their text. The upstream holders'
//! `provided` entries stay in `export`: they are what this system passes on
//! to its own customers, who leverage it in turn.

use std::collections::HashMap;

use serde_json::{json, Map, Value};

use onus_core::identity::normalise;
use onus_core::model::Role;
use onus_core::resolve::{Matrix, ResolvedArea, ResolvedHolder, ResolvedOffering};

use super::component_definition::is_token;
use super::{line, mapped, prop, Context, Input, Upstream};
use crate::crm::Origination;
use crate::Error;

/// The namespace of FedRAMP's props.
pub const FEDRAMP_NS: &str = "https://fedramp.gov/ns/oscal";

/// The SSP fragment of `offering` (an offering of `input.matrix`), as OSCAL JSON.
///
/// Fails with [`Error::NothingToExport`] when no area of the offering maps
/// to a control: an SSP needs at least one implemented requirement.
pub fn export(input: Input<'_>, offering: &ResolvedOffering) -> Result<Value, Error> {
    let ctx = Context::new(input);
    let m = ctx.matrix;
    let o = offering;
    let framework = match input.target {
        Some(t) => t.framework.to_string(),
        None => framework(m, o)?,
    };
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
    let leveraged: Vec<Leveraged<'_>> = input
        .upstreams
        .iter()
        .filter_map(|u| Leveraged::new(*u, o))
        .collect();
    for l in &leveraged {
        components.push(l.component(&ctx));
    }

    let mut requirements = Vec::new();
    for (control, areas) in rows(input, o, &framework) {
        if areas.is_empty() {
            requirements.push(json!({
                "uuid": ctx.uuid(&["implemented-requirement", &o.id, &control]),
                "control-id": control,
                "props": [prop("unassigned", "true")],
                "remarks": format!(
                    "Unassigned: no area of {} maps to this control of the baseline.",
                    o.name
                ),
            }));
            continue;
        }
        let mut by_components: Vec<Value> = areas
            .iter()
            .map(|a| by_component(&ctx, o, &control, a))
            .collect();
        link_across_areas(&mut by_components);
        for l in &leveraged {
            by_components.extend(l.by_component(&ctx, o, &control, &areas));
        }
        // FedRAMP's control origination, as the CRM computes it.
        let origination: Vec<Value> = crate::crm::origination(
            &control,
            areas.iter().flat_map(|a| &a.holders),
        )
        .into_iter()
        .map(|v| json!({"name": Origination::PROP, "ns": Origination::NS, "value": v.as_str()}))
        .collect();
        let mut requirement = json!({
            "uuid": ctx.uuid(&["implemented-requirement", &o.id, &control]),
            "control-id": control,
            "statements": [{
                "statement-id": format!("{control}_smt"),
                "uuid": ctx.uuid(&["statement", &o.id, &control]),
                "by-components": by_components,
            }],
        });
        if !origination.is_empty() {
            requirement["props"] = Value::Array(origination);
        }
        requirements.push(requirement);
    }

    let mut root = Map::new();
    root.insert("uuid".into(), json!(ctx.uuid(&["ssp", &o.id])));
    let mut metadata = ctx.metadata();
    for l in &leveraged {
        l.add_party(&ctx, &mut metadata);
    }
    root.insert("metadata".into(), metadata);
    let baseline_resource = input.target.map(|t| baseline_resource(&ctx, t));
    let profile = baseline_resource
        .as_ref()
        .and_then(|r| r["uuid"].as_str())
        .map_or_else(|| ctx.framework_uuid(&framework), str::to_string);
    root.insert(
        "import-profile".into(),
        json!({"href": format!("#{profile}")}),
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
    let mut implementation = Map::new();
    let authorizations: Vec<Value> = leveraged
        .iter()
        .filter_map(|l| l.authorization(&ctx))
        .collect();
    if !authorizations.is_empty() {
        implementation.insert(
            "leveraged-authorizations".into(),
            Value::Array(authorizations),
        );
    }
    implementation.insert("components".into(), Value::Array(components));
    root.insert(
        "system-implementation".into(),
        Value::Object(implementation),
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
    let mut back = ctx.back_matter();
    if let Some(resource) = baseline_resource {
        let back = back.get_or_insert_with(|| json!({"resources": []}));
        if let Some(list) = back["resources"].as_array_mut() {
            list.push(resource);
        }
    }
    if let Some(back) = back {
        root.insert("back-matter".into(), back);
    }
    Ok(json!({ "system-security-plan": root }))
}

/// The controls an SSP has a requirement for, each with the areas mapped
/// to it: without a target, the controls the areas map; with one, every
/// control of the baseline in its order (no area: unassigned), then the
/// mapped controls outside it.
fn rows<'o>(
    input: Input<'_>,
    o: &'o ResolvedOffering,
    framework: &str,
) -> Vec<(String, Vec<&'o ResolvedArea>)> {
    let mapped: Vec<(String, Vec<&ResolvedArea>)> = mapped(&o.areas, framework)
        .into_iter()
        .filter(|(c, _)| is_token(c))
        .collect();
    let Some(t) = input.target else {
        return mapped;
    };
    let mut rows: Vec<(String, Vec<&ResolvedArea>)> = t
        .baseline
        .controls
        .iter()
        .filter(|c| is_token(&c.id))
        .map(|c| {
            let areas = o
                .areas
                .iter()
                .filter(|a| {
                    a.controls.iter().any(|m| {
                        m.framework == framework && crate::control_id::covers(&m.control, &c.id)
                    })
                })
                .collect();
            (c.id.clone(), areas)
        })
        .collect();
    for (control, areas) in mapped {
        if !rows.iter().any(|(c, _)| c.eq_ignore_ascii_case(&control)) {
            rows.push((control, areas));
        }
    }
    rows
}

/// The back-matter resource that stands for the targeted baseline.
fn baseline_resource(ctx: &Context<'_>, t: super::Target<'_>) -> Value {
    let b = t.baseline;
    let name = if b.name.is_empty() { &b.title } else { &b.name };
    let mut r = Map::new();
    r.insert("uuid".into(), json!(ctx.uuid(&["baseline", name])));
    r.insert("title".into(), json!(line(&b.title)));
    // Not `framework`: that prop marks the framework resources an import reads.
    let mut props = vec![prop("baseline-of", t.framework)];
    if !b.name.is_empty() {
        props.push(prop("baseline", &b.name));
    }
    if !b.release.trim().is_empty() {
        props.push(prop("release", &b.release));
    }
    r.insert("props".into(), Value::Array(props));
    if let Some(p) = t.profile {
        r.insert(
            "rlinks".into(),
            json!([{"href": p, "media-type": profile_media_type(p)}]),
        );
    }
    Value::Object(r)
}

/// The framework an offering's SSP covers: the first one its areas map
/// a control of; [`Error::NothingToExport`] when they map none.
pub(crate) fn framework(m: &Matrix, o: &ResolvedOffering) -> Result<String, Error> {
    o.areas
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
        })
}

/// The uuid of a duty's entry (`kind`: `provided` or `responsibility`)
/// where a control's statement names it in an area; `key` is the duty's
/// identity among the holder's [`Context::duty_texts`].
pub(crate) fn entry_uuid(
    ctx: &Context<'_>,
    kind: &str,
    o: &ResolvedOffering,
    control: &str,
    a: &ResolvedArea,
    h: &ResolvedHolder,
    key: &str,
) -> String {
    ctx.uuid(&[kind, &o.id, control, &a.id, &ctx.party_id(&h.party), key])
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
    let ids =
        |kind: &str, h: &ResolvedHolder, duty: &str| entry_uuid(ctx, kind, o, control, a, h, duty);
    let mut provided = Vec::new();
    for h in a.holders.iter().filter(|h| !is_customer(h)) {
        let duties = Context::duty_texts(h, a, &o.name);
        for (i, (key, duty)) in duty_keys(h, &duties).iter().zip(duties).enumerate() {
            let uuid = ids("provided", h, key);
            provided.push(entry(ctx, h, uuid, None, duty, h.duties.id(i)));
        }
    }
    let first_provided = provided
        .first()
        .and_then(|p| p["uuid"].as_str())
        .map(str::to_string);
    let mut responsibilities = Vec::new();
    for h in a.holders.iter().filter(|h| is_customer(h)) {
        let duties = Context::duty_texts(h, a, &o.name);
        for (i, (key, duty)) in duty_keys(h, &duties).iter().zip(duties).enumerate() {
            responsibilities.push(entry(
                ctx,
                h,
                ids("responsibility", h, key),
                first_provided.clone(),
                duty,
                h.duties.id(i),
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
    // What the system implements: the provider's side's part. An area
    // that nobody holds is still to be planned; one the customer holds
    // alone is the customer's to implement, not the system's.
    let provider_side = a.holders.iter().any(|h| !is_customer(h));
    if provider_side {
        b.insert(
            "implementation-status".into(),
            json!({"state": "implemented"}),
        );
    } else if a.holders.is_empty() {
        b.insert(
            "implementation-status".into(),
            json!({"state": "planned", "remarks": "Nobody holds this area in the model."}),
        );
    }
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

/// Links the responsibilities of an area with nothing provided (one the
/// customer holds alone) to the first `provided` entry of the control's
/// other areas: the customer's part there completes what the provider's
/// side does for the same control.
fn link_across_areas(by_components: &mut [Value]) {
    let first = by_components.iter().find_map(|b| {
        b["export"]["provided"][0]["uuid"]
            .as_str()
            .map(str::to_string)
    });
    let Some(first) = first else {
        return;
    };
    for b in by_components.iter_mut() {
        // `get_mut`, not indexing: indexing a missing member adds it as null.
        let Some(list) = b
            .get_mut("export")
            .and_then(|e| e.get_mut("responsibilities"))
            .and_then(Value::as_array_mut)
        else {
            continue;
        };
        for r in list {
            if let Some(r) = r
                .as_object_mut()
                .filter(|r| !r.contains_key("provided-uuid"))
            {
                r.insert("provided-uuid".into(), json!(first));
            }
        }
    }
}

/// The identities of `texts`, a holder's duties as [`Context::duty_texts`]
/// gives them (the one sentence of a holder without duties has no id):
/// the one place the exports read a duty's identity
/// ([`onus_core::identity::duty_keys`]) from.
pub(crate) fn duty_keys(h: &ResolvedHolder, texts: &[String]) -> Vec<String> {
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
    duty_id: Option<&onus_core::resolve::Text>,
) -> Value {
    let mut e = Map::new();
    e.insert("uuid".into(), json!(uuid));
    if let Some(p) = provided_uuid {
        e.insert("provided-uuid".into(), json!(p));
    }
    e.insert("description".into(), json!(description));
    let mut props = ctx.holding_props(h);
    // The duty's `id:`, so whoever reads the entry knows which duty it is.
    if let Some(id) = duty_id {
        props.push(prop("duty-id", id));
    }
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
pub(crate) fn is_customer(h: &ResolvedHolder) -> bool {
    h.via.is_empty() && h.role == Role::Customer
}

/// An upstream the offering runs on, leveraged: where its own SSP export
/// provides what this model's holders reached through it hold.
struct Leveraged<'a> {
    up: Upstream<'a>,
    /// The upstream's offering this one runs on.
    offering: String,
    /// The upstream's export context: its party uuids.
    up_ctx: Context<'a>,
    /// (upstream party uuid, duty key) -> (control, `provided` uuid), in
    /// the upstream export's order. The key is [`match_key`]'s: the duty's
    /// `id:` when it has one, so a reworded duty is still found.
    provided: HashMap<(String, String), Vec<(String, String)>>,
    /// Upstream party uuid -> (control, uuid) of its holdings without duties.
    holds: HashMap<String, Vec<(String, String)>>,
    /// The uuid of the upstream export's `this-system` component.
    system: Option<String>,
}

impl<'a> Leveraged<'a> {
    /// `up` when `o` runs on it, with the `provided` entries of the
    /// upstream's SSP of the offering run on (none when it has no SSP: no
    /// area of that offering maps to a control).
    fn new(up: Upstream<'a>, o: &ResolvedOffering) -> Option<Leveraged<'a>> {
        let (_, offering) = o.runs_on.iter().find(|(id, _)| id == up.id)?;
        let up_offering = up.matrix.offerings.iter().find(|x| x.id == *offering)?;
        let mut l = Leveraged {
            up,
            offering: offering.clone(),
            up_ctx: Context::new(Input::new(up.matrix)),
            provided: HashMap::new(),
            holds: HashMap::new(),
            system: None,
        };
        let Ok(doc) = export(Input::new(up.matrix), up_offering) else {
            return Some(l);
        };
        let root = &doc["system-security-plan"];
        l.system = root["system-implementation"]["components"][0]["uuid"]
            .as_str()
            .map(str::to_string);
        let list = |v: &'_ Value, key: &str| v[key].as_array().cloned().unwrap_or_default();
        for req in list(&root["control-implementation"], "implemented-requirements") {
            let control = req["control-id"].as_str().unwrap_or_default().to_string();
            for st in list(&req, "statements") {
                for b in list(&st, "by-components") {
                    for p in list(&b["export"], "provided") {
                        let (Some(uuid), Some(party)) = (
                            p["uuid"].as_str(),
                            p["responsible-roles"][0]["party-uuids"][0].as_str(),
                        ) else {
                            continue;
                        };
                        let row = (control.clone(), uuid.to_string());
                        let none = list(&p, "props")
                            .iter()
                            .any(|x| x["name"] == "duties" && x["value"] == "none");
                        if none {
                            l.holds.entry(party.to_string()).or_default().push(row);
                        } else {
                            let id = list(&p, "props")
                                .iter()
                                .find(|x| x["name"] == "duty-id")
                                .and_then(|x| x["value"].as_str())
                                .map(str::to_string);
                            let text = p["description"].as_str().unwrap_or_default();
                            let duty = match_key(text, id.as_deref());
                            l.provided
                                .entry((party.to_string(), duty))
                                .or_default()
                                .push(row);
                        }
                    }
                }
            }
        }
        Some(l)
    }

    fn component_uuid(&self, ctx: &Context<'_>) -> String {
        ctx.uuid(&["leveraged-system", self.up.id])
    }

    fn authorization_uuid(&self, ctx: &Context<'_>) -> Option<String> {
        self.up
            .authorized
            .map(|_| ctx.uuid(&["leveraged-authorization", self.up.id]))
    }

    /// The upstream's publisher, qualified as this model names it.
    fn publisher(&self) -> String {
        format!("{}/{}", self.up.id, self.up.matrix.publisher)
    }

    fn title(&self) -> String {
        let m = self.up.matrix;
        line(m.title.as_deref().unwrap_or(&m.name))
    }

    /// The upstream as a component of this system.
    fn component(&self, ctx: &Context<'_>) -> Value {
        let mut props = vec![
            json!({"name": "implementation-point", "value": "external"}),
            prop("upstream", self.up.id),
            prop("upstream-offering", &self.offering),
        ];
        if let Some(la) = self.authorization_uuid(ctx) {
            props.push(json!({"name": "leveraged-authorization-uuid", "value": la}));
        }
        if let Some(system) = &self.system {
            props.push(json!({"name": "inherited-uuid", "value": system}));
        }
        let name = self
            .up
            .matrix
            .offerings
            .iter()
            .find(|x| x.id == self.offering)
            .map_or(self.offering.clone(), |x| x.name.clone());
        json!({
            "uuid": self.component_uuid(ctx),
            "type": "system",
            "title": line(&format!("{} ({name})", self.title())),
            "description": format!(
                "{}, leveraged: what its holders provide is inherited from its own SSP ({}).",
                self.title(),
                self.up.id
            ),
            "props": props,
            "status": {"state": "operational"},
            "responsible-roles": [{
                "role-id": "provider",
                "party-uuids": [ctx.party_uuid(&self.publisher())],
            }],
        })
    }

    /// The `leveraged-authorizations` entry, when the authorization date is known.
    fn authorization(&self, ctx: &Context<'_>) -> Option<Value> {
        let uuid = self.authorization_uuid(ctx)?;
        let mut props = vec![prop("upstream", self.up.id)];
        if let Some(p) = self.up.fedramp_package.filter(|p| !p.trim().is_empty()) {
            props.push(json!({
                "name": "leveraged-system-identifier",
                "ns": FEDRAMP_NS,
                "value": line(p),
            }));
        }
        Some(json!({
            "uuid": uuid,
            "title": self.title(),
            "props": props,
            "party-uuid": ctx.party_uuid(&self.publisher()),
            "date-authorized": self.up.authorized?,
        }))
    }

    /// Adds the upstream's publisher to `metadata.parties` when no holding
    /// of this model has brought it there: the component and the
    /// authorization name it.
    fn add_party(&self, ctx: &Context<'_>, metadata: &mut Value) {
        let publisher = self.publisher();
        if ctx.matrix.parties.contains_key(&publisher) {
            return;
        }
        let up = self.up.matrix;
        let name = up
            .parties
            .get(&up.publisher)
            .map_or(up.publisher.clone(), |p| p.name.to_string());
        let uuid = ctx.party_uuid(&publisher);
        let Some(parties) = metadata["parties"].as_array_mut() else {
            return;
        };
        if parties.iter().any(|p| p["uuid"] == uuid.as_str()) {
            return;
        }
        parties.push(json!({
            "uuid": uuid,
            "type": "organization",
            "name": line(&format!("{name} (via {})", self.up.id)),
            "short-name": ctx.party_id(&publisher),
            "props": [prop("role", "provider")],
        }));
    }

    /// The upstream export's `provided` uuid for the duty of [`match_key`]
    /// `duty` (`None`: the holding without duties) of holder `h`, reached
    /// through this upstream; the one for `control` when there is one.
    fn provided_uuid(&self, h: &ResolvedHolder, duty: Option<&str>, control: &str) -> Option<&str> {
        if h.via.first().map(|v| v.as_str()) != Some(self.up.id) {
            return None;
        }
        let party = h.party.strip_prefix(self.up.id)?.strip_prefix('/')?;
        let party = self.up_ctx.party_uuid(party);
        let rows = match duty {
            Some(d) => self.provided.get(&(party, d.to_string()))?,
            None => self.holds.get(&party)?,
        };
        rows.iter()
            .find(|(c, _)| c == control)
            .or_else(|| rows.first())
            .map(|(_, uuid)| uuid.as_str())
    }

    /// The upstream's `by-component` for `control`: one `inherited` entry
    /// per duty that its holders hold in the areas mapped to the control
    /// and that its own export provides; `None` when there is none.
    fn by_component(
        &self,
        ctx: &Context<'_>,
        o: &ResolvedOffering,
        control: &str,
        areas: &[&ResolvedArea],
    ) -> Option<Value> {
        let mut inherited = Vec::new();
        for a in areas {
            for h in a.holders.iter().filter(|h| !is_customer(h)) {
                let texts = Context::duty_texts(h, a, &o.name);
                for (i, (key, text)) in duty_keys(h, &texts).iter().zip(&texts).enumerate() {
                    // A holder without duties is matched by its party alone;
                    // a duty id, qualified here by the upstream it came
                    // through, is the upstream's own without it.
                    let id = h.duties.id(i).map(|id| {
                        id.strip_prefix(self.up.id)
                            .and_then(|rest| rest.strip_prefix('/'))
                            .unwrap_or(id)
                    });
                    let duty = (!h.duties.is_empty()).then(|| match_key(text, id));
                    let Some(provided) = self.provided_uuid(h, duty.as_deref(), control) else {
                        continue;
                    };
                    let uuid = ctx.uuid(&[
                        "inherited",
                        &o.id,
                        control,
                        &a.id,
                        &ctx.party_id(&h.party),
                        key,
                    ]);
                    inherited.push(json!({
                        "uuid": uuid,
                        "provided-uuid": provided,
                        "description": format!(
                            "{}: inherited from {} ({}), whose SSP provides it as `{provided}`.",
                            a.name,
                            self.title(),
                            h.label()
                        ),
                        "responsible-roles": ctx.responsible(h),
                    }));
                }
            }
        }
        if inherited.is_empty() {
            return None;
        }
        Some(json!({
            "component-uuid": self.component_uuid(ctx),
            "uuid": ctx.uuid(&["leveraged-by-component", &o.id, control, self.up.id]),
            "description": format!("What {} provides for this control, inherited.", self.title()),
            "inherited": inherited,
        }))
    }
}

/// How a leveraging export finds a duty among its upstream's `provided`
/// entries: by its `id:` when it has one (the entry's `duty-id` prop), else
/// by its normalised text.
fn match_key(text: &str, id: Option<&str>) -> String {
    match id {
        Some(id) => format!("id:{id}"),
        None => format!("text:{}", normalise(text)),
    }
}

/// The media type of an OSCAL profile file, by its extension.
fn profile_media_type(path: &str) -> &'static str {
    let lower = path.to_ascii_lowercase();
    if lower.ends_with(".xml") {
        "application/oscal.profile+xml"
    } else if lower.ends_with(".yaml") || lower.ends_with(".yml") {
        "application/oscal.profile+yaml"
    } else {
        "application/oscal.profile+json"
    }
}
