//! What every response gets: security headers, a time limit, and one
//! structured log line (method, path without its query, status, time):
//! queries carry setup and invite tokens, so they are never logged.

use std::time::{Duration, Instant};

use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::Response;

use crate::AppState;

/// A request taking longer than this is answered 503.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

/// No script at all, styles and images from the portal only, no framing.
pub const CSP: &str = "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

pub async fn layer(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = request.method().clone();
    let path = request.uri().path().to_string();
    // An upload streams its body inside the handler: it gets longer.
    let limit = if crate::evidence::is_upload(&method, &path) {
        crate::evidence::UPLOAD_TIMEOUT
    } else {
        REQUEST_TIMEOUT
    };
    let mut response = match tokio::time::timeout(limit, next.run(request)).await {
        Ok(r) => r,
        Err(_) => crate::pages::message(
            StatusCode::SERVICE_UNAVAILABLE,
            "Too slow",
            "The portal took too long to answer. Try again in a moment.",
        ),
    };
    let h = response.headers_mut();
    // A download sets a stricter one of its own (`evidence::DOWNLOAD_CSP`).
    if !h.contains_key(header::CONTENT_SECURITY_POLICY) {
        h.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(CSP),
        );
    }
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    h.insert(
        "cross-origin-opener-policy",
        HeaderValue::from_static("same-origin"),
    );
    if !h.contains_key(header::CACHE_CONTROL) {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    if state.behind_tls {
        h.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000; includeSubDomains"),
        );
    }
    tracing::info!(
        method = %method,
        path = %path,
        status = response.status().as_u16(),
        ms = started.elapsed().as_millis() as u64,
        "request"
    );
    response
}
