//! Just-in-time access, the tenant's side: its admins see every request
//! and grant, approve or deny with a comment, and end a grant early.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use axum::Form;
use onus_export::render::xlsx::utc_date as display;
use serde::Deserialize;

use super::people::People;
use super::tenant::admin_access;
use super::{db, not_found_page, page, Layout, PageResult};
use crate::auth::Viewer;
use crate::AppState;

struct GrantRow {
    id: String,
    who: String,
    scope: String,
    duration: String,
    state: &'static str,
    reason: String,
    asked: String,
    decided: String,
    comment: String,
    until: String,
    /// What was done under it: (when, `METHOD /path`), oldest first.
    used: Vec<(String, String)>,
}

#[derive(Template)]
#[template(path = "grants.html")]
struct GrantsPage {
    layout: Layout,
    id: String,
    name: String,
    grants: Vec<GrantRow>,
}

/// Minutes as people read them: `1 minute`, `45 minutes`, `2 h`, `1 h 30 min`.
pub fn duration(minutes: i64) -> String {
    match (minutes / 60, minutes % 60) {
        (0, 1) => "1 minute".into(),
        (0, m) => format!("{m} minutes"),
        (h, 0) => format!("{h} h"),
        (h, m) => format!("{h} h {m} min"),
    }
}

/// The tenant's access requests and grants, past and present (tenant admins).
pub async fn grants(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
) -> PageResult {
    let a = admin_access(&state, &viewer, &id).await?;
    let now = onus_store::now();
    let uses = db(a.data.audit_chain_of("grant-used").await)?;
    let used = |grant: &str| -> Vec<(String, String)> {
        let details = format!("grant {grant}");
        uses.iter()
            .filter(|e| e.details == details)
            .map(|e| (display(e.at), e.target.clone()))
            .collect()
    };
    let grants = db(a.data.grants().await)?;
    let deciders: Vec<&str> = grants
        .iter()
        .filter_map(|g| g.decided_by.as_deref())
        .collect();
    let people = db(People::of(&a.data, &deciders).await)?;
    let grants = grants
        .into_iter()
        .map(|g| GrantRow {
            used: used(&g.id),
            state: g.state(now),
            who: g.requester_name.clone(),
            scope: if g.scope == "write" {
                "read and write".into()
            } else {
                "read".into()
            },
            duration: duration(g.minutes),
            reason: g.reason.clone(),
            asked: display(g.requested_at),
            decided: g
                .decided_at
                .map(|at| {
                    format!(
                        "{} by {}, {}",
                        g.decision.clone().unwrap_or_default(),
                        people.name(g.decided_by.as_deref()),
                        display(at)
                    )
                })
                .unwrap_or_default(),
            comment: g.comment.clone(),
            until: match (g.revoked_at, g.expires_at) {
                (Some(r), _) => format!("ended early {}", display(r)),
                (None, Some(e)) => display(e),
                _ => String::new(),
            },
            id: g.id,
        })
        .collect();
    Ok(page(
        StatusCode::OK,
        &GrantsPage {
            layout: Layout::new(format!("Access requests · {}", a.tenant.name), &viewer),
            id: a.tenant.id,
            name: a.tenant.name,
            grants,
        },
    ))
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct Decision {
    decision: String,
    comment: String,
}

/// A tenant admin approves or denies a pending request (audited).
pub async fn decide_grant(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((id, grant)): Path<(String, String)>,
    Form(f): Form<Decision>,
) -> PageResult {
    let a = admin_access(&state, &viewer, &id).await?;
    let approve = match f.decision.as_str() {
        "approve" => true,
        "deny" => false,
        _ => return Err(not_found_page()),
    };
    let comment: String = f.comment.trim().chars().take(1000).collect();
    let audit = onus_store::Audit::new(
        Some(&a.user.id),
        Some(&a.tenant.id),
        if approve {
            "grant-approved"
        } else {
            "grant-denied"
        },
        &format!("grant {grant}"),
        &comment,
    );
    if !db(a
        .data
        .decide_grant(&grant, &a.user.id, approve, &comment, &audit)
        .await)?
    {
        return Err(not_found_page());
    }
    Ok(Redirect::to(&format!("/t/{}/access", a.tenant.id)).into_response())
}

/// A tenant admin ends an active grant now (audited).
pub async fn revoke_grant(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((id, grant)): Path<(String, String)>,
) -> PageResult {
    let a = admin_access(&state, &viewer, &id).await?;
    let audit = onus_store::Audit::new(
        Some(&a.user.id),
        Some(&a.tenant.id),
        "grant-revoked",
        &format!("grant {grant}"),
        "",
    );
    if !db(a.data.revoke_grant(&grant, &a.user.id, &audit).await)? {
        return Err(not_found_page());
    }
    Ok(Redirect::to(&format!("/t/{}/access", a.tenant.id)).into_response())
}

#[cfg(test)]
mod tests {
    #[test]
    fn durations_read_as_people_say_them() {
        let said: Vec<String> = [1, 45, 120, 90].map(super::duration).into();
        assert_eq!(said, ["1 minute", "45 minutes", "2 h", "1 h 30 min"]);
    }
}
