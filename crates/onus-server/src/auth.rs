//! Accounts: argon2id passwords and their policy, TOTP and recovery codes,
//! session cookies, and the one middleware that loads the session and
//! refuses any state-changing form without the right CSRF token.

use std::net::SocketAddr;

use argon2::password_hash::{
    rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString,
};
use argon2::Argon2;
use axum::body::Body;
use axum::extract::{ConnectInfo, FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use onus_store::{Session, User};

use crate::AppState;

/// The session cookie (its value is the session's secret).
pub const SESSION_COOKIE: &str = "onus_session";
/// The cookie that carries the CSRF token of forms shown before signing in.
pub const PRE_COOKIE: &str = "onus_pre";
/// A session unused this long ends (seconds).
pub const IDLE_TIMEOUT: i64 = 30 * 60;
/// A session ends this long after sign-in, used or not (seconds).
pub const ABSOLUTE_TIMEOUT: i64 = 12 * 3600;
/// The largest form accepted (bytes).
pub const FORM_LIMIT: usize = 64 * 1024;

/// Shortest password accepted, in characters.
pub const MIN_PASSWORD: usize = 12;
const MAX_PASSWORD: usize = 256;
const COMMON_PASSWORDS: &str = include_str!("common-passwords.txt");

/// argon2id (RustCrypto's defaults: 19 MiB, 2 passes), as a PHC string.
pub fn hash_password(password: &str) -> String {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        // Only a salt or parameter error can fail here, and both are fixed.
        .expect("argon2id hashing with default parameters")
}

pub fn verify_password(hash: &str, password: &str) -> bool {
    PasswordHash::new(hash)
        .map(|h| {
            Argon2::default()
                .verify_password(password.as_bytes(), &h)
                .is_ok()
        })
        .unwrap_or(false)
}

/// A hash to verify against when the account does not exist, so that
/// answering takes as long either way.
pub fn dummy_hash() -> &'static str {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DUMMY.get_or_init(|| hash_password("no account has this password"))
}

/// The password policy: why `password` is refused, if it is.
pub fn password_problem(password: &str, email: &str) -> Option<String> {
    let len = password.chars().count();
    if len < MIN_PASSWORD {
        return Some(format!(
            "The password is too short: use at least {MIN_PASSWORD} characters (a few words make a good one)."
        ));
    }
    if len > MAX_PASSWORD {
        return Some(format!(
            "The password is too long: at most {MAX_PASSWORD} characters."
        ));
    }
    let lower = password.to_lowercase();
    if COMMON_PASSWORDS.lines().any(|p| p == lower) {
        return Some("This password is on a list of common passwords: choose another.".into());
    }
    let local = email.split('@').next().unwrap_or("").to_lowercase();
    if local.len() >= 4 && lower.contains(&local) {
        return Some("The password contains your email address: choose another.".into());
    }
    if lower.chars().all(|c| lower.starts_with(c)) {
        return Some("The password repeats one character: choose another.".into());
    }
    None
}

/// A new TOTP secret: 160 random bits, base32 (RFC 4648, no padding).
pub fn new_totp_secret() -> String {
    base32(&onus_store::random_bytes(20))
}

fn base32(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    let mut out = String::new();
    let (mut buffer, mut bits) = (0u32, 0u32);
    for &b in bytes {
        buffer = (buffer << 8) | u32::from(b);
        bits += 8;
        while bits >= 5 {
            out.push(ALPHABET[((buffer >> (bits - 5)) & 31) as usize] as char);
            bits -= 5;
        }
    }
    if bits > 0 {
        out.push(ALPHABET[((buffer << (5 - bits)) & 31) as usize] as char);
    }
    out
}

fn totp(secret: &str) -> Option<totp_rs::TOTP> {
    let bytes = totp_rs::Secret::Encoded(secret.to_string())
        .to_bytes()
        .ok()?;
    // RFC 6238 defaults: SHA-1, 6 digits, 30 s steps; one step of skew each way.
    totp_rs::TOTP::new(totp_rs::Algorithm::SHA1, 6, 1, 30, bytes).ok()
}

/// The time step `code` was made for, if it is the secret's code of the
/// current step or one step either way (clock skew). The caller claims
/// the step ([`onus_store::Store::claim_totp_step`]) so that a code is
/// accepted once.
pub fn totp_step(secret: &str, code: &str) -> Option<u64> {
    let code: String = code.chars().filter(|c| !c.is_whitespace()).collect();
    if code.len() != 6 {
        return None;
    }
    let t = totp(secret)?;
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .ok()?
        .as_secs();
    let step = now / t.step;
    [step.saturating_sub(1), step, step + 1]
        .into_iter()
        .find(|s| constant_time_eq(&t.generate(s * t.step), &code))
}

/// The current code (tests).
pub fn totp_now(secret: &str) -> Option<String> {
    totp_at(secret, 0)
}

/// The code `ahead` seconds from now (tests).
pub fn totp_at(secret: &str, ahead: u64) -> Option<String> {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .ok()?
        .as_secs();
    totp(secret).map(|t| t.generate(now + ahead))
}

/// The `otpauth://` URI authenticator apps read.
pub fn otpauth_uri(email: &str, secret: &str) -> String {
    format!(
        "otpauth://totp/onus:{}?secret={secret}&issuer=onus&algorithm=SHA1&digits=6&period=30",
        percent(email)
    )
}

fn percent(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// The URI as a QR code, an SVG of dark modules (no style, no script).
pub fn qr_svg(uri: &str) -> String {
    use qrcodegen::{QrCode, QrCodeEcc};
    let Ok(qr) = QrCode::encode_text(uri, QrCodeEcc::Medium) else {
        return String::new();
    };
    let border = 4;
    let size = qr.size() + border * 2;
    let mut path = String::new();
    for y in 0..qr.size() {
        for x in 0..qr.size() {
            if qr.get_module(x, y) {
                path.push_str(&format!("M{},{}h1v1h-1z", x + border, y + border));
            }
        }
    }
    format!(
        "<svg class=\"qr\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {size} {size}\" width=\"200\" height=\"200\" role=\"img\" aria-label=\"QR code of the authenticator link\"><rect width=\"100%\" height=\"100%\" fill=\"#ffffff\"/><path d=\"{path}\" fill=\"#000000\"/></svg>"
    )
}

/// Ten recovery codes (80 random bits each), as shown: `xxxx-xxxx-xxxx-xxxx`.
pub fn new_recovery_codes() -> Vec<String> {
    (0..10)
        .map(|_| {
            let raw = base32(&onus_store::random_bytes(10)).to_lowercase();
            raw.as_bytes()
                .chunks(4)
                .map(|c| String::from_utf8_lossy(c).into_owned())
                .collect::<Vec<_>>()
                .join("-")
        })
        .collect()
}

/// A recovery code as typed, in its stored form (dashes and spaces dropped, lowercase).
pub fn normalize_recovery_code(code: &str) -> String {
    let raw: String = code
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_lowercase())
        .collect();
    raw.as_bytes()
        .chunks(4)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect::<Vec<_>>()
        .join("-")
}

/// The value of cookie `name` in the request's headers.
pub fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

/// A `Set-Cookie` value: HttpOnly, SameSite=Lax, Path=/, Secure behind TLS;
/// `max_age` 0 deletes it, `None` makes it last the browser session.
pub fn set_cookie(name: &str, value: &str, secure: bool, max_age: Option<i64>) -> HeaderValue {
    let mut c = format!("{name}={value}; Path=/; HttpOnly; SameSite=Lax");
    if secure {
        c.push_str("; Secure");
    }
    if let Some(age) = max_age {
        c.push_str(&format!("; Max-Age={age}"));
    }
    HeaderValue::from_str(&c)
        .unwrap_or_else(|_| HeaderValue::from_static("onus_invalid=; Max-Age=0"))
}

/// Who is asking: the session (if any), the CSRF token forms must carry,
/// and the client's address.
#[derive(Clone, Debug)]
pub struct Viewer {
    pub session: Option<Session>,
    pub csrf: String,
    pub address: String,
}

impl Viewer {
    /// The signed-in user (password and second factor given).
    pub fn user(&self) -> Option<&User> {
        self.session
            .as_ref()
            .filter(|s| !s.mfa_pending)
            .map(|s| &s.user)
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Viewer {
    type Rejection = StatusCode;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Viewer, StatusCode> {
        parts
            .extensions
            .get::<Viewer>()
            .cloned()
            .ok_or(StatusCode::INTERNAL_SERVER_ERROR)
    }
}

fn constant_time_eq(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

/// The `csrf` field of an URL-encoded form (tokens are hex: no decoding).
fn form_csrf(body: &[u8]) -> Option<&str> {
    std::str::from_utf8(body)
        .ok()?
        .split('&')
        .filter_map(|pair| pair.split_once('='))
        .find(|(k, _)| *k == "csrf")
        .map(|(_, v)| v)
}

fn form_expired() -> Response {
    crate::pages::message(
        StatusCode::FORBIDDEN,
        "Form expired",
        "This form has expired or did not come from this portal. Go back, reload the page and send it again.",
    )
}

/// The most of a streamed form read to find its CSRF token (bytes).
const CSRF_PREFIX_LIMIT: usize = 8 * 1024;

/// What the start of a `multipart/form-data` body says of its first field.
#[derive(Debug, PartialEq, Eq)]
enum FirstField<'a> {
    /// The first field is `csrf`, with this value.
    Csrf(&'a [u8]),
    /// Not enough of the body yet.
    More,
    /// The body does not start with a `csrf` field.
    Not,
}

/// Reads the first field of a multipart body (`head`, its first bytes).
fn first_field<'a>(head: &'a [u8], boundary: &str) -> FirstField<'a> {
    let open = format!("--{boundary}\r\n");
    if head.len() < open.len() {
        return if open.as_bytes().starts_with(head) {
            FirstField::More
        } else {
            FirstField::Not
        };
    }
    let Some(rest) = head.strip_prefix(open.as_bytes()) else {
        return FirstField::Not;
    };
    let Some(end) = rest.windows(4).position(|w| w == b"\r\n\r\n") else {
        return FirstField::More;
    };
    let Ok(part_headers) = std::str::from_utf8(&rest[..end]) else {
        return FirstField::Not;
    };
    let is_csrf = part_headers.split("\r\n").any(|line| {
        let line = line.to_ascii_lowercase();
        line.strip_prefix("content-disposition:").is_some_and(|v| {
            let params: Vec<&str> = v.split(';').map(str::trim).collect();
            params.first() == Some(&"form-data")
                && params.contains(&"name=\"csrf\"")
                && !params.iter().any(|p| p.starts_with("filename"))
        })
    });
    if !is_csrf {
        return FirstField::Not;
    }
    let value = &rest[end + 4..];
    let close = format!("\r\n--{boundary}");
    match value
        .windows(close.len())
        .position(|w| w == close.as_bytes())
    {
        Some(at) => FirstField::Csrf(&value[..at]),
        None => FirstField::More,
    }
}

/// The CSRF check of a streamed upload (`multipart/form-data`): its first
/// field must be `csrf` with this browser's token (the upload form puts it
/// first). Only that field is read (at most [`CSRF_PREFIX_LIMIT`] bytes);
/// the body goes on whole, as a stream, to the handler.
async fn streamed_form_csrf(
    headers: &HeaderMap,
    body: Body,
    csrf: &str,
    fresh: bool,
) -> Result<Body, Response> {
    use futures_util::StreamExt;
    let boundary = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|ct| multer::parse_boundary(ct).ok())
        .ok_or_else(form_expired)?;
    let mut stream = body.into_data_stream();
    let mut head: Vec<u8> = Vec::new();
    loop {
        match first_field(&head, &boundary) {
            FirstField::Csrf(token) => {
                let token = std::str::from_utf8(token).unwrap_or("");
                if fresh || !constant_time_eq(token, csrf) {
                    return Err(form_expired());
                }
                break;
            }
            FirstField::Not => return Err(form_expired()),
            FirstField::More if head.len() > CSRF_PREFIX_LIMIT => return Err(form_expired()),
            FirstField::More => match stream.next().await {
                Some(Ok(bytes)) => head.extend_from_slice(&bytes),
                _ => return Err(form_expired()),
            },
        }
    }
    let head = axum::body::Bytes::from(head);
    Ok(Body::from_stream(
        futures_util::stream::once(async move { Ok::<_, axum::Error>(head) }).chain(stream),
    ))
}

/// The request being served, for what is made far from its handler.
struct Current {
    /// `METHOD /path`, never the query.
    line: String,
    viewer: Viewer,
}

tokio::task_local! {
    static REQUEST: Current;
}

/// The request being served, as `METHOD /path` (never the query), for the
/// audit entries that say what was done (access under a grant); empty
/// outside a request.
pub fn current_request() -> String {
    REQUEST.try_with(|c| c.line.clone()).unwrap_or_default()
}

/// Who is asking, for pages made without the handler's [`Viewer`] (a
/// 404 or an error page still shows who is signed in); `None` outside a
/// request.
pub fn current_viewer() -> Option<Viewer> {
    REQUEST.try_with(|c| c.viewer.clone()).ok()
}

/// Loads the session, and refuses a POST whose form does not carry the
/// CSRF token of this browser (the session's, or before signing in the
/// `onus_pre` cookie's); an evidence upload, streamed, carries it as its
/// first field ([`streamed_form_csrf`]). The one place CSRF is checked.
pub async fn session_layer(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let (mut parts, body) = request.into_parts();
    let address = parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| {
            let forwarded = parts
                .headers
                .get_all("x-forwarded-for")
                .iter()
                .filter_map(|v| v.to_str().ok());
            crate::proxy::client_address(c.0.ip(), forwarded, &state.trusted_proxies).to_string()
        })
        .unwrap_or_default();
    let session = match cookie(&parts.headers, SESSION_COOKIE) {
        Some(token) => match state
            .store
            .session(token, IDLE_TIMEOUT, ABSOLUTE_TIMEOUT)
            .await
        {
            Ok(s) => s,
            Err(e) => return crate::pages::internal_error(&e),
        },
        None => None,
    };
    let pre = cookie(&parts.headers, PRE_COOKIE)
        .filter(|v| v.len() == 64 && v.bytes().all(|b| b.is_ascii_hexdigit()))
        .map(str::to_string);
    let new_pre = if session.is_none() && pre.is_none() {
        Some(onus_store::random_token())
    } else {
        None
    };
    let csrf = match (&session, &pre, &new_pre) {
        (Some(s), _, _) => s.csrf.clone(),
        (None, Some(p), _) => p.clone(),
        (None, None, Some(n)) => n.clone(),
        (None, None, None) => String::new(),
    };
    // The API authenticates by bearer token only, never by cookie: no CSRF there.
    let api = parts.uri.path().starts_with("/api/");
    let multipart = parts
        .headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| {
            ct.trim_start()
                .to_ascii_lowercase()
                .starts_with("multipart/form-data")
        });
    let body = if parts.method == Method::POST
        && !api
        && multipart
        && crate::evidence::is_upload(&parts.method, parts.uri.path())
    {
        // An upload is streamed to the handler, never buffered here (any
        // other body to an upload address is checked as a form, below).
        match streamed_form_csrf(&parts.headers, body, &csrf, new_pre.is_some()).await {
            Ok(body) => body,
            Err(refused) => return refused,
        }
    } else if parts.method == Method::POST && !api {
        let bytes = match axum::body::to_bytes(body, FORM_LIMIT).await {
            Ok(b) => b,
            Err(_) => {
                return crate::pages::message(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    "Too large",
                    "The form sent is larger than the portal accepts.",
                )
            }
        };
        let fresh = new_pre.is_some();
        if fresh || !form_csrf(&bytes).is_some_and(|t| constant_time_eq(t, &csrf)) {
            return form_expired();
        }
        Body::from(bytes)
    } else {
        body
    };
    let viewer = Viewer {
        session,
        csrf,
        address,
    };
    parts.extensions.insert(viewer.clone());
    let current = Current {
        line: format!("{} {}", parts.method, parts.uri.path()),
        viewer,
    };
    let mut response = REQUEST
        .scope(current, next.run(Request::from_parts(parts, body)))
        .await;
    if let Some(pre) = new_pre {
        response.headers_mut().append(
            header::SET_COOKIE,
            set_cookie(PRE_COOKIE, &pre, state.behind_tls, None),
        );
    }
    response
}

/// The response to a request that needs a signed-in user.
pub fn sign_in_first() -> Response {
    axum::response::Redirect::to("/login").into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_hash_with_argon2id_and_verify() {
        let h = hash_password("correct horse battery");
        assert!(h.starts_with("$argon2id$"), "{h}");
        assert!(verify_password(&h, "correct horse battery"));
        assert!(!verify_password(&h, "correct horse batterx"));
        assert!(!verify_password("not a hash", "x"));
    }

    #[test]
    fn the_policy_refuses_short_common_and_personal_passwords() {
        assert!(password_problem("short", "a@x.io")
            .unwrap()
            .contains("too short"));
        assert!(password_problem("password1234", "a@x.io")
            .unwrap()
            .contains("common"));
        assert!(password_problem("alice-is-my-password", "alice@x.io")
            .unwrap()
            .contains("email"));
        assert!(password_problem("aaaaaaaaaaaaaa", "a@x.io").is_some());
        assert!(password_problem("violet kettle on the moor", "alice@x.io").is_none());
    }

    #[test]
    fn totp_codes_follow_rfc_6238_and_the_secret() {
        let secret = new_totp_secret();
        assert_eq!(secret.len(), 32);
        let code = totp_now(&secret).unwrap();
        assert!(totp_step(&secret, &code).is_some());
        // RFC 6238, appendix B: the SHA-1 secret at T = 59 s (last 6 of 94287082).
        let rfc = totp(&base32(b"12345678901234567890")).unwrap();
        assert_eq!(rfc.generate(59), "287082");
        assert!(totp_step(&secret, "12345").is_none());
        assert!(otpauth_uri("a b@x.io", &secret)
            .starts_with("otpauth://totp/onus:a%20b%40x.io?secret="));
        assert!(qr_svg("otpauth://totp/x").starts_with("<svg"));
    }

    #[test]
    fn base32_matches_rfc_4648() {
        assert_eq!(base32(b"foobar"), "MZXW6YTBOI");
        assert_eq!(base32(b"f"), "MY");
    }

    #[test]
    fn recovery_codes_are_ten_distinct_and_typed_loosely() {
        let codes = new_recovery_codes();
        assert_eq!(codes.len(), 10);
        assert_eq!(codes[0].len(), 19);
        assert_ne!(codes[0], codes[1]);
        assert_eq!(
            normalize_recovery_code(&codes[3].to_uppercase().replace('-', " ")),
            codes[3]
        );
    }

    #[test]
    fn cookies_and_form_tokens_are_found() {
        let mut h = HeaderMap::new();
        h.insert(
            header::COOKIE,
            HeaderValue::from_static("a=1; onus_session=abc; b=2"),
        );
        assert_eq!(cookie(&h, SESSION_COOKIE), Some("abc"));
        assert_eq!(cookie(&h, "c"), None);
        assert_eq!(form_csrf(b"email=x&csrf=ab12&p=3"), Some("ab12"));
        assert_eq!(form_csrf(b"email=x"), None);
        let body = b"--XyZ\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\nab12\r\n--XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.txt\"\r\n\r\nhi\r\n--XyZ--\r\n";
        assert_eq!(first_field(body, "XyZ"), FirstField::Csrf(b"ab12"));
        assert_eq!(first_field(&body[..20], "XyZ"), FirstField::More);
        assert_eq!(first_field(&body[..60], "XyZ"), FirstField::More);
        assert_eq!(first_field(b"--Xy", "XyZ"), FirstField::More);
        // The file first, or a preamble: no token.
        let file_first = b"--XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"csrf\"\r\n\r\nab12\r\n--XyZ--";
        assert_eq!(first_field(file_first, "XyZ"), FirstField::Not);
        assert_eq!(first_field(b"junk--XyZ\r\n", "XyZ"), FirstField::Not);
        let c = set_cookie("n", "v", true, Some(0));
        assert_eq!(
            c.to_str().unwrap(),
            "n=v; Path=/; HttpOnly; SameSite=Lax; Secure; Max-Age=0"
        );
    }
}
