//! Platform admins: tenants (created with a single-use invite for their
//! first admin), NDAs, and publishing the models folder on demand.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use onus_store::User;
use serde::Deserialize;

use super::{db, message, not_found_page, page, Layout, LinkPage, PageResult};
use crate::auth::{self, Viewer};
use crate::publish::{publish_source, resolve_version};
use crate::{AppState, INVITE_TTL};
use onus_export::render::xlsx::utc_date as display;

/// The signed-in platform admin, or the response for anyone else (404:
/// the admin pages do not exist for them).
fn platform_admin(viewer: &Viewer) -> Result<&User, Response> {
    match viewer.user() {
        Some(u) if u.is_platform_admin() => Ok(u),
        Some(_) => Err(not_found_page()),
        None => Err(auth::sign_in_first()),
    }
}

struct TenantRow {
    id: String,
    name: String,
    subscription: String,
    nda: Option<String>,
}

struct Choice {
    value: String,
    label: String,
}

struct AuditRow {
    at: String,
    action: String,
    target: String,
}

#[derive(Template)]
#[template(path = "admin.html")]
struct AdminPage {
    layout: Layout,
    tenants: Vec<TenantRow>,
    subscriptions: Vec<Choice>,
    models_source: String,
    notes: Vec<String>,
    error: Option<String>,
    audit: Vec<AuditRow>,
}

/// Every offering of every published model's latest version: `model/offering`.
async fn subscriptions(state: &AppState) -> Result<Vec<Choice>, Response> {
    let mut out = Vec::new();
    for v in db(state.store.latest_versions().await)? {
        let Some(version) = db(state.store.model_version(&v.model, Some(v.version)).await)? else {
            continue;
        };
        if let Some(m) = resolve_version(&version) {
            for o in &m.offerings {
                out.push(Choice {
                    value: format!("{}/{}", m.model, o.id),
                    label: format!("{} — {}", m.name, o.name),
                });
            }
        }
    }
    Ok(out)
}

async fn admin_page(
    state: &AppState,
    viewer: &Viewer,
    status: StatusCode,
    notes: Vec<String>,
    error: Option<String>,
) -> PageResult {
    let tenants = db(state.store.tenants().await)?
        .into_iter()
        .map(|t| TenantRow {
            subscription: format!("{}/{}", t.model, t.offering),
            nda: t.nda_recorded_at.map(display),
            id: t.id,
            name: t.name,
        })
        .collect();
    let audit = db(state.store.audit_entries(20).await)?
        .into_iter()
        .map(|(at, _, action, target)| AuditRow {
            at: display(at),
            action,
            target,
        })
        .collect();
    Ok(page(
        status,
        &AdminPage {
            layout: Layout::new("Platform administration", viewer),
            tenants,
            subscriptions: subscriptions(state).await?,
            models_source: state
                .models
                .as_ref()
                .map_or("the bundled examples".to_string(), |p| {
                    p.display().to_string()
                }),
            notes,
            error,
            audit,
        },
    ))
}

pub async fn home(State(state): State<AppState>, viewer: Viewer) -> PageResult {
    platform_admin(&viewer)?;
    admin_page(&state, &viewer, StatusCode::OK, Vec::new(), None).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct NewTenant {
    name: String,
    subscription: String,
    admin_email: String,
}

pub async fn create_tenant(
    State(state): State<AppState>,
    viewer: Viewer,
    Form(f): Form<NewTenant>,
) -> PageResult {
    let admin = platform_admin(&viewer)?;
    let name = f.name.trim();
    let email = f.admin_email.trim().to_lowercase();
    let refuse = |error: &str| {
        admin_page(
            &state,
            &viewer,
            StatusCode::UNPROCESSABLE_ENTITY,
            Vec::new(),
            Some(error.to_string()),
        )
    };
    if name.is_empty() || name.chars().count() > 200 {
        return refuse("Give the tenant a name (at most 200 characters).").await;
    }
    if !email
        .split_once('@')
        .is_some_and(|(a, b)| !a.is_empty() && b.contains('.'))
    {
        return refuse("Enter the email address of the tenant's first admin.").await;
    }
    let known = subscriptions(&state).await?;
    if !known.iter().any(|c| c.value == f.subscription) {
        return refuse("Choose a published model and offering for the tenant.").await;
    }
    let Some((model, offering)) = f.subscription.split_once('/') else {
        return refuse("Choose a published model and offering for the tenant.").await;
    };
    let tenant = db(state.store.create_tenant(name, model, offering).await)?;
    let token = onus_store::random_token();
    db(state
        .store
        .create_invite(&token, &tenant.id, &email, "tenant-admin", INVITE_TTL)
        .await)?;
    db(state
        .store
        .audit(
            Some(&admin.id),
            Some(&tenant.id),
            "tenant-created",
            &tenant.name,
            &f.subscription,
        )
        .await)?;
    Ok(page(
        StatusCode::CREATED,
        &LinkPage {
            layout: Layout::new("Tenant created", &viewer),
            heading: format!("{} is created", tenant.name),
            text: format!(
                "Send this link to {email}: it makes them the tenant's first admin. It works once and expires in 7 days; it is shown only now."
            ),
            link: format!("{}/invite?token={token}", state.public_url),
            back: "/admin".into(),
        },
    ))
}

pub async fn record_nda(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(tenant): Path<String>,
) -> PageResult {
    let admin = platform_admin(&viewer)?;
    let Some(t) = db(state.store.tenant(&tenant).await)? else {
        return Ok(not_found_page());
    };
    db(state.store.record_nda(&t.id).await)?;
    db(state
        .store
        .audit(Some(&admin.id), Some(&t.id), "nda-recorded", &t.name, "")
        .await)?;
    Ok(Redirect::to("/admin").into_response())
}

pub async fn publish(State(state): State<AppState>, viewer: Viewer) -> PageResult {
    let admin = platform_admin(&viewer)?;
    let notes = match publish_source(&state.store, state.models.as_deref()).await {
        Ok(lines) => lines,
        Err(e) => {
            return Ok(message(
                StatusCode::UNPROCESSABLE_ENTITY,
                "Nothing published",
                &e.to_string(),
            ))
        }
    };
    db(state
        .store
        .audit(
            Some(&admin.id),
            None,
            "publish",
            "models",
            &notes.join("\n"),
        )
        .await)?;
    admin_page(&state, &viewer, StatusCode::OK, notes, None).await
}
