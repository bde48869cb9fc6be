//! The trust pages anyone can read: published models, each version's page
//! (the HTML renderer's content and diagram, in the portal's frame).

use askama::Template;
use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use onus_core::model::{Access, RefKind};
use onus_core::resolve::Matrix;
use onus_export::render::{html, Options};
use onus_store::{ModelVersion, VersionSummary};

use super::{db, not_found_page, page, Layout, PageResult};
use crate::auth::Viewer;
use crate::publish::resolve_version;
use crate::AppState;
use onus_export::render::xlsx::utc_date as display;

/// The matrix as this viewer may read it: links to `nda` documents only
/// for members of a tenant of this model whose NDA is recorded.
fn for_viewer(matrix: &Matrix, under_nda: bool) -> Matrix {
    let mut m = matrix.clone();
    if !under_nda {
        for kind in RefKind::ALL {
            for r in m.references.of_mut(kind).values_mut() {
                if r.access == Access::Nda {
                    r.url = None;
                }
            }
        }
    }
    m
}

struct Row {
    model: String,
    name: String,
    version: i64,
    published: String,
}

fn row(v: &VersionSummary) -> Row {
    Row {
        model: v.model.clone(),
        name: v.name.clone(),
        version: v.version,
        published: display(v.published_at),
    }
}

#[derive(Template)]
#[template(path = "index.html")]
struct Index {
    layout: Layout,
    models: Vec<Row>,
}

pub async fn index(State(state): State<AppState>, viewer: Viewer) -> PageResult {
    let models = db(state.store.latest_versions().await)?;
    Ok(page(
        StatusCode::OK,
        &Index {
            layout: Layout::new("Published models", &viewer),
            models: models.iter().map(row).collect(),
        },
    ))
}

#[derive(Template)]
#[template(path = "model.html")]
struct ModelPage {
    layout: Layout,
    model: String,
    version: i64,
    latest: i64,
    published: String,
    sha256: String,
    stylesheet: String,
    body: String,
    nda_hidden: bool,
}

async fn show(state: &AppState, viewer: &Viewer, model: &str, version: Option<i64>) -> PageResult {
    let Some(v) = db(state.store.model_version(model, version).await)? else {
        return Ok(not_found_page());
    };
    let latest = db(state.store.versions(model).await)?
        .first()
        .map_or(v.version, |l| l.version);
    let matrix = resolved(&v)?;
    let under_nda = match viewer.user() {
        Some(u) => db(state.store.under_nda(&u.id, model).await)?,
        None => false,
    };
    let has_nda = matrix
        .references
        .iter()
        .any(|(_, r)| r.access == Access::Nda);
    // The renderer's body in the portal's frame (its skip link leads to the body's `#main`).
    let body = html::parts(&for_viewer(&matrix, under_nda), &Options::default()).body;
    Ok(page(
        StatusCode::OK,
        &ModelPage {
            layout: Layout::new(format!("{} (version {})", v.name, v.version), viewer),
            stylesheet: format!("/models/{}/v/{}/style.css", v.model, v.version),
            model: v.model,
            version: v.version,
            latest,
            published: display(v.published_at),
            sha256: v.sha256,
            body,
            nda_hidden: has_nda && !under_nda,
        },
    ))
}

fn resolved(v: &ModelVersion) -> Result<std::sync::Arc<Matrix>, Response> {
    resolve_version(v).ok_or_else(|| {
        super::internal_error(&format!(
            "the stored version {} of {} does not resolve",
            v.version, v.model
        ))
    })
}

pub async fn latest(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(model): Path<String>,
) -> PageResult {
    show(&state, &viewer, &model, None).await
}

pub async fn version(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((model, version)): Path<(String, String)>,
) -> PageResult {
    match version.parse::<i64>() {
        Ok(n) if n > 0 => show(&state, &viewer, &model, Some(n)).await,
        _ => Ok(not_found_page()),
    }
}

pub async fn stylesheet(
    State(state): State<AppState>,
    Path((model, version)): Path<(String, String)>,
) -> PageResult {
    let Ok(n) = version.parse::<i64>() else {
        return Ok(not_found_page());
    };
    let Some(v) = db(state.store.model_version(&model, Some(n)).await)? else {
        return Ok(not_found_page());
    };
    let css = html::parts(&*resolved(&v)?, &Options::default()).stylesheet;
    Ok((
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=86400, immutable"),
        ],
        css,
    )
        .into_response())
}

#[derive(Template)]
#[template(path = "versions.html")]
struct Versions {
    layout: Layout,
    model: String,
    name: String,
    versions: Vec<Row>,
    hashes: Vec<String>,
}

pub async fn versions(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(model): Path<String>,
) -> PageResult {
    let list = db(state.store.versions(&model).await)?;
    let Some(first) = list.first() else {
        return Ok(not_found_page());
    };
    Ok(page(
        StatusCode::OK,
        &Versions {
            layout: Layout::new(format!("{}: versions", first.name), &viewer),
            model: model.clone(),
            name: first.name.clone(),
            hashes: list.iter().map(|v| v.sha256.clone()).collect(),
            versions: list.iter().map(row).collect(),
        },
    ))
}
