//! `/api/v1/tenants/{tenant}/...`: the checklist, its items (with ETag /
//! If-Match: two clients editing one item never silently overwrite each
//! other), their history, the exports and what each new model version
//! changed, over the same services as the pages (`crate::checklist`).

use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use std::sync::Arc;

use onus_core::resolve::Matrix;
use onus_store::{ApiToken, Item};
use serde::Serialize;
use utoipa::ToSchema;

use super::{
    authenticate, bad_request, db, json_body, need_write, not_found, problem, tenant_access,
    ApiResult,
};
use crate::checklist::{self, date, is_overdue, Edit, EditError};
use crate::pages::checklist::Filter;
use crate::pages::tenant::Access;
use crate::AppState;

#[derive(Serialize, ToSchema)]
pub struct ItemDto {
    pub id: String,
    /// The duty's stable id (docs/portal.md, "Duty identity").
    pub duty_id: String,
    pub offering: String,
    pub area: String,
    pub area_name: String,
    pub area_group: String,
    pub scope: Option<String>,
    pub duty: String,
    /// `not-started`, `in-progress`, `implemented`, `not-applicable` or `risk-accepted`.
    pub status: String,
    pub reason: String,
    pub approved_by: Option<String>,
    /// `YYYY-MM-DD`.
    pub risk_expires: Option<String>,
    pub owner: Option<String>,
    /// `YYYY-MM-DD`.
    pub due: Option<String>,
    pub overdue: bool,
    pub notes: String,
    /// `new`, `reworded`, `breaking`, or empty.
    pub flag: String,
    /// `YYYY-MM-DD` when the duty left the model.
    pub archived: Option<String>,
    /// What `If-Match` must name to change the item (also its `ETag`).
    pub revision: i64,
}

fn dto(i: Item) -> ItemDto {
    let overdue = is_overdue(&i, onus_store::now());
    ItemDto {
        id: i.id,
        duty_id: i.duty_id,
        offering: i.offering,
        area: i.area,
        area_name: i.area_name,
        area_group: i.area_group,
        scope: i.scope,
        duty: i.duty,
        status: i.status,
        reason: i.reason,
        approved_by: i.approved_by,
        risk_expires: i.risk_expires_at.map(date),
        owner: i.owner_id,
        due: i.due_at.map(date),
        overdue,
        notes: i.notes,
        flag: i.flag,
        archived: i.archived_at.map(date),
        revision: i.revision,
    }
}

fn etag(revision: i64) -> HeaderValue {
    HeaderValue::from_str(&format!("\"{revision}\"")).unwrap_or(HeaderValue::from_static("\"0\""))
}

/// The item as JSON with its ETag.
fn with_etag(item: Item) -> Response {
    let tag = etag(item.revision);
    ([(header::ETAG, tag)], Json(dto(item))).into_response()
}

/// The tenant's access for this request, its checklist brought to the
/// latest model version (404 while its model is not published). The items
/// are left to the handler that needs them (read once, not here too).
async fn checklist_access(
    state: &AppState,
    headers: &HeaderMap,
    tenant: &str,
) -> Result<(ApiToken, Access, Arc<Matrix>), Response> {
    let grant = authenticate(state, headers).await?;
    let a = tenant_access(state, &grant, tenant, false).await?;
    match checklist::sync(state, &a.data, &a.tenant)
        .await
        .map_err(|e| super::internal(&e))?
    {
        Some((_, matrix)) => Ok((grant, a, matrix)),
        None => Err(not_found()),
    }
}

/// The tenant's checklist items (archived ones with `archived=true`), filtered like the page.
#[utoipa::path(get, path = "/api/v1/tenants/{tenant}/items", security(("bearer" = [])),
    params(("tenant" = String, Path, description = "The tenant's id"),
        ("status" = Option<String>, Query, description = "A status, or `overdue`"),
        ("owner" = Option<String>, Query, description = "A user id, or `none`"),
        ("area" = Option<String>, Query, description = "An area id"),
        ("archived" = Option<bool>, Query, description = "Archived items instead of live ones")),
    responses((status = 200, body = Vec<ItemDto>), (status = 404, body = super::Problem, content_type = "application/problem+json")))]
pub async fn items(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(tenant): Path<String>,
    Query(query): Query<ItemQuery>,
) -> ApiResult {
    let (_, a, _) = checklist_access(&state, &headers, &tenant).await?;
    let now = onus_store::now();
    let filter = Filter {
        status: query.status,
        owner: query.owner,
        area: query.area,
    };
    let list: Vec<ItemDto> = db(a.data.items().await)?
        .into_iter()
        .filter(|i| i.archived_at.is_some() == query.archived && filter.keeps(i, now))
        .map(dto)
        .collect();
    Ok(Json(list).into_response())
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
pub struct ItemQuery {
    status: String,
    owner: String,
    area: String,
    archived: bool,
}

/// One item, with its revision as `ETag`.
#[utoipa::path(get, path = "/api/v1/tenants/{tenant}/items/{item}", security(("bearer" = [])),
    params(("tenant" = String, Path, description = "The tenant's id"), ("item" = String, Path, description = "The item's id")),
    responses((status = 200, body = ItemDto, headers(("ETag" = String, description = "The item's revision"))), (status = 404, body = super::Problem, content_type = "application/problem+json")))]
pub async fn item(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path((tenant, item)): Path<(String, String)>,
) -> ApiResult {
    let (_, a, _) = checklist_access(&state, &headers, &tenant).await?;
    let item = db(a.data.item(&item).await)?.ok_or_else(not_found)?;
    Ok(with_etag(item))
}

/// Changes an item (write; tenant admins and members). `If-Match` must
/// carry the item's current `ETag`: a stale one is refused with 412 and
/// the item as it is now, a missing one with 428.
#[utoipa::path(patch, path = "/api/v1/tenants/{tenant}/items/{item}", security(("bearer" = [])), request_body = Edit,
    params(("tenant" = String, Path, description = "The tenant's id"), ("item" = String, Path, description = "The item's id"),
        ("If-Match" = String, Header, description = "The ETag read with the item")),
    responses((status = 200, body = ItemDto), (status = 404, body = super::Problem, content_type = "application/problem+json"),
        (status = 412, body = super::Problem, content_type = "application/problem+json"), (status = 422, body = super::Problem, content_type = "application/problem+json"),
        (status = 428, body = super::Problem, content_type = "application/problem+json")))]
pub async fn update(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path((tenant, item)): Path<(String, String)>,
    body: axum::body::Bytes,
) -> ApiResult {
    let (grant, a, _) = checklist_access(&state, &headers, &tenant).await?;
    need_write(&grant)?;
    if !a.can_edit() {
        return Err(problem(
            StatusCode::FORBIDDEN,
            "viewer",
            "Read-only role",
            "Tenant viewers read the checklist; changing it takes a tenant member or admin.",
        ));
    }
    let Some(tag) = headers.get(header::IF_MATCH).and_then(|v| v.to_str().ok()) else {
        return Err(problem(
            StatusCode::PRECONDITION_REQUIRED,
            "if-match-required",
            "If-Match required",
            "Send the item's ETag (from GET) as If-Match, so a change made meanwhile is not overwritten.",
        ));
    };
    let revision: i64 = tag
        .trim()
        .trim_start_matches("W/")
        .trim_matches('"')
        .parse()
        .map_err(|_| {
            bad_request("If-Match must be the ETag the item was read with, such as \"3\".")
        })?;
    let edit: Edit = json_body(&body)?;
    match checklist::edit(&a, &item, revision, &edit).await {
        Ok(item) => Ok(with_etag(item)),
        Err(EditError::Invalid(m)) => Err(bad_request(m)),
        Err(EditError::Update(onus_store::UpdateError::NotFound)) => Err(not_found()),
        Err(EditError::Update(onus_store::UpdateError::Stale { current, .. })) => {
            let mut r = problem(
                StatusCode::PRECONDITION_FAILED,
                "stale",
                "The item changed",
                format!(
                    "The item changed since it was read (it is at revision {}); read it again and make the change on what it is now.",
                    current.revision
                ),
            );
            r.headers_mut().insert(header::ETAG, etag(current.revision));
            Err(r)
        }
        Err(EditError::Update(onus_store::UpdateError::Store(e)) | EditError::Store(e)) => {
            Err(super::internal(&e))
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct HistoryDto {
    /// Unix seconds.
    pub at: i64,
    /// The user's id; null for the portal itself (a new model version).
    pub actor: Option<String>,
    pub field: String,
    pub from: String,
    pub to: String,
}

/// An item's history, oldest first.
#[utoipa::path(get, path = "/api/v1/tenants/{tenant}/items/{item}/history", security(("bearer" = [])),
    params(("tenant" = String, Path, description = "The tenant's id"), ("item" = String, Path, description = "The item's id")),
    responses((status = 200, body = Vec<HistoryDto>), (status = 404, body = super::Problem, content_type = "application/problem+json")))]
pub async fn history(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path((tenant, item)): Path<(String, String)>,
) -> ApiResult {
    let (_, a, _) = checklist_access(&state, &headers, &tenant).await?;
    db(a.data.item(&item).await)?.ok_or_else(not_found)?;
    let list: Vec<HistoryDto> = db(a.data.history(&item).await)?
        .into_iter()
        .map(|h| HistoryDto {
            at: h.at,
            actor: h.actor,
            field: h.field,
            from: h.old_value,
            to: h.new_value,
        })
        .collect();
    Ok(Json(list).into_response())
}

#[derive(Serialize, ToSchema)]
pub struct ChangeDto {
    pub id: String,
    pub from_version: i64,
    pub to_version: i64,
    /// `breaking`, `notable`, `cosmetic` or `none`.
    pub worst: String,
    /// Each change in the tenant's offering: class, kind, area, message.
    #[schema(value_type = Vec<Object>)]
    pub changes: serde_json::Value,
    /// Item ids by what happened to them: added, breaking, reworded, archived, restored.
    #[schema(value_type = Object)]
    pub items: serde_json::Value,
    /// Unix seconds.
    pub created_at: i64,
    pub reviewed_at: Option<i64>,
    pub reviewed_by: Option<String>,
}

/// What each new model version changed for the tenant, newest first.
#[utoipa::path(get, path = "/api/v1/tenants/{tenant}/changes", security(("bearer" = [])),
    params(("tenant" = String, Path, description = "The tenant's id")),
    responses((status = 200, body = Vec<ChangeDto>), (status = 404, body = super::Problem, content_type = "application/problem+json")))]
pub async fn changes(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(tenant): Path<String>,
) -> ApiResult {
    let (_, a, _) = checklist_access(&state, &headers, &tenant).await?;
    let list: Vec<ChangeDto> = db(a.data.changes().await)?
        .into_iter()
        .map(|c| ChangeDto {
            changes: serde_json::from_str(&c.changes).unwrap_or_default(),
            items: serde_json::from_str(&c.items).unwrap_or_default(),
            id: c.id,
            from_version: c.from_version,
            to_version: c.to_version,
            worst: c.worst,
            created_at: c.created_at,
            reviewed_at: c.reviewed_at,
            reviewed_by: c.reviewed_by,
        })
        .collect();
    Ok(Json(list).into_response())
}

/// Marks a change reviewed (tenant admin, write).
#[utoipa::path(post, path = "/api/v1/tenants/{tenant}/changes/{change}/review", security(("bearer" = [])),
    params(("tenant" = String, Path, description = "The tenant's id"), ("change" = String, Path, description = "The change's id")),
    responses((status = 204), (status = 404, body = super::Problem, content_type = "application/problem+json")))]
pub async fn review(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path((tenant, change)): Path<(String, String)>,
) -> ApiResult {
    let grant = authenticate(&state, &headers).await?;
    let a = tenant_access(&state, &grant, &tenant, true).await?;
    need_write(&grant)?;
    let audit = onus_store::Audit::new(
        Some(&a.user.id),
        Some(&a.tenant.id),
        "change-reviewed",
        &change,
        "",
    );
    if !db(a.data.review_change(&change, &a.user.id, &audit).await)? {
        return Err(not_found());
    }
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// The checklist as CSV (`checklist.csv`), XLSX (`checklist.xlsx`) or the tenant's OSCAL SSP
/// (`checklist.oscal.json`: `inherited` and `satisfied` pointing at the provider's own SSP export's uuids), for the tenant's auditor.
#[utoipa::path(get, path = "/api/v1/tenants/{tenant}/exports/{file}", security(("bearer" = [])),
    params(("tenant" = String, Path, description = "The tenant's id"), ("file" = String, Path, description = "`checklist.csv`, `checklist.xlsx` or `checklist.oscal.json`")),
    responses((status = 200, description = "The file, as an attachment"), (status = 404, body = super::Problem, content_type = "application/problem+json")))]
pub async fn export(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path((tenant, file)): Path<(String, String)>,
) -> ApiResult {
    let Some(kind) = crate::export::Kind::of(&file) else {
        return Err(not_found());
    };
    let (_, a, matrix) = checklist_access(&state, &headers, &tenant).await?;
    crate::export::download(&a, &matrix, kind)
        .await
        .map_err(|e| super::internal(&e))
}
