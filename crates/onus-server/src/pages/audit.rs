//! A tenant's audit chain for its admins: read, filtered by action, the
//! head hash shown; exported as JSON lines with the hashes (what
//! `onus audit verify --file` checks).

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use onus_export::render::xlsx::utc_date as display;
use serde::Deserialize;

use super::people::People;
use super::tenant::admin_access;
use super::{db, page, Layout, PageResult};
use crate::auth::Viewer;
use crate::AppState;

struct AuditRow {
    seq: i64,
    at: String,
    who: String,
    action: String,
    target: String,
    hash: String,
}

#[derive(Template)]
#[template(path = "audit.html")]
struct AuditPage {
    layout: Layout,
    id: String,
    name: String,
    head: String,
    count: usize,
    actions: Vec<String>,
    filter: String,
    entries: Vec<AuditRow>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct AuditFilter {
    action: String,
}

/// The tenant's audit chain, newest first, filtered by action (tenant admins).
pub async fn audit_log(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    axum::extract::Query(f): axum::extract::Query<AuditFilter>,
) -> PageResult {
    let a = admin_access(&state, &viewer, &id).await?;
    let chain = db(a.data.audit_chain().await)?;
    let actors: Vec<&str> = chain.iter().filter_map(|e| e.actor.as_deref()).collect();
    let people = db(People::of(&a.data, &actors).await)?;
    let mut actions: Vec<String> = chain.iter().map(|e| e.action.clone()).collect();
    actions.sort();
    actions.dedup();
    let head = chain.last().map(|e| e.hash.clone()).unwrap_or_default();
    let entries = chain
        .iter()
        .rev()
        .filter(|e| f.action.is_empty() || e.action == f.action)
        .map(|e| AuditRow {
            seq: e.seq,
            at: display(e.at),
            who: people.name(e.actor.as_deref()),
            action: e.action.clone(),
            target: e.target.clone(),
            hash: e.hash.clone(),
        })
        .collect();
    Ok(page(
        StatusCode::OK,
        &AuditPage {
            layout: Layout::new(format!("Audit log of {}", a.tenant.name), &viewer),
            count: chain.len(),
            id: a.tenant.id,
            name: a.tenant.name,
            head,
            actions,
            filter: f.action,
            entries,
        },
    ))
}

/// The tenant's audit chain as JSON lines, with the hashes (tenant admins):
/// `onus audit verify --file` checks it on its own.
pub async fn audit_export(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
) -> PageResult {
    let a = admin_access(&state, &viewer, &id).await?;
    db(a.audit_read("audit-exported", "audit.jsonl").await)?;
    let lines: String = db(a.data.audit_chain().await)?
        .iter()
        .map(|e| serde_json::to_string(e).unwrap_or_default() + "\n")
        .collect();
    Ok(crate::export::attachment(
        &format!("{}-audit.jsonl", crate::export::file_stem(&a.tenant.name)),
        "application/x-ndjson",
        lines,
    ))
}
