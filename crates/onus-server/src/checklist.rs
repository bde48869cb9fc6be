//! The checklist service: a tenant's duties out of a resolved model, and
//! a new model version brought onto its checklist without losing anything
//! it recorded. The rules (docs/portal.md, "When the provider publishes a
//! new version"):
//!
//! - an item is a duty the customer holds in the tenant's offering, keyed
//!   by its stable id ([`onus_core::identity::item_id`]);
//! - a new duty starts `not-started`, flagged `new`, or `breaking` when its
//!   area was held by the provider side before (it moved to the customer);
//! - a duty reworded (the pairing `onus diff` uses, [`reword::pair`])
//!   keeps its item, status, history and evidence, flagged `reworded`;
//! - a duty gone from the model is archived with everything recorded,
//!   never deleted, and restored if it comes back.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use onus_core::diff::{self, reword, Class};
use onus_core::identity::{holder_duties, item_id};
use onus_core::resolve::{Matrix, ResolvedHolder, ResolvedOffering};
use onus_export::diff::message::Wording;
use onus_store::{
    Audit, ChangeRecord, Duty, StoreError, SyncOutcome, SyncPlan, Tenant, TenantData,
};
use serde_json::json;

use crate::publish::resolve_version;
use crate::AppState;

/// The customer's duties in `offering`, in the model's order.
pub fn duties(matrix: &Matrix, offering: &str) -> Vec<Duty> {
    let Some(o) = matrix.offerings.iter().find(|o| o.id == offering) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for a in &o.areas {
        for h in a.holders.iter().filter(|h| h.is_customer_part()) {
            let scope = h.scope().map(|s| s.to_string());
            for (key, text) in holder_duties(h) {
                out.push(Duty {
                    duty_id: item_id(&o.id, &a.id, &h.party, scope.as_deref(), &key),
                    offering: o.id.clone(),
                    area: a.id.to_string(),
                    area_name: a.name.to_string(),
                    area_group: a.group.as_deref().unwrap_or_default().to_string(),
                    party: h.party.to_string(),
                    scope: scope.clone(),
                    duty: text.to_string(),
                });
            }
        }
    }
    out
}

/// How version `new` lands on a checklist made from `old` (`None`: the
/// first checklist).
pub fn plan(old: Option<&Matrix>, new: &Matrix, offering: &str) -> SyncPlan {
    let duties = duties(new, offering);
    let Some(old) = old else {
        return SyncPlan {
            duties,
            ..SyncPlan::default()
        };
    };
    let before = self::duties(old, offering);
    let known: std::collections::HashSet<&str> =
        before.iter().map(|d| d.duty_id.as_str()).collect();
    let now: std::collections::HashSet<&str> = duties.iter().map(|d| d.duty_id.as_str()).collect();
    // Rewordings: within one holding (offering, area, party, scope), the
    // duties that left paired with the ones that came, as `onus diff` pairs them.
    let holding = |d: &Duty| (d.area.clone(), d.party.clone(), d.scope.clone());
    let mut left: HashMap<_, Vec<&Duty>> = HashMap::new();
    for d in before.iter().filter(|d| !now.contains(d.duty_id.as_str())) {
        left.entry(holding(d)).or_default().push(d);
    }
    let mut reworded = Vec::new();
    let mut paired: std::collections::HashSet<&str> = std::collections::HashSet::new();
    for (key, gone) in &left {
        let came: Vec<&Duty> = duties
            .iter()
            .filter(|d| !known.contains(d.duty_id.as_str()) && holding(d) == *key)
            .collect();
        if came.is_empty() {
            continue;
        }
        let old_texts: Vec<&str> = gone.iter().map(|d| d.duty.as_str()).collect();
        let new_texts: Vec<&str> = came.iter().map(|d| d.duty.as_str()).collect();
        for (i, j) in reword::pair(&old_texts, &new_texts).reworded {
            reworded.push((gone[i].duty_id.clone(), came[j].duty_id.clone()));
            paired.insert(came[j].duty_id.as_str());
        }
    }
    reworded.sort();
    // A new duty in an area the provider side held before: it moved to the customer.
    let old_offering = old.offerings.iter().find(|o| o.id == offering);
    let breaking = duties
        .iter()
        .filter(|d| !known.contains(d.duty_id.as_str()) && !paired.contains(d.duty_id.as_str()))
        .filter(|d| old_offering.is_some_and(|o| moved_to_customer(o, &d.area)))
        .map(|d| d.duty_id.clone())
        .collect();
    SyncPlan {
        duties,
        reworded,
        breaking,
    }
}

/// The area was held, and not by the customer, in this (old) offering.
fn moved_to_customer(old: &ResolvedOffering, area: &str) -> bool {
    old.areas.iter().find(|a| a.id == area).is_some_and(|a| {
        !a.holders.is_empty() && !a.holders.iter().any(ResolvedHolder::is_customer_part)
    })
}

/// Resolved versions, kept by the process: resolving a model takes
/// milliseconds, and every checklist page needs one. Bounded: the last
/// [`Matrices::KEEP`] versions asked for.
#[derive(Clone, Default)]
pub struct Matrices(Arc<Mutex<Vec<Cached>>>);

/// (model, version) and its matrix.
type Cached = ((String, i64), Arc<Matrix>);

impl Matrices {
    const KEEP: usize = 16;

    /// Version `number` of `model`, resolved; `None` when there is no
    /// such version.
    pub async fn get(
        &self,
        state: &AppState,
        model: &str,
        number: i64,
    ) -> Result<Option<Arc<Matrix>>, StoreError> {
        let key = (model.to_string(), number);
        if let Some(found) = self.lock().iter().find(|(k, _)| *k == key) {
            return Ok(Some(found.1.clone()));
        }
        let Some(stored) = state.store.model_version(model, Some(number)).await? else {
            return Ok(None);
        };
        let Some(matrix) = resolve_version(&stored) else {
            return Err(StoreError::Corrupt(format!(
                "version {number} of {model} no longer resolves"
            )));
        };
        let mut cache = self.lock();
        if cache.len() >= Self::KEEP {
            cache.remove(0);
        }
        cache.push((key, matrix.clone()));
        Ok(Some(matrix))
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<Cached>> {
        // A panic while holding the lock leaves a valid cache: go on with it.
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// Brings the tenant's checklist to the latest version of its model (the
/// first time: makes it), recording what changed for the tenant. Cheap
/// when it is up to date: the tenant, as read, holds both versions, so
/// nothing more is asked of the database. The latest matrix.
pub async fn sync(
    state: &AppState,
    data: &TenantData,
    tenant: &Tenant,
) -> Result<Option<(i64, Arc<Matrix>)>, StoreError> {
    let Some(latest) = tenant.latest_version else {
        return Ok(None);
    };
    let Some(matrix) = state.matrices.get(state, &tenant.model, latest).await? else {
        return Ok(None);
    };
    let synced = tenant.synced_version;
    if synced == Some(latest) {
        return Ok(Some((latest, matrix)));
    }
    let old = match synced {
        Some(n) => state.matrices.get(state, &tenant.model, n).await?,
        None => None,
    };
    let plan = plan(old.as_deref(), &matrix, &tenant.offering);
    // What changed for the tenant (from an earlier version): recorded for
    // its review, with its audit entry, in the sync's own transaction.
    let change = match (synced, &old) {
        (Some(from), Some(old)) => {
            let changes = diff::diff(old, &matrix);
            let wording = Wording::new(old, &matrix);
            let mine: Vec<_> = changes
                .iter()
                .filter(|c| c.offering.as_deref().is_none_or(|o| o == tenant.offering))
                .collect();
            let worst = mine
                .iter()
                .map(|c| c.class)
                .max()
                .map_or("none", Class::as_str);
            let changes_json = json!(mine
                .iter()
                .map(|c| json!({
                    "class": c.class.as_str(),
                    "kind": c.kind.as_str(),
                    "area": c.area,
                    "message": wording.message(c),
                }))
                .collect::<Vec<_>>());
            Some((from, worst, changes_json.to_string()))
        }
        _ => None,
    };
    let record = |outcome: &SyncOutcome| {
        let (from, worst, changes) = change.clone()?;
        let items = json!({
            "added": outcome.added,
            "breaking": outcome.breaking,
            "reworded": outcome.reworded,
            "archived": outcome.archived,
            "restored": outcome.restored,
        })
        .to_string();
        Some(ChangeRecord {
            model: tenant.model.clone(),
            from,
            worst: worst.to_string(),
            changes,
            audit: Audit::new(
                None,
                Some(&tenant.id),
                "checklist-synced",
                &format!("{} {from} -> {latest}", tenant.model),
                &items,
            ),
            items,
        })
    };
    let Some(outcome) = data.sync(synced, latest, &plan, record).await? else {
        // Another server brought it there first.
        return Ok(Some((latest, matrix)));
    };
    if let (Some((from, worst, _)), Some(id)) = (&change, &outcome.change) {
        let count = |v: &Vec<String>| v.len();
        let notice = json!({
            "event": "model-changed",
            "tenant": { "id": tenant.id, "name": tenant.name },
            "model": tenant.model,
            "offering": tenant.offering,
            "change": id,
            "from_version": from,
            "to_version": latest,
            "worst": worst,
            "items": {
                "added": count(&outcome.added),
                "breaking": count(&outcome.breaking),
                "reworded": count(&outcome.reworded),
                "archived": count(&outcome.archived),
                "restored": count(&outcome.restored),
            },
            "url": format!("{}/t/{}/changes", state.public_url, tenant.id),
        });
        data.enqueue("model-changed", &notice.to_string()).await?;
    }
    Ok(Some((latest, matrix)))
}

/// After publishing: brings every tenant's checklist to the latest
/// version of its model, so changes are recorded (and their notices sent)
/// at once rather than at the tenant's next visit. Cheap for a checklist
/// that is up to date.
pub async fn sync_all(state: &AppState) -> Result<(), StoreError> {
    for tenant in state.store.tenants().await? {
        let data = state.store.tenant_data(&tenant.id);
        sync(state, &data, &tenant).await?;
    }
    Ok(())
}

/// What someone asks to change on an item (a form or a JSON body): a
/// field left `None` stays as it is.
#[derive(Clone, Debug, Default, serde::Deserialize, utoipa::ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct Edit {
    /// One of `not-started`, `in-progress`, `implemented`, `not-applicable`, `risk-accepted`.
    pub status: Option<String>,
    /// Why the duty does not apply (required for `not-applicable`).
    pub reason: Option<String>,
    /// Until when a risk is accepted, `YYYY-MM-DD` (required for `risk-accepted`).
    pub risk_expires: Option<String>,
    /// The owner's user id (a member of the tenant), or empty for nobody.
    pub owner: Option<String>,
    /// The due date, `YYYY-MM-DD`, or empty for none.
    pub due: Option<String>,
    pub notes: Option<String>,
}

/// Longest notes or reason kept, in characters.
pub const MAX_NOTES: usize = 10_000;

/// Why an edit was refused: a sentence for the person (or client) who made it.
#[derive(Debug, thiserror::Error)]
pub enum EditError {
    #[error("{0}")]
    Invalid(String),
    #[error(transparent)]
    Update(#[from] onus_store::UpdateError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Applies `edit` to item `id` at revision `revision`, by the person of
/// `a`, under the checklist's rules: a reason for `not-applicable`; only a
/// tenant admin accepts a risk, with an expiry in the future (recorded as
/// the approver); an owner is a member of the tenant. Audited.
pub async fn edit(
    a: &crate::pages::tenant::Access,
    id: &str,
    revision: i64,
    edit: &Edit,
) -> Result<onus_store::Item, EditError> {
    let invalid = |m: &str| Err(EditError::Invalid(m.to_string()));
    let item = a
        .data
        .item(id)
        .await?
        .ok_or(onus_store::UpdateError::NotFound)?;
    if item.archived_at.is_some() {
        return invalid(
            "This duty is no longer in the model: its item is archived and kept as it was.",
        );
    }
    let mut next = item.record();
    if let Some(status) = &edit.status {
        if !onus_store::STATUSES.contains(&status.as_str()) {
            return Err(EditError::Invalid(format!(
                "`{status}` is not a status; use one of {}.",
                onus_store::STATUSES.join(", ")
            )));
        }
        next.status = status.clone();
    }
    if let Some(reason) = &edit.reason {
        next.reason = bounded(reason, "reason")?;
    }
    if let Some(notes) = &edit.notes {
        next.notes = bounded(notes, "notes")?;
    }
    if let Some(owner) = &edit.owner {
        let owner = owner.trim();
        next.owner_id = if owner.is_empty() {
            None
        } else if a.data.members().await?.iter().any(|m| m.user_id == owner) {
            Some(owner.to_string())
        } else {
            return invalid("The owner must be a member of this tenant.");
        };
    }
    if let Some(due) = &edit.due {
        next.due_at = optional_date(due, "due date")?;
    }
    if next.status == "not-applicable" {
        if next.reason.trim().is_empty() {
            return invalid(
                "Say why the duty does not apply: a reason is required for not-applicable.",
            );
        }
    } else if edit.status.is_some() && edit.reason.is_none() {
        next.reason.clear();
    }
    if next.status == "risk-accepted" {
        let newly = item.status != "risk-accepted"
            || edit.risk_expires.is_some()
            || next.approved_by.is_none();
        if newly {
            if !a.is_admin() {
                return invalid("Only a tenant admin can accept a risk.");
            }
            let Some(expires) =
                optional_date(edit.risk_expires.as_deref().unwrap_or(""), "expiry date")?
            else {
                return invalid("Give the date until which the risk is accepted.");
            };
            if expires <= onus_store::now() {
                return invalid("The risk's expiry date must be in the future.");
            }
            next.risk_expires_at = Some(expires);
            next.approved_by = Some(a.user.id.clone());
        }
    } else {
        next.risk_expires_at = None;
        next.approved_by = None;
    }
    if next == item.record() {
        return Ok(item);
    }
    // Audited in the update's own transaction (the status before is the
    // one read: the update is refused unless the item is still at it).
    let details = format!("status {} -> {} {}", item.status, next.status, a.under());
    Ok(a.data
        .update_item(id, revision, &next, &a.user.id, details.trim_end())
        .await?)
}

fn bounded(text: &str, what: &str) -> Result<String, EditError> {
    if text.chars().count() > MAX_NOTES {
        return Err(EditError::Invalid(format!(
            "The {what} are too long: keep them under {MAX_NOTES} characters (attach a file for more)."
        )));
    }
    Ok(text.replace("\r\n", "\n"))
}

/// `YYYY-MM-DD` (empty: none) as the Unix time of that day's midnight, UTC.
fn optional_date(text: &str, what: &str) -> Result<Option<i64>, EditError> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    parse_date(text).map(Some).ok_or_else(|| {
        EditError::Invalid(format!(
            "The {what} `{}` is not a date: write it as YYYY-MM-DD.",
            onus_core::terminal::printable(&text.chars().take(40).collect::<String>())
        ))
    })
}

/// `YYYY-MM-DD` as the Unix time of that day's midnight, UTC.
pub fn parse_date(text: &str) -> Option<i64> {
    let mut parts = text.splitn(3, '-');
    let y: i64 = parts.next()?.parse().ok()?;
    let m: i64 = parts.next()?.parse().ok()?;
    let d: i64 = parts.next()?.parse().ok()?;
    if !(1970..=9999).contains(&y) || !(1..=12).contains(&m) || text.len() != 10 {
        return None;
    }
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let days_in = [
        31,
        if leap { 29 } else { 28 },
        31,
        30,
        31,
        30,
        31,
        31,
        30,
        31,
        30,
        31,
    ];
    if d < 1 || d > days_in[(m - 1) as usize] {
        return None;
    }
    // Howard Hinnant's days_from_civil.
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    Some((era * 146_097 + doe - 719_468) * 86_400)
}

/// A Unix time as `YYYY-MM-DD` (UTC).
pub fn date(secs: i64) -> String {
    onus_export::render::xlsx::utc_date(secs)[..10].to_string()
}

/// Whether an item counts as done: implemented, not applicable, or a
/// risk accepted that has not expired.
pub fn is_done(item: &onus_store::Item, now: i64) -> bool {
    match item.status.as_str() {
        "implemented" | "not-applicable" => true,
        "risk-accepted" => item.risk_expires_at.is_some_and(|e| e > now),
        _ => false,
    }
}

/// Past its due date and not done.
pub fn is_overdue(item: &onus_store::Item, now: i64) -> bool {
    item.archived_at.is_none()
        && item.due_at.is_some_and(|d| d + 86_400 <= now)
        && !is_done(item, now)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    fn matrix(path: &str, edit: impl Fn(String) -> String) -> Matrix {
        let files: HashMap<PathBuf, String> = crate::bundled::files()
            .into_iter()
            .map(|(p, t)| {
                let t = if p.ends_with(path) { edit(t) } else { t };
                (p, t)
            })
            .collect();
        let root = PathBuf::from("/bundled").join(path);
        let set = onus_core::load::ModelSet::load(&[root], &files).expect("loads");
        let m = onus_core::resolve::resolve(&set, set.roots[0]).expect("resolves");
        (*m).clone()
    }

    #[test]
    fn dates_round_trip_and_nonsense_is_refused() {
        for d in ["1970-01-01", "2000-02-29", "2026-12-01", "2099-12-31"] {
            assert_eq!(date(parse_date(d).unwrap()), d);
        }
        for bad in [
            "2026-02-30",
            "2025-02-29",
            "2026-13-01",
            "26-1-1",
            "2026-1-01",
            "x",
            "2026-01-01T",
        ] {
            assert_eq!(parse_date(bad), None, "{bad}");
        }
    }

    #[test]
    fn the_checklist_is_what_the_customer_holds_with_stable_ids() {
        let m = matrix("outsystems.onus.yaml", |t| t);
        let items = duties(&m, "odc");
        assert_eq!(items.len(), 8);
        assert!(items.iter().all(|d| d.party == "customer"));
        let again = duties(&matrix("outsystems.onus.yaml", |t| t), "odc");
        assert_eq!(items, again);
        let ids: std::collections::HashSet<&str> =
            items.iter().map(|d| d.duty_id.as_str()).collect();
        assert_eq!(ids.len(), items.len(), "ids are unique");
        assert!(duties(&m, "no-such-offering").is_empty());
    }

    #[test]
    fn a_new_version_is_planned_with_rewordings_and_moves() {
        let old = matrix("outsystems.onus.yaml", |t| t);
        let new = matrix("outsystems.onus.yaml", |t| {
            t.replacen(
                "        - Classifying their assets\n",
                "        - Classifying their assets and records\n",
                1,
            )
            .replacen(
                "        - Applying secure development techniques\n",
                "        - Threat modelling every release\n",
                1,
            )
            .replacen(
                "    o11-self-managed: customer\n    default:",
                "    o11-self-managed: customer\n    odc: customer\n    default:",
                1,
            )
        });
        let first = plan(None, &old, "odc");
        assert!(first.reworded.is_empty() && first.breaking.is_empty());
        let p = plan(Some(&old), &new, "odc");
        let text = |m: &Matrix, id: &str| {
            duties(m, "odc")
                .into_iter()
                .find(|d| d.duty_id == id)
                .map(|d| d.duty)
                .unwrap()
        };
        // A close rewording is paired; an unrelated duty is not.
        assert_eq!(p.reworded.len(), 1, "{:?}", p.reworded);
        let (from, to) = &p.reworded[0];
        assert_eq!(text(&old, from), "Classifying their assets");
        assert_eq!(text(&new, to), "Classifying their assets and records");
        // The area the provider held is now the customer's: breaking.
        assert_eq!(p.breaking.len(), 1);
        assert_eq!(text(&new, &p.breaking[0]), "");
        assert_eq!(p.duties.len(), 9);
    }
}
