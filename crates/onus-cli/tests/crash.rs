//! Crashes lose nothing (issue 14, point 6): the real `onus serve`, on a
//! SQLite file (WAL) and on PostgreSQL, killed with SIGKILL in the middle
//! of a burst of checklist writes from several API clients and of a large
//! evidence upload, then started again on the same database.
//!
//! After the restart: every write a client saw acknowledged is there (the
//! item at that revision with those values, or one write further, the one
//! that was in flight); nothing half-written is visible (each item's
//! revision, history and audit entries tell the same story, write for
//! write; the cut-off upload is listed nowhere, its chunks are only what
//! the sweep of abandoned uploads removes); and every audit chain verifies
//! with `onus audit verify --db`. The kill comes after a count of
//! acknowledged writes (a shared counter), never after a delay.

mod common;

use std::collections::HashMap;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;

use common::server::Server;
use common::{onus, stdout};
use onus_server::testing::{setup_admin, Client, PASSWORD};
use onus_store::testing::{fresh_pg_url, fresh_sqlite_url};
use onus_store::Store;
use serde_json::Value;
use sha2::{Digest, Sha256};

/// Client threads writing at once.
const WRITERS: usize = 4;
/// The items each writer owns (writers never share an item, so each
/// item's writes are in one known order).
const ITEMS_EACH: usize = 2;
/// Acknowledged writes (all writers together) before the kill.
const KILL_AFTER: usize = 100;
/// A writer's last write, should the kill never come.
const MAX_WRITES: usize = 5_000;
/// The large upload: declared size, and how much of it is sent before the
/// client stops sending (and waits for the kill).
const BIG: usize = 8 * 1024 * 1024;
const BIG_SENT: usize = 2 * 1024 * 1024;

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

fn between(text: &str, before: &str, after: &str) -> String {
    let start = text
        .find(before)
        .unwrap_or_else(|| panic!("`{before}` not in:\n{text}"))
        + before.len();
    let end = text[start..].find(after).unwrap();
    text[start..start + end].to_string()
}

fn json(body: &str) -> Value {
    serde_json::from_str(body).unwrap_or_else(|e| panic!("not JSON ({e}): {body}"))
}

/// An answer read whole, or `None`: no connection, or cut off (the server
/// died before it finished answering).
struct Answer {
    status: u16,
    etag: Option<String>,
    body: String,
}

/// `PATCH` with `If-Match`, on a connection of its own; never panics.
fn patch(addr: SocketAddr, path: &str, token: &str, revision: i64, body: &str) -> Option<Answer> {
    let mut stream = TcpStream::connect(addr).ok()?;
    stream
        .set_read_timeout(Some(std::time::Duration::from_secs(60)))
        .ok()?;
    let head = format!(
        "PATCH {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nAuthorization: Bearer {token}\r\nIf-Match: \"{revision}\"\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(head.as_bytes()).ok()?;
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).ok()?;
    let split = raw.windows(4).position(|w| w == b"\r\n\r\n")?;
    let head = String::from_utf8_lossy(&raw[..split]).into_owned();
    let payload = &raw[split + 4..];
    let mut lines = head.lines();
    let status = lines.next()?.split(' ').nth(1)?.parse().ok()?;
    let mut etag = None;
    let mut length = None;
    for (k, v) in lines.filter_map(|l| l.split_once(':')) {
        match k.trim().to_ascii_lowercase().as_str() {
            "etag" => etag = Some(v.trim().to_string()),
            "content-length" => length = v.trim().parse::<usize>().ok(),
            _ => {}
        }
    }
    // A whole answer says how long it is and is that long.
    if length != Some(payload.len()) {
        return None;
    }
    Some(Answer {
        status,
        etag,
        body: String::from_utf8_lossy(payload).into_owned(),
    })
}

/// One write of an item: the revision it was sent at, the values.
#[derive(Clone, Debug)]
struct Sent {
    item: String,
    at_revision: i64,
    status: &'static str,
    notes: String,
}

/// What one writer saw.
#[derive(Debug, Default)]
struct Seen {
    /// Writes answered 200, in order.
    acknowledged: Vec<Sent>,
    /// The write whose answer never came (sent, or about to be, at the kill).
    in_doubt: Option<Sent>,
    /// Whole answers other than 200 (none expected).
    refused: Vec<String>,
}

/// The status a write at `revision` sets: every write changes it (and
/// the notes), so each write is one `status` and one `notes` history entry.
fn status_at(revision: i64) -> &'static str {
    if revision % 2 == 1 {
        "in-progress"
    } else {
        "implemented"
    }
}

/// Writes the items in turn, each at the revision its last answer gave,
/// until the server stops answering.
fn writer(
    n: usize,
    addr: SocketAddr,
    tenant: String,
    token: String,
    items: Vec<String>,
    acked: Arc<AtomicUsize>,
) -> Seen {
    let mut seen = Seen::default();
    let mut revisions: HashMap<String, i64> = items.iter().map(|i| (i.clone(), 1)).collect();
    for w in 0..MAX_WRITES {
        let item = &items[w % items.len()];
        let at_revision = revisions[item];
        let sent = Sent {
            item: item.clone(),
            at_revision,
            status: status_at(at_revision),
            notes: format!("writer {n} write {w}"),
        };
        seen.in_doubt = Some(sent.clone());
        let body = serde_json::json!({"status": sent.status, "notes": sent.notes}).to_string();
        let path = format!("/api/v1/tenants/{tenant}/items/{item}");
        let Some(answer) = patch(addr, &path, &token, at_revision, &body) else {
            return seen;
        };
        if answer.status != 200 {
            seen.refused.push(format!(
                "{} at revision {at_revision}: {}",
                answer.status, answer.body
            ));
            return seen;
        }
        let stored = json(&answer.body);
        let next = at_revision + 1;
        assert_eq!(answer.etag, Some(format!("\"{next}\"")), "{}", answer.body);
        assert_eq!(stored["revision"], next, "{stored}");
        assert_eq!(stored["status"], sent.status, "{stored}");
        assert_eq!(stored["notes"], sent.notes.as_str(), "{stored}");
        seen.in_doubt = None;
        seen.acknowledged.push(sent);
        revisions.insert(item.clone(), next);
        acked.fetch_add(1, Ordering::SeqCst);
    }
    seen
}

/// Starts sending a large file to `item` and stops half-way, waiting for
/// an answer that never comes (the server is killed first); returns what
/// the server said, if anything.
fn big_upload(addr: SocketAddr, tenant: &str, item: &str, token: &str) -> JoinHandle<Vec<u8>> {
    let path = format!("/api/v1/tenants/{tenant}/items/{item}/evidence");
    let token = token.to_string();
    std::thread::spawn(move || {
        let boundary = "onus-crash-boundary-41c9";
        let preamble = format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"big.txt\"\r\nContent-Type: text/plain\r\n\r\n"
        );
        let epilogue = format!("\r\n--{boundary}--\r\n");
        let length = preamble.len() + BIG + epilogue.len();
        let mut stream = TcpStream::connect(addr).unwrap();
        let head = format!(
            "POST {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nAuthorization: Bearer {token}\r\nContent-Type: multipart/form-data; boundary={boundary}\r\nContent-Length: {length}\r\n\r\n{preamble}"
        );
        stream.write_all(head.as_bytes()).unwrap();
        let line = b"evidence that never finishes arriving\n";
        let bytes: Vec<u8> = line.iter().copied().cycle().take(BIG_SENT).collect();
        stream.write_all(&bytes).unwrap();
        // The rest never comes: read until the server goes away.
        let mut answer = Vec::new();
        let _ = stream.read_to_end(&mut answer);
        answer
    })
}

fn sha256(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The portal made ready through its pages: the first admin, a tenant on a
/// bundled model, its admin (from the invite), a write token of theirs.
/// (tenant id, token).
fn set_up(server: &Server) -> (String, String) {
    let mut admin = Client::new(server.addr);
    setup_admin(
        &mut admin,
        &server
            .setup_token()
            .expect("a setup link on the first start"),
    );
    let page = admin.get("/admin");
    let made = admin.post(
        "/admin/tenants",
        &[
            ("csrf", &page.csrf()),
            ("name", "Crashco"),
            ("subscription", "outsystems/o11-self-managed"),
            ("admin_email", "boss@crash.co"),
        ],
    );
    assert_eq!(made.status, 201, "{}", made.body);
    let invite = between(&made.body, "/invite?token=", "\"");
    let mut boss = Client::new(server.addr);
    let form = boss.get(&format!("/invite?token={invite}"));
    assert_eq!(form.status, 200, "{}", form.body);
    let accepted = boss.post(
        "/invite",
        &[
            ("csrf", &form.csrf()),
            ("token", &invite),
            ("name", "Bo Boss"),
            ("password", PASSWORD),
            ("confirm", PASSWORD),
        ],
    );
    assert!(
        boss.cookies.contains_key("onus_session"),
        "{}: {}",
        accepted.status,
        accepted.body
    );
    let csrf = boss.get("/account").csrf();
    let minted = boss.post(
        "/account/tokens",
        &[
            ("csrf", &csrf),
            ("name", "crash test"),
            ("scope", "write"),
            ("tenant", ""),
        ],
    );
    assert_eq!(minted.status, 201, "{}", minted.body);
    let token = between(&minted.body, "readonly value=\"", "\"");
    let row = between(
        &admin.get("/admin").body,
        "<tr><th scope=\"row\">Crashco</th>",
        "</tr>",
    );
    let tenant = between(&row, "/admin/tenants/", "/");
    (tenant, token)
}

/// Polls the database (not the server) until the upload in flight has
/// stored some of its chunks: the kill then cuts a file half-stored.
fn wait_for_stored_chunks(db: &str, tenant: &str) {
    let rt = runtime();
    let store = rt.block_on(Store::open(db)).unwrap();
    let data = store.tenant_data(tenant);
    let started = std::time::Instant::now();
    loop {
        let uploads = rt.block_on(data.incomplete_uploads_for_test()).unwrap();
        if uploads.iter().any(|(_, chunks)| *chunks >= 1) {
            break;
        }
        assert!(
            started.elapsed() < std::time::Duration::from_secs(120),
            "the large upload stored no chunk: {uploads:?}"
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    rt.block_on(store.close());
}

fn verify_audit(db: &str, tenant: &str, backend: &str) {
    let verified = onus(&["audit", "verify", "--db", db]);
    assert_eq!(
        verified.status.code(),
        Some(0),
        "{backend}: {}",
        stdout(&verified)
    );
    let out = stdout(&verified);
    assert!(
        out.contains(&format!("{tenant}: "))
            && out.contains("platform: ")
            && !out.contains("BROKEN"),
        "{backend}: {out}"
    );
}

fn crash_loses_nothing(backend: &str, db: &str) {
    let home = tempfile::tempdir().unwrap();
    let server = Server::start(&["--db", db], home.path());
    let (tenant, token) = set_up(&server);
    let mut c = Client::new(server.addr);
    let listed = c.api(
        "GET",
        &format!("/api/v1/tenants/{tenant}/items"),
        Some(&token),
        None,
    );
    assert_eq!(listed.status, 200, "{backend}: {}", listed.body);
    let items: Vec<String> = json(&listed.body)
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].as_str().unwrap().to_string())
        .collect();
    assert!(
        items.len() > WRITERS * ITEMS_EACH,
        "{backend}: {} items",
        items.len()
    );
    let evidence_item = items[WRITERS * ITEMS_EACH].clone();

    // An upload acknowledged before the crash.
    let small = "an acknowledged evidence file\n".repeat(1000);
    let uploaded = c.upload(
        &format!("/api/v1/tenants/{tenant}/items/{evidence_item}/evidence"),
        &token,
        "small.txt",
        &small,
    );
    assert_eq!(uploaded.status, 201, "{backend}: {}", uploaded.body);
    let small_id = json(&uploaded.body)["id"].as_str().unwrap().to_string();

    // A large upload, half sent, in flight from now to the kill.
    let upload = big_upload(server.addr, &tenant, &evidence_item, &token);
    wait_for_stored_chunks(db, &tenant);

    // The burst, killed after KILL_AFTER acknowledged writes.
    let acked = Arc::new(AtomicUsize::new(0));
    let writers: Vec<JoinHandle<Seen>> = (0..WRITERS)
        .map(|n| {
            let (addr, tenant, token) = (server.addr, tenant.clone(), token.clone());
            let mine = items[n * ITEMS_EACH..(n + 1) * ITEMS_EACH].to_vec();
            let acked = Arc::clone(&acked);
            std::thread::spawn(move || writer(n, addr, tenant, token, mine, acked))
        })
        .collect();
    while acked.load(Ordering::SeqCst) < KILL_AFTER && !writers.iter().any(|w| w.is_finished()) {
        std::thread::sleep(std::time::Duration::from_millis(1));
    }
    server.kill();
    let seen: Vec<Seen> = writers.into_iter().map(|w| w.join().unwrap()).collect();
    let refused: Vec<&String> = seen.iter().flat_map(|s| &s.refused).collect();
    assert!(
        refused.is_empty(),
        "{backend}: writes refused before the kill: {refused:?}"
    );
    let total = seen.iter().map(|s| s.acknowledged.len()).sum::<usize>();
    assert!(
        total >= KILL_AFTER,
        "{backend}: {total} writes acknowledged"
    );
    let answer = upload.join().unwrap();
    assert!(
        !String::from_utf8_lossy(&answer).starts_with("HTTP/1.1 2"),
        "{backend}: the cut-off upload was acknowledged: {}",
        String::from_utf8_lossy(&answer)
    );

    // Started again on the same database.
    let server = Server::start(&["--db", db], home.path());
    assert!(server.setup_token().is_none(), "{:?}", server.lines);
    let mut c = Client::new(server.addr);
    let rt = runtime();
    let store = rt.block_on(Store::open(db)).unwrap();
    let data = store.tenant_data(&tenant);
    let chain = rt.block_on(data.audit_chain()).unwrap();
    let mut landed = 0;
    for (n, s) in seen.iter().enumerate() {
        for item in &items[n * ITEMS_EACH..(n + 1) * ITEMS_EACH] {
            let path = format!("/api/v1/tenants/{tenant}/items/{item}");
            let now = c.api("GET", &path, Some(&token), None);
            assert_eq!(now.status, 200, "{backend}: {}", now.body);
            let now = json(&now.body);
            // What was sent to this item, in order: acknowledged, then the
            // write in flight (committed or not).
            let acknowledged: Vec<&Sent> =
                s.acknowledged.iter().filter(|w| w.item == *item).collect();
            let last = acknowledged.last().map_or(1, |w| w.at_revision + 1);
            let revision = now["revision"].as_i64().unwrap();
            let mut committed = acknowledged.clone();
            if revision != last {
                let pending = s.in_doubt.as_ref().filter(|w| w.item == *item);
                assert!(
                    revision == last + 1 && pending.is_some_and(|w| w.at_revision == last),
                    "{backend}: item {item} is at revision {revision}; its last acknowledged write made {last}"
                );
                committed.extend(pending);
                landed += 1;
            }
            let latest = committed.last();
            assert_eq!(
                now["status"],
                latest.map_or("not-started", |w| w.status),
                "{backend}: {now}"
            );
            assert_eq!(
                now["notes"],
                latest.map_or("", |w| w.notes.as_str()),
                "{backend}: {now}"
            );

            // The history has each committed write, whole, in order, and
            // nothing else; so has the audit chain.
            let history = c.api("GET", &format!("{path}/history"), Some(&token), None);
            assert_eq!(history.status, 200, "{backend}: {}", history.body);
            let history = json(&history.body);
            let entries = history.as_array().unwrap();
            let field = |name: &str| -> Vec<(String, String)> {
                entries
                    .iter()
                    .filter(|h| h["field"] == name)
                    .map(|h| {
                        (
                            h["from"].as_str().unwrap().to_string(),
                            h["to"].as_str().unwrap().to_string(),
                        )
                    })
                    .collect()
            };
            let mut status = "not-started".to_string();
            let mut notes = String::new();
            let mut want_status = Vec::new();
            let mut want_notes = Vec::new();
            for w in &committed {
                want_status.push((status.clone(), w.status.to_string()));
                want_notes.push((notes.clone(), w.notes.clone()));
                status = w.status.to_string();
                notes = w.notes.clone();
            }
            assert_eq!(field("status"), want_status, "{backend}: {history}");
            assert_eq!(field("notes"), want_notes, "{backend}: {history}");
            assert_eq!(entries.len(), 2 * committed.len(), "{backend}: {history}");
            let audited: Vec<&str> = chain
                .iter()
                .filter(|e| e.action == "item-updated" && e.target == *item)
                .map(|e| e.details.as_str())
                .collect();
            let want: Vec<String> = want_status
                .iter()
                .map(|(from, to)| format!("status {from} -> {to}"))
                .collect();
            assert_eq!(audited, want, "{backend}: item {item}'s audit entries");
        }
    }

    eprintln!(
        "{backend}: killed after {total} acknowledged writes; of the {} unanswered, {landed} had committed",
        seen.iter().filter(|s| s.in_doubt.is_some()).count()
    );

    // The cut-off upload: listed nowhere, not in the history, its record
    // and chunks left for the sweep of abandoned uploads.
    let files = c.api(
        "GET",
        &format!("/api/v1/tenants/{tenant}/items/{evidence_item}/evidence"),
        Some(&token),
        None,
    );
    assert_eq!(files.status, 200, "{backend}: {}", files.body);
    let files = json(&files.body);
    let files = files.as_array().unwrap();
    assert_eq!(
        files.len(),
        1,
        "{backend}: only the acknowledged file: {files:?}"
    );
    assert_eq!(files[0]["id"], small_id.as_str());
    assert_eq!(files[0]["sha256"], sha256(small.as_bytes()));
    assert_eq!(files[0]["size"], small.len());
    let bytes = c.api(
        "GET",
        files[0]["content_url"].as_str().unwrap(),
        Some(&token),
        None,
    );
    assert_eq!(bytes.status, 200, "{backend}");
    assert_eq!(sha256(bytes.body.as_bytes()), sha256(small.as_bytes()));
    let history = c.api(
        "GET",
        &format!("/api/v1/tenants/{tenant}/items/{evidence_item}/history"),
        Some(&token),
        None,
    );
    let history = json(&history.body);
    let evidence_entries = history
        .as_array()
        .unwrap()
        .iter()
        .filter(|h| h["field"] == "evidence")
        .count();
    assert_eq!(evidence_entries, 1, "{backend}: {history}");
    assert_eq!(
        chain
            .iter()
            .filter(|e| e.action == "evidence-uploaded")
            .count(),
        1,
        "{backend}"
    );
    let cut = rt.block_on(data.incomplete_uploads_for_test()).unwrap();
    assert_eq!(cut.len(), 1, "{backend}: {cut:?}");
    assert!(cut[0].1 >= 1, "{backend}: {cut:?}");
    let swept = rt
        .block_on(data.sweep_abandoned_uploads(onus_store::now() + 1))
        .unwrap();
    assert_eq!(swept, 1, "{backend}");
    assert!(rt
        .block_on(data.incomplete_uploads_for_test())
        .unwrap()
        .is_empty());
    verify_audit(db, &tenant, backend);

    // The portal carries on from where it was: a write on every item at
    // its current revision, and the chain still verifies.
    for item in &items[..WRITERS * ITEMS_EACH] {
        let path = format!("/api/v1/tenants/{tenant}/items/{item}");
        let now = c.api("GET", &path, Some(&token), None);
        let revision = json(&now.body)["revision"].as_i64().unwrap();
        let again = c.api_with(
            "PATCH",
            &path,
            Some(&token),
            Some(r#"{"notes":"after the crash"}"#),
            &[("If-Match", &format!("\"{revision}\""))],
        );
        assert_eq!(again.status, 200, "{backend}: {}", again.body);
        assert_eq!(json(&again.body)["revision"], revision + 1);
    }
    rt.block_on(store.close());
    assert!(server.stop().success(), "SIGTERM is a clean stop");
    verify_audit(db, &tenant, backend);
}

#[test]
fn a_killed_server_loses_no_acknowledged_write_on_sqlite() {
    crash_loses_nothing("sqlite", &fresh_sqlite_url());
}

#[test]
fn a_killed_server_loses_no_acknowledged_write_on_postgres() {
    let db = runtime().block_on(fresh_pg_url());
    crash_loses_nothing("postgres", &db);
}
