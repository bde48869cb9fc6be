//! The routes: every page of the portal, server-rendered from askama
//! templates (auto-escaped), usable without JavaScript.
//!
//! - `public.rs`: the trust pages anyone can read (models and versions).
//! - `account.rs`: setup, sign-in (password, then TOTP), sign-out, MFA enrolment.
//! - `tokens.rs`: the account's API tokens (mint, shown once; revoke).
//! - `admin.rs`: platform admins: tenants, their invites and NDA, publishing.
//! - `evidence.rs`: an item's evidence files (list, upload, download, delete).
//! - `tenant.rs`: a tenant's own pages, all behind [`tenant::access`], the
//!   one place tenant isolation is enforced.

mod account;
pub mod admin;
mod evidence;
mod public;
pub mod tenant;
mod tokens;

use askama::Template;
use axum::extract::DefaultBodyLimit;
use axum::http::{header, StatusCode};
use axum::middleware;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;

use crate::auth::{self, Viewer};
use crate::AppState;

pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/", get(public::index))
        .route("/static/portal.css", get(portal_css))
        .route("/models/{model}", get(public::latest))
        .route("/models/{model}/versions", get(public::versions))
        .route("/models/{model}/v/{version}", get(public::version))
        .route(
            "/models/{model}/v/{version}/style.css",
            get(public::stylesheet),
        )
        .route("/setup", get(account::setup_form).post(account::setup))
        .route("/login", get(account::login_form).post(account::login))
        .route("/login/mfa", get(account::mfa_form).post(account::mfa))
        .route("/logout", post(account::logout))
        .route("/logout/everywhere", post(account::logout_everywhere))
        .route("/account", get(account::account))
        .route(
            "/account/mfa",
            get(account::enrol_form).post(account::enrol),
        )
        .route("/account/tokens", post(tokens::create))
        .route("/account/tokens/{token}/revoke", post(tokens::revoke))
        .route(
            "/invite",
            get(account::invite_form).post(account::accept_invite),
        )
        .route("/admin", get(admin::home))
        .route("/admin/tenants", post(admin::create_tenant))
        .route("/admin/tenants/{tenant}/nda", post(admin::record_nda))
        .route("/admin/publish", post(admin::publish))
        .route("/t/{tenant}", get(tenant::home))
        .route("/t/{tenant}/invites", post(tenant::invite))
        .route("/t/{tenant}/mfa", post(tenant::require_mfa))
        .route("/t/{tenant}/members/{user}/role", post(tenant::set_role))
        .route(
            "/t/{tenant}/members/{user}/remove",
            post(tenant::remove_member),
        )
        .route(
            "/t/{tenant}/items/{item}/evidence",
            get(evidence::list).post(evidence::upload),
        )
        .route(
            "/t/{tenant}/evidence/{file}/download",
            get(evidence::download),
        )
        .route("/t/{tenant}/evidence/{file}/delete", post(evidence::delete))
        .merge(crate::api::router())
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

/// A page that says one thing (errors, refusals), without the viewer's
/// name (it is used before the session is known, too).
pub fn message(status: StatusCode, heading: &str, text: &str) -> Response {
    let layout = Layout {
        title: heading.to_string(),
        user: None,
        staff: false,
        csrf: String::new(),
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
