//! Evidence files: the rules and the service behind the item's evidence
//! page (`pages/evidence.rs`) and the API (`api/evidence.rs`). Handlers
//! extract and call these; the store (`onus_store::TenantData`, so every
//! query names the tenant) keeps records and bytes.
//!
//! - An upload is `multipart/form-data` with one `file` field, read as a
//!   stream ([`upload`]): the size limit (`onus serve --max-upload`) holds
//!   while the bytes arrive, the SHA-256 is computed on the way, and the
//!   type is decided from the bytes ([`content_type`]). A refused upload
//!   keeps nothing. Pages check the CSRF token as the form's first field
//!   before the body is read (`auth::session_layer`).
//! - A download ([`download`]) is streamed chunk by chunk, always as an
//!   attachment, `nosniff`, under a sandboxing CSP.
//! - Tenant admins and members upload and delete; viewers download.

use axum::body::{Body, Bytes};
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use onus_store::{Attachment, StoreError, TenantData, UploadError};

use crate::pages::tenant::Access;

/// The default largest file accepted (`onus serve --max-upload`).
pub const DEFAULT_MAX_UPLOAD: u64 = 25 * 1024 * 1024;
/// How long an upload may take (other requests get `headers::REQUEST_TIMEOUT`).
pub const UPLOAD_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(15 * 60);
/// The longest stored file name, in characters.
pub const MAX_NAME: usize = 200;
/// How many leading bytes decide a file's type.
const SNIFF: usize = 8 * 1024;
/// The largest form field other than the file (the CSRF token), bytes.
const SMALL_FIELD: u64 = 4 * 1024;
/// Room for the multipart framing around the file, bytes.
const FRAMING: u64 = 64 * 1024;
/// After refusing a file too large, how much more of it is read (and
/// dropped), bytes: a browser still sending the file then sees the 413
/// page, where closing the connection at once would show it a reset.
const DRAIN: u64 = 16 * 1024 * 1024;

/// Whether the request is an evidence upload: its body is streamed, not
/// buffered, so the session layer checks its CSRF token differently and
/// the time limit is [`UPLOAD_TIMEOUT`]. Page `POST /t/T/items/I/evidence`
/// and API `POST /api/v1/tenants/T/items/I/evidence`.
pub fn is_upload(method: &Method, path: &str) -> bool {
    if method != Method::POST {
        return false;
    }
    let parts: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    matches!(
        parts.as_slice(),
        ["t", t, "items", i, "evidence"] | ["api", "v1", "tenants", t, "items", i, "evidence"]
            if !t.is_empty() && !i.is_empty()
    )
}

/// Whether a member with this role may upload and delete (viewers only download).
pub fn may_change(role: &str) -> bool {
    matches!(role, "tenant-admin" | "tenant-member")
}

/// A file name as stored: the last path component, without control or
/// bidirectional-override characters, without characters Windows refuses,
/// trimmed of spaces and dots, at most [`MAX_NAME`] characters (the
/// extension kept), never empty.
pub fn sanitize_file_name(raw: &str) -> String {
    let last = raw.rsplit(['/', '\\']).next().unwrap_or("");
    let cleaned: String = last
        .chars()
        .filter(|c| {
            !c.is_control()
                && !matches!(c, '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{FEFF}')
        })
        .map(|c| match c {
            '<' | '>' | ':' | '"' | '|' | '?' | '*' => '_',
            c => c,
        })
        .collect();
    let trimmed = cleaned.trim_matches(|c: char| c.is_whitespace() || c == '.');
    let name = if trimmed.chars().count() > MAX_NAME {
        let (stem, ext) = match trimmed.rsplit_once('.') {
            Some((s, e)) if !s.is_empty() && e.chars().count() <= 16 => (s, Some(e)),
            _ => (trimmed, None),
        };
        let room = MAX_NAME - ext.map_or(0, |e| e.chars().count() + 1);
        let stem: String = stem.chars().take(room).collect();
        match ext {
            Some(e) => format!("{}.{e}", stem.trim_end()),
            None => stem,
        }
    } else {
        trimmed.to_string()
    };
    if name.is_empty() {
        "evidence".to_string()
    } else {
        name
    }
}

/// What the bytes are, by their first bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Pdf,
    Png,
    Jpeg,
    Gif,
    /// ZIP, and what is built on it: Office (docx, xlsx, pptx) and OpenDocument files.
    Zip,
    /// UTF-8 text without control characters (CSV, JSON, YAML, Markdown ...).
    Text,
    /// None of the above.
    Binary,
}

impl Kind {
    /// What the kind is called in messages.
    pub fn describe(self) -> &'static str {
        match self {
            Kind::Pdf => "a PDF document",
            Kind::Png => "a PNG image",
            Kind::Jpeg => "a JPEG image",
            Kind::Gif => "a GIF image",
            Kind::Zip => "a ZIP archive (or an Office or OpenDocument file)",
            Kind::Text => "plain text",
            Kind::Binary => "binary data of a kind the portal does not recognise",
        }
    }

    /// The type it is served as when nothing more precise was declared.
    fn default_type(self) -> &'static str {
        match self {
            Kind::Pdf => "application/pdf",
            Kind::Png => "image/png",
            Kind::Jpeg => "image/jpeg",
            Kind::Gif => "image/gif",
            Kind::Zip => "application/zip",
            Kind::Text => "text/plain; charset=utf-8",
            Kind::Binary => "application/octet-stream",
        }
    }
}

/// The kind of a file from its first bytes (magic numbers; else text or binary).
pub fn sniff(prefix: &[u8]) -> Kind {
    if prefix.starts_with(b"%PDF-") {
        Kind::Pdf
    } else if prefix.starts_with(b"\x89PNG\r\n\x1a\n") {
        Kind::Png
    } else if prefix.starts_with(b"\xFF\xD8\xFF") {
        Kind::Jpeg
    } else if prefix.starts_with(b"GIF87a") || prefix.starts_with(b"GIF89a") {
        Kind::Gif
    } else if prefix.starts_with(b"PK\x03\x04") || prefix.starts_with(b"PK\x05\x06") {
        Kind::Zip
    } else if is_text(prefix) {
        Kind::Text
    } else {
        Kind::Binary
    }
}

/// UTF-8 (a character cut at the end of the prefix allowed) with no
/// control characters but tab, line feed, form feed and carriage return.
fn is_text(prefix: &[u8]) -> bool {
    let valid = match std::str::from_utf8(prefix) {
        Ok(s) => s,
        Err(e) if e.error_len().is_none() => {
            // Only an incomplete character at the very end.
            std::str::from_utf8(&prefix[..e.valid_up_to()]).unwrap_or("")
        }
        Err(_) => return false,
    };
    valid
        .chars()
        .all(|c| !c.is_control() || matches!(c, '\t' | '\n' | '\r' | '\x0c'))
}

/// The kind a declared media type (without parameters, lowercase) says
/// the bytes are; `None` for a type the portal cannot check.
fn declared_kind(media: &str) -> Option<Kind> {
    Some(match media {
        "application/pdf" => Kind::Pdf,
        "image/png" => Kind::Png,
        "image/jpeg" | "image/jpg" | "image/pjpeg" => Kind::Jpeg,
        "image/gif" => Kind::Gif,
        "application/zip" | "application/x-zip-compressed" => Kind::Zip,
        m if m.starts_with("application/vnd.openxmlformats-officedocument.")
            || m.starts_with("application/vnd.oasis.opendocument.") =>
        {
            Kind::Zip
        }
        m if m.starts_with("text/") => Kind::Text,
        "application/json" | "application/xml" | "application/yaml" | "application/x-yaml" => {
            Kind::Text
        }
        _ => return None,
    })
}

/// The kind a file name's extension says the bytes are.
fn extension_kind(name: &str) -> Option<Kind> {
    let ext = name.rsplit_once('.')?.1.to_ascii_lowercase();
    Some(match ext.as_str() {
        "pdf" => Kind::Pdf,
        "png" => Kind::Png,
        "jpg" | "jpeg" => Kind::Jpeg,
        "gif" => Kind::Gif,
        "zip" | "docx" | "xlsx" | "pptx" | "odt" | "ods" | "odp" => Kind::Zip,
        "txt" | "csv" | "md" | "json" | "yaml" | "yml" | "xml" | "log" => Kind::Text,
        _ => return None,
    })
}

/// The type a file is stored and served as, from what was declared (the
/// part's `Content-Type`, and its name's extension) and what its first
/// bytes are; or why it is refused: a declaration the bytes contradict.
/// Unknown binary data is `application/octet-stream` whatever was
/// declared, unrecognised text `text/plain`.
pub fn content_type(declared: &str, file_name: &str, prefix: &[u8]) -> Result<String, String> {
    let found = sniff(prefix);
    let media = declared
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    let media = if media == "application/octet-stream" {
        String::new()
    } else {
        media
    };
    let said = declared_kind(&media);
    // A declared type the portal knows must match; else the extension must.
    for (claim, what) in [
        (said, format!("declared as {media}")),
        (extension_kind(file_name), format!("named {file_name}")),
    ] {
        if let Some(kind) = claim {
            if kind != found {
                return Err(format!(
                    "The file is {what}, but its content is {}. Check that you chose the right file; if it is, rename it or save it in the format its name says.",
                    found.describe()
                ));
            }
        }
    }
    Ok(match (said, found) {
        // A precise type the bytes bear out (an xlsx's type, text/csv).
        (Some(_), Kind::Text) => {
            if media == "text/html" || media == "image/svg+xml" {
                // Never inline anyway; plain text says what it is to any viewer.
                Kind::Text.default_type().to_string()
            } else {
                format!("{media}; charset=utf-8")
            }
        }
        (Some(_), _) => media,
        (None, kind) => kind.default_type().to_string(),
    })
}

/// `Content-Disposition` for a download: always `attachment`, with an
/// ASCII `filename` fallback and the real name as RFC 6266 / RFC 8187
/// `filename*` (UTF-8, percent-encoded).
pub fn content_disposition(name: &str) -> String {
    let fallback: String = name
        .chars()
        .map(|c| {
            if (c.is_ascii_graphic() && c != '"' && c != '\\' && c != '%') || c == ' ' {
                c
            } else {
                '_'
            }
        })
        .collect();
    let encoded: String = name
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect();
    format!("attachment; filename=\"{fallback}\"; filename*=UTF-8''{encoded}")
}

/// A size as people read it: `812 bytes`, `4.2 KiB`, `25.0 MiB`.
pub fn human_size(bytes: u64) -> String {
    const UNITS: [&str; 4] = ["KiB", "MiB", "GiB", "TiB"];
    if bytes < 1024 {
        return format!("{bytes} bytes");
    }
    let mut value = bytes as f64 / 1024.0;
    let mut unit = 0;
    while value >= 1024.0 && unit < UNITS.len() - 1 {
        value /= 1024.0;
        unit += 1;
    }
    format!("{value:.1} {}", UNITS[unit])
}

/// A size as `onus serve --max-upload` takes it: bytes, or a number with
/// K/KB/KiB, M/MB/MiB or G/GB/GiB (all powers of 1024).
pub fn parse_size(text: &str) -> Result<u64, String> {
    let t = text.trim();
    let split = t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
    let (digits, unit) = t.split_at(split);
    let n: u64 = digits
        .parse()
        .map_err(|_| format!("`{text}` is not a size: write bytes, or e.g. 25MiB, 500K, 1G"))?;
    let factor: u64 = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 1,
        "k" | "kb" | "kib" => 1 << 10,
        "m" | "mb" | "mib" => 1 << 20,
        "g" | "gb" | "gib" => 1 << 30,
        other => {
            return Err(format!(
                "`{other}` is not a size unit: use K, M or G (powers of 1024), e.g. 25MiB"
            ))
        }
    };
    let size = n
        .checked_mul(factor)
        .ok_or_else(|| format!("`{text}` is too large"))?;
    if size == 0 {
        return Err("the upload limit must be above 0".into());
    }
    Ok(size)
}

/// Why an upload was refused (nothing of it is kept).
#[derive(Debug, thiserror::Error)]
pub enum Refused {
    #[error("no such item")]
    NotFound,
    #[error("Your role ({0}) may download evidence but not upload or delete it; ask a tenant admin or member.")]
    ReadOnly(String),
    #[error("The file is larger than the portal accepts ({}). Make it smaller (compress it, or split it into several files) and upload again.", human_size(*limit))]
    TooLarge { limit: u64 },
    #[error("{0}")]
    Type(String),
    #[error("The file is empty: choose the file to attach.")]
    Empty,
    #[error("{0}")]
    Form(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl Refused {
    pub fn status(&self) -> StatusCode {
        match self {
            Refused::NotFound => StatusCode::NOT_FOUND,
            Refused::ReadOnly(_) => StatusCode::FORBIDDEN,
            Refused::TooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            Refused::Type(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Refused::Empty | Refused::Form(_) => StatusCode::UNPROCESSABLE_ENTITY,
            Refused::Store(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The API's stable problem kind.
    pub fn kind(&self) -> &'static str {
        match self {
            Refused::NotFound => "not-found",
            Refused::ReadOnly(_) => "read-only-role",
            Refused::TooLarge { .. } => "too-large",
            Refused::Type(_) => "type-mismatch",
            Refused::Empty => "empty-file",
            Refused::Form(_) => "invalid-request",
            Refused::Store(_) => "internal",
        }
    }
}

fn form_error(e: multer::Error, limit: u64) -> Refused {
    match e {
        multer::Error::StreamSizeExceeded { .. } => Refused::TooLarge { limit },
        multer::Error::FieldSizeExceeded { field_name, .. } if field_name.as_deref() == Some("file") => {
            Refused::TooLarge { limit }
        }
        e => Refused::Form(format!(
            "The upload is not a multipart/form-data form the portal can read ({e}); send the file as the field `file`."
        )),
    }
}

/// Stores the file of the `multipart/form-data` `body` (its `file` field;
/// other small fields, the CSRF token, are skipped) on item `item` of the
/// tenant `a` is a member of, as `a.user`, refusing more than `limit`
/// bytes; audited. The attachment, or why not (nothing kept).
pub async fn upload(
    a: &Access,
    data: &TenantData,
    item: &str,
    content_type_header: Option<&str>,
    body: Body,
    limit: u64,
) -> Result<Attachment, Refused> {
    if !may_change(&a.role) {
        return Err(Refused::ReadOnly(a.role.clone()));
    }
    if data.item(item).await?.is_none() {
        return Err(Refused::NotFound);
    }
    let boundary = content_type_header
        .and_then(|ct| multer::parse_boundary(ct).ok())
        .ok_or_else(|| {
            Refused::Form("Send the file as multipart/form-data, in the field `file`.".to_string())
        })?;
    let constraints = multer::Constraints::new().size_limit(
        multer::SizeLimit::new()
            .whole_stream(limit.saturating_add(DRAIN).saturating_add(FRAMING))
            .per_field(SMALL_FIELD)
            .for_field("file", limit.saturating_add(DRAIN)),
    );
    let mut form =
        multer::Multipart::with_constraints(body.into_data_stream(), boundary, constraints);
    while let Some(mut field) = form.next_field().await.map_err(|e| form_error(e, limit))? {
        if field.name() != Some("file") {
            // Read through (bounded by SMALL_FIELD) and skipped.
            while field
                .chunk()
                .await
                .map_err(|e| form_error(e, limit))?
                .is_some()
            {}
            continue;
        }
        let name = sanitize_file_name(field.file_name().unwrap_or(""));
        let declared = field
            .content_type()
            .map(|m| m.to_string())
            .unwrap_or_default();
        let Some(mut up) = data.begin_upload(item, &name, &a.user.id, limit).await? else {
            return Err(Refused::NotFound);
        };
        let mut prefix: Vec<u8> = Vec::new();
        loop {
            let bytes = match field.chunk().await {
                Ok(Some(b)) => b,
                Ok(None) => break,
                Err(e) => {
                    up.abort().await?;
                    return Err(form_error(e, limit));
                }
            };
            if prefix.len() < SNIFF {
                let take = (SNIFF - prefix.len()).min(bytes.len());
                prefix.extend_from_slice(&bytes[..take]);
            }
            if let Err(e) = up.write(&bytes).await {
                up.abort().await?;
                if matches!(e, UploadError::TooLarge { .. }) {
                    // Bounded by the field's limit (limit + DRAIN).
                    while let Ok(Some(_)) = field.chunk().await {}
                }
                return Err(match e {
                    UploadError::TooLarge { limit } => Refused::TooLarge { limit },
                    UploadError::Store(e) => Refused::Store(e),
                });
            }
        }
        if up.size() == 0 {
            up.abort().await?;
            return Err(Refused::Empty);
        }
        let served = match content_type(&declared, &name, &prefix) {
            Ok(t) => t,
            Err(why) => {
                up.abort().await?;
                return Err(Refused::Type(why));
            }
        };
        // Audited by the store, in the transaction that completes it.
        let attachment = up.finish(&served).await?;
        return Ok(attachment);
    }
    Err(Refused::Form(
        "The form has no file: send it in the field `file`.".to_string(),
    ))
}

/// Deletes attachment `id` as `a.user` (its record stays); audited.
/// `Ok(None)` when the tenant has no such attachment or it is deleted already.
pub async fn delete(
    a: &Access,
    data: &TenantData,
    id: &str,
) -> Result<Option<Attachment>, Refused> {
    if !may_change(&a.role) {
        return Err(Refused::ReadOnly(a.role.clone()));
    }
    // Audited by the store, in the transaction that marks it deleted.
    let Some(gone) = data.delete_attachment(id, &a.user.id).await? else {
        return Ok(None);
    };
    Ok(Some(gone))
}

/// An attachment's bytes as a download response, streamed chunk by chunk:
/// `Content-Disposition: attachment`, its stored type, `nosniff`, and a
/// CSP that sandboxes it should a browser render it anyway. The caller
/// has checked it is not deleted.
pub fn download(data: &TenantData, a: &Attachment) -> Response {
    let size = a.size;
    let state = (data.clone(), a.id.clone(), 0i64, 0i64);
    let stream = futures_util::stream::try_unfold(state, move |(data, id, seq, sent)| async move {
        if sent >= size {
            return Ok(None);
        }
        match data.chunk(&id, seq).await {
            Ok(Some(bytes)) => {
                let n = bytes.len() as i64;
                Ok(Some((Bytes::from(bytes), (data, id, seq + 1, sent + n))))
            }
            Ok(None) => {
                tracing::error!(attachment = %id, seq, "an evidence chunk is missing");
                Err(std::io::Error::other("a chunk of the file is missing"))
            }
            Err(e) => {
                tracing::error!(attachment = %id, error = %e, "reading evidence failed");
                Err(std::io::Error::other(e.to_string()))
            }
        }
    });
    let mut response = Body::from_stream(stream).into_response();
    let h = response.headers_mut();
    let value = |s: &str| {
        HeaderValue::from_str(s)
            .unwrap_or_else(|_| HeaderValue::from_static("application/octet-stream"))
    };
    h.insert(header::CONTENT_TYPE, value(&a.content_type));
    h.insert(
        header::CONTENT_LENGTH,
        HeaderValue::from(a.size.max(0) as u64),
    );
    h.insert(
        header::CONTENT_DISPOSITION,
        HeaderValue::from_str(&content_disposition(&a.file_name))
            .unwrap_or_else(|_| HeaderValue::from_static("attachment")),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(DOWNLOAD_CSP),
    );
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-store"),
    );
    response
}

/// The CSP of a download: nothing may load or run, and a browser that
/// shows it anyway shows it sandboxed (no script, no same origin).
pub const DOWNLOAD_CSP: &str = "default-src 'none'; sandbox; frame-ancestors 'none'";

/// One attachment as the item page lists it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EvidenceRow {
    pub id: String,
    pub file_name: String,
    pub content_type: String,
    pub size: i64,
    /// `812 bytes`, `4.2 KiB` ...
    pub size_text: String,
    pub sha256: String,
    pub uploaded_by: String,
    /// Unix seconds, and as a UTC date.
    pub uploaded_at: i64,
    pub uploaded_at_text: String,
    pub deleted: bool,
    /// Who deleted it and when (UTC), for a deleted one.
    pub deleted_by: String,
    pub deleted_at_text: String,
    /// Where the page downloads it (`None` once deleted).
    pub download_url: Option<String>,
    /// Where its delete form posts (`None` once deleted).
    pub delete_url: Option<String>,
}

/// The page URL of attachment `id`'s bytes.
pub fn download_url(tenant: &str, id: &str) -> String {
    format!("/t/{tenant}/evidence/{id}/download")
}

/// The page URL of an item's evidence (list and upload form).
pub fn item_evidence_url(tenant: &str, item: &str) -> String {
    format!("/t/{tenant}/items/{item}/evidence")
}

impl EvidenceRow {
    pub fn new(tenant: &str, a: Attachment) -> EvidenceRow {
        let date = onus_export::render::xlsx::utc_date;
        let deleted = a.is_deleted();
        EvidenceRow {
            download_url: (!deleted).then(|| download_url(tenant, &a.id)),
            delete_url: (!deleted).then(|| format!("/t/{tenant}/evidence/{}/delete", a.id)),
            size_text: human_size(a.size.max(0) as u64),
            uploaded_by: a.uploaded_by_name.unwrap_or_else(|| "a former user".into()),
            uploaded_at_text: date(a.uploaded_at),
            deleted,
            deleted_by: if deleted {
                a.deleted_by_name.unwrap_or_else(|| "a former user".into())
            } else {
                String::new()
            },
            deleted_at_text: a.deleted_at.map(date).unwrap_or_default(),
            id: a.id,
            file_name: a.file_name,
            content_type: a.content_type,
            size: a.size,
            sha256: a.sha256,
            uploaded_at: a.uploaded_at,
        }
    }
}

/// The attachments of `item` (deleted ones too, marked), oldest first, as
/// the item page shows them: what the checklist's item page calls.
pub async fn item_evidence(data: &TenantData, item: &str) -> Result<Vec<EvidenceRow>, StoreError> {
    Ok(data
        .attachments(item)
        .await?
        .into_iter()
        .map(|a| EvidenceRow::new(data.tenant_id(), a))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn upload_paths_are_recognised_exactly() {
        assert!(is_upload(&Method::POST, "/t/a1/items/b2/evidence"));
        assert!(is_upload(
            &Method::POST,
            "/api/v1/tenants/a1/items/b2/evidence"
        ));
        assert!(!is_upload(&Method::GET, "/t/a1/items/b2/evidence"));
        assert!(!is_upload(&Method::POST, "/t/a1/items/b2"));
        assert!(!is_upload(&Method::POST, "/t/a1/items/b2/evidence/x"));
        assert!(!is_upload(&Method::POST, "/t//items/b2/evidence"));
        assert!(!is_upload(&Method::POST, "/admin/tenants"));
    }

    #[test]
    fn file_names_lose_paths_controls_and_length() {
        assert_eq!(sanitize_file_name("../../etc/passwd"), "passwd");
        assert_eq!(
            sanitize_file_name("C:\\Users\\me\\report.pdf"),
            "report.pdf"
        );
        assert_eq!(sanitize_file_name("a\u{0}b\r\nc.txt"), "abc.txt");
        assert_eq!(sanitize_file_name("evil\u{202E}fdp.exe"), "evilfdp.exe");
        assert_eq!(sanitize_file_name("  ..  "), "evidence");
        assert_eq!(sanitize_file_name(""), "evidence");
        assert_eq!(sanitize_file_name("a\"b<c>.txt"), "a_b_c_.txt");
        assert_eq!(
            sanitize_file_name("Prüfbericht 2026.pdf"),
            "Prüfbericht 2026.pdf"
        );
        let long = format!("{}.xlsx", "x".repeat(500));
        let cut = sanitize_file_name(&long);
        assert_eq!(cut.chars().count(), MAX_NAME);
        assert!(cut.ends_with("x.xlsx"), "{cut}");
    }

    #[test]
    fn types_come_from_the_bytes_and_contradictions_are_refused() {
        assert_eq!(sniff(b"%PDF-1.7\n"), Kind::Pdf);
        assert_eq!(sniff(b"\x89PNG\r\n\x1a\n...."), Kind::Png);
        assert_eq!(sniff(b"\xFF\xD8\xFF\xE0"), Kind::Jpeg);
        assert_eq!(sniff(b"GIF89a"), Kind::Gif);
        assert_eq!(sniff(b"PK\x03\x04"), Kind::Zip);
        assert_eq!(sniff("name,owner\nBackups,Zoë\n".as_bytes()), Kind::Text);
        assert_eq!(sniff(b"\x00\x01\x02\x03"), Kind::Binary);
        // A character cut at the end of the prefix is still text.
        assert_eq!(sniff(&"é".as_bytes()[..1]), Kind::Text);
        assert_eq!(
            content_type("application/pdf", "policy.pdf", b"%PDF-1.4").unwrap(),
            "application/pdf"
        );
        assert_eq!(
            content_type(
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                "a.xlsx",
                b"PK\x03\x04"
            )
            .unwrap(),
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        );
        assert_eq!(
            content_type("text/csv", "a.csv", b"a,b\n").unwrap(),
            "text/csv; charset=utf-8"
        );
        assert_eq!(
            content_type("text/html", "a.html", b"<script>").unwrap(),
            "text/plain; charset=utf-8"
        );
        // Nothing or octet-stream declared: the bytes decide.
        assert_eq!(
            content_type("", "scan", b"%PDF-1.4").unwrap(),
            "application/pdf"
        );
        assert_eq!(
            content_type("application/octet-stream", "blob.bin", b"\x00\x01").unwrap(),
            "application/octet-stream"
        );
        // An unknown declared type over unknown bytes is kept as octet-stream.
        assert_eq!(
            content_type("video/mp4", "clip.mp4", b"\x00\x00\x00\x18ftyp").unwrap(),
            "application/octet-stream"
        );
        // Contradictions.
        let e = content_type("image/png", "shot.png", b"%PDF-1.4").unwrap_err();
        assert!(
            e.contains("declared as image/png") && e.contains("a PDF document"),
            "{e}"
        );
        let e = content_type("", "report.pdf", b"\x00\x01\x02").unwrap_err();
        assert!(e.contains("named report.pdf"), "{e}");
        assert!(content_type("text/plain", "notes.txt", b"MZ\x90\x00\x03\x00").is_err());
    }

    #[test]
    fn downloads_are_attachments_with_a_safe_name() {
        assert_eq!(
            content_disposition("report.pdf"),
            "attachment; filename=\"report.pdf\"; filename*=UTF-8''report.pdf"
        );
        assert_eq!(
            content_disposition("Prüf \"x\".pdf"),
            "attachment; filename=\"Pr_f _x_.pdf\"; filename*=UTF-8''Pr%C3%BCf%20%22x%22.pdf"
        );
    }

    #[test]
    fn sizes_parse_and_read() {
        assert_eq!(parse_size("25MiB").unwrap(), 25 * 1024 * 1024);
        assert_eq!(parse_size("500k").unwrap(), 500 * 1024);
        assert_eq!(parse_size("1G").unwrap(), 1 << 30);
        assert_eq!(parse_size("1048576").unwrap(), 1 << 20);
        assert!(parse_size("0").is_err());
        assert!(parse_size("ten").is_err());
        assert!(parse_size("5 parsecs").unwrap_err().contains("unit"));
        assert_eq!(human_size(812), "812 bytes");
        assert_eq!(human_size(25 * 1024 * 1024), "25.0 MiB");
    }
}
