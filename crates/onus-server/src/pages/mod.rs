//! The routes: every page of the portal, server-rendered from askama
//! templates (auto-escaped), usable without JavaScript.
//!
//! - `public.rs`: the trust pages anyone can read (models and versions).
//! - `account.rs`: setup, sign-in (password, then TOTP), sign-out, MFA enrolment.
//! - `tokens.rs`: the account's API tokens (mint, shown once; revoke).
//! - `admin.rs`: platform admins: tenants, their invites and NDA, publishing.
//! - `checklist.rs`: a tenant's checklist, its items and what changed.
//! - `evidence.rs`: an item's evidence files (list, upload, download, delete).
//! - `audit.rs`: a tenant's audit chain (read, filter, export).
//! - `grants.rs`: just-in-time access requests and grants, the tenant's side.
//! - `tenant.rs`: a tenant's own pages, all behind [`tenant::access`], the
//!   one place tenant isolation is enforced.

mod account;
pub mod admin;
mod audit;
pub mod checklist;
mod evidence;
mod grants;
mod people;
mod public;
pub mod tenant;
mod tokens;

use askama::Template;
use axum::extract::DefaultBodyLimit;
use axum::http::Method;
use axum::http::{header, StatusCode};
use axum::middleware;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post, MethodRouter};
use axum::Router;

use crate::auth::{self, Viewer};
use crate::AppState;

/// One route: method, path pattern, handler.
pub type Route = (Method, &'static str, MethodRouter<AppState>);

/// Every route of the portal, pages and API. The router is built from
/// this list, and the tenant-isolation test walks it, so a new route is
/// covered as soon as it exists.
pub fn routes() -> Vec<Route> {
    use Method as M;
    let mut routes: Vec<Route> = vec![
        (M::GET, "/", get(public::index)),
        (M::GET, "/static/portal.css", get(portal_css)),
        (M::GET, "/models/{model}", get(public::latest)),
        (M::GET, "/models/{model}/versions", get(public::versions)),
        (M::GET, "/models/{model}/v/{version}", get(public::version)),
        (
            M::GET,
            "/models/{model}/v/{version}/style.css",
            get(public::stylesheet),
        ),
        (M::GET, "/setup", get(account::setup_form)),
        (M::POST, "/setup", post(account::setup)),
        (M::GET, "/login", get(account::login_form)),
        (M::POST, "/login", post(account::login)),
        (M::GET, "/login/mfa", get(account::mfa_form)),
        (M::POST, "/login/mfa", post(account::mfa)),
        (M::POST, "/logout", post(account::logout)),
        (
            M::POST,
            "/logout/everywhere",
            post(account::logout_everywhere),
        ),
        (M::GET, "/account", get(account::account)),
        (M::GET, "/account/mfa", get(account::enrol_form)),
        (M::POST, "/account/mfa", post(account::enrol)),
        (M::POST, "/account/tokens", post(tokens::create)),
        (
            M::POST,
            "/account/tokens/{token}/revoke",
            post(tokens::revoke),
        ),
        (M::GET, "/invite", get(account::invite_form)),
        (M::POST, "/invite", post(account::accept_invite)),
        (M::GET, "/admin", get(admin::home)),
        (M::POST, "/admin/tenants", post(admin::create_tenant)),
        (
            M::POST,
            "/admin/tenants/{tenant}/nda",
            post(admin::record_nda),
        ),
        (M::POST, "/admin/publish", post(admin::publish)),
        (
            M::GET,
            "/admin/tenants/{tenant}/access",
            get(admin::access_form),
        ),
        (
            M::POST,
            "/admin/tenants/{tenant}/access",
            post(admin::request_access),
        ),
        (M::GET, "/t/{tenant}/access", get(grants::grants)),
        (
            M::POST,
            "/t/{tenant}/access/{grant}/decide",
            post(grants::decide_grant),
        ),
        (
            M::POST,
            "/t/{tenant}/access/{grant}/revoke",
            post(grants::revoke_grant),
        ),
        (M::GET, "/t/{tenant}", get(tenant::home)),
        (M::GET, "/t/{tenant}/checklist", get(checklist::list)),
        (M::GET, "/t/{tenant}/items/{item}", get(checklist::item)),
        (M::POST, "/t/{tenant}/items/{item}", post(checklist::update)),
        (M::GET, "/t/{tenant}/changes", get(checklist::changes)),
        (
            M::POST,
            "/t/{tenant}/changes/{change}/review",
            post(checklist::review),
        ),
        (M::GET, "/t/{tenant}/{file}", get(checklist::download)),
        (M::POST, "/t/{tenant}/invites", post(tenant::invite)),
        (M::POST, "/t/{tenant}/mfa", post(tenant::require_mfa)),
        (M::POST, "/t/{tenant}/webhook", post(tenant::set_webhook)),
        (M::GET, "/t/{tenant}/audit", get(audit::audit_log)),
        (M::GET, "/t/{tenant}/audit.jsonl", get(audit::audit_export)),
        (
            M::POST,
            "/t/{tenant}/webhook/remove",
            post(tenant::remove_webhook),
        ),
        (
            M::POST,
            "/t/{tenant}/members/{user}/role",
            post(tenant::set_role),
        ),
        (
            M::POST,
            "/t/{tenant}/members/{user}/remove",
            post(tenant::remove_member),
        ),
        (
            M::GET,
            "/t/{tenant}/items/{item}/evidence",
            get(evidence::list),
        ),
        (
            M::POST,
            "/t/{tenant}/items/{item}/evidence",
            post(evidence::upload),
        ),
        (
            M::GET,
            "/t/{tenant}/evidence/{evidence}/download",
            get(evidence::download),
        ),
        (
            M::POST,
            "/t/{tenant}/evidence/{evidence}/delete",
            post(evidence::delete),
        ),
    ];
    routes.extend(crate::api::routes());
    routes
}

/// (method, path) of every route: what [`routes`] holds, for tests.
pub fn route_list() -> Vec<(Method, &'static str)> {
    routes().into_iter().map(|(m, p, _)| (m, p)).collect()
}

pub fn router(state: AppState) -> Router {
    let mut router = Router::new();
    // Two methods on one path merge into one route.
    for (_, path, handler) in routes() {
        router = router.route(path, handler);
    }
    router
        .merge(crate::api::fallback())
        .fallback(not_found)
        .layer(middleware::from_fn_with_state(
            state.clone(),
            auth::session_layer,
        ))
        .layer(DefaultBodyLimit::max(auth::FORM_LIMIT))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            crate::headers::layer,
        ))
        .with_state(state)
}

/// What the frame of every page shows: who is signed in, and the CSRF
/// token its forms carry.
pub struct Layout {
    pub title: String,
    pub user: Option<String>,
    /// Platform staff (admins and operators): the administration link.
    pub staff: bool,
    pub csrf: String,
}

impl Layout {
    pub fn new(title: impl Into<String>, viewer: &Viewer) -> Layout {
        let user = viewer.user();
        Layout {
            title: title.into(),
            user: user.map(|u| u.name.clone()),
            staff: user.is_some_and(|u| u.is_platform_staff()),
            csrf: viewer.csrf.clone(),
        }
    }
}

/// A template as an HTML response (a template that fails to render is a
/// logged 500, without details for the client).
pub fn page<T: Template>(status: StatusCode, template: &T) -> Response {
    match template.render() {
        Ok(html) => (status, Html(html)).into_response(),
        Err(e) => internal_error(&e),
    }
}

/// A link shown once (an invite), with where to go next.
#[derive(Template)]
#[template(path = "link.html")]
pub struct LinkPage {
    pub layout: Layout,
    pub heading: String,
    pub text: String,
    /// What the value is ("Link", "Token").
    pub label: String,
    pub link: String,
    pub back: String,
}

#[derive(Template)]
#[template(path = "message.html")]
struct Message<'a> {
    layout: Layout,
    heading: &'a str,
    text: &'a str,
}

/// A page that says one thing (errors, refusals), with the viewer's name
/// once the session is known (before it, as to anyone).
pub fn message(status: StatusCode, heading: &str, text: &str) -> Response {
    let layout = match auth::current_viewer() {
        Some(viewer) => Layout::new(heading, &viewer),
        None => Layout {
            title: heading.to_string(),
            user: None,
            staff: false,
            csrf: String::new(),
        },
    };
    page(
        status,
        &Message {
            layout,
            heading,
            text,
        },
    )
}

/// An unexpected failure: logged here, a plain page for the client.
pub fn internal_error(e: &dyn std::fmt::Display) -> Response {
    tracing::error!(error = %e, "request failed");
    message(
        StatusCode::INTERNAL_SERVER_ERROR,
        "Something went wrong",
        "The portal could not answer this request. It has been logged; try again later.",
    )
}

pub fn not_found_page() -> Response {
    message(
        StatusCode::NOT_FOUND,
        "Not found",
        "There is no page at this address, or you do not have access to it.",
    )
}

async fn not_found() -> Response {
    not_found_page()
}

async fn portal_css() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        include_str!("../portal.css"),
    )
        .into_response()
}

/// Handlers' results: a storage error becomes [`internal_error`].
pub type PageResult = Result<Response, Response>;

pub fn db<T>(r: Result<T, onus_store::StoreError>) -> Result<T, Response> {
    r.map_err(|e| internal_error(&e))
}
