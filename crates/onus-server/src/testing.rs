//! For tests of the portal (here and in onus-cli): a server in a
//! background thread, and a small blocking HTTP/1.1 client that keeps
//! cookies and reads CSRF tokens from forms, as a browser without
//! JavaScript does.

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::PathBuf;

use crate::Config;

/// Starts a portal on `db` (port chosen by the system) in a background
/// thread; returns its address once it listens.
pub fn spawn(db: &str, models: Option<PathBuf>) -> SocketAddr {
    let config = Config {
        listen: "127.0.0.1:0".parse().expect("a socket address"),
        db: db.to_string(),
        models,
        behind_tls: false,
        public_url: None,
        trusted_proxies: Vec::new(),
        max_upload: crate::evidence::DEFAULT_MAX_UPLOAD,
        // Tests' receivers listen on 127.0.0.1.
        webhook_allow_private: true,
    };
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("a tokio runtime");
        let done = rt.block_on(crate::serve(config, |addr| {
            let _ = tx.send(addr);
        }));
        if let Err(e) = done {
            eprintln!("test portal failed: {e}");
        }
    });
    rx.recv().expect("the portal starts")
}

/// An answer.
#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Reply {
    /// The first header of that name (any case).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The CSRF token of the page's first form.
    pub fn csrf(&self) -> String {
        self.input("csrf")
            .unwrap_or_else(|| panic!("no csrf field in the page:\n{}", self.body))
    }

    /// The value of the first `<input name="NAME" value="...">`.
    pub fn input(&self, name: &str) -> Option<String> {
        let key = format!("name=\"{name}\" value=\"");
        let start = self.body.find(&key)? + key.len();
        let end = self.body[start..].find('"')?;
        Some(self.body[start..start + end].to_string())
    }

    /// Where a redirect leads.
    pub fn location(&self) -> Option<&str> {
        self.header("location")
    }
}

/// A browser without JavaScript: keeps cookies, follows nothing by itself.
#[derive(Clone, Debug)]
pub struct Client {
    pub addr: SocketAddr,
    pub cookies: BTreeMap<String, String>,
}

impl Client {
    pub fn new(addr: SocketAddr) -> Client {
        Client {
            addr,
            cookies: BTreeMap::new(),
        }
    }

    /// The same cookies, against another server.
    pub fn on(&self, addr: SocketAddr) -> Client {
        Client {
            addr,
            cookies: self.cookies.clone(),
        }
    }

    pub fn get(&mut self, path: &str) -> Reply {
        self.request("GET", path, None)
    }

    /// POSTs a form (URL-encoded fields).
    pub fn post(&mut self, path: &str, fields: &[(&str, &str)]) -> Reply {
        let body = fields
            .iter()
            .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
            .collect::<Vec<_>>()
            .join("&");
        self.request("POST", path, Some(body))
    }

    pub fn request(&mut self, method: &str, path: &str, body: Option<String>) -> Reply {
        self.send(method, path, "", body)
    }

    /// An API call: `Authorization: Bearer TOKEN` (when given) and a JSON body.
    pub fn api(
        &mut self,
        method: &str,
        path: &str,
        token: Option<&str>,
        json: Option<&str>,
    ) -> Reply {
        self.api_with(method, path, token, json, &[])
    }

    /// [`Client::api`] with more request headers (`If-Match`...).
    pub fn api_with(
        &mut self,
        method: &str,
        path: &str,
        token: Option<&str>,
        json: Option<&str>,
        headers: &[(&str, &str)],
    ) -> Reply {
        let mut extra = String::new();
        for (k, v) in headers {
            extra.push_str(&format!("{k}: {v}\r\n"));
        }
        if let Some(t) = token {
            extra.push_str(&format!("Authorization: Bearer {t}\r\n"));
        }
        if let Some(j) = json {
            extra.push_str(&format!(
                "Content-Type: application/json\r\nContent-Length: {}\r\n",
                j.len()
            ));
        }
        let mut jarless = Client::new(self.addr);
        jarless.send(method, path, &extra, json.map(str::to_string))
    }

    /// Uploads a text file as `multipart/form-data` (field `file`) to an
    /// API address, with a bearer token.
    pub fn upload(&mut self, path: &str, token: &str, name: &str, text: &str) -> Reply {
        let boundary = "onus-test-boundary-7d1f";
        let body = format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\nContent-Type: text/plain\r\n\r\n{text}\r\n--{boundary}--\r\n"
        );
        let extra = format!(
            "Authorization: Bearer {token}\r\nContent-Type: multipart/form-data; boundary={boundary}\r\nContent-Length: {}\r\n",
            body.len()
        );
        Client::new(self.addr).send("POST", path, &extra, Some(body))
    }

    fn send(&mut self, method: &str, path: &str, extra: &str, body: Option<String>) -> Reply {
        let mut stream = TcpStream::connect(self.addr).expect("connect to the portal");
        // A server that never answers fails the test instead of hanging it.
        let _ = stream.set_read_timeout(Some(std::time::Duration::from_secs(60)));
        let mut head = format!(
            "{method} {path} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n{extra}",
            self.addr
        );
        if !self.cookies.is_empty() {
            let jar: Vec<String> = self
                .cookies
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect();
            head.push_str(&format!("Cookie: {}\r\n", jar.join("; ")));
        }
        let body = body.unwrap_or_default();
        if method == "POST" && extra.is_empty() {
            head.push_str("Content-Type: application/x-www-form-urlencoded\r\n");
            head.push_str(&format!("Content-Length: {}\r\n", body.len()));
        }
        head.push_str("\r\n");
        stream.write_all(head.as_bytes()).expect("send");
        stream.write_all(body.as_bytes()).expect("send");
        // Until the connection closes, or the Content-Length is read (some
        // servers, chromedriver among them, keep the connection open).
        let mut raw = Vec::new();
        let mut chunk = [0u8; 16 * 1024];
        loop {
            let n = stream.read(&mut chunk).expect("read the answer");
            if n == 0 {
                break;
            }
            raw.extend_from_slice(&chunk[..n]);
            if let Some(split) = raw.windows(4).position(|w| w == b"\r\n\r\n") {
                let head = String::from_utf8_lossy(&raw[..split]).to_ascii_lowercase();
                let length = head
                    .lines()
                    .find_map(|l| l.strip_prefix("content-length:"))
                    .and_then(|v| v.trim().parse::<usize>().ok());
                if length.is_some_and(|len| raw.len() >= split + 4 + len) {
                    break;
                }
            }
        }
        let split = raw
            .windows(4)
            .position(|w| w == b"\r\n\r\n")
            .expect("an HTTP answer");
        let head = String::from_utf8_lossy(&raw[..split]).into_owned();
        let mut payload = raw[split + 4..].to_vec();
        let mut lines = head.lines();
        let status: u16 = lines
            .next()
            .and_then(|l| l.split(' ').nth(1))
            .and_then(|s| s.parse().ok())
            .expect("a status line");
        let headers: Vec<(String, String)> = lines
            .filter_map(|l| l.split_once(':'))
            .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
            .collect();
        if headers
            .iter()
            .any(|(k, v)| k.eq_ignore_ascii_case("transfer-encoding") && v.contains("chunked"))
        {
            payload = dechunk(&payload);
        }
        for (k, v) in &headers {
            if k.eq_ignore_ascii_case("set-cookie") {
                let pair = v.split(';').next().unwrap_or("");
                if let Some((name, value)) = pair.split_once('=') {
                    if value.is_empty() || v.contains("Max-Age=0") {
                        self.cookies.remove(name);
                    } else {
                        self.cookies.insert(name.to_string(), value.to_string());
                    }
                }
            }
        }
        Reply {
            status,
            headers,
            body: String::from_utf8_lossy(&payload).into_owned(),
        }
    }
}

fn dechunk(mut data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    loop {
        let Some(end) = data.windows(2).position(|w| w == b"\r\n") else {
            return out;
        };
        let size =
            usize::from_str_radix(String::from_utf8_lossy(&data[..end]).trim(), 16).unwrap_or(0);
        if size == 0 {
            return out;
        }
        let start = end + 2;
        out.extend_from_slice(&data[start..(start + size).min(data.len())]);
        data = &data[(start + size + 2).min(data.len())..];
    }
}

fn encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                (b as char).to_string()
            }
            b' ' => "+".to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// The current TOTP code of a base32 secret (what an authenticator app shows).
pub fn totp_now(secret: &str) -> String {
    crate::auth::totp_now(secret).expect("a valid TOTP secret")
}

/// The code of the next 30-second step, which the portal still accepts
/// (one step of clock skew): a second sign-in within the step the first
/// one used, as a person would after waiting for their app's next code.
pub fn totp_next(secret: &str) -> String {
    crate::auth::totp_at(secret, 30).expect("a valid TOTP secret")
}

/// The password test accounts use (it passes the policy).
pub const PASSWORD: &str = "violet kettle on the moor";

/// Follows the setup link as `admin@portal.io` ("Ada Admin"); the client is
/// signed in afterwards.
pub fn setup_admin(c: &mut Client, token: &str) {
    let form = c.get(&format!("/setup?token={token}"));
    assert_eq!(form.status, 200, "{}", form.body);
    let done = c.post(
        "/setup",
        &[
            ("csrf", &form.csrf()),
            ("token", token),
            ("email", "admin@portal.io"),
            ("name", "Ada Admin"),
            ("password", PASSWORD),
            ("confirm", PASSWORD),
        ],
    );
    assert_eq!(done.location(), Some("/admin"), "{}", done.body);
    assert!(c.cookies.contains_key("onus_session"));
}
