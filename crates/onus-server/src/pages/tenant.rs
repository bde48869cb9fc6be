//! A tenant's own pages. Every one goes through [`access`]: the one place
//! that decides whether the viewer may see a tenant, and answers 404 (not
//! 403: another tenant's id reveals nothing) when not.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use onus_store::{Tenant, TenantData, User};
use serde::Deserialize;

use super::{db, message, not_found_page, page, Layout, LinkPage, PageResult};
use crate::auth::{self, Viewer};
use crate::{AppState, INVITE_TTL};
use onus_export::render::xlsx::utc_date as display;

/// The roles a tenant's users can have.
pub const ROLES: &[&str] = &["tenant-admin", "tenant-member", "tenant-viewer"];

/// A signed-in member of a tenant, with their role.
pub struct Access {
    pub tenant: Tenant,
    pub user: User,
    pub role: String,
    /// The tenant's data: the only way to it, made here and nowhere else
    /// (`onus_store::TenantData` binds every query to this tenant).
    pub data: TenantData,
    /// The just-in-time grant the viewer is here under (platform staff), if any.
    pub grant: Option<String>,
}

impl Access {
    pub fn is_admin(&self) -> bool {
        self.role == "tenant-admin"
    }

    /// Records a sensitive read (a download, an export) in the tenant's audit chain.
    pub async fn audit_read(
        &self,
        action: &str,
        target: &str,
    ) -> Result<(), onus_store::StoreError> {
        self.data
            .store()
            .audit(
                Some(&self.user.id),
                Some(&self.tenant.id),
                action,
                target,
                &self.under(),
            )
            .await
    }

    /// `grant ID` when the viewer is here under a grant (audit details), else empty.
    pub fn under(&self) -> String {
        self.grant
            .as_ref()
            .map(|g| format!("grant {g}"))
            .unwrap_or_default()
    }

    /// Admins and members change the checklist (and staff under a write
    /// grant); viewers and read grants read it.
    pub fn can_edit(&self) -> bool {
        matches!(
            self.role.as_str(),
            "tenant-admin" | "tenant-member" | "grant-write"
        )
    }
}

/// Why a user may not see a tenant.
pub enum Denied {
    /// Not a member (or no such tenant): answered as "not found".
    NotFound,
    /// A member, but the tenant requires MFA and the user has none: its name.
    MfaRequired(String),
}

/// Whether `user` may see tenant `id`, through `token_tenant` (an API
/// token bound to one tenant) when given. The one place tenant isolation
/// is decided, for the pages and the API alike: a member (with the second
/// factor when the tenant requires it), or platform staff holding a
/// just-in-time grant the tenant's admins approved and that has not ended
/// (checked against the clock, here, on every request; every use is
/// recorded in the tenant's audit chain with the grant's id), and nobody
/// else.
pub async fn member(
    state: &AppState,
    user: &User,
    id: &str,
    token_tenant: Option<&str>,
) -> Result<Result<Access, Denied>, onus_store::StoreError> {
    if token_tenant.is_some_and(|t| t != id) {
        return Ok(Err(Denied::NotFound));
    }
    let (tenant, role, grant) = match state.store.membership(id, &user.id).await? {
        Some((tenant, role)) => (tenant, role, None),
        None if user.is_platform_staff() => {
            let Some(grant) = state.store.active_grant(id, &user.id).await? else {
                return Ok(Err(Denied::NotFound));
            };
            let Some(tenant) = state.store.tenant(id).await? else {
                return Ok(Err(Denied::NotFound));
            };
            (tenant, format!("grant-{}", grant.scope), Some(grant.id))
        }
        None => return Ok(Err(Denied::NotFound)),
    };
    if tenant.require_mfa && !user.mfa_enabled {
        return Ok(Err(Denied::MfaRequired(tenant.name)));
    }
    if let Some(g) = &grant {
        state
            .store
            .audit(
                Some(&user.id),
                Some(&tenant.id),
                "grant-used",
                &auth::current_request(),
                &format!("grant {g}"),
            )
            .await?;
    }
    Ok(Ok(Access {
        data: state.store.tenant_data(&tenant.id),
        tenant,
        user: user.clone(),
        role,
        grant,
    }))
}

/// [`member`] for a page: sign in first, enrol MFA first, or 404.
pub async fn access(state: &AppState, viewer: &Viewer, id: &str) -> Result<Access, Response> {
    let Some(user) = viewer.user() else {
        return Err(auth::sign_in_first());
    };
    match db(member(state, user, id, None).await)? {
        Ok(a) => Ok(a),
        Err(Denied::NotFound) => Err(not_found_page()),
        Err(Denied::MfaRequired(name)) => Err(message(
            StatusCode::FORBIDDEN,
            "Two-factor sign-in required",
            &format!(
                "{name} requires two-factor sign-in. Set it up on your account page (Account, then \"Set up two-factor sign-in\"), then come back."
            ),
        )),
    }
}

/// [`access`] for the tenant's admins only (404 for its other members).
pub async fn admin_access(state: &AppState, viewer: &Viewer, id: &str) -> Result<Access, Response> {
    let a = access(state, viewer, id).await?;
    if a.is_admin() {
        Ok(a)
    } else {
        Err(not_found_page())
    }
}

struct MemberRow {
    id: String,
    name: String,
    email: String,
    role: String,
    mfa: bool,
}

#[derive(Template)]
#[template(path = "tenant.html")]
struct TenantPage {
    layout: Layout,
    id: String,
    name: String,
    model: String,
    offering: String,
    role: String,
    admin: bool,
    require_mfa: bool,
    nda: Option<String>,
    members: Vec<MemberRow>,
    roles: &'static [&'static str],
    error: Option<String>,
    webhook: Option<String>,
    deliveries: Vec<DeliveryRow>,
    pending_grants: usize,
}

struct DeliveryRow {
    when: String,
    event: String,
    state: String,
    attempts: i64,
    error: String,
}

async fn tenant_page(
    viewer: &Viewer,
    a: Access,
    status: StatusCode,
    error: Option<String>,
) -> PageResult {
    let members = if a.is_admin() {
        db(a.data.members().await)?
            .into_iter()
            .map(|m| MemberRow {
                id: m.user_id,
                name: m.name,
                email: m.email,
                role: m.role,
                mfa: m.mfa_enabled,
            })
            .collect()
    } else {
        Vec::new()
    };
    let pending_grants = if a.is_admin() {
        db(a.data.grants().await)?
            .iter()
            .filter(|g| g.decision.is_none())
            .count()
    } else {
        0
    };
    let (webhook, deliveries) = if a.is_admin() {
        let hook = db(a.data.webhook().await)?.map(|h| h.url);
        let rows = db(a.data.deliveries(10).await)?
            .into_iter()
            .map(|d| DeliveryRow {
                when: display(d.created_at),
                event: d.event,
                state: if d.delivered_at.is_some() {
                    "delivered".into()
                } else if d.failed_at.is_some() {
                    "given up".into()
                } else if d.attempts == 0 {
                    "queued".into()
                } else {
                    format!("retrying {}", display(d.next_at))
                },
                attempts: d.attempts,
                error: d.last_error,
            })
            .collect();
        (hook, rows)
    } else {
        (None, Vec::new())
    };
    Ok(page(
        status,
        &TenantPage {
            layout: Layout::new(a.tenant.name.clone(), viewer),
            admin: a.is_admin(),
            id: a.tenant.id,
            name: a.tenant.name,
            model: a.tenant.model,
            offering: a.tenant.offering,
            role: a.role,
            require_mfa: a.tenant.require_mfa,
            nda: a.tenant.nda_recorded_at.map(display),
            members,
            roles: ROLES,
            error,
            webhook,
            deliveries,
            pending_grants,
        },
    ))
}

pub async fn home(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
) -> PageResult {
    let a = access(&state, &viewer, &id).await?;
    tenant_page(&viewer, a, StatusCode::OK, None).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct NewInvite {
    email: String,
    role: String,
}

/// Invites someone into the tenant (the service behind the page and the
/// API): the invite link, or why not.
pub async fn new_invite(
    state: &AppState,
    a: &Access,
    email: &str,
    role: &str,
) -> Result<Result<String, String>, Response> {
    let email = email.trim().to_lowercase();
    if !email
        .split_once('@')
        .is_some_and(|(x, y)| !x.is_empty() && y.contains('.'))
    {
        return Ok(Err(
            "Enter the email address of the person to invite.".into()
        ));
    }
    if !ROLES.contains(&role) {
        return Ok(Err(format!(
            "Choose a role for the person to invite: one of {}.",
            ROLES.join(", ")
        )));
    }
    let token = onus_store::random_token();
    let audit = onus_store::Audit::new(
        Some(&a.user.id),
        Some(&a.tenant.id),
        "invite-created",
        &email,
        role,
    );
    db(state
        .store
        .create_invite(&token, &a.tenant.id, &email, role, INVITE_TTL, &audit)
        .await)?;
    Ok(Ok(format!("{}/invite?token={token}", state.public_url)))
}

pub async fn invite(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    Form(f): Form<NewInvite>,
) -> PageResult {
    let a = admin_access(&state, &viewer, &id).await?;
    let link = match new_invite(&state, &a, &f.email, &f.role).await? {
        Ok(link) => link,
        Err(error) => {
            return tenant_page(&viewer, a, StatusCode::UNPROCESSABLE_ENTITY, Some(error)).await
        }
    };
    Ok(page(
        StatusCode::CREATED,
        &LinkPage {
            layout: Layout::new("Invite created", &viewer),
            heading: format!("{} is invited as {}", f.email.trim().to_lowercase(), f.role),
            text:
                "Send this link to them: it works once and expires in 7 days; it is shown only now."
                    .into(),
            label: "Link".into(),
            link,
            back: format!("/t/{}", a.tenant.id),
        },
    ))
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct RequireMfa {
    require: String,
}

pub async fn require_mfa(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    Form(f): Form<RequireMfa>,
) -> PageResult {
    let a = admin_access(&state, &viewer, &id).await?;
    let on = f.require == "on";
    if on && !a.user.mfa_enabled {
        return tenant_page(
            &viewer,
            a,
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("Set up two-factor sign-in for yourself first, so you keep access.".into()),
        )
        .await;
    }
    let audit = onus_store::Audit::new(
        Some(&a.user.id),
        Some(&a.tenant.id),
        if on { "mfa-required" } else { "mfa-optional" },
        &a.tenant.name,
        "",
    );
    db(state.store.set_require_mfa(&a.tenant.id, on, &audit).await)?;
    Ok(Redirect::to(&format!("/t/{}", a.tenant.id)).into_response())
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct NewRole {
    role: String,
}

/// A tenant admin changes a member's role (never leaving the tenant without an admin).
pub async fn set_role(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((id, user)): Path<(String, String)>,
    Form(f): Form<NewRole>,
) -> PageResult {
    let a = admin_access(&state, &viewer, &id).await?;
    if !ROLES.contains(&f.role.as_str()) {
        let error = format!("Choose one of the roles: {}.", ROLES.join(", "));
        return tenant_page(&viewer, a, StatusCode::UNPROCESSABLE_ENTITY, Some(error)).await;
    }
    let audit = onus_store::Audit::new(
        Some(&a.user.id),
        Some(&a.tenant.id),
        "member-role-changed",
        &user,
        &f.role,
    );
    if !db(state
        .store
        .set_member_role(&a.tenant.id, &user, &f.role, &audit)
        .await)?
    {
        return member_refused(&state, &viewer, a, &user, "change the role of").await;
    }
    Ok(Redirect::to(&format!("/t/{}", a.tenant.id)).into_response())
}

/// A tenant admin removes a member from the tenant (their account stays).
pub async fn remove_member(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((id, user)): Path<(String, String)>,
) -> PageResult {
    let a = admin_access(&state, &viewer, &id).await?;
    let audit = onus_store::Audit::new(
        Some(&a.user.id),
        Some(&a.tenant.id),
        "member-removed",
        &user,
        "",
    );
    if !db(state.store.remove_member(&a.tenant.id, &user, &audit).await)? {
        return member_refused(&state, &viewer, a, &user, "remove").await;
    }
    Ok(Redirect::to(&format!("/t/{}", a.tenant.id)).into_response())
}

/// Why a role change or a removal was refused: not a member (404, as any
/// unknown id), or the tenant's last admin (the page again, saying so).
async fn member_refused(
    state: &AppState,
    viewer: &Viewer,
    a: Access,
    user: &str,
    what: &str,
) -> PageResult {
    if db(state.store.membership(&a.tenant.id, user).await)?.is_none() {
        return Err(not_found_page());
    }
    let error =
        format!("You cannot {what} the tenant's last admin: make another member an admin first.");
    tenant_page(viewer, a, StatusCode::UNPROCESSABLE_ENTITY, Some(error)).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct WebhookForm {
    url: String,
}

/// Sets the tenant's webhook (tenant admins): its signing key is shown once.
pub async fn set_webhook(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    Form(f): Form<WebhookForm>,
) -> PageResult {
    let a = admin_access(&state, &viewer, &id).await?;
    if let Err(e) = crate::webhooks::check_url(&f.url, state.webhook_allow_private) {
        return tenant_page(&viewer, a, StatusCode::UNPROCESSABLE_ENTITY, Some(e)).await;
    }
    let url = f.url.trim();
    let audit =
        onus_store::Audit::new(Some(&a.user.id), Some(&a.tenant.id), "webhook-set", url, "");
    let secret = db(a.data.set_webhook(url, &audit).await)?;
    Ok(page(
        StatusCode::OK,
        &LinkPage {
            layout: Layout::new("Webhook set", &viewer),
            heading: "The webhook is set".into(),
            text: "Each notice is signed: X-Onus-Signature is sha256= and the HMAC-SHA256, with this key, of X-Onus-Timestamp, a dot, and the body. Keep the key in your receiver; it is shown only now (set the webhook again for a new one).".into(),
            label: "Signing key".into(),
            link: secret,
            back: format!("/t/{}", a.tenant.id),
        },
    ))
}

/// Removes the tenant's webhook (tenant admins); queued notices are dropped.
pub async fn remove_webhook(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
) -> PageResult {
    let a = admin_access(&state, &viewer, &id).await?;
    let audit = onus_store::Audit::new(
        Some(&a.user.id),
        Some(&a.tenant.id),
        "webhook-removed",
        &a.tenant.name,
        "",
    );
    db(a.data.remove_webhook(&audit).await)?;
    Ok(Redirect::to(&format!("/t/{}", a.tenant.id)).into_response())
}
