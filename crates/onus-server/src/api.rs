//! `/api/v1`: JSON over the same services as the pages (the store, the
//! tenant guard `pages::tenant::member`, `admin::new_tenant`,
//! `tenant::new_invite`). Authentication by API token only
//! (`Authorization: Bearer`, stored hashed, `read` or `write` scope; a
//! tenant token acts on its tenant only); cookies are ignored, so no CSRF.
//! Errors are RFC 9457 `application/problem+json` with a stable `type`.
//! The OpenAPI 3.1 document at `/api/v1/openapi.json` is generated from
//! this file (utoipa).

use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, patch, post};
use axum::{Json, Router};
use onus_store::{ApiToken, Tenant, User};
use serde::{Deserialize, Serialize};
use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
use utoipa::{Modify, OpenApi, ToSchema};

mod evidence;

use crate::pages::{admin, tenant};

mod checklist;
use crate::AppState;

/// An RFC 9457 problem.
#[derive(Serialize, ToSchema)]
pub struct Problem {
    /// Stable per kind of error: `/api/v1/problems/KIND`.
    #[serde(rename = "type")]
    pub kind: String,
    pub title: String,
    pub status: u16,
    pub detail: String,
}

fn problem(status: StatusCode, kind: &str, title: &str, detail: impl Into<String>) -> Response {
    let body = Problem {
        kind: format!("/api/v1/problems/{kind}"),
        title: title.to_string(),
        status: status.as_u16(),
        detail: detail.into(),
    };
    let json = serde_json::to_string(&body).unwrap_or_default();
    (
        status,
        [(header::CONTENT_TYPE, "application/problem+json")],
        json,
    )
        .into_response()
}

fn not_found() -> Response {
    problem(
        StatusCode::NOT_FOUND,
        "not-found",
        "Not found",
        "There is no such resource, or you do not have access to it.",
    )
}

fn internal(e: &dyn std::fmt::Display) -> Response {
    tracing::error!(error = %e, "API request failed");
    problem(
        StatusCode::INTERNAL_SERVER_ERROR,
        "internal",
        "Internal error",
        "The request failed; it has been logged.",
    )
}

fn db<T>(r: Result<T, onus_store::StoreError>) -> Result<T, Response> {
    r.map_err(|e| internal(&e))
}

/// The page services answer with HTML on failure: in the API that is an internal error.
fn service<T>(r: Result<T, Response>) -> Result<T, Response> {
    r.map_err(|_| internal(&"a service failed"))
}

type ApiResult = Result<Response, Response>;

/// The bearer token's grant, or 401.
async fn authenticate(state: &AppState, headers: &HeaderMap) -> Result<ApiToken, Response> {
    let token = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim);
    let unauthorized = || {
        problem(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            "Unauthorized",
            "Send a valid API token as `Authorization: Bearer TOKEN` (`onus admin token` mints one).",
        )
    };
    let Some(token) = token.filter(|t| !t.is_empty()) else {
        return Err(unauthorized());
    };
    db(state.store.api_token(token).await)?.ok_or_else(unauthorized)
}

fn need_write(grant: &ApiToken) -> Result<(), Response> {
    if grant.scope == "write" {
        Ok(())
    } else {
        Err(problem(
            StatusCode::FORBIDDEN,
            "read-only-token",
            "Read-only token",
            "This token has the read scope; this request needs a write token.",
        ))
    }
}

fn platform_admin(grant: &ApiToken) -> Result<&User, Response> {
    if grant.user.is_platform_admin() && grant.tenant_id.is_none() {
        Ok(&grant.user)
    } else {
        Err(not_found())
    }
}

async fn tenant_access(
    state: &AppState,
    grant: &ApiToken,
    id: &str,
    admin_only: bool,
) -> Result<tenant::Access, Response> {
    match db(tenant::member(state, &grant.user, id, grant.tenant_id.as_deref()).await)? {
        Ok(a) if !admin_only || a.is_admin() => Ok(a),
        Ok(_) | Err(tenant::Denied::NotFound) => Err(not_found()),
        Err(tenant::Denied::MfaRequired(name)) => Err(problem(
            StatusCode::FORBIDDEN,
            "mfa-required",
            "Two-factor sign-in required",
            format!("{name} requires two-factor sign-in; enrol on your account page first."),
        )),
    }
}

#[derive(Serialize, ToSchema)]
pub struct TenantRef {
    pub id: String,
    pub name: String,
    pub role: String,
}

#[derive(Serialize, ToSchema)]
pub struct Me {
    pub id: String,
    pub email: String,
    pub name: String,
    pub platform_role: Option<String>,
    pub mfa_enabled: bool,
    pub tenants: Vec<TenantRef>,
}

/// The current user.
#[utoipa::path(get, path = "/api/v1/me", security(("bearer" = [])),
    responses((status = 200, body = Me), (status = 401, body = Problem, content_type = "application/problem+json")))]
async fn me(State(state): State<AppState>, headers: HeaderMap) -> ApiResult {
    let grant = authenticate(&state, &headers).await?;
    let tenants = db(state.store.memberships(&grant.user.id).await)?
        .into_iter()
        .filter(|(t, _)| grant.tenant_id.as_ref().is_none_or(|only| *only == t.id))
        .map(|(t, role)| TenantRef {
            id: t.id,
            name: t.name,
            role,
        })
        .collect();
    let u = grant.user;
    Ok(Json(Me {
        id: u.id,
        email: u.email,
        name: u.name,
        platform_role: u.platform_role,
        mfa_enabled: u.mfa_enabled,
        tenants,
    })
    .into_response())
}

#[derive(Serialize, ToSchema)]
pub struct TokenDto {
    pub id: String,
    pub name: String,
    /// `read` or `write`.
    pub scope: String,
    /// A tenant token acts on this tenant only.
    pub tenant_id: Option<String>,
    /// Unix seconds.
    pub created_at: i64,
    pub last_used_at: Option<i64>,
    pub revoked_at: Option<i64>,
    /// When it stops working by itself (unix seconds).
    pub expires_at: Option<i64>,
}

/// The current user's API tokens, newest first, revoked ones included (never the secrets).
#[utoipa::path(get, path = "/api/v1/me/tokens", security(("bearer" = [])),
    responses((status = 200, body = Vec<TokenDto>), (status = 401, body = Problem, content_type = "application/problem+json")))]
async fn my_tokens(State(state): State<AppState>, headers: HeaderMap) -> ApiResult {
    let grant = authenticate(&state, &headers).await?;
    let list: Vec<TokenDto> = db(state.store.api_tokens(&grant.user.id).await)?
        .into_iter()
        .map(|t| TokenDto {
            id: t.id,
            name: t.name,
            scope: t.scope,
            tenant_id: t.tenant_id,
            created_at: t.created_at,
            last_used_at: t.last_used_at,
            revoked_at: t.revoked_at,
            expires_at: t.expires_at,
        })
        .collect();
    Ok(Json(list).into_response())
}

/// Revokes one of the current user's API tokens at once (write; a token may revoke itself).
#[utoipa::path(delete, path = "/api/v1/me/tokens/{id}", security(("bearer" = [])),
    params(("id" = String, Path, description = "The token's id")),
    responses((status = 204), (status = 404, body = Problem, content_type = "application/problem+json")))]
async fn revoke_token(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> ApiResult {
    let grant = authenticate(&state, &headers).await?;
    need_write(&grant)?;
    match crate::tokens::revoke(&state.store, &grant.user, &id).await {
        Ok(true) => Ok(StatusCode::NO_CONTENT.into_response()),
        Ok(false) => Err(not_found()),
        Err(e) => Err(internal(&e)),
    }
}

#[derive(Serialize, ToSchema)]
pub struct Version {
    pub model: String,
    pub name: String,
    pub version: i64,
    /// SHA-256 of the version's files.
    pub sha256: String,
    /// Unix seconds.
    pub published_at: i64,
}

fn version(v: onus_store::VersionSummary) -> Version {
    Version {
        model: v.model,
        name: v.name,
        version: v.version,
        sha256: v.sha256,
        published_at: v.published_at,
    }
}

/// The latest version of every published model.
#[utoipa::path(get, path = "/api/v1/models", security(("bearer" = [])),
    responses((status = 200, body = Vec<Version>), (status = 401, body = Problem, content_type = "application/problem+json")))]
async fn models(State(state): State<AppState>, headers: HeaderMap) -> ApiResult {
    authenticate(&state, &headers).await?;
    let list: Vec<Version> = db(state.store.latest_versions().await)?
        .into_iter()
        .map(version)
        .collect();
    Ok(Json(list).into_response())
}

/// Every version of a model, newest first.
#[utoipa::path(get, path = "/api/v1/models/{model}/versions", security(("bearer" = [])),
    params(("model" = String, Path, description = "The model's id")),
    responses((status = 200, body = Vec<Version>), (status = 404, body = Problem, content_type = "application/problem+json")))]
async fn versions(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(model): Path<String>,
) -> ApiResult {
    authenticate(&state, &headers).await?;
    let list: Vec<Version> = db(state.store.versions(&model).await)?
        .into_iter()
        .map(version)
        .collect();
    if list.is_empty() {
        return Err(not_found());
    }
    Ok(Json(list).into_response())
}

#[derive(Serialize, ToSchema)]
pub struct Published {
    /// One line per model: published, unchanged, or refused with its diagnostics.
    pub results: Vec<String>,
}

/// Publishes the portal's models folder now (platform admin, write).
#[utoipa::path(post, path = "/api/v1/models/publish", security(("bearer" = [])),
    responses((status = 200, body = Published), (status = 404, body = Problem, content_type = "application/problem+json")))]
async fn publish(State(state): State<AppState>, headers: HeaderMap) -> ApiResult {
    let grant = authenticate(&state, &headers).await?;
    let admin = platform_admin(&grant)?;
    need_write(&grant)?;
    let results = service(admin::publish_now(&state, admin).await)?.map_err(|e| {
        problem(
            StatusCode::UNPROCESSABLE_ENTITY,
            "publish-failed",
            "Nothing published",
            e,
        )
    })?;
    Ok(Json(Published { results }).into_response())
}

#[derive(Serialize, ToSchema)]
pub struct TenantDto {
    pub id: String,
    pub name: String,
    pub model: String,
    pub offering: String,
    pub require_mfa: bool,
    pub nda_recorded: bool,
}

fn tenant_dto(t: Tenant) -> TenantDto {
    TenantDto {
        id: t.id,
        name: t.name,
        model: t.model,
        offering: t.offering,
        require_mfa: t.require_mfa,
        nda_recorded: t.nda_recorded_at.is_some(),
    }
}

/// Every tenant (platform admin).
#[utoipa::path(get, path = "/api/v1/tenants", security(("bearer" = [])),
    responses((status = 200, body = Vec<TenantDto>), (status = 404, body = Problem, content_type = "application/problem+json")))]
async fn tenants(State(state): State<AppState>, headers: HeaderMap) -> ApiResult {
    let grant = authenticate(&state, &headers).await?;
    platform_admin(&grant)?;
    let list: Vec<TenantDto> = db(state.store.tenants().await)?
        .into_iter()
        .map(tenant_dto)
        .collect();
    Ok(Json(list).into_response())
}

#[derive(Deserialize, ToSchema)]
pub struct NewTenant {
    pub name: String,
    /// `model/offering`, of a published model.
    pub subscription: String,
    pub admin_email: String,
}

#[derive(Serialize, ToSchema)]
pub struct CreatedTenant {
    pub tenant: TenantDto,
    /// The single-use invite link of the tenant's first admin (shown once).
    pub invite_url: String,
}

fn bad_request(detail: impl Into<String>) -> Response {
    problem(
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid-request",
        "Invalid request",
        detail,
    )
}

fn json_body<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<T, Response> {
    serde_json::from_slice(body)
        .map_err(|e| bad_request(format!("The body is not the JSON expected: {e}")))
}

/// Creates a tenant and its first admin's invite (platform admin, write).
#[utoipa::path(post, path = "/api/v1/tenants", security(("bearer" = [])), request_body = NewTenant,
    responses((status = 201, body = CreatedTenant), (status = 422, body = Problem, content_type = "application/problem+json")))]
async fn create_tenant(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> ApiResult {
    let grant = authenticate(&state, &headers).await?;
    let admin = platform_admin(&grant)?.clone();
    need_write(&grant)?;
    let f: NewTenant = json_body(&body)?;
    match service(
        admin::new_tenant(&state, &admin, &f.name, &f.subscription, &f.admin_email).await,
    )? {
        Ok((t, invite_url)) => Ok((
            StatusCode::CREATED,
            Json(CreatedTenant {
                tenant: tenant_dto(t),
                invite_url,
            }),
        )
            .into_response()),
        Err(e) => Err(bad_request(e)),
    }
}

#[derive(Serialize, ToSchema)]
pub struct MemberDto {
    pub id: String,
    pub email: String,
    pub name: String,
    pub role: String,
    pub mfa_enabled: bool,
}

/// The tenant's users (tenant admin).
#[utoipa::path(get, path = "/api/v1/tenants/{tenant}/users", security(("bearer" = [])),
    params(("tenant" = String, Path, description = "The tenant's id")),
    responses((status = 200, body = Vec<MemberDto>), (status = 404, body = Problem, content_type = "application/problem+json")))]
async fn users(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> ApiResult {
    let grant = authenticate(&state, &headers).await?;
    let a = tenant_access(&state, &grant, &id, true).await?;
    let list: Vec<MemberDto> = db(a.data.members().await)?
        .into_iter()
        .map(|m| MemberDto {
            id: m.user_id,
            email: m.email,
            name: m.name,
            role: m.role,
            mfa_enabled: m.mfa_enabled,
        })
        .collect();
    Ok(Json(list).into_response())
}

#[derive(Deserialize, ToSchema)]
pub struct NewInvite {
    pub email: String,
    /// `tenant-admin`, `tenant-member` or `tenant-viewer`.
    pub role: String,
}

#[derive(Serialize, ToSchema)]
pub struct CreatedInvite {
    /// The single-use invite link (shown once).
    pub invite_url: String,
}

/// Invites someone into the tenant (tenant admin, write).
#[utoipa::path(post, path = "/api/v1/tenants/{tenant}/invites", security(("bearer" = [])), request_body = NewInvite,
    params(("tenant" = String, Path, description = "The tenant's id")),
    responses((status = 201, body = CreatedInvite), (status = 404, body = Problem, content_type = "application/problem+json"), (status = 422, body = Problem, content_type = "application/problem+json")))]
async fn invite(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    body: axum::body::Bytes,
) -> ApiResult {
    let grant = authenticate(&state, &headers).await?;
    let a = tenant_access(&state, &grant, &id, true).await?;
    need_write(&grant)?;
    let f: NewInvite = json_body(&body)?;
    match service(tenant::new_invite(&state, &a, &f.email, &f.role).await)? {
        Ok(invite_url) => {
            Ok((StatusCode::CREATED, Json(CreatedInvite { invite_url })).into_response())
        }
        Err(e) => Err(bad_request(e)),
    }
}

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(Http::new(HttpAuthScheme::Bearer)),
        );
    }
}

#[derive(OpenApi)]
#[openapi(
    info(title = "onus portal API", description = "Published models, tenants, users and invites, and each tenant's checklist and evidence files."),
    paths(me, my_tokens, revoke_token, models, versions, publish, tenants, create_tenant, users, invite,
        checklist::items, checklist::item, checklist::update, checklist::history, checklist::changes, checklist::review, checklist::export,
        evidence::list, evidence::upload, evidence::show, evidence::content, evidence::delete),
    modifiers(&BearerAuth)
)]
pub struct ApiDoc;

async fn openapi() -> Response {
    match ApiDoc::openapi().to_pretty_json() {
        Ok(json) => ([(header::CONTENT_TYPE, "application/json")], json).into_response(),
        Err(e) => internal(&e),
    }
}

async fn api_not_found() -> Response {
    not_found()
}

/// The API's routes (see `pages::routes`, which the router is built from).
pub fn routes() -> Vec<crate::pages::Route> {
    use axum::http::Method as M;
    vec![
        (M::GET, "/api/v1/openapi.json", get(openapi)),
        (M::GET, "/api/v1/me", get(me)),
        (M::GET, "/api/v1/me/tokens", get(my_tokens)),
        (M::DELETE, "/api/v1/me/tokens/{id}", delete(revoke_token)),
        (M::GET, "/api/v1/models", get(models)),
        (M::POST, "/api/v1/models/publish", post(publish)),
        (M::GET, "/api/v1/models/{model}/versions", get(versions)),
        (M::GET, "/api/v1/tenants", get(tenants)),
        (M::POST, "/api/v1/tenants", post(create_tenant)),
        (M::GET, "/api/v1/tenants/{tenant}/users", get(users)),
        (M::POST, "/api/v1/tenants/{tenant}/invites", post(invite)),
        (
            M::GET,
            "/api/v1/tenants/{tenant}/items",
            get(checklist::items),
        ),
        (
            M::GET,
            "/api/v1/tenants/{tenant}/items/{item}",
            get(checklist::item),
        ),
        (
            M::PATCH,
            "/api/v1/tenants/{tenant}/items/{item}",
            patch(checklist::update),
        ),
        (
            M::GET,
            "/api/v1/tenants/{tenant}/items/{item}/history",
            get(checklist::history),
        ),
        (
            M::GET,
            "/api/v1/tenants/{tenant}/changes",
            get(checklist::changes),
        ),
        (
            M::POST,
            "/api/v1/tenants/{tenant}/changes/{change}/review",
            post(checklist::review),
        ),
        (
            M::GET,
            "/api/v1/tenants/{tenant}/exports/{file}",
            get(checklist::export),
        ),
    ]
    .into_iter()
    .chain(evidence::routes())
    .collect()
}

/// Any other `/api/v1/` address: a problem, not the pages' HTML.
pub fn fallback() -> Router<AppState> {
    Router::new().route(
        "/api/v1/{*rest}",
        get(api_not_found)
            .post(api_not_found)
            .patch(api_not_found)
            .delete(api_not_found),
    )
}
