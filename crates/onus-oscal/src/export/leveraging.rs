//! The SSP fragment of a *leveraging* system: a customer's (a tenant's)
//! system built on one offering of a model, saying per control what it
//! inherits from the provider and which of its own responsibilities it
//! has implemented, from the tenant's checklist records.
//!
//! Everything it points at is in the provider's own SSP export of that
//! offering ([`super::ssp::export`], `onus oscal export MODEL --kind ssp
//! --offering ID`): `inherited` entries by `provided-uuid`, `satisfied`
//! entries by `responsibility-uuid`, and the leveraged system component by
//! `inherited-uuid` (the export's `this-system` component). The uuids are
//! the export's own, from the same functions; a tenant's records are
//! matched to duties by their checklist identity
//! ([`onus_core::identity::item_id`]). No I/O: the portal (or any caller)
//! reads the records and writes the document.

use std::collections::HashMap;

use serde_json::{json, Map, Value};

use onus_core::identity::{holder_duties, item_id};
use onus_core::resolve::Matrix;

use super::component_definition::is_token;
use super::ssp::{duty_keys, entry_uuid, framework, is_customer};
use super::{last_modified, line, mapped, prop, uuid_of, Context, Input, CATALOG_MEDIA_TYPE};
use super::{OSCAL_VERSION, UNVERSIONED};
use crate::Error;

/// Where a tenant is with one of its duties.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum DutyStatus {
    NotStarted,
    InProgress,
    Implemented,
    NotApplicable,
    RiskAccepted,
}

impl DutyStatus {
    /// Every status, in the order a checklist shows them.
    pub const ALL: [DutyStatus; 5] = [
        DutyStatus::NotStarted,
        DutyStatus::InProgress,
        DutyStatus::Implemented,
        DutyStatus::NotApplicable,
        DutyStatus::RiskAccepted,
    ];

    /// Its name: `not-started`, `in-progress`, `implemented`,
    /// `not-applicable`, `risk-accepted`.
    pub fn as_str(self) -> &'static str {
        match self {
            DutyStatus::NotStarted => "not-started",
            DutyStatus::InProgress => "in-progress",
            DutyStatus::Implemented => "implemented",
            DutyStatus::NotApplicable => "not-applicable",
            DutyStatus::RiskAccepted => "risk-accepted",
        }
    }

    /// The status named `name` ([`DutyStatus::as_str`]).
    pub fn parse(name: &str) -> Option<DutyStatus> {
        DutyStatus::ALL.into_iter().find(|s| s.as_str() == name)
    }
}

/// What a tenant records about one duty of its own in an offering.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DutyRecord {
    /// The duty's checklist identity:
    /// `onus_core::identity::item_id(offering, area, party, scope, duty_key)`,
    /// with the key from `onus_core::identity::holder_duties`.
    pub item: String,
    pub status: DutyStatus,
    /// The tenant's note: how it implements the duty, or why not.
    pub note: Option<String>,
}

/// The leveraging system: the tenant's.
#[derive(Clone, Copy, Debug)]
pub struct Tenant<'a> {
    /// A stable id of the tenant: its document's uuids derive from it (and
    /// from the model and offering), so the same records give the same
    /// document.
    pub id: &'a str,
    /// The name of the tenant's system (the SSP's `system-name`) and of the
    /// tenant (its party).
    pub name: &'a str,
    /// When the records last changed, `YYYY-MM-DD`: `last-modified` and
    /// `version`. `None` (or not a date): `1970-01-01T00:00:00Z`. Never the clock.
    pub date: Option<&'a str>,
    /// The provider's authorization of the offering, when it has one: the
    /// document's `leveraged-authorizations` entry.
    pub authorization: Option<Authorization<'a>>,
}

/// An authorization a leveraging system relies on.
#[derive(Clone, Copy, Debug)]
pub struct Authorization<'a> {
    /// When it was granted, `YYYY-MM-DD` (OSCAL's date: the years 1900 to 2999).
    pub date: &'a str,
    /// Its FedRAMP package id, if any.
    pub package: Option<&'a str>,
}

/// The SSP fragment of `tenant`'s system, leveraging `offering` of
/// `matrix`: one implemented requirement per control of the provider's
/// SSP export of that offering, each with one `by-component` of the
/// leveraged system holding
///
/// - an `inherited` entry per duty the provider's side (its parties and
///   upstream holders) holds in the areas mapped to the control,
///   `provided-uuid` pointing at that duty's `provided` entry;
/// - a `satisfied` entry per duty of the customer the tenant records as
///   `implemented`, `responsibility-uuid` pointing at that duty's
///   `responsibilities` entry, the tenant's note its description;
/// - an `implementation-status` from the tenant's records of the
///   customer's duties there (see docs/oscal.md), their counts and the
///   notes of those not implemented in its remarks.
///
/// A duty with no record is `not-started`; a record whose item is no
/// duty of the customer in the offering (a reworded or removed duty) is
/// not used. Fails when the model has no such offering or the offering
/// has no SSP ([`Error::NothingToExport`]).
pub fn leveraging_ssp(
    matrix: &Matrix,
    offering: &str,
    records: &[DutyRecord],
    tenant: Tenant<'_>,
) -> Result<Value, Error> {
    let o = matrix
        .offerings
        .iter()
        .find(|o| o.id == offering)
        .ok_or_else(|| Error::NothingToExport {
            model: matrix.model.clone(),
            what: format!(
                "the model has no offering `{offering}` (it has {})",
                matrix
                    .offerings
                    .iter()
                    .map(|o| format!("`{}`", o.id))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        })?;
    // OSCAL strings may not be empty: a tenant without a name is "Tenant".
    let tenant_name = Some(line(tenant.name))
        .filter(|n| !n.is_empty())
        .unwrap_or_else(|| "Tenant".to_string());
    let tenant_props = || {
        (!line(tenant.id).is_empty())
            .then(|| prop("tenant", tenant.id))
            .into_iter()
    };
    let ctx = Context::new(Input::new(matrix));
    let fw = framework(matrix, o)?;
    let records: HashMap<&str, &DutyRecord> =
        records.iter().map(|r| (r.item.as_str(), r)).collect();
    let uuid = |parts: &[&str]| {
        let mut name = format!(
            "leveraging/{}/{}/{}",
            tenant.id.len(),
            tenant.id,
            matrix.model
        );
        name.push('/');
        name.push_str(&o.id);
        for p in parts {
            name.push('/');
            name.push_str(p);
        }
        uuid_of(&name)
    };
    let provider_name = line(matrix.title.as_deref().unwrap_or(&matrix.name));
    let provider_party = ctx.party_uuid(&matrix.publisher);
    let tenant_party = uuid(&["party"]);
    let provider_role = json!([{"role-id": "provider", "party-uuids": [provider_party]}]);
    let tenant_role = json!([{"role-id": "customer", "party-uuids": [tenant_party]}]);
    let system = uuid(&["system"]);
    let leveraged = uuid(&["leveraged-system"]);

    let mut requirements = Vec::new();
    for (control, areas) in mapped(&o.areas, &fw) {
        if !is_token(&control) {
            continue;
        }
        let mut inherited = Vec::new();
        let mut satisfied = Vec::new();
        let mut statuses = Vec::new();
        let mut notes = Vec::new();
        for a in &areas {
            for h in &a.holders {
                let texts = Context::duty_texts(h, a, &o.name);
                let keys = duty_keys(h, &texts);
                if !is_customer(h) {
                    for key in &keys {
                        let provided = entry_uuid(&ctx, "provided", o, &control, a, h, key);
                        inherited.push(json!({
                            "uuid": uuid(&["inherited", &control, &provided]),
                            "provided-uuid": provided,
                            "description": format!(
                                "{}: held by {} in {}, inherited: its SSP provides it as `{provided}`.",
                                a.name,
                                h.label(),
                                o.name
                            ),
                            "responsible-roles": provider_role,
                        }));
                    }
                    continue;
                }
                let scope = h.scope();
                for ((item_key, _), (key, text)) in
                    holder_duties(h).into_iter().zip(keys.iter().zip(&texts))
                {
                    let item = item_id(&o.id, &a.id, &h.party, scope.as_deref(), &item_key);
                    let record = records.get(item.as_str());
                    let status = record.map_or(DutyStatus::NotStarted, |r| r.status);
                    statuses.push(status);
                    let note = record
                        .and_then(|r| r.note.as_deref())
                        .filter(|n| !n.trim().is_empty());
                    if status == DutyStatus::Implemented {
                        let responsibility =
                            entry_uuid(&ctx, "responsibility", o, &control, a, h, key);
                        satisfied.push(json!({
                            "uuid": uuid(&["satisfied", &control, &item]),
                            "responsibility-uuid": responsibility,
                            "description": note.map_or_else(
                                || format!("{}: implemented by {tenant_name}: {text}", a.name),
                                str::to_string,
                            ),
                            "props": [prop("checklist-item", &item)],
                            "responsible-roles": tenant_role,
                        }));
                    } else if let Some(note) = note {
                        notes.push(format!(
                            "- {} ({}): {text} — {}",
                            a.name,
                            status.as_str(),
                            line(note)
                        ));
                    }
                }
            }
        }
        let mut b = Map::new();
        b.insert("component-uuid".into(), json!(leveraged));
        b.insert("uuid".into(), json!(uuid(&["by-component", &control])));
        b.insert(
            "description".into(),
            json!(format!(
                "{}: what {provider_name} provides is inherited; what it leaves to its customer is {}'s.",
                o.name, tenant_name
            )),
        );
        b.insert("implementation-status".into(), status(&statuses, &notes));
        if !inherited.is_empty() {
            b.insert("inherited".into(), Value::Array(inherited));
        }
        if !satisfied.is_empty() {
            b.insert("satisfied".into(), Value::Array(satisfied));
        }
        requirements.push(json!({
            "uuid": uuid(&["implemented-requirement", &control]),
            "control-id": control,
            "statements": [{
                "statement-id": format!("{control}_smt"),
                "uuid": uuid(&["statement", &control]),
                "by-components": [Value::Object(b)],
            }],
        }));
    }

    let framework = matrix.frameworks.get(&fw);
    let mut resource = Map::new();
    resource.insert("uuid".into(), json!(ctx.framework_uuid(&fw)));
    resource.insert(
        "title".into(),
        json!(line(framework.map_or(fw.as_str(), |f| f.name.as_str()))),
    );
    resource.insert("props".into(), json!([prop("framework", &fw)]));
    if let Some(c) = framework.and_then(|f| f.catalog.as_ref()) {
        resource.insert(
            "rlinks".into(),
            json!([{"href": c.value, "media-type": CATALOG_MEDIA_TYPE}]),
        );
    }
    let date = tenant.date.map(str::trim).filter(|d| !d.is_empty());
    let mut metadata_props = vec![prop("model", &matrix.model), prop("offering", &o.id)];
    metadata_props.extend(tenant_props());
    if let Some(a) = tenant.authorization {
        let d = a.date.trim();
        if d.len() != 10 || last_modified(Some(d)) == super::EPOCH {
            return Err(Error::NothingToExport {
                model: matrix.model.clone(),
                what: format!(
                    "the authorization date `{d}` is not a date: write it YYYY-MM-DD, e.g. 2024-05-01"
                ),
            });
        }
    }
    let authorization = tenant.authorization.map(|a| {
        let mut props = vec![prop("model", &matrix.model), prop("offering", &o.id)];
        if let Some(p) = a.package.filter(|p| !p.trim().is_empty()) {
            props.push(json!({
                "name": "leveraged-system-identifier",
                "ns": super::ssp::FEDRAMP_NS,
                "value": line(p),
            }));
        }
        json!({
            "uuid": uuid(&["leveraged-authorization"]),
            "title": line(&format!("{provider_name}: {}", o.name)),
            "props": props,
            "party-uuid": provider_party,
            "date-authorized": a.date.trim(),
        })
    });
    let mut leveraged_props = vec![
        json!({"name": "implementation-point", "value": "external"}),
        json!({"name": "inherited-uuid", "value": ctx.uuid(&["system", &o.id])}),
    ];
    if let Some(a) = &authorization {
        leveraged_props.push(json!({"name": "leveraged-authorization-uuid", "value": a["uuid"]}));
    }
    leveraged_props.push(prop("model", &matrix.model));
    leveraged_props.push(prop("offering", &o.id));
    let document = json!({
        "uuid": uuid(&["ssp"]),
        "metadata": {
            "title": line(&format!("{tenant_name}: leveraging {provider_name}, {}", o.name)),
            "last-modified": last_modified(date),
            "version": date.map_or(UNVERSIONED.to_string(), line),
            "oscal-version": OSCAL_VERSION,
            "props": metadata_props,
            "roles": [
                {"id": "provider", "title": "Provider"},
                {"id": "customer", "title": "Customer"},
            ],
            "parties": [
                {
                    "uuid": tenant_party,
                    "type": "organization",
                    "name": tenant_name,
                    "props": [prop("role", "customer")],
                },
                {
                    "uuid": provider_party,
                    "type": "organization",
                    "name": line(
                        &matrix
                            .parties
                            .get(&matrix.publisher)
                            .map_or(matrix.publisher.clone(), |p| p.name.to_string())
                    ),
                    "short-name": ctx.party_id(&matrix.publisher),
                    "props": [prop("role", "provider")],
                },
            ],
        },
        "import-profile": {"href": format!("#{}", ctx.framework_uuid(&fw))},
        "system-characteristics": {
            "system-ids": [{"identifier-type": "https://ietf.org/rfc/rfc4122", "id": system}],
            "system-name": tenant_name,
            "description": format!("{tenant_name}, built on {provider_name}'s {}.", o.name),
            "system-information": {"information-types": [{
                "uuid": uuid(&["information-type"]),
                "title": "Not categorized",
                "description": "A shared responsibility model does not categorize the information the system handles.",
            }]},
            "status": {"state": "operational"},
            "authorization-boundary": {
                "description": format!(
                    "Not stated by the checklist. {} is leveraged as an external system.",
                    o.name
                ),
            },
        },
        "system-implementation": {"components": [
            {
                "uuid": system,
                "type": "this-system",
                "title": tenant_name,
                "description": format!("{tenant_name}'s system."),
                "status": {"state": "operational"},
            },
            {
                "uuid": leveraged,
                "type": "system",
                "title": line(&format!("{provider_name}: {}", o.name)),
                "description": format!(
                    "{} by {provider_name}, leveraged: the uuids the entries point at are those of its SSP (`onus oscal export --kind ssp --offering {}`).",
                    o.name, o.id
                ),
                "props": leveraged_props,
                "status": {"state": "operational"},
                "responsible-roles": provider_role,
            },
        ]},
        "control-implementation": {
            "description": format!(
                "How {} meets the controls of {} on {provider_name}'s {}: what it inherits, and which of the customer's responsibilities it has implemented.",
                tenant_name,
                framework.map_or(fw.as_str(), |f| f.name.as_str()),
                o.name
            ),
            "implemented-requirements": requirements,
        },
        "back-matter": {"resources": [Value::Object(resource)]},
    });
    let mut document = document;
    if let Some(a) = authorization {
        document["system-implementation"]["leveraged-authorizations"] = json!([a]);
    }
    Ok(json!({ "system-security-plan": document }))
}

/// A control's `implementation-status` from the tenant's statuses of the
/// customer's duties there: none (all inherited) or every one implemented
/// or not applicable, `implemented` (`not-applicable` when all are); any
/// implemented or in progress, `partial`; else `planned`. The remarks
/// count them and list the notes of those not implemented.
fn status(statuses: &[DutyStatus], notes: &[String]) -> Value {
    use DutyStatus::*;
    let all = |ok: &[DutyStatus]| statuses.iter().all(|s| ok.contains(s));
    let state = if !statuses.is_empty() && all(&[NotApplicable]) {
        "not-applicable"
    } else if all(&[Implemented, NotApplicable]) {
        "implemented"
    } else if statuses
        .iter()
        .any(|s| matches!(s, Implemented | InProgress))
    {
        "partial"
    } else {
        "planned"
    };
    let mut s = Map::new();
    s.insert("state".into(), json!(state));
    if !statuses.is_empty() {
        let counts: Vec<String> = DutyStatus::ALL
            .into_iter()
            .filter_map(|k| {
                let n = statuses.iter().filter(|s| **s == k).count();
                (n > 0).then(|| format!("{n} {}", k.as_str()))
            })
            .collect();
        let mut remarks = format!("The customer's duties: {}.", counts.join(", "));
        if !notes.is_empty() {
            remarks.push_str("\n\n");
            remarks.push_str(&notes.join("\n"));
        }
        s.insert("remarks".into(), json!(remarks));
    }
    Value::Object(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_round_trip_by_name() {
        for s in DutyStatus::ALL {
            assert_eq!(DutyStatus::parse(s.as_str()), Some(s));
        }
        assert_eq!(DutyStatus::parse("done"), None);
    }

    #[test]
    fn a_control_is_implemented_when_every_duty_is() {
        use DutyStatus::*;
        let state = |s: &[DutyStatus]| status(s, &[])["state"].as_str().unwrap().to_string();
        assert_eq!(state(&[]), "implemented");
        assert_eq!(state(&[Implemented, NotApplicable]), "implemented");
        assert_eq!(state(&[NotApplicable]), "not-applicable");
        assert_eq!(state(&[Implemented, NotStarted]), "partial");
        assert_eq!(state(&[InProgress]), "partial");
        assert_eq!(state(&[NotStarted, RiskAccepted]), "planned");
    }
}
