//! A tenant's checklist: the list with its progress and filters, one
//! item with its form and history, and what each new model version
//! changed. Every handler starts with [`tenant::access`] and reads the
//! tenant's data only through the handle it gives (`Access::data`).

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use onus_core::model::Access as Visibility;
use onus_core::resolve::{Matrix, RefIds, ResolvedArea};
use onus_core::url::{classify, Safety};
use onus_store::{Item, Member, STATUSES};
use serde::Deserialize;

use super::tenant::{self, access, Access};
use super::{db, message, not_found_page, page, Layout, PageResult};
use crate::auth::Viewer;
use crate::checklist::{self, date, is_done, is_overdue, Edit, EditError};
use crate::AppState;

/// A practice or evidence document that bears on a duty.
pub struct RefLink {
    pub name: String,
    /// Shown only when the tenant may follow it (public, or NDA recorded).
    pub url: Option<String>,
    pub access: &'static str,
}

/// What the model says around a duty: the practices and evidence its area
/// names (the provider side's, and the provider's documents the customer's
/// own part points to), and the controls the area maps to.
#[derive(Default)]
pub struct Context {
    pub practices: Vec<RefLink>,
    pub evidence: Vec<RefLink>,
    pub controls: Vec<String>,
}

/// What the model says around one area of the tenant's offering.
fn context(matrix: &Matrix, offering: &str, area: &str, nda: bool) -> Context {
    let links = |ids: &RefIds, out: &mut Vec<RefLink>| {
        for (id, found) in ids.lookup(&matrix.references) {
            if out
                .iter()
                .any(|l| l.name == found.map_or(id.as_str(), |r| r.name.as_str()))
            {
                continue;
            }
            let (name, url, access) = match found {
                Some(r) => (r.name.clone(), r.url.clone(), r.access),
                None => (id.to_string(), None, Visibility::Public),
            };
            let visible =
                matches!(access, Visibility::Public) || (nda && access == Visibility::Nda);
            out.push(RefLink {
                name,
                url: url.filter(|u| visible && classify(u) == Safety::Safe),
                access: access.as_str(),
            });
        }
    };
    let Some(a) = matrix
        .offerings
        .iter()
        .find(|o| o.id == offering)
        .and_then(|o| o.areas.iter().find(|a| a.id == area))
    else {
        return Context::default();
    };
    let mut c = Context {
        controls: control_names(a),
        ..Context::default()
    };
    for h in &a.holders {
        links(&h.how, &mut c.practices);
        links(&h.evidence, &mut c.evidence);
    }
    c
}

/// The controls each area of the tenant's offering maps to, as a list
/// shows them (`framework control, ...`), by area id.
fn controls<'m>(matrix: &'m Matrix, offering: &str) -> HashMap<&'m str, String> {
    let Some(o) = matrix.offerings.iter().find(|o| o.id == offering) else {
        return HashMap::new();
    };
    o.areas
        .iter()
        .map(|a| (a.id.as_str(), control_names(a).join(", ")))
        .collect()
}

/// The controls an area maps to, as `framework control`.
fn control_names(a: &ResolvedArea) -> Vec<String> {
    a.controls
        .iter()
        .map(|c| format!("{} {}", c.framework, c.control))
        .collect()
}

/// One line of the list.
pub struct Row {
    pub id: String,
    pub area: String,
    pub scope: String,
    pub duty: String,
    pub status: String,
    pub owner: String,
    pub due: String,
    pub overdue: bool,
    pub flag: String,
    pub controls: String,
}

/// Progress of a group of items.
pub struct Progress {
    pub label: String,
    pub done: usize,
    pub total: usize,
    pub percent: usize,
}

impl Progress {
    fn of<'i>(label: String, items: impl Iterator<Item = &'i Item>, now: i64) -> Progress {
        let (mut done, mut total) = (0, 0);
        for i in items {
            total += 1;
            done += usize::from(is_done(i, now));
        }
        Progress {
            label,
            done,
            total,
            percent: (done * 100).checked_div(total).unwrap_or(0),
        }
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct Filter {
    /// A status, or `overdue`.
    pub status: String,
    /// A user id, or `none`.
    pub owner: String,
    pub area: String,
}

impl Filter {
    pub fn keeps(&self, item: &Item, now: i64) -> bool {
        (self.status.is_empty()
            || item.status == self.status
            || (self.status == "overdue" && is_overdue(item, now)))
            && (self.owner.is_empty()
                || item.owner_id.as_deref() == Some(self.owner.as_str())
                || (self.owner == "none" && item.owner_id.is_none()))
            && (self.area.is_empty() || item.area == self.area)
    }
}

#[derive(Template)]
#[template(path = "checklist.html")]
struct ChecklistPage {
    layout: Layout,
    id: String,
    name: String,
    model: String,
    offering: String,
    version: i64,
    overall: Progress,
    areas: Vec<Progress>,
    rows: Vec<Row>,
    shown: usize,
    archived: Vec<Row>,
    statuses: &'static [&'static str],
    members: Vec<(String, String)>,
    area_choices: Vec<(String, String)>,
    filter: Filter,
    pending_changes: usize,
}

/// The tenant's items, brought to the latest model version first, with
/// the matrix they come from. `None`: the model is not published.
pub async fn current(
    state: &AppState,
    a: &Access,
) -> Result<Option<(i64, std::sync::Arc<Matrix>, Vec<Item>)>, Response> {
    let Some((version, matrix)) = db(checklist::sync(state, &a.data, &a.tenant).await)? else {
        return Ok(None);
    };
    let items = db(a.data.items().await)?;
    Ok(Some((version, matrix, items)))
}

fn unpublished(a: &Access) -> Response {
    message(
        StatusCode::NOT_FOUND,
        "No model yet",
        &format!(
            "{} is subscribed to {}, which is not published on this portal yet; the checklist appears once it is.",
            a.tenant.name, a.tenant.model
        ),
    )
}

fn names(members: &[Member]) -> HashMap<&str, &str> {
    members
        .iter()
        .map(|m| (m.user_id.as_str(), m.name.as_str()))
        .collect()
}

fn row(i: &Item, owners: &HashMap<&str, &str>, controls: &HashMap<&str, String>, now: i64) -> Row {
    Row {
        id: i.id.clone(),
        area: if i.area_group.is_empty() {
            i.area_name.clone()
        } else {
            format!("{} · {}", i.area_group, i.area_name)
        },
        scope: i.scope.clone().unwrap_or_default(),
        duty: if i.duty.is_empty() {
            format!("Holds {}", i.area_name)
        } else {
            i.duty.clone()
        },
        status: i.status.clone(),
        owner: i
            .owner_id
            .as_deref()
            .and_then(|o| owners.get(o))
            .map(|n| n.to_string())
            .unwrap_or_default(),
        due: i.due_at.map(date).unwrap_or_default(),
        overdue: is_overdue(i, now),
        flag: i.flag.clone(),
        controls: controls.get(i.area.as_str()).cloned().unwrap_or_default(),
    }
}

pub async fn list(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    Query(filter): Query<Filter>,
) -> PageResult {
    let a = access(&state, &viewer, &id).await?;
    let Some((version, matrix, items)) = current(&state, &a).await? else {
        return Ok(unpublished(&a));
    };
    let now = onus_store::now();
    let members = db(a.data.members().await)?;
    let owners = names(&members);
    let controls = controls(&matrix, &a.tenant.offering);
    let live: Vec<&Item> = items.iter().filter(|i| i.archived_at.is_none()).collect();
    let mut areas: Vec<Progress> = Vec::new();
    let mut area_choices: Vec<(String, String)> = Vec::new();
    for i in &live {
        if !area_choices.iter().any(|(id, _)| *id == i.area) {
            area_choices.push((i.area.clone(), i.area_name.clone()));
            areas.push(Progress::of(
                i.area_name.clone(),
                live.iter().copied().filter(|j| j.area == i.area),
                now,
            ));
        }
    }
    let rows: Vec<Row> = live
        .iter()
        .filter(|i| filter.keeps(i, now))
        .map(|i| row(i, &owners, &controls, now))
        .collect();
    let archived = items
        .iter()
        .filter(|i| i.archived_at.is_some())
        .map(|i| row(i, &owners, &controls, now))
        .collect();
    let pending_changes = db(a.data.unreviewed_changes().await)?;
    Ok(page(
        StatusCode::OK,
        &ChecklistPage {
            layout: Layout::new(format!("Checklist of {}", a.tenant.name), &viewer),
            overall: Progress::of("All duties".into(), live.iter().copied(), now),
            shown: rows.len(),
            areas,
            rows,
            archived,
            statuses: STATUSES,
            members: members
                .iter()
                .map(|m| (m.user_id.clone(), m.name.clone()))
                .collect(),
            area_choices,
            filter,
            pending_changes,
            version,
            id: a.tenant.id,
            name: a.tenant.name,
            model: a.tenant.model,
            offering: a.tenant.offering,
        },
    ))
}

struct HistoryRow {
    at: String,
    who: String,
    field: String,
    from: String,
    to: String,
}

#[derive(Template)]
#[template(path = "item.html")]
struct ItemPage {
    layout: Layout,
    tenant: String,
    tenant_name: String,
    item: Item,
    row: Row,
    context: Context,
    can_edit: bool,
    admin: bool,
    statuses: &'static [&'static str],
    members: Vec<(String, String)>,
    approved_by: String,
    risk_expires: String,
    history: Vec<HistoryRow>,
    evidence: Vec<crate::evidence::EvidenceRow>,
    evidence_url: String,
    error: Option<String>,
}

async fn item_page(
    state: &AppState,
    viewer: &Viewer,
    a: Access,
    item_id: &str,
    status: StatusCode,
    error: Option<String>,
) -> PageResult {
    let Some((_, matrix, _)) = current(state, &a).await? else {
        return Ok(unpublished(&a));
    };
    let Some(item) = db(a.data.item(item_id).await)? else {
        return Err(not_found_page());
    };
    let now = onus_store::now();
    let members = db(a.data.members().await)?;
    let owners = names(&members);
    let row = row(&item, &owners, &controls(&matrix, &a.tenant.offering), now);
    let evidence = db(crate::evidence::item_evidence(&a.data, item_id).await)?;
    let history = db(a.data.history(item_id).await)?
        .into_iter()
        .map(|h| {
            let shown = |field: &str, v: String| match field {
                "owner" | "approved_by" => {
                    owners.get(v.as_str()).map_or(v.clone(), |n| n.to_string())
                }
                "due" | "risk_expires_at" => v.parse().map(date).unwrap_or(v),
                _ => v,
            };
            HistoryRow {
                at: onus_export::render::xlsx::utc_date(h.at),
                who: h
                    .actor_name
                    .or(h.actor)
                    .unwrap_or_else(|| "the portal (new model version)".into()),
                from: shown(&h.field, h.old_value),
                to: shown(&h.field, h.new_value),
                field: h.field,
            }
        })
        .collect();
    Ok(page(
        status,
        &ItemPage {
            layout: Layout::new(format!("{} · {}", row.area, a.tenant.name), viewer),
            context: context(
                &matrix,
                &a.tenant.offering,
                &item.area,
                a.tenant.nda_recorded_at.is_some(),
            ),
            can_edit: a.can_edit() && item.archived_at.is_none(),
            admin: a.is_admin(),
            statuses: STATUSES,
            approved_by: item
                .approved_by
                .as_deref()
                .map(|u| owners.get(u).map_or(u.to_string(), |n| n.to_string()))
                .unwrap_or_default(),
            risk_expires: item.risk_expires_at.map(date).unwrap_or_default(),
            members: members
                .iter()
                .map(|m| (m.user_id.clone(), m.name.clone()))
                .collect(),
            history,
            evidence_url: crate::evidence::item_evidence_url(&a.tenant.id, &item.id),
            evidence,
            error,
            row,
            item,
            tenant: a.tenant.id,
            tenant_name: a.tenant.name,
        },
    ))
}

pub async fn item(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((id, item)): Path<(String, String)>,
) -> PageResult {
    let a = access(&state, &viewer, &id).await?;
    item_page(&state, &viewer, a, &item, StatusCode::OK, None).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ItemForm {
    revision: i64,
    status: String,
    reason: String,
    risk_expires: String,
    owner: String,
    due: String,
    notes: String,
}

pub async fn update(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((id, item)): Path<(String, String)>,
    Form(f): Form<ItemForm>,
) -> PageResult {
    let a = access(&state, &viewer, &id).await?;
    if !a.can_edit() {
        return Err(not_found_page());
    }
    let edit = Edit {
        status: Some(f.status),
        reason: Some(f.reason),
        risk_expires: Some(f.risk_expires).filter(|r| !r.trim().is_empty()),
        owner: Some(f.owner),
        due: Some(f.due),
        notes: Some(f.notes),
    };
    let error = match checklist::edit(&a, &item, f.revision, &edit).await {
        Ok(_) => {
            return Ok(Redirect::to(&format!("/t/{}/items/{item}", a.tenant.id)).into_response())
        }
        Err(EditError::Invalid(m)) => (StatusCode::UNPROCESSABLE_ENTITY, m),
        Err(EditError::Update(onus_store::UpdateError::NotFound)) => return Err(not_found_page()),
        Err(EditError::Update(onus_store::UpdateError::Stale { .. })) => (
            StatusCode::CONFLICT,
            "Someone else changed this item while you were editing it. Here it is as it is now: make your change again.".to_string(),
        ),
        Err(EditError::Update(onus_store::UpdateError::Store(e)) | EditError::Store(e)) => {
            return Err(super::internal_error(&e))
        }
    };
    item_page(&state, &viewer, a, &item, error.0, Some(error.1)).await
}

/// One model change as the page shows it.
struct ChangeView {
    id: String,
    from: i64,
    to: i64,
    worst: String,
    when: String,
    reviewed: Option<String>,
    messages: Vec<(String, String)>,
    added: Vec<Row>,
    breaking: Vec<Row>,
    reworded: Vec<Row>,
    archived: Vec<Row>,
    restored: Vec<Row>,
}

#[derive(Template)]
#[template(path = "changes.html")]
struct ChangesPage {
    layout: Layout,
    id: String,
    name: String,
    admin: bool,
    changes: Vec<ChangeView>,
}

pub async fn changes(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
) -> PageResult {
    let a = access(&state, &viewer, &id).await?;
    let Some((_, matrix, items)) = current(&state, &a).await? else {
        return Ok(unpublished(&a));
    };
    let now = onus_store::now();
    let members = db(a.data.members().await)?;
    let owners = names(&members);
    let controls = controls(&matrix, &a.tenant.offering);
    let by_id: HashMap<&str, &Item> = items.iter().map(|i| (i.id.as_str(), i)).collect();
    let mut views = Vec::new();
    for c in db(a.data.changes().await)? {
        let changed: serde_json::Value = serde_json::from_str(&c.items).unwrap_or_default();
        let rows = |key: &str| -> Vec<Row> {
            changed[key]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|v| by_id.get(v.as_str()?))
                .map(|i| row(i, &owners, &controls, now))
                .collect()
        };
        let messages: Vec<(String, String)> = serde_json::from_str::<serde_json::Value>(&c.changes)
            .ok()
            .and_then(|v| v.as_array().cloned())
            .unwrap_or_default()
            .iter()
            .map(|m| {
                (
                    m["class"].as_str().unwrap_or_default().to_string(),
                    m["message"].as_str().unwrap_or_default().to_string(),
                )
            })
            .collect();
        let reviewed = c.reviewed_at.map(|at| {
            let who = c
                .reviewed_by
                .as_deref()
                .and_then(|u| owners.get(u))
                .map_or("a former member".to_string(), |n| n.to_string());
            format!("{} by {who}", onus_export::render::xlsx::utc_date(at))
        });
        views.push(ChangeView {
            added: rows("added"),
            breaking: rows("breaking"),
            reworded: rows("reworded"),
            archived: rows("archived"),
            restored: rows("restored"),
            id: c.id,
            from: c.from_version,
            to: c.to_version,
            worst: c.worst,
            when: onus_export::render::xlsx::utc_date(c.created_at),
            reviewed,
            messages,
        });
    }
    Ok(page(
        StatusCode::OK,
        &ChangesPage {
            layout: Layout::new(format!("What changed for {}", a.tenant.name), &viewer),
            admin: a.is_admin(),
            changes: views,
            id: a.tenant.id,
            name: a.tenant.name,
        },
    ))
}

/// A tenant admin marks a change reviewed (recorded and audited).
pub async fn review(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((id, change)): Path<(String, String)>,
) -> PageResult {
    let a = tenant::admin_access(&state, &viewer, &id).await?;
    let audit = onus_store::Audit::new(
        Some(&a.user.id),
        Some(&a.tenant.id),
        "change-reviewed",
        &change,
        "",
    );
    if !db(a.data.review_change(&change, &a.user.id, &audit).await)? {
        return Err(not_found_page());
    }
    Ok(Redirect::to(&format!("/t/{}/changes", a.tenant.id)).into_response())
}

/// The checklist as CSV or XLSX, for the tenant's auditor.
pub async fn download(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(file): Path<(String, String)>,
) -> PageResult {
    let (id, name) = file;
    let Some(kind) = crate::export::Kind::of(&name) else {
        return Err(not_found_page());
    };
    let a = access(&state, &viewer, &id).await?;
    let Some((_, matrix, _)) = current(&state, &a).await? else {
        return Ok(unpublished(&a));
    };
    crate::export::download(&a, &matrix, kind)
        .await
        .map_err(|e| super::internal_error(&e))
}
