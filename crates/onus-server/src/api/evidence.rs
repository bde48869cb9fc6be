//! `/api/v1/tenants/{tenant}/items/{item}/evidence` and
//! `/api/v1/tenants/{tenant}/evidence/{evidence}`: an item's evidence files
//! over the API, through the same service as the page (`crate::evidence`).
//! Uploads are `multipart/form-data` with the field `file` (write token,
//! tenant admin or member); downloads are streamed, as attachments.

use axum::extract::{Path, Request, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Json;
use onus_store::Attachment;
use serde::Serialize;
use utoipa::ToSchema;

use super::{
    authenticate, db, internal, need_write, not_found, problem, tenant_access, ApiResult, Problem,
};
use crate::evidence::{self, Refused};
use crate::pages::tenant::Access;
use crate::AppState;

/// A file attached to a checklist item (a deleted one keeps its record).
#[derive(Serialize, ToSchema)]
pub struct EvidenceDto {
    pub id: String,
    pub item_id: String,
    pub file_name: String,
    /// The type it is served as, checked against its bytes on upload.
    pub content_type: String,
    /// Bytes.
    pub size: i64,
    /// SHA-256 of the bytes, lowercase hex.
    pub sha256: String,
    /// The uploader's user id (`None` once that user is gone).
    pub uploaded_by: Option<String>,
    pub uploaded_by_name: Option<String>,
    /// Unix seconds.
    pub uploaded_at: i64,
    /// Unix seconds; set once deleted (the bytes are gone, the record stays).
    pub deleted_at: Option<i64>,
    pub deleted_by: Option<String>,
    /// Where to download the bytes (`None` once deleted).
    pub content_url: Option<String>,
}

fn dto(tenant: &str, a: Attachment) -> EvidenceDto {
    EvidenceDto {
        content_url: (!a.is_deleted())
            .then(|| format!("/api/v1/tenants/{tenant}/evidence/{}/content", a.id)),
        id: a.id,
        item_id: a.item_id,
        file_name: a.file_name,
        content_type: a.content_type,
        size: a.size,
        sha256: a.sha256,
        uploaded_by: a.uploaded_by,
        uploaded_by_name: a.uploaded_by_name,
        uploaded_at: a.uploaded_at,
        deleted_at: a.deleted_at,
        deleted_by: a.deleted_by,
    }
}

fn refused(r: Refused) -> Response {
    match r {
        Refused::NotFound => not_found(),
        Refused::Store(e) => internal(&e),
        r => problem(r.status(), r.kind(), "Upload refused", r.to_string()),
    }
}

fn gone(a: &Attachment) -> Response {
    problem(
        StatusCode::GONE,
        "deleted",
        "Deleted",
        format!(
            "{} was deleted; its record (name, SHA-256, who deleted it and when) stays.",
            a.file_name
        ),
    )
}

/// The item's evidence files, deleted ones included, oldest first.
#[utoipa::path(get, path = "/api/v1/tenants/{tenant}/items/{item}/evidence", security(("bearer" = [])),
    params(("tenant" = String, Path, description = "The tenant's id"), ("item" = String, Path, description = "The checklist item's id")),
    responses((status = 200, body = Vec<EvidenceDto>), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub(super) async fn list(
    State(state): State<AppState>,
    headers: axum::http::HeaderMap,
    Path((tenant, item)): Path<(String, String)>,
) -> ApiResult {
    let grant = authenticate(&state, &headers).await?;
    let a = tenant_access(&state, &grant, &tenant, false).await?;
    let data = a.data.clone();
    if db(data.item(&item).await)?.is_none() {
        return Err(not_found());
    }
    let list: Vec<EvidenceDto> = db(data.attachments(&item).await)?
        .into_iter()
        .map(|x| dto(&a.tenant.id, x))
        .collect();
    Ok(Json(list).into_response())
}

/// What an upload sends.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct EvidenceUpload {
    /// The file (its part's `filename` names it, its `Content-Type` is
    /// checked against its bytes).
    #[schema(value_type = String, format = Binary)]
    pub file: Vec<u8>,
}

/// Attaches a file to the item (write token; tenant admin or member).
/// Streamed: the size limit (`onus serve --max-upload`, default 25 MiB)
/// holds while it arrives; a declared type the bytes contradict is
/// refused; nothing of a refused upload is kept.
#[utoipa::path(post, path = "/api/v1/tenants/{tenant}/items/{item}/evidence", security(("bearer" = [])),
    params(("tenant" = String, Path, description = "The tenant's id"), ("item" = String, Path, description = "The checklist item's id")),
    request_body(content = EvidenceUpload, content_type = "multipart/form-data"),
    responses((status = 201, body = EvidenceDto),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 413, body = Problem, content_type = "application/problem+json"),
        (status = 415, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
pub(super) async fn upload(
    State(state): State<AppState>,
    Path((tenant, item)): Path<(String, String)>,
    request: Request,
) -> ApiResult {
    let grant = authenticate(&state, request.headers()).await?;
    let a = tenant_access(&state, &grant, &tenant, false).await?;
    need_write(&grant)?;
    let data = a.data.clone();
    let content_type = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let stored = evidence::upload(
        &a,
        &data,
        &item,
        content_type.as_deref(),
        request.into_body(),
        state.max_upload,
    )
    .await
    .map_err(refused)?;
    Ok((StatusCode::CREATED, Json(dto(&a.tenant.id, stored))).into_response())
}

/// One evidence file's record (deleted or not).
#[utoipa::path(get, path = "/api/v1/tenants/{tenant}/evidence/{evidence}", security(("bearer" = [])),
    params(("tenant" = String, Path, description = "The tenant's id"), ("evidence" = String, Path, description = "The evidence file's id")),
    responses((status = 200, body = EvidenceDto), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub(super) async fn show(
    State(state): State<AppState>,
    headers: axum::http::HeaderMap,
    Path((tenant, file)): Path<(String, String)>,
) -> ApiResult {
    let (a, found) = file_of(&state, &headers, &tenant, &file, false).await?;
    Ok(Json(dto(&a.tenant.id, found)).into_response())
}

/// The file's bytes, streamed, as an attachment (`Content-Disposition:
/// attachment`, `nosniff`); any member, read tokens included.
#[utoipa::path(get, path = "/api/v1/tenants/{tenant}/evidence/{evidence}/content", security(("bearer" = [])),
    params(("tenant" = String, Path, description = "The tenant's id"), ("evidence" = String, Path, description = "The evidence file's id")),
    responses((status = 200, description = "The bytes, as stored", content_type = "application/octet-stream"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 410, body = Problem, content_type = "application/problem+json")))]
pub(super) async fn content(
    State(state): State<AppState>,
    headers: axum::http::HeaderMap,
    Path((tenant, file)): Path<(String, String)>,
) -> ApiResult {
    let (a, found) = file_of(&state, &headers, &tenant, &file, false).await?;
    if found.is_deleted() {
        return Err(gone(&found));
    }
    db(a.audit_read(
        "evidence-downloaded",
        &format!("{} ({})", found.file_name, found.sha256),
    )
    .await)?;
    Ok(evidence::download(&a.data, &found))
}

/// Deletes the file's bytes; its record stays, marked deleted (write
/// token; tenant admin or member).
#[utoipa::path(delete, path = "/api/v1/tenants/{tenant}/evidence/{evidence}", security(("bearer" = [])),
    params(("tenant" = String, Path, description = "The tenant's id"), ("evidence" = String, Path, description = "The evidence file's id")),
    responses((status = 200, body = EvidenceDto),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 410, body = Problem, content_type = "application/problem+json")))]
pub(super) async fn delete(
    State(state): State<AppState>,
    headers: axum::http::HeaderMap,
    Path((tenant, file)): Path<(String, String)>,
) -> ApiResult {
    let (a, found) = file_of(&state, &headers, &tenant, &file, true).await?;
    let data = a.data.clone();
    if found.is_deleted() {
        return Err(gone(&found));
    }
    match evidence::delete(&a, &data, &file).await.map_err(refused)? {
        Some(deleted) => Ok(Json(dto(&a.tenant.id, deleted)).into_response()),
        // Deleted by someone else in between.
        None => Err(gone(&found)),
    }
}

/// The bearer's access to `tenant` (a write token when `write`) and its
/// evidence file `file` (a deleted one's record too): 401, 404 or 403 as
/// the API answers them.
async fn file_of(
    state: &AppState,
    headers: &axum::http::HeaderMap,
    tenant: &str,
    file: &str,
    write: bool,
) -> Result<(Access, Attachment), Response> {
    let grant = authenticate(state, headers).await?;
    let a = tenant_access(state, &grant, tenant, false).await?;
    if write {
        need_write(&grant)?;
    }
    let found = db(a.data.attachment(file).await)?.ok_or_else(not_found)?;
    Ok((a, found))
}

/// The evidence routes (see `pages::routes`, which the router is built from).
pub(super) fn routes() -> Vec<crate::pages::Route> {
    use axum::http::Method as M;
    vec![
        (
            M::GET,
            "/api/v1/tenants/{tenant}/items/{item}/evidence",
            get(list),
        ),
        (
            M::POST,
            "/api/v1/tenants/{tenant}/items/{item}/evidence",
            post(upload),
        ),
        (
            M::GET,
            "/api/v1/tenants/{tenant}/evidence/{evidence}",
            get(show),
        ),
        (
            M::DELETE,
            "/api/v1/tenants/{tenant}/evidence/{evidence}",
            axum::routing::delete(delete),
        ),
        (
            M::GET,
            "/api/v1/tenants/{tenant}/evidence/{evidence}/content",
            get(content),
        ),
    ]
}
