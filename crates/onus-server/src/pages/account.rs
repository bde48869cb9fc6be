//! Accounts: the setup link, signing in (password, then the second factor),
//! signing out (here or everywhere), TOTP enrolment and invites.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use onus_store::{StoreError, User};
use serde::Deserialize;

use super::{db, message, page, Layout, PageResult};
use crate::auth::{self, Viewer};
use crate::AppState;
use onus_export::render::xlsx::utc_date as display;

/// Failed sign-ins counted over this window (seconds).
pub const LOCKOUT_WINDOW: i64 = 15 * 60;
/// Failures of one account within the window that lock it.
pub const ACCOUNT_LIMIT: i64 = 5;
/// Failures from one address within the window that block it.
pub const ADDRESS_LIMIT: i64 = 20;

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct TokenQuery {
    token: String,
}

#[derive(Template)]
#[template(path = "setup.html")]
struct SetupPage {
    layout: Layout,
    token: String,
    email: String,
    name: String,
    error: Option<String>,
}

pub async fn setup_form(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(q): Query<TokenQuery>,
) -> PageResult {
    if !db(state.store.setup_token_valid(&q.token).await)? {
        return Ok(invalid_link("setup"));
    }
    Ok(page(
        StatusCode::OK,
        &SetupPage {
            layout: Layout::new("Set up the portal", &viewer),
            token: q.token,
            email: String::new(),
            name: String::new(),
            error: None,
        },
    ))
}

fn invalid_link(what: &str) -> Response {
    message(
        StatusCode::NOT_FOUND,
        "This link does not work",
        &format!("This {what} link is unknown, already used, or expired. Ask for a new one."),
    )
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct NewAccount {
    token: String,
    email: String,
    name: String,
    password: String,
    confirm: String,
}

/// Why the account form cannot be accepted, if it cannot.
fn account_problem(f: &NewAccount, email: &str) -> Option<String> {
    let email_ok = {
        let e = email.trim();
        e.len() <= 254
            && e.split_once('@')
                .is_some_and(|(a, b)| !a.is_empty() && b.contains('.'))
    };
    if !email_ok {
        return Some("Enter an email address, like name@example.com.".into());
    }
    if f.name.trim().is_empty() || f.name.chars().count() > 200 {
        return Some("Enter your name (at most 200 characters).".into());
    }
    if f.password != f.confirm {
        return Some("The two passwords differ: type the same password twice.".into());
    }
    auth::password_problem(&f.password, email)
}

pub async fn setup(
    State(state): State<AppState>,
    viewer: Viewer,
    Form(f): Form<NewAccount>,
) -> PageResult {
    if !db(state.store.setup_token_valid(&f.token).await)? {
        return Ok(invalid_link("setup"));
    }
    if let Some(error) = account_problem(&f, &f.email) {
        return Ok(page(
            StatusCode::UNPROCESSABLE_ENTITY,
            &SetupPage {
                layout: Layout::new("Set up the portal", &viewer),
                token: f.token,
                email: f.email,
                name: f.name,
                error: Some(error),
            },
        ));
    }
    let hash = hash_off_thread(f.password).await?;
    let Some(user) = db(state
        .store
        .complete_setup(
            &f.token,
            &f.email,
            &f.name,
            &hash,
            &onus_store::Audit::new(
                None,
                None,
                "setup",
                &f.email.trim().to_lowercase(),
                "first platform admin",
            ),
        )
        .await)?
    else {
        return Ok(invalid_link("setup"));
    };
    start_session(&state, &user, false, "/admin").await
}

async fn hash_off_thread(password: String) -> Result<String, Response> {
    tokio::task::spawn_blocking(move || auth::hash_password(&password))
        .await
        .map_err(|e| super::internal_error(&e))
}

/// Signs `user` in: a new session (the old cookie, if any, is replaced).
async fn start_session(state: &AppState, user: &User, mfa_pending: bool, to: &str) -> PageResult {
    let token = onus_store::random_token();
    let csrf = onus_store::random_token();
    db(state
        .store
        .create_session(&token, &user.id, &csrf, mfa_pending)
        .await)?;
    let mut r = Redirect::to(to).into_response();
    r.headers_mut().append(
        header::SET_COOKIE,
        auth::set_cookie(auth::SESSION_COOKIE, &token, state.behind_tls, None),
    );
    Ok(r)
}

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    layout: Layout,
    email: String,
    error: Option<String>,
}

pub async fn login_form(viewer: Viewer) -> Response {
    if viewer.user().is_some() {
        return Redirect::to("/account").into_response();
    }
    page(
        StatusCode::OK,
        &LoginPage {
            layout: Layout::new("Sign in", &viewer),
            email: String::new(),
            error: None,
        },
    )
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct Login {
    email: String,
    password: String,
}

fn minutes(seconds: i64) -> i64 {
    (seconds + 59) / 60
}

/// Counts a sign-in attempt as failed before its secret is checked, so a
/// burst of concurrent attempts gets no more guesses than the limit, and
/// refuses it (uncounted) while the account or the address is locked.
/// Open: the attempt's id and the account's failures, this one included.
/// Locked: why, to show.
async fn gate(
    state: &AppState,
    account: &str,
    address: &str,
) -> Result<Result<(String, i64), String>, StoreError> {
    let attempt = state.store.begin_login_attempt(account, address).await?;
    let now = onus_store::now();
    let ((account_fails, account_oldest), (address_fails, address_oldest)) = state
        .store
        .recent_failures(account, address, now - LOCKOUT_WINDOW)
        .await?;
    let locked = if account_fails > ACCOUNT_LIMIT {
        let wait = minutes(account_oldest + LOCKOUT_WINDOW - now);
        format!("Too many failed sign-ins for this account: it is locked for {wait} more minute(s). Try again then.")
    } else if address_fails > ADDRESS_LIMIT {
        let wait = minutes(address_oldest + LOCKOUT_WINDOW - now);
        format!(
            "Too many failed sign-ins from your network address: try again in {wait} minute(s)."
        )
    } else {
        return Ok(Ok((attempt, account_fails)));
    };
    state.store.forget_login_attempt(&attempt).await?;
    Ok(Err(locked))
}

pub async fn login(
    State(state): State<AppState>,
    viewer: Viewer,
    Form(f): Form<Login>,
) -> PageResult {
    let refuse = |status: StatusCode, error: String| {
        page(
            status,
            &LoginPage {
                layout: Layout::new("Sign in", &viewer),
                email: f.email.clone(),
                error: Some(error),
            },
        )
    };
    let (attempt, account_fails) = match db(gate(&state, &f.email, &viewer.address).await)? {
        Ok(open) => open,
        Err(locked) => return Ok(refuse(StatusCode::TOO_MANY_REQUESTS, locked)),
    };
    let found = db(state.store.local_login(&f.email).await)?;
    let (user, hash) = match found {
        Some((u, h)) => (Some(u), h),
        None => (None, auth::dummy_hash().to_string()),
    };
    let password = f.password.clone();
    let ok = tokio::task::spawn_blocking(move || auth::verify_password(&hash, &password))
        .await
        .map_err(|e| super::internal_error(&e))?;
    let ok = ok && user.is_some();
    if ok {
        db(state.store.login_succeeded(&attempt).await)?;
    }
    let Some(user) = user.filter(|_| ok) else {
        let left = ACCOUNT_LIMIT - account_fails;
        let hint = if left <= 2 {
            format!(" {left} attempt(s) left before the account is locked for 15 minutes.")
        } else {
            String::new()
        };
        return Ok(refuse(
            StatusCode::UNAUTHORIZED,
            format!("The email or the password is wrong.{hint}"),
        ));
    };
    if let Some(old) = &viewer.session {
        db(state.store.end_session(&old.id_hash).await)?;
    }
    if user.mfa_enabled {
        start_session(&state, &user, true, "/login/mfa").await
    } else {
        start_session(&state, &user, false, "/").await
    }
}

#[derive(Template)]
#[template(path = "mfa_login.html")]
struct MfaPage {
    layout: Layout,
    error: Option<String>,
}

pub async fn mfa_form(viewer: Viewer) -> Response {
    if !viewer.session.as_ref().is_some_and(|s| s.mfa_pending) {
        return Redirect::to("/login").into_response();
    }
    page(
        StatusCode::OK,
        &MfaPage {
            layout: Layout::new("Two-factor code", &viewer),
            error: None,
        },
    )
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct Code {
    code: String,
}

pub async fn mfa(State(state): State<AppState>, viewer: Viewer, Form(f): Form<Code>) -> PageResult {
    let Some(session) = viewer.session.clone().filter(|s| s.mfa_pending) else {
        return Ok(Redirect::to("/login").into_response());
    };
    let user = &session.user;
    let locked = || {
        message(
            StatusCode::TOO_MANY_REQUESTS,
            "Account locked",
            "Too many wrong codes: the account is locked for 15 minutes. Sign in again then.",
        )
    };
    let Ok((attempt, fails)) = db(gate(&state, &user.email, &viewer.address).await)? else {
        db(state.store.end_session(&session.id_hash).await)?;
        return Ok(locked());
    };
    let secret = user.totp_secret.clone().unwrap_or_default();
    let ok = match auth::totp_step(&secret, &f.code) {
        // A code is good once: the same code again (a replay) is refused.
        Some(step) => db(state.store.claim_totp_step(&user.id, step).await)?,
        None => db(state
            .store
            .use_recovery_code(&user.id, &auth::normalize_recovery_code(&f.code))
            .await)?,
    };
    if !ok {
        if fails >= ACCOUNT_LIMIT {
            db(state.store.end_session(&session.id_hash).await)?;
            return Ok(locked());
        }
        return Ok(page(
            StatusCode::UNAUTHORIZED,
            &MfaPage {
                layout: Layout::new("Two-factor code", &viewer),
                error: Some("That code is not valid. Enter the current 6-digit code from your app, or a recovery code.".into()),
            },
        ));
    }
    db(state.store.login_succeeded(&attempt).await)?;
    db(state.store.complete_mfa(&session.id_hash).await)?;
    Ok(Redirect::to("/").into_response())
}

fn clear_session_cookie(state: &AppState, to: &str) -> Response {
    let mut r = Redirect::to(to).into_response();
    r.headers_mut().append(
        header::SET_COOKIE,
        auth::set_cookie(auth::SESSION_COOKIE, "", state.behind_tls, Some(0)),
    );
    r
}

pub async fn logout(State(state): State<AppState>, viewer: Viewer) -> PageResult {
    if let Some(s) = &viewer.session {
        db(state.store.end_session(&s.id_hash).await)?;
    }
    Ok(clear_session_cookie(&state, "/"))
}

pub async fn logout_everywhere(State(state): State<AppState>, viewer: Viewer) -> PageResult {
    if let Some(s) = &viewer.session {
        let audit = onus_store::Audit::new(
            Some(&s.user.id),
            None,
            "sign-out-everywhere",
            &s.user.email,
            "",
        );
        db(state.store.end_all_sessions(&s.user.id, &audit).await)?;
    }
    Ok(clear_session_cookie(&state, "/"))
}

struct TenantLink {
    id: String,
    name: String,
    role: String,
}

#[derive(Template)]
#[template(path = "account.html")]
struct AccountPage {
    layout: Layout,
    email: String,
    role: String,
    mfa: bool,
    codes_left: i64,
    tenants: Vec<TenantLink>,
    tokens: Vec<TokenRow>,
}

/// One of the user's API tokens, as the account page lists it.
struct TokenRow {
    id: String,
    name: String,
    scope: String,
    /// The tenant's name, for a tenant token.
    tenant: Option<String>,
    created: String,
    last_used: String,
    /// Revoked, expired, or when it will expire.
    status: String,
    live: bool,
}

pub async fn account(State(state): State<AppState>, viewer: Viewer) -> PageResult {
    let Some(user) = viewer.user() else {
        return Ok(auth::sign_in_first());
    };
    let tenants: Vec<TenantLink> = db(state.store.memberships(&user.id).await)?
        .into_iter()
        .map(|(t, role)| TenantLink {
            id: t.id,
            name: t.name,
            role,
        })
        .collect();
    let now = onus_store::now();
    let tokens = db(state.store.api_tokens(&user.id).await)?
        .into_iter()
        .map(|t| TokenRow {
            tenant: t.tenant_id.map(|id| {
                tenants
                    .iter()
                    .find(|l| l.id == id)
                    .map_or(id, |l| l.name.clone())
            }),
            id: t.id,
            name: t.name,
            scope: t.scope,
            created: display(t.created_at),
            last_used: t.last_used_at.map_or_else(|| "never".into(), display),
            live: t.revoked_at.is_none() && t.expires_at.is_none_or(|at| at > now),
            status: match (t.revoked_at, t.expires_at) {
                (Some(at), _) => format!("revoked {}", display(at)),
                (None, Some(at)) if at <= now => format!("expired {}", display(at)),
                (None, Some(at)) => format!("expires {}", display(at)),
                (None, None) => "never expires".into(),
            },
        })
        .collect();
    Ok(page(
        StatusCode::OK,
        &AccountPage {
            layout: Layout::new("Your account", &viewer),
            email: user.email.clone(),
            role: user.platform_role.clone().unwrap_or_default(),
            mfa: user.mfa_enabled,
            codes_left: db(state.store.recovery_codes_left(&user.id).await)?,
            tenants,
            tokens,
        },
    ))
}

#[derive(Template)]
#[template(path = "enrol.html")]
struct EnrolPage {
    layout: Layout,
    secret: String,
    uri: String,
    qr: String,
    error: Option<String>,
}

fn enrol_page(viewer: &Viewer, user: &User, secret: &str, error: Option<String>) -> Response {
    let uri = auth::otpauth_uri(&user.email, secret);
    page(
        if error.is_some() {
            StatusCode::UNPROCESSABLE_ENTITY
        } else {
            StatusCode::OK
        },
        &EnrolPage {
            layout: Layout::new("Set up two-factor sign-in", viewer),
            secret: secret.to_string(),
            qr: auth::qr_svg(&uri),
            uri,
            error,
        },
    )
}

pub async fn enrol_form(State(state): State<AppState>, viewer: Viewer) -> PageResult {
    let Some(user) = viewer.user() else {
        return Ok(auth::sign_in_first());
    };
    if user.mfa_enabled {
        return Ok(Redirect::to("/account").into_response());
    }
    let secret = auth::new_totp_secret();
    db(state.store.set_totp_secret(&user.id, &secret).await)?;
    Ok(enrol_page(&viewer, user, &secret, None))
}

#[derive(Template)]
#[template(path = "recovery.html")]
struct RecoveryPage {
    layout: Layout,
    codes: Vec<String>,
}

pub async fn enrol(
    State(state): State<AppState>,
    viewer: Viewer,
    Form(f): Form<Code>,
) -> PageResult {
    let Some(user) = viewer.user() else {
        return Ok(auth::sign_in_first());
    };
    if user.mfa_enabled {
        return Ok(Redirect::to("/account").into_response());
    }
    let Some(secret) = user.totp_secret.clone() else {
        return Ok(Redirect::to("/account/mfa").into_response());
    };
    let claimed = match auth::totp_step(&secret, &f.code) {
        Some(step) => db(state.store.claim_totp_step(&user.id, step).await)?,
        None => false,
    };
    if !claimed {
        return Ok(enrol_page(
            &viewer,
            user,
            &secret,
            Some("That code is not valid: enter the 6-digit code your app shows now.".into()),
        ));
    }
    let codes = auth::new_recovery_codes();
    let audit = onus_store::Audit::new(Some(&user.id), None, "mfa-enabled", &user.email, "");
    db(state.store.enable_mfa(&user.id, &codes, &audit).await)?;
    Ok(page(
        StatusCode::OK,
        &RecoveryPage {
            layout: Layout::new("Your recovery codes", &viewer),
            codes,
        },
    ))
}

#[derive(Template)]
#[template(path = "invite.html")]
struct InvitePage {
    layout: Layout,
    token: String,
    tenant: String,
    email: String,
    role: String,
    expires: String,
    name: String,
    error: Option<String>,
}

pub async fn invite_form(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(q): Query<TokenQuery>,
) -> PageResult {
    let Some(invite) = db(state.store.invite(&q.token).await)? else {
        return Ok(invalid_link("invite"));
    };
    Ok(page(
        StatusCode::OK,
        &InvitePage {
            layout: Layout::new(format!("Join {}", invite.tenant.name), &viewer),
            token: q.token,
            tenant: invite.tenant.name,
            email: invite.email,
            role: invite.role,
            expires: display(invite.expires_at),
            name: String::new(),
            error: None,
        },
    ))
}

pub async fn accept_invite(
    State(state): State<AppState>,
    viewer: Viewer,
    Form(f): Form<NewAccount>,
) -> PageResult {
    let Some(invite) = db(state.store.invite(&f.token).await)? else {
        return Ok(invalid_link("invite"));
    };
    let again = |error: String| {
        page(
            StatusCode::UNPROCESSABLE_ENTITY,
            &InvitePage {
                layout: Layout::new(format!("Join {}", invite.tenant.name), &viewer),
                token: f.token.clone(),
                tenant: invite.tenant.name.clone(),
                email: invite.email.clone(),
                role: invite.role.clone(),
                expires: display(invite.expires_at),
                name: f.name.clone(),
                error: Some(error),
            },
        )
    };
    if let Some(error) = account_problem(&f, &invite.email) {
        return Ok(again(error));
    }
    let hash = hash_off_thread(f.password.clone()).await?;
    let audit = onus_store::Audit::new(None, None, "invite-accepted", "", "");
    let (user, tenant) = match state
        .store
        .accept_invite(&f.token, &f.name, &hash, &audit)
        .await
    {
        Ok(Some(done)) => done,
        Ok(None) => return Ok(invalid_link("invite")),
        Err(StoreError::Conflict(text)) => {
            return Ok(again(format!("{text}: sign in with it instead.")))
        }
        Err(e) => return Err(super::internal_error(&e)),
    };
    let to = format!("/t/{}", tenant.id);
    start_session(&state, &user, false, &to).await
}
