//! Platform admins: tenants (created with a single-use invite for their
//! first admin), NDAs, and publishing the models folder on demand.
//! Platform operators see the same overview (tenants, their subscriptions
//! and NDA records) without the forms or the platform's audit log, and
//! every action here answers them 404.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use onus_store::{Tenant, User};
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
    /// "3 of 8 done": counts only, never the checklist itself.
    progress: String,
}

pub struct Choice {
    pub value: String,
    pub label: String,
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
    /// A platform admin: the forms and the audit log; an operator reads only.
    manage: bool,
    audit: Vec<AuditRow>,
}

/// Every offering of every published model's latest version: `model/offering`.
pub async fn subscriptions(state: &AppState) -> Result<Vec<Choice>, Response> {
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
    let progress = db(state.store.progress_counts().await)?;
    let tenants = db(state.store.tenants().await)?
        .into_iter()
        .map(|t| TenantRow {
            progress: progress.get(&t.id).map_or_else(
                || "no checklist yet".to_string(),
                |(done, total)| format!("{done} of {total} done"),
            ),
            subscription: format!("{}/{}", t.model, t.offering),
            nda: t.nda_recorded_at.map(display),
            id: t.id,
            name: t.name,
        })
        .collect();
    let manage = viewer.user().is_some_and(User::is_platform_admin);
    let audit = match manage {
        true => db(state.store.audit_entries(20).await)?,
        false => Vec::new(),
    }
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
            manage,
            audit,
        },
    ))
}

pub async fn home(State(state): State<AppState>, viewer: Viewer) -> PageResult {
    match viewer.user() {
        Some(u) if u.is_platform_staff() => {}
        Some(_) => return Err(not_found_page()),
        None => return Ok(auth::sign_in_first()),
    }
    admin_page(&state, &viewer, StatusCode::OK, Vec::new(), None).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct NewTenant {
    pub name: String,
    pub subscription: String,
    pub admin_email: String,
}

/// Creates a tenant and the invite of its first admin (the service behind
/// the page and the API): the tenant and the invite link, or why not.
pub async fn new_tenant(
    state: &AppState,
    admin: &User,
    name: &str,
    subscription: &str,
    admin_email: &str,
) -> Result<Result<(Tenant, String), String>, Response> {
    let name = name.trim();
    let email = admin_email.trim().to_lowercase();
    if name.is_empty() || name.chars().count() > 200 {
        return Ok(Err(
            "Give the tenant a name (at most 200 characters).".into()
        ));
    }
    if !email
        .split_once('@')
        .is_some_and(|(a, b)| !a.is_empty() && b.contains('.'))
    {
        return Ok(Err(
            "Enter the email address of the tenant's first admin.".into()
        ));
    }
    let known = subscriptions(state).await?;
    let Some((model, offering)) = subscription
        .split_once('/')
        .filter(|_| known.iter().any(|c| c.value == subscription))
    else {
        return Ok(Err(
            "Choose a published model and offering for the tenant (`model/offering`).".into(),
        ));
    };
    let token = onus_store::random_token();
    let tenant = db(state
        .store
        .create_tenant(
            name,
            model,
            offering,
            Some((&token, &email, INVITE_TTL)),
            &onus_store::Audit::new(Some(&admin.id), None, "tenant-created", "", subscription),
        )
        .await)?;
    Ok(Ok((
        tenant,
        format!("{}/invite?token={token}", state.public_url),
    )))
}

pub async fn create_tenant(
    State(state): State<AppState>,
    viewer: Viewer,
    Form(f): Form<NewTenant>,
) -> PageResult {
    let admin = platform_admin(&viewer)?;
    let (tenant, link) =
        match new_tenant(&state, admin, &f.name, &f.subscription, &f.admin_email).await? {
            Ok(done) => done,
            Err(error) => {
                return admin_page(
                    &state,
                    &viewer,
                    StatusCode::UNPROCESSABLE_ENTITY,
                    Vec::new(),
                    Some(error),
                )
                .await
            }
        };
    Ok(page(
        StatusCode::CREATED,
        &LinkPage {
            layout: Layout::new("Tenant created", &viewer),
            heading: format!("{} is created", tenant.name),
            text: format!(
                "Send this link to {}: it makes them the tenant's first admin. It works once and expires in 7 days; it is shown only now.",
                f.admin_email.trim().to_lowercase()
            ),
            label: "Link".into(),
            link,
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
    let audit = onus_store::Audit::new(Some(&admin.id), Some(&t.id), "nda-recorded", &t.name, "");
    db(state.store.record_nda(&t.id, &audit).await)?;
    Ok(Redirect::to("/admin").into_response())
}

/// Publishes the models folder now (the service behind the page and the
/// API): one line per model, or why nothing could be read.
pub async fn publish_now(
    state: &AppState,
    admin: &User,
) -> Result<Result<Vec<String>, String>, Response> {
    let lines = match publish_source(&state.store, state.models.as_deref()).await {
        Ok(lines) => lines,
        Err(e) => return Ok(Err(e.to_string())),
    };
    // The one change still audited after it commits: each model was
    // published in a transaction of its own (retried when two servers
    // race for a number), and this entry sums them up (docs/security.md).
    db(state
        .store
        .audit(
            Some(&admin.id),
            None,
            "publish",
            "models",
            &lines.join("\n"),
        )
        .await)?;
    db(crate::checklist::sync_all(state).await)?;
    Ok(Ok(lines))
}

pub async fn publish(State(state): State<AppState>, viewer: Viewer) -> PageResult {
    let admin = platform_admin(&viewer)?;
    match publish_now(&state, admin).await? {
        Ok(notes) => admin_page(&state, &viewer, StatusCode::OK, notes, None).await,
        Err(e) => Ok(message(
            StatusCode::UNPROCESSABLE_ENTITY,
            "Nothing published",
            &e,
        )),
    }
}

#[derive(Template)]
#[template(path = "request_access.html")]
struct RequestAccessPage {
    layout: Layout,
    id: String,
    name: String,
    error: Option<String>,
    mine: Vec<(&'static str, String)>,
}

/// Platform staff only (404 for anyone else).
fn staff(viewer: &Viewer) -> Result<&User, Response> {
    match viewer.user() {
        Some(u) if u.is_platform_staff() => Ok(u),
        Some(_) => Err(not_found_page()),
        None => Err(auth::sign_in_first()),
    }
}

async fn request_page(
    state: &AppState,
    viewer: &Viewer,
    user: &User,
    tenant: onus_store::Tenant,
    status: StatusCode,
    error: Option<String>,
) -> PageResult {
    let now = onus_store::now();
    let mine = db(state.store.grants_of(&user.id).await)?
        .into_iter()
        .filter(|g| g.tenant_id == tenant.id)
        .map(|g| {
            let state = g.state(now);
            let text = format!(
                "{} for {}, asked {}: {}",
                g.scope,
                super::grants::duration(g.minutes),
                display(g.requested_at),
                g.reason
            );
            (state, text)
        })
        .collect();
    Ok(page(
        status,
        &RequestAccessPage {
            layout: Layout::new(format!("Ask {} for access", tenant.name), viewer),
            id: tenant.id,
            name: tenant.name,
            error,
            mine,
        },
    ))
}

pub async fn access_form(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
) -> PageResult {
    let user = staff(&viewer)?;
    let tenant = db(state.store.tenant(&id).await)?.ok_or_else(not_found_page)?;
    request_page(&state, &viewer, user, tenant, StatusCode::OK, None).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct AccessRequest {
    reason: String,
    scope: String,
    minutes: String,
}

/// Platform staff ask a tenant for access: the tenant's admins are told
/// (on their pages, and by the tenant's webhook).
pub async fn request_access(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    Form(f): Form<AccessRequest>,
) -> PageResult {
    let user = staff(&viewer)?;
    let tenant = db(state.store.tenant(&id).await)?.ok_or_else(not_found_page)?;
    let reason: String = f.reason.trim().chars().take(1000).collect();
    let minutes: Option<i64> = f
        .minutes
        .trim()
        .parse()
        .ok()
        .filter(|m| (1..=onus_store::MAX_GRANT_MINUTES).contains(m));
    let error = if reason.is_empty() {
        Some("Say why you need access: the tenant's admins decide on it.")
    } else if !matches!(f.scope.as_str(), "read" | "write") {
        Some("Choose the scope: read, or read and write.")
    } else if minutes.is_none() {
        Some("Ask for 1 to 480 minutes (8 hours at most).")
    } else {
        None
    };
    if let Some(e) = error {
        return request_page(
            &state,
            &viewer,
            user,
            tenant,
            StatusCode::UNPROCESSABLE_ENTITY,
            Some(e.into()),
        )
        .await;
    }
    let minutes = minutes.unwrap_or(60);
    let audit = onus_store::Audit::new(
        Some(&user.id),
        Some(&tenant.id),
        "access-requested",
        "",
        &format!("{} for {minutes} min: {reason}", f.scope),
    );
    let grant = db(state
        .store
        .request_access(&tenant.id, &user.id, &reason, &f.scope, minutes, &audit)
        .await)?;
    let data = state.store.tenant_data(&tenant.id);
    let notice = serde_json::json!({
        "event": "access-requested",
        "tenant": { "id": tenant.id, "name": tenant.name },
        "grant": grant,
        "requester": user.name,
        "scope": f.scope,
        "minutes": minutes,
        "reason": reason,
        "url": format!("{}/t/{}/access", state.public_url, tenant.id),
    });
    db(data.enqueue("access-requested", &notice.to_string()).await)?;
    request_page(&state, &viewer, user, tenant, StatusCode::OK, None).await
}
