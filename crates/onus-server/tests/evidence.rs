//! Evidence files through the portal's router, in-process, on SQLite and
//! on PostgreSQL: upload from the page (CSRF as the form's first field)
//! and the API, download as an attachment, the size limit, a type the
//! bytes contradict, another tenant's ids (404), viewers (download only),
//! and deletion that keeps the record.

use std::sync::Arc;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use onus_server::AppState;
use onus_store::testing::fresh_stores;
use onus_store::{Duty, Store, SyncPlan};
use sha2::{Digest, Sha256};
use tower::ServiceExt;

/// The limit these tests run with: above two chunks, so a file at the
/// limit streams in several.
const LIMIT: u64 = 600 * 1024;
const BOUNDARY: &str = "----onusTestBoundary7MA4YWxkTrZu0gW";

struct Member {
    id: String,
    cookie: String,
    csrf: String,
}

struct World {
    store: Store,
    app: axum::Router,
    a: String,
    b: String,
    item_a: String,
    item_b: String,
    admin_a: Member,
    member_a: Member,
    viewer_a: Member,
    member_b: Member,
}

async fn item_of(store: &Store, tenant: &str) -> String {
    let data = store.tenant_data(tenant);
    let plan = SyncPlan {
        duties: vec![Duty {
            duty_id: format!("duty-{tenant}"),
            offering: "platform".into(),
            area: "backups".into(),
            area_name: "Backups".into(),
            area_group: "Data".into(),
            party: "customer".into(),
            scope: None,
            duty: "Test restoring from backups every quarter".into(),
        }],
        ..SyncPlan::default()
    };
    data.sync(None, 1, &plan, |_| None).await.unwrap().unwrap();
    data.items().await.unwrap().remove(0).id
}

async fn member(store: &Store, tenant: &str, email: &str, role: &str) -> Member {
    let user = store
        .create_user(
            email,
            email,
            None,
            "h",
            Some((tenant, role)),
            &onus_store::Audit::default(),
        )
        .await
        .unwrap();
    let token = onus_store::random_token();
    let csrf = onus_store::random_token();
    store
        .create_session(&token, &user.id, &csrf, false)
        .await
        .unwrap();
    Member {
        id: user.id,
        cookie: format!("onus_session={token}"),
        csrf,
    }
}

async fn world(store: Store) -> World {
    let a = store
        .create_tenant(
            "Acme",
            "codat",
            "platform",
            None,
            &onus_store::Audit::default(),
        )
        .await
        .unwrap()
        .id;
    let b = store
        .create_tenant(
            "Bolt",
            "codat",
            "platform",
            None,
            &onus_store::Audit::default(),
        )
        .await
        .unwrap()
        .id;
    let item_a = item_of(&store, &a).await;
    let item_b = item_of(&store, &b).await;
    let admin_a = member(&store, &a, "admin@acme.io", "tenant-admin").await;
    let member_a = member(&store, &a, "member@acme.io", "tenant-member").await;
    let viewer_a = member(&store, &a, "viewer@acme.io", "tenant-viewer").await;
    let member_b = member(&store, &b, "member@bolt.io", "tenant-member").await;
    let app = onus_server::app(AppState {
        store: store.clone(),
        behind_tls: false,
        models: None,
        public_url: "http://portal.test".into(),
        trusted_proxies: Arc::new([]),
        max_upload: LIMIT,
        matrices: Default::default(),
        webhook_allow_private: false,
    });
    World {
        store,
        app,
        a,
        b,
        item_a,
        item_b,
        admin_a,
        member_a,
        viewer_a,
        member_b,
    }
}

struct Answer {
    status: StatusCode,
    headers: axum::http::HeaderMap,
    body: Vec<u8>,
}

impl Answer {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
    fn header(&self, name: &str) -> &str {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }
}

async fn send(app: &axum::Router, request: Request<Body>) -> Answer {
    let response = app.clone().oneshot(request).await.unwrap();
    let status = response.status();
    let headers = response.headers().clone();
    let body = axum::body::to_bytes(response.into_body(), usize::MAX)
        .await
        .unwrap()
        .to_vec();
    Answer {
        status,
        headers,
        body,
    }
}

async fn get(app: &axum::Router, who: &Member, path: &str) -> Answer {
    let request = Request::get(path)
        .header("cookie", &who.cookie)
        .body(Body::empty())
        .unwrap();
    send(app, request).await
}

/// A multipart body: `fields` in order, then the file (name, type, bytes).
fn multipart(fields: &[(&str, &str)], file: Option<(&str, &str, &[u8])>) -> Vec<u8> {
    let mut body = Vec::new();
    for (name, value) in fields {
        body.extend_from_slice(
            format!("--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n")
                .as_bytes(),
        );
    }
    if let Some((name, content_type, bytes)) = file {
        body.extend_from_slice(
            format!(
                "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\nContent-Type: {content_type}\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{BOUNDARY}--\r\n").as_bytes());
    body
}

fn multipart_request(path: &str, body: Vec<u8>) -> axum::http::request::Builder {
    Request::post(path)
        .header(
            "content-type",
            format!("multipart/form-data; boundary={BOUNDARY}"),
        )
        .header("content-length", body.len())
}

/// Uploads from the item's evidence page as `who` (its CSRF token first).
async fn page_upload(
    w: &World,
    who: &Member,
    tenant: &str,
    item: &str,
    file: (&str, &str, &[u8]),
) -> Answer {
    let body = multipart(&[("csrf", &who.csrf)], Some(file));
    let path = format!("/t/{tenant}/items/{item}/evidence");
    let request = multipart_request(&path, body.clone())
        .header("cookie", &who.cookie)
        .body(Body::from(body))
        .unwrap();
    send(&w.app, request).await
}

/// A PDF's worth of bytes: the magic number, then `len` bytes in all.
fn pdf(len: usize) -> Vec<u8> {
    let mut bytes: Vec<u8> = (0..len).map(|i| (i * 31 % 256) as u8).collect();
    bytes[..8].copy_from_slice(b"%PDF-1.7");
    bytes
}

fn sha256(bytes: &[u8]) -> String {
    onus_store::hex(&Sha256::digest(bytes))
}

/// No attachment of the tenant, complete or half-uploaded, is left.
async fn nothing_kept(w: &World, tenant: &str) {
    let data = w.store.tenant_data(tenant);
    assert!(data.all_attachments().await.unwrap().is_empty());
    assert_eq!(
        data.sweep_abandoned_uploads(onus_store::now() + 10)
            .await
            .unwrap(),
        0,
        "an incomplete upload was left behind"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn members_upload_and_download_evidence_as_attachments() {
    for (backend, store) in fresh_stores().await {
        let w = world(store).await;
        // Three chunks, streamed both ways.
        let bytes = pdf(2 * onus_store::CHUNK_SIZE + 12_345);
        let done = page_upload(
            &w,
            &w.member_a,
            &w.a,
            &w.item_a,
            ("../../Prüfbericht: Q3.pdf", "application/pdf", &bytes),
        )
        .await;
        assert_eq!(
            done.status,
            StatusCode::SEE_OTHER,
            "{backend}: {}",
            done.text()
        );
        let page_url = format!("/t/{}/items/{}/evidence", w.a, w.item_a);
        assert_eq!(done.header("location"), page_url);
        let data = w.store.tenant_data(&w.a);
        let stored = data.attachments(&w.item_a).await.unwrap();
        assert_eq!(stored.len(), 1, "{backend}");
        let file = &stored[0];
        assert_eq!(
            file.file_name, "Prüfbericht_ Q3.pdf",
            "{backend}: no path, no colon"
        );
        assert_eq!(file.sha256, sha256(&bytes));
        assert_eq!(file.size, bytes.len() as i64);
        assert_eq!(file.content_type, "application/pdf");
        // The page shows it with its hash, to every member.
        let page = get(&w.app, &w.viewer_a, &page_url).await;
        assert_eq!(page.status, StatusCode::OK, "{backend}");
        assert!(page.text().contains(&file.sha256), "{backend}");
        assert!(page.text().contains("Prüfbericht_ Q3.pdf"));
        assert!(
            !page.text().contains("enctype=\"multipart/form-data\""),
            "{backend}: viewers get no upload form"
        );
        let member_page = get(&w.app, &w.member_a, &page_url).await;
        assert!(member_page
            .text()
            .contains("enctype=\"multipart/form-data\""));
        // The function the item page calls lists it with its download URL.
        let rows = onus_server::evidence::item_evidence(&data, &w.item_a)
            .await
            .unwrap();
        assert_eq!(rows.len(), 1);
        let url = rows[0].download_url.clone().expect("not deleted");
        assert_eq!(url, format!("/t/{}/evidence/{}/download", w.a, file.id));
        assert_eq!(rows[0].uploaded_by, "member@acme.io");
        // A viewer downloads it: the bytes exactly, never inline.
        let got = get(&w.app, &w.viewer_a, &url).await;
        assert_eq!(got.status, StatusCode::OK, "{backend}");
        assert_eq!(got.body, bytes, "{backend}");
        assert_eq!(got.header("content-type"), "application/pdf");
        assert_eq!(got.header("content-length"), bytes.len().to_string());
        assert_eq!(
            got.header("content-disposition"),
            "attachment; filename=\"Pr_fbericht_ Q3.pdf\"; filename*=UTF-8''Pr%C3%BCfbericht_%20Q3.pdf"
        );
        assert_eq!(got.header("x-content-type-options"), "nosniff");
        assert!(
            got.header("content-security-policy").contains("sandbox"),
            "{backend}"
        );
        // The upload is audited.
        let audit = w.store.audit_entries(50).await.unwrap();
        assert!(
            audit
                .iter()
                .any(|(_, actor, action, target)| action == "evidence-uploaded"
                    && *target == file.id
                    && actor.as_deref() == Some(w.member_a.id.as_str())),
            "{backend}: {audit:?}"
        );
        // Not signed in: to the sign-in page.
        let anonymous = send(&w.app, Request::get(&url).body(Body::empty()).unwrap()).await;
        assert_eq!(anonymous.status, StatusCode::SEE_OTHER);
        assert_eq!(anonymous.header("location"), "/login");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn uploads_without_the_forms_token_are_refused_before_reading() {
    for (backend, store) in fresh_stores().await {
        let w = world(store).await;
        let path = format!("/t/{}/items/{}/evidence", w.a, w.item_a);
        let file = ("a.txt", "text/plain", &b"hello"[..]);
        for body in [
            multipart(&[], Some(file)),
            multipart(&[("csrf", "0000")], Some(file)),
            // The token after the file: too late, it must come first.
            {
                let mut b = multipart(&[], Some(file));
                b.truncate(b.len() - format!("--{BOUNDARY}--\r\n").len());
                b.extend_from_slice(
                    format!("--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n{}\r\n--{BOUNDARY}--\r\n", w.member_a.csrf).as_bytes(),
                );
                b
            },
        ] {
            let request = multipart_request(&path, body.clone())
                .header("cookie", &w.member_a.cookie)
                .body(Body::from(body))
                .unwrap();
            let r = send(&w.app, request).await;
            assert_eq!(r.status, StatusCode::FORBIDDEN, "{backend}: {}", r.text());
            assert!(r.text().contains("Form expired"), "{backend}");
        }
        nothing_kept(&w, &w.a).await;
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn the_size_limit_and_the_bytes_type_are_enforced_and_nothing_is_kept() {
    for (backend, store) in fresh_stores().await {
        let w = world(store).await;
        // One byte over the limit: 413, and nothing of it stays.
        let big = pdf(LIMIT as usize + 1);
        let r = page_upload(
            &w,
            &w.member_a,
            &w.a,
            &w.item_a,
            ("big.pdf", "application/pdf", &big),
        )
        .await;
        assert_eq!(
            r.status,
            StatusCode::PAYLOAD_TOO_LARGE,
            "{backend}: {}",
            r.text()
        );
        assert!(
            r.text()
                .contains("larger than the portal accepts (600.0 KiB)"),
            "{backend}"
        );
        nothing_kept(&w, &w.a).await;
        // Exactly the limit is accepted.
        let fits = pdf(LIMIT as usize);
        let r = page_upload(
            &w,
            &w.member_a,
            &w.a,
            &w.item_a,
            ("fits.pdf", "application/pdf", &fits),
        )
        .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{backend}: {}", r.text());
        let data = w.store.tenant_data(&w.a);
        let kept = data.all_attachments().await.unwrap();
        assert_eq!(kept.len(), 1);
        data.delete_attachment(&kept[0].id, &w.member_a.id)
            .await
            .unwrap();
        // A PNG that is a PDF: refused, saying why.
        let r = page_upload(
            &w,
            &w.member_a,
            &w.a,
            &w.item_a,
            ("shot.png", "image/png", &pdf(100)),
        )
        .await;
        assert_eq!(r.status, StatusCode::UNSUPPORTED_MEDIA_TYPE, "{backend}");
        assert!(
            r.text().contains("declared as image/png"),
            "{backend}: {}",
            r.text()
        );
        assert!(r.text().contains("a PDF document"));
        // A .pdf that is an executable, declared as nothing in particular.
        let r = page_upload(
            &w,
            &w.member_a,
            &w.a,
            &w.item_a,
            (
                "report.pdf",
                "application/octet-stream",
                b"MZ\x90\x00\x03\x00\x00\x00",
            ),
        )
        .await;
        assert_eq!(r.status, StatusCode::UNSUPPORTED_MEDIA_TYPE, "{backend}");
        assert!(r.text().contains("named report.pdf"));
        // An empty file.
        let r = page_upload(
            &w,
            &w.member_a,
            &w.a,
            &w.item_a,
            ("empty.txt", "text/plain", b""),
        )
        .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{backend}");
        // Unknown binary is kept as application/octet-stream whatever it claimed.
        let r = page_upload(
            &w,
            &w.member_a,
            &w.a,
            &w.item_a,
            ("trace.bin", "video/mp4", b"\x00\x01\x02\x03binary"),
        )
        .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{backend}: {}", r.text());
        let live: Vec<_> = data
            .all_attachments()
            .await
            .unwrap()
            .into_iter()
            .filter(|a| !a.is_deleted())
            .collect();
        assert_eq!(live.len(), 1, "{backend}");
        assert_eq!(live[0].content_type, "application/octet-stream");
        assert_eq!(
            data.sweep_abandoned_uploads(onus_store::now() + 10)
                .await
                .unwrap(),
            0,
            "{backend}: refused uploads left nothing half-stored"
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn another_tenants_ids_answer_404_and_viewers_only_download() {
    for (backend, store) in fresh_stores().await {
        let w = world(store).await;
        let r = page_upload(
            &w,
            &w.member_a,
            &w.a,
            &w.item_a,
            ("a.txt", "text/plain", b"tenant A's evidence"),
        )
        .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{backend}");
        let file = w
            .store
            .tenant_data(&w.a)
            .all_attachments()
            .await
            .unwrap()
            .remove(0);
        let (a, b, ia, ib, f) = (&w.a, &w.b, &w.item_a, &w.item_b, &file.id);
        // Tenant B's member, with A's ids in every position.
        for path in [
            format!("/t/{a}/items/{ia}/evidence"),
            format!("/t/{b}/items/{ia}/evidence"),
            format!("/t/{a}/evidence/{f}/download"),
            format!("/t/{b}/evidence/{f}/download"),
        ] {
            let r = get(&w.app, &w.member_b, &path).await;
            assert_eq!(r.status, StatusCode::NOT_FOUND, "{backend}: {path}");
            // The 404 page still knows who is signed in.
            let html = r.text();
            assert!(
                html.contains("Sign out") && !html.contains("Sign in"),
                "{backend}: {html}"
            );
        }
        // A plain form (not multipart) to the upload address, with a valid
        // token: checked as any form, then 404 like every other route.
        for tenant in [a, b] {
            let request = Request::post(format!("/t/{tenant}/items/{ia}/evidence"))
                .header("cookie", &w.member_b.cookie)
                .header("content-type", "application/x-www-form-urlencoded")
                .body(Body::from(format!("csrf={}", w.member_b.csrf)))
                .unwrap();
            let r = send(&w.app, request).await;
            assert_eq!(r.status, StatusCode::NOT_FOUND, "{backend}: {}", r.text());
        }
        for (tenant, item) in [(a, ia), (b, ia)] {
            let r = page_upload(&w, &w.member_b, tenant, item, ("x.txt", "text/plain", b"x")).await;
            assert_eq!(
                r.status,
                StatusCode::NOT_FOUND,
                "{backend}: upload to {tenant}/{item}"
            );
        }
        for tenant in [a, b] {
            let form = format!("csrf={}", w.member_b.csrf);
            let request = Request::post(format!("/t/{tenant}/evidence/{f}/delete"))
                .header("cookie", &w.member_b.cookie)
                .header("content-type", "application/x-www-form-urlencoded")
                .body(Body::from(form))
                .unwrap();
            assert_eq!(
                send(&w.app, request).await.status,
                StatusCode::NOT_FOUND,
                "{backend}"
            );
        }
        // B's own item is B's: its page answers, and is empty.
        let own = get(&w.app, &w.member_b, &format!("/t/{b}/items/{ib}/evidence")).await;
        assert_eq!(own.status, StatusCode::OK, "{backend}");
        assert!(!own.text().contains("a.txt"));
        // A's viewer: downloads, but neither uploads nor deletes.
        let got = get(
            &w.app,
            &w.viewer_a,
            &format!("/t/{a}/evidence/{f}/download"),
        )
        .await;
        assert_eq!(got.body, b"tenant A's evidence", "{backend}");
        let r = page_upload(&w, &w.viewer_a, a, ia, ("v.txt", "text/plain", b"v")).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{backend}");
        assert!(
            r.text().contains("may download evidence but not upload"),
            "{backend}"
        );
        let form = format!("csrf={}", w.viewer_a.csrf);
        let request = Request::post(format!("/t/{a}/evidence/{f}/delete"))
            .header("cookie", &w.viewer_a.cookie)
            .header("content-type", "application/x-www-form-urlencoded")
            .body(Body::from(form))
            .unwrap();
        assert_eq!(
            send(&w.app, request).await.status,
            StatusCode::FORBIDDEN,
            "{backend}"
        );
        assert_eq!(
            w.store.tenant_data(a).all_attachments().await.unwrap(),
            vec![file.clone()]
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn deleting_keeps_a_tombstone_with_name_hash_and_who() {
    for (backend, store) in fresh_stores().await {
        let w = world(store).await;
        let bytes = b"name,status\nbackups,implemented\n";
        let r = page_upload(
            &w,
            &w.member_a,
            &w.a,
            &w.item_a,
            ("status.csv", "text/csv", bytes),
        )
        .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{backend}: {}", r.text());
        let data = w.store.tenant_data(&w.a);
        let file = data.all_attachments().await.unwrap().remove(0);
        assert_eq!(file.content_type, "text/csv; charset=utf-8");
        let request = Request::post(format!("/t/{}/evidence/{}/delete", w.a, file.id))
            .header("cookie", &w.admin_a.cookie)
            .header("content-type", "application/x-www-form-urlencoded")
            .body(Body::from(format!("csrf={}", w.admin_a.csrf)))
            .unwrap();
        let r = send(&w.app, request).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{backend}: {}", r.text());
        let gone = data
            .attachment(&file.id)
            .await
            .unwrap()
            .expect("the record stays");
        assert!(gone.is_deleted(), "{backend}");
        assert_eq!(gone.deleted_by.as_deref(), Some(w.admin_a.id.as_str()));
        assert_eq!(
            (gone.file_name.as_str(), gone.sha256.as_str()),
            ("status.csv", sha256(bytes).as_str())
        );
        assert!(
            data.chunk(&file.id, 0).await.unwrap().is_none(),
            "{backend}: the bytes are gone"
        );
        let page = get(
            &w.app,
            &w.viewer_a,
            &format!("/t/{}/items/{}/evidence", w.a, w.item_a),
        )
        .await;
        assert!(
            page.text().contains("deleted by admin@acme.io"),
            "{backend}: {}",
            page.text()
        );
        assert!(page.text().contains(&file.sha256));
        let r = get(
            &w.app,
            &w.viewer_a,
            &format!("/t/{}/evidence/{}/download", w.a, file.id),
        )
        .await;
        assert_eq!(r.status, StatusCode::GONE, "{backend}");
        let rows = onus_server::evidence::item_evidence(&data, &w.item_a)
            .await
            .unwrap();
        assert!(rows[0].deleted && rows[0].download_url.is_none() && rows[0].delete_url.is_none());
        // The auditor's export lists live evidence with its hash, not the deleted.
        // (The export needs the subscribed model published: the bundled
        // codat is version 1, the version this checklist was made at.)
        onus_server::publish::publish_source(&w.store, None)
            .await
            .unwrap();
        let r = page_upload(
            &w,
            &w.member_a,
            &w.a,
            &w.item_a,
            ("kept.txt", "text/plain", b"kept"),
        )
        .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{backend}");
        let csv = get(&w.app, &w.viewer_a, &format!("/t/{}/checklist.csv", w.a)).await;
        assert_eq!(csv.status, StatusCode::OK, "{backend}: {}", csv.text());
        assert!(
            csv.text()
                .contains(&format!("kept.txt (sha256 {})", sha256(b"kept"))),
            "{backend}: {}",
            csv.text()
        );
        assert!(!csv.text().contains("status.csv"), "{backend}");
        let audit = w.store.audit_entries(50).await.unwrap();
        assert!(
            audit
                .iter()
                .any(|(_, actor, action, target)| action == "evidence-deleted"
                    && *target == file.id
                    && actor.as_deref() == Some(w.admin_a.id.as_str())),
            "{backend}"
        );
    }
}

async fn api(app: &axum::Router, method: &str, path: &str, token: &str) -> Answer {
    let request = Request::builder()
        .method(method)
        .uri(path)
        .header("authorization", format!("Bearer {token}"))
        .body(Body::empty())
        .unwrap();
    send(app, request).await
}

async fn api_upload(
    app: &axum::Router,
    path: &str,
    token: &str,
    file: (&str, &str, &[u8]),
) -> Answer {
    let body = multipart(&[], Some(file));
    let request = multipart_request(path, body.clone())
        .header("authorization", format!("Bearer {token}"))
        .body(Body::from(body))
        .unwrap();
    send(app, request).await
}

#[tokio::test(flavor = "multi_thread")]
async fn the_api_uploads_lists_downloads_and_deletes_with_problems() {
    for (backend, store) in fresh_stores().await {
        let w = world(store).await;
        let write =
            onus_server::admin_mint_token(&w.store, "member@acme.io", "write", None, "ci", 90)
                .await
                .unwrap();
        let read =
            onus_server::admin_mint_token(&w.store, "viewer@acme.io", "read", None, "ci", 90)
                .await
                .unwrap();
        let viewer_write =
            onus_server::admin_mint_token(&w.store, "viewer@acme.io", "write", None, "ci", 90)
                .await
                .unwrap();
        let other =
            onus_server::admin_mint_token(&w.store, "member@bolt.io", "write", None, "ci", 90)
                .await
                .unwrap();
        let (a, ia) = (&w.a, &w.item_a);
        let list_url = format!("/api/v1/tenants/{a}/items/{ia}/evidence");
        let png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\x0dIHDR";
        let r = api_upload(&w.app, &list_url, &write, ("screen.png", "image/png", png)).await;
        assert_eq!(r.status, StatusCode::CREATED, "{backend}: {}", r.text());
        let made: serde_json::Value = serde_json::from_slice(&r.body).unwrap();
        assert_eq!(made["sha256"], sha256(png));
        assert_eq!(made["content_type"], "image/png");
        let id = made["id"].as_str().unwrap().to_string();
        let content = made["content_url"].as_str().unwrap().to_string();
        assert_eq!(
            content,
            format!("/api/v1/tenants/{a}/evidence/{id}/content")
        );
        // Read tokens list and download, never upload.
        let listed = api(&w.app, "GET", &list_url, &read).await;
        assert_eq!(listed.status, StatusCode::OK, "{backend}");
        assert!(listed.text().contains(&id));
        let got = api(&w.app, "GET", &content, &read).await;
        assert_eq!(got.body, png, "{backend}");
        assert!(got.header("content-disposition").starts_with("attachment;"));
        assert_eq!(got.header("x-content-type-options"), "nosniff");
        let r = api_upload(&w.app, &list_url, &read, ("x.txt", "text/plain", b"x")).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{backend}");
        assert!(r.text().contains("read-only-token"));
        // A viewer's write token: the role still refuses.
        let r = api_upload(
            &w.app,
            &list_url,
            &viewer_write,
            ("x.txt", "text/plain", b"x"),
        )
        .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{backend}");
        assert!(r.text().contains("read-only-role"));
        assert_eq!(r.header("content-type"), "application/problem+json");
        // Limits and types as problems.
        let r = api_upload(
            &w.app,
            &list_url,
            &write,
            (
                "big.bin",
                "application/octet-stream",
                &vec![0u8; LIMIT as usize + 1],
            ),
        )
        .await;
        assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE, "{backend}");
        assert!(r.text().contains("/api/v1/problems/too-large"));
        let r = api_upload(
            &w.app,
            &list_url,
            &write,
            ("doc.pdf", "application/pdf", png),
        )
        .await;
        assert_eq!(r.status, StatusCode::UNSUPPORTED_MEDIA_TYPE, "{backend}");
        assert!(r.text().contains("type-mismatch") && r.text().contains("a PNG image"));
        // Tenant B's token: every route of A's evidence is 404.
        for (method, path) in [
            ("GET", list_url.clone()),
            ("GET", format!("/api/v1/tenants/{a}/evidence/{id}")),
            ("GET", content.clone()),
            ("DELETE", format!("/api/v1/tenants/{a}/evidence/{id}")),
            ("GET", format!("/api/v1/tenants/{}/evidence/{id}", w.b)),
            (
                "GET",
                format!("/api/v1/tenants/{}/items/{ia}/evidence", w.b),
            ),
        ] {
            let r = api(&w.app, method, &path, &other).await;
            assert_eq!(
                r.status,
                StatusCode::NOT_FOUND,
                "{backend}: {method} {path}"
            );
        }
        let r = api_upload(
            &w.app,
            &format!("/api/v1/tenants/{}/items/{ia}/evidence", w.b),
            &other,
            ("x.txt", "text/plain", b"x"),
        )
        .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{backend}");
        // Delete: the record stays, marked; the bytes are gone.
        let r = api(
            &w.app,
            "DELETE",
            &format!("/api/v1/tenants/{a}/evidence/{id}"),
            &write,
        )
        .await;
        assert_eq!(r.status, StatusCode::OK, "{backend}: {}", r.text());
        let gone: serde_json::Value = serde_json::from_slice(&r.body).unwrap();
        assert!(gone["deleted_at"].is_i64() && gone["content_url"].is_null());
        assert_eq!(gone["deleted_by"], w.member_a.id.as_str());
        assert_eq!(
            api(&w.app, "GET", &content, &read).await.status,
            StatusCode::GONE
        );
        assert_eq!(
            api(
                &w.app,
                "DELETE",
                &format!("/api/v1/tenants/{a}/evidence/{id}"),
                &write
            )
            .await
            .status,
            StatusCode::GONE
        );
        // In the OpenAPI document.
        let doc = api(&w.app, "GET", "/api/v1/openapi.json", &read).await;
        assert!(
            doc.text()
                .contains("/api/v1/tenants/{tenant}/items/{item}/evidence"),
            "{backend}"
        );
        assert!(doc.text().contains("multipart/form-data"));
        let _ = &w.admin_a;
    }
}

/// Raw HTTP/1.1 over a socket (bytes, not text): the request's head, its
/// body written in `pieces` with a pause between (so the server reads it
/// in several frames), and the answer's status, head and body.
fn raw_exchange(
    addr: std::net::SocketAddr,
    head: &str,
    body: &[u8],
    pieces: &[usize],
) -> (u16, String, Vec<u8>) {
    use std::io::{Read, Write};
    let mut stream = std::net::TcpStream::connect(addr).unwrap();
    stream
        .set_read_timeout(Some(std::time::Duration::from_secs(60)))
        .unwrap();
    stream.write_all(head.as_bytes()).unwrap();
    let mut at = 0;
    for &cut in pieces.iter().chain(std::iter::once(&body.len())) {
        let cut = cut.min(body.len());
        if cut > at {
            stream.write_all(&body[at..cut]).unwrap();
            stream.flush().unwrap();
            std::thread::sleep(std::time::Duration::from_millis(30));
            at = cut;
        }
    }
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).unwrap();
    let split = raw.windows(4).position(|w| w == b"\r\n\r\n").unwrap();
    let head = String::from_utf8_lossy(&raw[..split]).into_owned();
    let status = head.split(' ').nth(1).unwrap().parse().unwrap();
    (status, head, raw[split + 4..].to_vec())
}

#[test]
fn a_real_socket_streams_the_upload_past_the_csrf_check_and_back() {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let pg = rt.block_on(onus_store::testing::fresh_pg_url());
    for (backend, db) in [
        ("sqlite", onus_store::testing::fresh_sqlite_url()),
        ("postgres", pg),
    ] {
        let addr = onus_server::testing::spawn(&db, None);
        let (who, tenant, item) = rt.block_on(async {
            let store = Store::open(&db).await.unwrap();
            let tenant = store
                .create_tenant(
                    "Acme",
                    "codat",
                    "platform",
                    None,
                    &onus_store::Audit::default(),
                )
                .await
                .unwrap()
                .id;
            let item = item_of(&store, &tenant).await;
            let who = member(&store, &tenant, "member@acme.io", "tenant-member").await;
            (who, tenant, item)
        });
        let bytes = pdf(onus_store::CHUNK_SIZE * 3 + 77);
        let body = multipart(
            &[("csrf", &who.csrf)],
            Some(("scan.pdf", "application/pdf", &bytes)),
        );
        let head = format!(
            "POST /t/{tenant}/items/{item}/evidence HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nCookie: {}\r\nContent-Type: multipart/form-data; boundary={BOUNDARY}\r\nContent-Length: {}\r\n\r\n",
            who.cookie,
            body.len()
        );
        // The token itself arrives split across two reads, the file in many.
        let pieces: Vec<usize> = [20, 90]
            .into_iter()
            .chain((1..12).map(|i| i * 70_000))
            .collect();
        let (status, answer, page) = raw_exchange(addr, &head, &body, &pieces);
        assert_eq!(
            status,
            303,
            "{backend}: {answer}\n{}",
            String::from_utf8_lossy(&page)
        );
        let id = rt.block_on(async {
            let store = Store::open(&db).await.unwrap();
            store
                .tenant_data(&tenant)
                .all_attachments()
                .await
                .unwrap()
                .remove(0)
        });
        assert_eq!(id.sha256, sha256(&bytes), "{backend}");
        let get = format!(
            "GET /t/{tenant}/evidence/{}/download HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nCookie: {}\r\n\r\n",
            id.id, who.cookie
        );
        let (status, answer, got) = raw_exchange(addr, &get, b"", &[]);
        assert_eq!(status, 200, "{backend}: {answer}");
        assert!(
            answer
                .to_ascii_lowercase()
                .contains("content-disposition: attachment"),
            "{answer}"
        );
        assert_eq!(got.len(), bytes.len(), "{backend}");
        assert!(got == bytes, "{backend}: the bytes come back exactly");
        // A forged upload (the token of another browser) over the socket: 403.
        let forged = multipart(&[("csrf", "f00d")], Some(("x.txt", "text/plain", b"x")));
        let head = format!(
            "POST /t/{tenant}/items/{item}/evidence HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nCookie: {}\r\nContent-Type: multipart/form-data; boundary={BOUNDARY}\r\nContent-Length: {}\r\n\r\n",
            who.cookie,
            forged.len()
        );
        let (status, _, _) = raw_exchange(addr, &head, &forged, &[]);
        assert_eq!(status, 403, "{backend}");
        // A file 8 MiB over the limit (the default, 25 MiB): the client
        // that is still sending reads the 413 page, not a reset connection,
        // and nothing is kept.
        let big = pdf(onus_server::evidence::DEFAULT_MAX_UPLOAD as usize + 8 * 1024 * 1024);
        let body = multipart(
            &[("csrf", &who.csrf)],
            Some(("big.pdf", "application/pdf", &big)),
        );
        let head = format!(
            "POST /t/{tenant}/items/{item}/evidence HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nCookie: {}\r\nContent-Type: multipart/form-data; boundary={BOUNDARY}\r\nContent-Length: {}\r\n\r\n",
            who.cookie,
            body.len()
        );
        let (status, _, page) = raw_exchange(addr, &head, &body, &[]);
        assert_eq!(status, 413, "{backend}");
        assert!(
            String::from_utf8_lossy(&page).contains("larger than the portal accepts (25.0 MiB)")
        );
        let kept = rt.block_on(async {
            let store = Store::open(&db).await.unwrap();
            store
                .tenant_data(&tenant)
                .all_attachments()
                .await
                .unwrap()
                .len()
        });
        assert_eq!(kept, 1, "{backend}: only the first file");
    }
}
