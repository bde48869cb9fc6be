//! The portal in a real browser, driven through WebDriver (Debian's
//! `chromium` and `chromium-driver`; `ONUS_CHROMEDRIVER` names another
//! driver): follow the setup link, create a tenant, accept its invite as
//! the tenant admin, enrol TOTP (codes computed from the shown secret),
//! sign out and in again with a code. Any browser console error fails the
//! test. It runs on SQLite and on PostgreSQL; screenshots go to
//! `target/screenshots/portal-*.png` (PostgreSQL: `portal-postgres-*.png`).
//!
//! WebDriver is JSON over HTTP: the portal tests' small HTTP client speaks
//! it, so no WebDriver crate is needed.

mod common;

use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use onus_server::testing::{spawn, totp_next, totp_now, Client, PASSWORD};
use onus_store::testing::{fresh_pg_url, fresh_sqlite_url};
use serde_json::{json, Value};

struct Driver {
    process: Child,
    http: Client,
    session: String,
    /// The screenshots' file name prefix.
    shots: &'static str,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let path = format!("/session/{}", self.session);
        self.http.api("DELETE", &path, None, None);
        let _ = self.process.kill();
        let _ = self.process.wait();
    }
}

/// Where the browser of `shots` saves downloads (emptied first).
fn downloads(shots: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("downloads-{shots}"));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

impl Driver {
    /// A browser whose screenshots are saved as `{shots}-NAME.png`.
    fn start(shots: &'static str) -> Driver {
        let binary = std::env::var("ONUS_CHROMEDRIVER").unwrap_or_else(|_| "chromedriver".into());
        let port = free_port();
        let process = Command::new(&binary)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("chromedriver is required (apt-get install chromium-driver; scripts/test does): {binary}: {e}"));
        let mut http = Client::new(format!("127.0.0.1:{port}").parse().unwrap());
        let started = Instant::now();
        while std::net::TcpStream::connect(http.addr).is_err() {
            assert!(
                started.elapsed() < Duration::from_secs(20),
                "chromedriver did not start"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
        let caps = json!({"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {"binary": std::env::var("ONUS_CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into()), "args": ["--headless", "--no-sandbox", "--disable-gpu", "--window-size=1200,900", "--force-device-scale-factor=1", "--lang=en-US"],
                "prefs": {"download.default_directory": downloads(shots).display().to_string(), "download.prompt_for_download": false}},
            "goog:loggingPrefs": {"browser": "ALL"}
        }}});
        let r = http.api("POST", "/session", None, Some(&caps.to_string()));
        let v: Value = serde_json::from_str(&r.body).unwrap_or_else(|_| panic!("{}", r.body));
        let session = v["value"]["sessionId"]
            .as_str()
            .unwrap_or_else(|| panic!("no WebDriver session: {}", r.body))
            .to_string();
        Driver {
            process,
            http,
            session,
            shots,
        }
    }

    fn call(&mut self, method: &str, path: &str, body: Option<Value>) -> Value {
        let path = format!("/session/{}{path}", self.session);
        let r = self
            .http
            .api(method, &path, None, body.map(|b| b.to_string()).as_deref());
        let v: Value =
            serde_json::from_str(&r.body).unwrap_or_else(|_| panic!("{path}: {}", r.body));
        assert_eq!(r.status, 200, "{method} {path}: {v}");
        v["value"].clone()
    }

    fn go(&mut self, url: &str) {
        self.call("POST", "/url", Some(json!({"url": url})));
        self.no_console_errors(url);
    }

    /// Goes to a page that answers 404 (the browser logs that, and only that).
    fn go_to_missing(&mut self, url: &str) {
        self.call("POST", "/url", Some(json!({"url": url})));
        let logs = self.call("POST", "/se/log", Some(json!({"type": "browser"})));
        for e in logs.as_array().unwrap() {
            assert!(
                e["level"] != "SEVERE" || e["message"].as_str().is_some_and(|m| m.contains("404")),
                "console error at {url}: {e}"
            );
        }
    }

    fn find(&mut self, css: &str) -> String {
        let v = self.call(
            "POST",
            "/element",
            Some(json!({"using": "css selector", "value": css})),
        );
        v.as_object()
            .and_then(|o| o.values().next())
            .and_then(Value::as_str)
            .unwrap()
            .to_string()
    }

    /// Replaces the text of the field at `css`.
    fn fill(&mut self, css: &str, text: &str) {
        let id = self.find(css);
        self.call("POST", &format!("/element/{id}/clear"), Some(json!({})));
        self.call(
            "POST",
            &format!("/element/{id}/value"),
            Some(json!({"text": text})),
        );
    }

    /// Clicks a form's button and waits for the next page (the old page's
    /// root element goes stale).
    /// Selects `value` in the `<select>` at `css` (no page load).
    fn choose(&mut self, css: &str, value: &str) {
        let id = self.find(&format!("{css} option[value='{value}']"));
        self.call("POST", &format!("/element/{id}/click"), Some(json!({})));
    }

    /// Clicks what starts a download (no page load).
    fn download(&mut self, css: &str) {
        let id = self.find(css);
        self.call("POST", &format!("/element/{id}/click"), Some(json!({})));
    }

    fn click(&mut self, css: &str) {
        let page = self.find("html");
        let id = self.find(css);
        self.call("POST", &format!("/element/{id}/click"), Some(json!({})));
        let started = Instant::now();
        loop {
            let path = format!("/session/{}/element/{page}/name", self.session);
            if self.http.api("GET", &path, None, None).status != 200 {
                break;
            }
            assert!(
                started.elapsed() < Duration::from_secs(10),
                "clicking {css} led nowhere"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        let url = self.url();
        self.no_console_errors(&url);
    }

    fn text(&mut self, css: &str) -> String {
        let id = self.find(css);
        self.call("GET", &format!("/element/{id}/text"), None)
            .as_str()
            .unwrap()
            .to_string()
    }

    fn value(&mut self, css: &str) -> String {
        let id = self.find(css);
        self.call("GET", &format!("/element/{id}/property/value"), None)
            .as_str()
            .unwrap()
            .to_string()
    }

    fn url(&mut self) -> String {
        self.call("GET", "/url", None).as_str().unwrap().to_string()
    }

    /// Waits (up to 10 s) for the page at a URL ending with `suffix`.
    fn wait_for(&mut self, suffix: &str) {
        let started = Instant::now();
        while !self.url().ends_with(suffix) {
            assert!(
                started.elapsed() < Duration::from_secs(10),
                "still at {}, not at *{suffix}",
                self.url()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn source(&mut self) -> String {
        self.call("GET", "/source", None)
            .as_str()
            .unwrap()
            .to_string()
    }

    fn no_console_errors(&mut self, at: &str) {
        let logs = self.call("POST", "/se/log", Some(json!({"type": "browser"})));
        let errors: Vec<&Value> = logs
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["level"] == "SEVERE")
            .collect();
        assert!(errors.is_empty(), "console errors at {at}: {errors:?}");
    }

    fn screenshot(&mut self, name: &str) {
        let png = self.call("GET", "/screenshot", None);
        let bytes = base64_decode(png.as_str().unwrap());
        let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR"))
            .parent()
            .unwrap()
            .join("screenshots");
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join(format!("{}-{name}.png", self.shots)), bytes).unwrap();
    }
}

fn base64_decode(s: &str) -> Vec<u8> {
    let value = |c: u8| -> u32 {
        match c {
            b'A'..=b'Z' => u32::from(c - b'A'),
            b'a'..=b'z' => u32::from(c - b'a') + 26,
            b'0'..=b'9' => u32::from(c - b'0') + 52,
            b'+' => 62,
            _ => 63,
        }
    };
    let mut out = Vec::new();
    let (mut buffer, mut bits) = (0u32, 0);
    for c in s.bytes().filter(|c| *c != b'=' && !c.is_ascii_whitespace()) {
        buffer = (buffer << 6) | value(c);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((buffer >> bits) as u8);
        }
    }
    out
}

#[test]
fn setup_tenant_invite_totp_and_sign_in_again_in_chromium_on_sqlite() {
    journey(&fresh_sqlite_url(), "portal");
}

#[test]
fn setup_tenant_invite_totp_and_sign_in_again_in_chromium_on_postgres() {
    let db = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(fresh_pg_url());
    journey(&db, "portal-postgres");
}

/// The first journey through the portal, on the database at `db`.
fn journey(db: &str, shots: &'static str) {
    let db = db.to_string();
    let addr = spawn(&db, None);
    let token = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(async {
            let store = onus_store::Store::open(&db).await.unwrap();
            let token = onus_store::random_token();
            store.create_setup_token(&token, 600).await.unwrap();
            token
        });
    let base = format!("http://{addr}");
    let mut b = Driver::start(shots);

    b.go(&format!("{base}/models/coherent"));
    b.screenshot("trust-page");

    // The setup link: the first platform admin.
    b.go(&format!("{base}/setup?token={token}"));
    b.fill("#email", "admin@portal.io");
    b.fill("#name", "Ada Admin");
    b.fill("#password", PASSWORD);
    b.fill("#confirm", PASSWORD);
    b.screenshot("setup");
    b.click("form.form button[type=submit]");
    b.wait_for("/admin");

    // A tenant and its invite.
    b.fill("#name", "Acme Corp");
    b.fill("#admin_email", "boss@acme.io");
    b.choose("#subscription", "outsystems/odc");
    b.screenshot("admin");
    b.click("form[action='/admin/tenants'] button");
    let invite = b.value("#link");
    assert!(invite.contains("/invite?token="), "{invite}");
    b.screenshot("tenant-created");
    b.click("form[action='/logout'] button");

    // The tenant admin accepts it.
    b.go(&invite);
    b.fill("#name", "Bo Boss");
    b.fill("#password", PASSWORD);
    b.fill("#confirm", PASSWORD);
    b.screenshot("invite");
    b.click("form.form button[type=submit]");
    assert!(b.url().contains("/t/"), "{}", b.url());
    let tenant = b.url().rsplit("/t/").next().unwrap().to_string();
    assert_eq!(b.text("h1"), "Acme Corp");
    b.screenshot("tenant");

    // TOTP enrolment, with the secret shown in text.
    b.go(&format!("{base}/account/mfa"));
    let secret = b.text("#totp-secret");
    b.screenshot("enrol");
    b.fill("#code", &totp_now(&secret));
    b.click("form.form button[type=submit]");
    assert_eq!(b.text("h1"), "Your recovery codes");
    let codes: Vec<String> = b
        .source()
        .split("<li><code>")
        .skip(1)
        .map(|s| s.split('<').next().unwrap().to_string())
        .collect();
    assert_eq!(codes.len(), 10, "{codes:?}");
    b.screenshot("recovery-codes");

    // Out, and in again with a code.
    b.click("form[action='/logout'] button");
    b.go(&format!("{base}/login"));
    b.fill("#email", "boss@acme.io");
    b.fill("#password", PASSWORD);
    b.click("form.form button[type=submit]");
    b.wait_for("/login/mfa");
    // The enrolment's code is spent (a code is good once): the next one.
    b.fill("#code", &totp_next(&secret));
    b.screenshot("mfa");
    b.click("form.form button[type=submit]");
    b.wait_for(&format!("{addr}/"));
    b.go(&format!("{base}/account"));
    assert_eq!(b.text("h1"), "Your account");
    assert!(b.source().contains("Acme Corp"));
    b.screenshot("account");

    // An API token: shown once, then listed with its last use.
    b.fill("#token-name", "Nightly export");
    b.click("form[action='/account/tokens'] button");
    assert!(b.value("#link").starts_with("onus_"), "{}", b.source());
    b.screenshot("token-created");
    b.go(&format!("{base}/account"));
    assert!(b.source().contains("Nightly export"));
    assert!(b.source().contains("never"), "not used yet");
    b.screenshot("tokens");

    checklist(&mut b, &base, &db, &tenant, shots);
    just_in_time_access(&mut b, &base, &db, &tenant, shots, &codes);
}

/// Signs in at the login form; with a second factor, with `code`.
fn sign_in(b: &mut Driver, base: &str, email: &str, password: &str, code: Option<&str>) {
    b.go(&format!("{base}/login"));
    b.fill("#email", email);
    b.fill("#password", password);
    b.click("form.form button[type=submit]");
    if let Some(code) = code {
        b.wait_for("/login/mfa");
        b.fill("#code", code);
        b.click("form.form button[type=submit]");
    }
    assert!(b.source().contains("Sign out"), "{email} is not signed in");
}

fn block_on<T>(f: impl std::future::Future<Output = T>) -> T {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(f)
}

/// A platform operator asks for access, the tenant's admin approves it,
/// the operator reads the checklist until the grant expires by itself;
/// the admin finds every step in the audit log, exports it, and the
/// export and the database verify with `onus audit verify`.
fn just_in_time_access(
    b: &mut Driver,
    base: &str,
    db: &str,
    tenant: &str,
    shots: &str,
    codes: &[String],
) {
    let password = block_on(async {
        let store = onus_store::Store::open(db).await.unwrap();
        onus_server::admin_create_user(
            &store,
            "ops@portal.io",
            "Olu Ops",
            "platform-operator",
            None,
        )
        .await
        .unwrap()
        .1
    });
    b.click("form[action='/logout'] button");

    // The operator has no standing access, and asks for one minute of reading.
    sign_in(b, base, "ops@portal.io", &password, None);
    b.go_to_missing(&format!("{base}/t/{tenant}/checklist"));
    assert_eq!(b.text("h1"), "Not found");
    b.go(&format!("{base}/admin/tenants/{tenant}/access"));
    b.fill(
        "#reason",
        "Ticket 4711: the customer reports a wrong progress count",
    );
    b.choose("#scope", "read");
    b.fill("#minutes", "1");
    b.click("form.form button[type=submit]");
    assert!(b.source().contains("pending"), "{}", b.source());
    b.screenshot("grant-asked");
    b.click("form[action='/logout'] button");

    // The tenant's admin approves it with a comment.
    sign_in(b, base, "boss@acme.io", PASSWORD, Some(&codes[0]));
    b.go(&format!("{base}/t/{tenant}"));
    assert!(b.source().contains("1 waiting"), "{}", b.source());
    b.go(&format!("{base}/t/{tenant}/access"));
    let page = b.source();
    assert!(
        page.contains("Ticket 4711") && page.contains("Olu Ops"),
        "{page}"
    );
    let grant = page
        .split("/access/")
        .nth(1)
        .and_then(|s| s.split("/decide").next())
        .unwrap()
        .to_string();
    b.fill("input[name=comment]", "ok for this ticket");
    b.screenshot("grant-request");
    b.click("button[value=approve]");
    assert!(b.source().contains("active"), "{}", b.source());
    b.screenshot("grant-approved");
    b.click("form[action='/logout'] button");

    // The operator reads the checklist and an item, and cannot write.
    sign_in(b, base, "ops@portal.io", &password, None);
    b.go(&format!("{base}/t/{tenant}/checklist"));
    assert_eq!(b.text("h1"), "Checklist");
    b.screenshot("grant-reading");
    b.click("table.checklist a");
    assert!(
        !b.source().contains("name=\"revision\""),
        "a read grant shows no form"
    );

    // The grant ends by itself at its expiry.
    let expires = block_on(async {
        let store = onus_store::Store::open(db).await.unwrap();
        let grants = store.tenant_data(tenant).grants().await.unwrap();
        grants
            .iter()
            .find(|g| g.id == grant)
            .unwrap()
            .expires_at
            .unwrap()
    });
    let wait = expires + 1 - onus_store::now();
    assert!(
        (0..=62).contains(&wait),
        "a one-minute grant: {wait} s left"
    );
    std::thread::sleep(Duration::from_secs(wait.unsigned_abs()));
    b.go_to_missing(&format!("{base}/t/{tenant}/checklist"));
    assert_eq!(b.text("h1"), "Not found");
    b.screenshot("grant-expired");
    b.go(&format!("{base}/account"));
    b.click("form[action='/logout'] button");

    // The tenant's admin sees the grant expired, what was done under it,
    // and every step in the audit log, and exports it.
    sign_in(b, base, "boss@acme.io", PASSWORD, Some(&codes[1]));
    b.go(&format!("{base}/t/{tenant}/access"));
    let page = b.source();
    assert!(
        page.contains("expired") && page.contains(&format!("GET /t/{tenant}/checklist")),
        "{page}"
    );
    b.screenshot("grants");
    b.go(&format!("{base}/t/{tenant}/audit"));
    let page = b.source();
    for action in ["access-requested", "grant-approved", "grant-used"] {
        assert!(page.contains(action), "{action} in {page}");
    }
    b.choose("#f-action", "grant-used");
    b.click("form.filters button");
    let rows = b.text("tbody");
    assert!(rows.contains("Olu Ops (platform staff)"), "{rows}");
    assert!(!rows.contains("grant-approved"), "filtered: {rows}");
    b.screenshot("audit");
    let head = b.text("#head");
    b.download("a[href$='/audit.jsonl']");
    let file = downloads_of(shots).join("acme-corp-audit.jsonl");
    let started = Instant::now();
    while !file.exists() {
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "no download at {}",
            file.display()
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    std::thread::sleep(Duration::from_millis(300));
    let export = std::fs::read_to_string(&file).unwrap();
    assert!(export.contains(&head), "the export ends at the head shown");

    // The real CLI verifies the database and the exported file.
    for args in [vec!["--db", db], vec!["--file", file.to_str().unwrap()]] {
        let out = Command::new(env!("CARGO_BIN_EXE_onus"))
            .args(["audit", "verify"])
            .args(&args)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "onus audit verify {args:?}: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

/// The tenant's checklist in the browser: filter, record an item as
/// implemented with a note, see progress move, download the workbook;
/// then a new model version, and what changed.
fn checklist(b: &mut Driver, base: &str, db: &str, tenant: &str, shots: &str) {
    b.go(&format!("{base}/t/{tenant}/checklist"));
    assert_eq!(b.text("h1"), "Checklist");
    assert!(b.source().contains("0 of 8 done"), "{}", b.source());
    b.choose("#f-area", "secure-development");
    b.click("form.filters button");
    assert!(b.source().contains("2 of 8 duties shown"), "{}", b.source());
    b.screenshot("checklist-filtered");
    b.click("table.checklist a");
    assert_eq!(b.text("h1"), "Applying secure development techniques");
    b.choose("#status", "implemented");
    b.fill(
        "#notes",
        "SAST runs on every merge request; see the pipeline.",
    );
    // A date field takes the digits in the browser's locale's order (en-US, set at start).
    b.fill("#due", "06302030");
    assert_eq!(b.value("#due"), "2030-06-30");
    b.screenshot("item-edit");
    b.click("form.form button[type=submit]");
    assert!(b.source().contains("status implemented"), "{}", b.source());
    assert!(b
        .text("#history-h + p, #history-h + .table-wrap")
        .contains("implemented"));
    b.screenshot("item");
    // Evidence: a file attached, its SHA-256 shown, listed on the item.
    let report = "SAST report: 0 high, 2 medium findings, all triaged.\n";
    let path = downloads_of(shots).join("sast-report.txt");
    std::fs::write(&path, report).unwrap();
    b.click("a[href$='/evidence']");
    b.fill("#file", &path.display().to_string());
    b.screenshot("evidence-upload");
    b.click("form[enctype='multipart/form-data'] button");
    let page = b.source();
    assert!(
        page.contains("sast-report.txt") && page.contains(&onus_store::hash(report)),
        "{page}"
    );
    b.screenshot("evidence");
    b.click("#item-link");
    assert!(
        b.source().contains(&onus_store::hash(report)),
        "the item lists its evidence"
    );
    b.screenshot("item-with-evidence");
    b.go(&format!("{base}/t/{tenant}/checklist"));
    assert!(b.source().contains("1 of 8 done"));
    b.screenshot("checklist");
    b.download("a[href$='checklist.xlsx']");
    let file = downloads_of(shots).join("acme-corp-checklist.xlsx");
    let started = Instant::now();
    while !file.exists() {
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "no download at {}",
            file.display()
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    std::thread::sleep(Duration::from_millis(300));
    let bytes = std::fs::read(&file).unwrap();
    assert!(bytes.starts_with(b"PK"), "a workbook");

    // The provider publishes a new version: a duty reworded, one removed.
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(async {
            let store = onus_store::Store::open(db).await.unwrap();
            let mut files = onus_server::bundled::files();
            let path = PathBuf::from("/bundled/outsystems.onus.yaml");
            let text = files[&path]
                .replacen(
                    "        - Applying secure development techniques\n",
                    "        - Applying secure development techniques to every release\n",
                    1,
                )
                .replacen(
                    "        - Conducting code security reviews on developed applications\n",
                    "",
                    1,
                );
            files.insert(path.clone(), text);
            let out = onus_server::publish::publish_with(&store, &path, &files, "edited")
                .await
                .unwrap();
            assert!(
                matches!(out, onus_server::publish::Outcome::New { .. }),
                "{out}"
            );
        });
    b.go(&format!("{base}/t/{tenant}/checklist"));
    assert!(b.source().contains("1 to review"));
    assert!(b
        .text("#archived-h + p + .table-wrap")
        .contains("Conducting code security reviews"));
    b.screenshot("checklist-new-version");
    b.go(&format!("{base}/t/{tenant}/changes"));
    let page = b.source();
    assert!(
        page.contains("Reworded (your records kept)")
            && page.contains("Applying secure development techniques to every release"),
        "{page}"
    );
    assert!(page.contains("No longer yours (archived, records kept)"));
    b.screenshot("changes");
    b.click("form[action$='/review'] button");
    assert!(b.source().contains("by Bo Boss"));
}

fn downloads_of(shots: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("downloads-{shots}"))
}
