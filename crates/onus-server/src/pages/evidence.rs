//! An item's evidence page: its files (deleted ones marked), the upload
//! form, downloads and deletes. Every handler goes through
//! [`tenant::access`] and the tenant's `TenantData`; the rules are in
//! `crate::evidence`.

use askama::Template;
use axum::extract::{Path, Request, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Redirect};

use super::{db, message, not_found_page, page, Layout, PageResult};
use crate::auth::Viewer;
use crate::evidence::{self, EvidenceRow, Refused};
use crate::pages::tenant::{self, Access};
use crate::AppState;

#[derive(Template)]
#[template(path = "evidence.html")]
struct EvidencePage {
    layout: Layout,
    tenant_id: String,
    tenant_name: String,
    item_id: String,
    duty: String,
    rows: Vec<EvidenceRow>,
    may_change: bool,
    upload_url: String,
    limit: String,
    error: Option<String>,
}

async fn evidence_page(
    state: &AppState,
    viewer: &Viewer,
    a: &Access,
    item: &str,
    status: StatusCode,
    error: Option<String>,
) -> PageResult {
    let data = &a.data;
    let Some(found) = db(data.item(item).await)? else {
        return Err(not_found_page());
    };
    let rows = db(evidence::item_evidence(data, item).await)?;
    Ok(page(
        status,
        &EvidencePage {
            layout: Layout::new(format!("Evidence · {}", a.tenant.name), viewer),
            tenant_id: a.tenant.id.clone(),
            tenant_name: a.tenant.name.clone(),
            item_id: found.id,
            duty: found.duty,
            rows,
            may_change: evidence::may_change(&a.role),
            upload_url: evidence::item_evidence_url(&a.tenant.id, item),
            limit: evidence::human_size(state.max_upload),
            error,
        },
    ))
}

/// `GET /t/{tenant}/items/{item}/evidence`.
pub async fn list(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((tenant, item)): Path<(String, String)>,
) -> PageResult {
    let a = tenant::access(&state, &viewer, &tenant).await?;
    evidence_page(&state, &viewer, &a, &item, StatusCode::OK, None).await
}

/// `POST /t/{tenant}/items/{item}/evidence`: a multipart form whose first
/// field, the CSRF token, the session layer checked before the file was read.
pub async fn upload(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((tenant, item)): Path<(String, String)>,
    request: Request,
) -> PageResult {
    let a = tenant::access(&state, &viewer, &tenant).await?;
    let data = a.data.clone();
    let content_type = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    match evidence::upload(
        &a,
        &data,
        &item,
        content_type.as_deref(),
        request.into_body(),
        state.max_upload,
    )
    .await
    {
        Ok(_) => {
            Ok(Redirect::to(&evidence::item_evidence_url(&a.tenant.id, &item)).into_response())
        }
        Err(Refused::NotFound) => Err(not_found_page()),
        Err(Refused::Store(e)) => Err(super::internal_error(&e)),
        Err(refused) => {
            evidence_page(
                &state,
                &viewer,
                &a,
                &item,
                refused.status(),
                Some(refused.to_string()),
            )
            .await
        }
    }
}

/// `GET /t/{tenant}/evidence/{file}/download`: any member, viewers included.
pub async fn download(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((tenant, file)): Path<(String, String)>,
) -> PageResult {
    let a = tenant::access(&state, &viewer, &tenant).await?;
    let data = a.data.clone();
    let Some(found) = db(data.attachment(&file).await)? else {
        return Err(not_found_page());
    };
    if found.is_deleted() {
        return Err(message(
            StatusCode::GONE,
            "Deleted",
            &format!(
                "{} was deleted; its record (name and SHA-256) stays on the item's evidence page.",
                found.file_name
            ),
        ));
    }
    db(a.audit_read(
        "evidence-downloaded",
        &format!("{} ({})", found.file_name, found.sha256),
    )
    .await)?;
    Ok(evidence::download(&data, &found))
}

/// `POST /t/{tenant}/evidence/{file}/delete`: tenant admins and members.
pub async fn delete(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((tenant, file)): Path<(String, String)>,
) -> PageResult {
    let a = tenant::access(&state, &viewer, &tenant).await?;
    let data = a.data.clone();
    let Some(found) = db(data.attachment(&file).await)? else {
        return Err(not_found_page());
    };
    match evidence::delete(&a, &data, &file).await {
        Ok(_) => Ok(
            Redirect::to(&evidence::item_evidence_url(&a.tenant.id, &found.item_id))
                .into_response(),
        ),
        Err(Refused::Store(e)) => Err(super::internal_error(&e)),
        Err(refused) => {
            evidence_page(
                &state,
                &viewer,
                &a,
                &found.item_id,
                refused.status(),
                Some(refused.to_string()),
            )
            .await
        }
    }
}
