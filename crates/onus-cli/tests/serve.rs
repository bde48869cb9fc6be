//! `onus serve` and `onus publish` as users run them: the real binary,
//! from a folder with no models in it, on SQLite and PostgreSQL; two
//! servers sharing one PostgreSQL database.

mod common;

use common::server::Server;
use common::{onus, root, stderr, stdout};
use onus_server::testing::{setup_admin, Client};
use onus_store::testing::{fresh_pg_url, fresh_sqlite_url};

#[test]
fn serve_without_a_database_uses_a_sqlite_file_and_the_bundled_examples() {
    let home = tempfile::tempdir().unwrap();
    let server = Server::start(&[], home.path());
    let db = home.path().join("onus/portal.db");
    assert!(
        server
            .lines
            .contains(&format!("onus portal: database {}", db.display())),
        "{:?}",
        server.lines
    );
    assert!(server
        .lines
        .iter()
        .any(|l| l == "onus portal: published codat version 1"));
    let token = server
        .setup_token()
        .expect("a setup link on the first start");
    let mut c = Client::new(server.addr);
    assert!(c.get("/").body.contains("/models/outsystems"));
    setup_admin(&mut c, &token);
    assert!(server.stop().success(), "SIGTERM is a clean stop");
    assert!(db.is_file());

    // Started again: the schema is there, the content unchanged, no new setup link.
    let again = Server::start(&[], home.path());
    assert!(
        again
            .lines
            .iter()
            .any(|l| l == "onus portal: codat unchanged (version 1 has this content)"),
        "{:?}",
        again.lines
    );
    assert!(again.setup_token().is_none(), "{:?}", again.lines);
    let mut c = c.on(again.addr);
    assert_eq!(
        c.get("/admin").status,
        200,
        "the session survives a restart"
    );
    assert!(again.stop().success());
}

#[test]
fn two_servers_on_one_postgresql_share_sessions_and_writes() {
    let home = tempfile::tempdir().unwrap();
    let url = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(fresh_pg_url());
    let models = root().join("examples").display().to_string();
    let a = Server::start(&["--db", &url, "--models", &models], home.path());
    let b = Server::start(&["--db", &url, "--models", &models], home.path());
    assert!(
        a.lines
            .iter()
            .any(|l| l == "onus portal: published codat version 1"),
        "{:?}",
        a.lines
    );
    assert!(
        b.lines
            .iter()
            .any(|l| l.starts_with("onus portal: codat unchanged")),
        "{:?}",
        b.lines
    );
    // Signed in through A...
    let mut on_a = Client::new(a.addr);
    setup_admin(&mut on_a, &a.setup_token().unwrap());
    // ...the session is valid on B.
    let mut on_b = on_a.on(b.addr);
    let admin_b = on_b.get("/admin");
    assert_eq!(admin_b.status, 200, "{}", admin_b.body);
    // A write through B is seen through A, and the other way round.
    let made = on_b.post(
        "/admin/tenants",
        &[
            ("csrf", &admin_b.csrf()),
            ("name", "Made on B"),
            ("subscription", "codat/platform"),
            ("admin_email", "x@b.io"),
        ],
    );
    assert_eq!(made.status, 201, "{}", made.body);
    assert!(on_a.get("/admin").body.contains("Made on B"));
    let csrf = on_a.get("/admin").csrf();
    assert_eq!(
        on_a.post(
            "/admin/tenants",
            &[
                ("csrf", &csrf),
                ("name", "Made on A"),
                ("subscription", "codat/platform"),
                ("admin_email", "x@a.io")
            ]
        )
        .status,
        201
    );
    assert!(on_b.get("/admin").body.contains("Made on A"));
    // Signing out through B ends the session on A.
    let csrf = on_b.get("/account").csrf();
    assert_eq!(on_b.post("/logout", &[("csrf", &csrf)]).status, 303);
    assert_eq!(on_a.get("/admin").location(), Some("/login"));
    assert!(a.stop().success());
    assert!(b.stop().success());
}

#[test]
fn publish_stores_a_version_once_and_refuses_errors() {
    let dir = tempfile::tempdir().unwrap();
    let db = fresh_sqlite_url();
    let o = onus(&["publish", "examples/codat.onus.yaml", "--db", &db]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(stdout(&o), "published codat version 1\n");
    let o = onus(&["publish", "examples/codat.onus.yaml", "--db", &db]);
    assert_eq!(stdout(&o), "codat unchanged (version 1 has this content)\n");

    let bad = dir.path().join("bad.onus.yaml");
    std::fs::write(&bad, "onus: 1\nmodel: { id: bad }\n").unwrap();
    let o = onus(&["publish", bad.to_str().unwrap(), "--db", &db]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("has errors: not published"),
        "{}",
        stderr(&o)
    );
    assert!(
        stderr(&o).contains("bad.onus.yaml:"),
        "diagnostics are shown: {}",
        stderr(&o)
    );

    let o = onus(&["publish", "nope.onus.yaml", "--db", &db]);
    assert_eq!(o.status.code(), Some(2));
    let o = onus(&[
        "publish",
        "examples/codat.onus.yaml",
        "--db",
        "postgres://nobody@127.0.0.1:1/x",
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("cannot open the database"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn admin_creates_users_and_mints_tokens_for_automation() {
    let db = fresh_sqlite_url();
    let o = onus(&[
        "admin",
        "create-user",
        "--db",
        &db,
        "--email",
        "ops@x.io",
        "--name",
        "Ops",
        "--role",
        "platform-admin",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stdout(&o).contains("password (shown once): "),
        "{}",
        stdout(&o)
    );
    let o = onus(&[
        "admin", "token", "--db", &db, "--email", "ops@x.io", "--scope", "write",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let token = stdout(&o).trim().to_string();
    assert!(token.starts_with("onus_") && token.len() == 69, "{token}");

    let home = tempfile::tempdir().unwrap();
    let server = Server::start(&["--db", &db], home.path());
    let mut c = Client::new(server.addr);
    let me = c.api("GET", "/api/v1/me", Some(&token), None);
    assert_eq!(me.status, 200, "{}", me.body);
    assert!(me.body.contains("\"platform_role\":\"platform-admin\""));
    drop(server);

    let o = onus(&[
        "admin",
        "create-user",
        "--db",
        &db,
        "--email",
        "x@x.io",
        "--name",
        "X",
        "--role",
        "tenant-admin",
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("needs --tenant"), "{}", stderr(&o));
    let o = onus(&["admin", "token", "--db", &db, "--email", "nobody@x.io"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("there is no user nobody@x.io"),
        "{}",
        stderr(&o)
    );
}
