//! What the portal's HTTP tests share: a portal on a fresh database, both
//! backends, tenants and invites made through the pages, signing in.
#![allow(dead_code)]

use onus_server::testing::{spawn, Client, Reply, PASSWORD};
use onus_store::testing::{fresh_pg_url, fresh_sqlite_url};
use onus_store::Store;

pub fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

/// A portal on a fresh database and a valid setup token for it.
pub fn portal(db: &str) -> (Client, String) {
    let addr = spawn(db, None);
    let token = runtime().block_on(async {
        let store = Store::open(db).await.unwrap();
        let token = onus_store::random_token();
        store.create_setup_token(&token, 600).await.unwrap();
        token
    });
    (Client::new(addr), token)
}

pub fn both_backends(test: impl Fn(&str, &str)) {
    let pg = runtime().block_on(fresh_pg_url());
    test("sqlite", &fresh_sqlite_url());
    test("postgres", &pg);
}

/// The value between `before` and the next `after` in the page.
pub fn between(page: &Reply, before: &str, after: &str) -> String {
    let start = page
        .body
        .find(before)
        .unwrap_or_else(|| panic!("`{before}` not in the page:\n{}", page.body))
        + before.len();
    let end = page.body[start..].find(after).unwrap();
    page.body[start..start + end].to_string()
}

/// The value a link page shows once (an invite link, an API token).
pub fn shown_value(page: &Reply) -> String {
    between(page, "readonly value=\"", "\"")
}

pub fn token_of(link_page: &Reply) -> String {
    between(link_page, "/invite?token=", "\"")
}

/// Creates a tenant subscribed to `subscription`; returns its id and the invite token.
pub fn create_tenant(
    admin: &mut Client,
    name: &str,
    subscription: &str,
    email: &str,
) -> (String, String) {
    let page = admin.get("/admin");
    let made = admin.post(
        "/admin/tenants",
        &[
            ("csrf", &page.csrf()),
            ("name", name),
            ("subscription", subscription),
            ("admin_email", email),
        ],
    );
    assert_eq!(made.status, 201, "{}", made.body);
    let token = token_of(&made);
    let admin_page = admin.get("/admin");
    let id = between(
        &admin_page,
        &format!("<tr><th scope=\"row\">{name}</th>"),
        "</tr>",
    );
    let id = between(
        &Reply {
            status: 200,
            headers: vec![],
            body: id,
        },
        "/admin/tenants/",
        "/nda",
    );
    (id, token)
}

/// Accepts an invite in a new browser; returns it signed in.
pub fn accept(addr_client: &Client, token: &str, name: &str) -> (Client, Reply) {
    let mut c = Client::new(addr_client.addr);
    let form = c.get(&format!("/invite?token={token}"));
    assert_eq!(form.status, 200, "{}", form.body);
    let done = c.post(
        "/invite",
        &[
            ("csrf", &form.csrf()),
            ("token", token),
            ("name", name),
            ("password", PASSWORD),
            ("confirm", PASSWORD),
        ],
    );
    (c, done)
}

pub fn sign_in(c: &mut Client, email: &str, password: &str) -> Reply {
    let form = c.get("/login");
    let csrf = form.input("csrf").unwrap_or_else(|| c.get("/").csrf());
    c.post(
        "/login",
        &[("csrf", &csrf), ("email", email), ("password", password)],
    )
}

pub fn sign_out(c: &mut Client) {
    let csrf = c.get("/account").csrf();
    let r = c.post("/logout", &[("csrf", &csrf)]);
    assert_eq!(r.status, 303);
    assert!(!c.cookies.contains_key("onus_session"));
}
