//! The account page's API tokens: mint one (shown once), revoke one. The
//! rules are `crate::tokens`, shared with the API and `onus admin token`.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use axum::Form;
use serde::Deserialize;

use super::{message, not_found_page, page, Layout, LinkPage, PageResult};
use crate::auth::{self, Viewer};
use crate::tokens::{self, TokenError};
use crate::AppState;

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct NewToken {
    name: String,
    scope: String,
    /// A tenant id, or empty for a personal token.
    tenant: String,
    /// How many days it works; the default when absent.
    days: Option<u32>,
}

pub async fn create(
    State(state): State<AppState>,
    viewer: Viewer,
    Form(f): Form<NewToken>,
) -> PageResult {
    let Some(user) = viewer.user() else {
        return Ok(auth::sign_in_first());
    };
    let tenant = Some(f.tenant.as_str()).filter(|t| !t.is_empty());
    match tokens::mint(
        &state.store,
        user,
        &f.scope,
        tenant,
        &f.name,
        f.days.unwrap_or(tokens::DEFAULT_DAYS),
    )
    .await {
        Ok(token) => Ok(page(
            StatusCode::CREATED,
            &LinkPage {
                layout: Layout::new("API token created", &viewer),
                heading: format!("Your API token \u{201c}{}\u{201d}", f.name.trim()),
                text: "Send it as `Authorization: Bearer TOKEN` to /api/v1. Copy it now: it is stored hashed and shown only this once. Revoke it on your account page when it is no longer needed.".into(),
                label: "Token".into(),
                link: token,
                back: "/account".into(),
            },
        )),
        Err(TokenError::Store(e)) => Err(super::internal_error(&e)),
        Err(e) => Ok(message(
            StatusCode::UNPROCESSABLE_ENTITY,
            "No token created",
            &format!("{}. Go back and correct the form.", capitalise(&e.to_string())),
        )),
    }
}

pub async fn revoke(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
) -> PageResult {
    let Some(user) = viewer.user() else {
        return Ok(auth::sign_in_first());
    };
    match tokens::revoke(&state.store, user, &id).await {
        Ok(true) => Ok(Redirect::to("/account").into_response()),
        Ok(false) => Ok(not_found_page()),
        Err(e) => Err(super::internal_error(&e)),
    }
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().chain(c).collect())
        .unwrap_or_default()
}
