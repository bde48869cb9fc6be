//! Every route of the portal, through HTTP, on SQLite and on PostgreSQL:
//! the trust pages, the setup link, accounts (policy, CSRF, lockout, TOTP,
//! recovery codes, sign out everywhere), tenants and invites, tenant
//! isolation, NDA links and publishing on demand.

mod common;

use common::*;
use onus_server::testing::{setup_admin, totp_next, totp_now, Client, Reply, PASSWORD};
use onus_store::Store;

fn assert_security_headers(r: &Reply) {
    let csp = r.header("content-security-policy").expect("a CSP");
    assert!(!csp.contains("unsafe-inline"), "{csp}");
    assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
    assert_eq!(r.header("x-content-type-options"), Some("nosniff"));
    assert!(r.header("referrer-policy").is_some());
}

#[test]
fn trust_pages_are_public_with_every_version_and_security_headers() {
    both_backends(|backend, db| {
        let (mut c, _) = portal(db);
        let index = c.get("/");
        assert_eq!(index.status, 200, "{backend}");
        assert_security_headers(&index);
        for model in ["aws", "azure", "codat", "coherent", "outsystems"] {
            assert!(
                index.body.contains(&format!("href=\"/models/{model}\"")),
                "{backend}: {model}"
            );
        }
        let page = c.get("/models/codat");
        assert_eq!(page.status, 200);
        assert!(
            page.body.contains("Who holds what") && page.body.contains("<svg"),
            "{backend}"
        );
        assert!(page.body.contains("/models/codat/v/1/style.css"));
        assert_security_headers(&page);
        let css = c.get("/models/codat/v/1/style.css");
        assert_eq!(css.header("content-type"), Some("text/css; charset=utf-8"));
        assert!(css.body.contains(".badge"), "{backend}");
        assert_eq!(c.get("/models/codat/v/1").status, 200);
        assert!(c
            .get("/models/codat/versions")
            .body
            .contains("/models/codat/v/1"));
        assert_eq!(c.get("/static/portal.css").status, 200);
        for missing in [
            "/models/nope",
            "/models/codat/v/2",
            "/models/codat/v/x",
            "/models/nope/versions",
            "/nothing/here",
        ] {
            let r = c.get(missing);
            assert_eq!(r.status, 404, "{backend}: {missing}");
            assert_security_headers(&r);
        }
        // nda evidence: listed, without its link, for anyone not under NDA.
        let outsystems = c.get("/models/outsystems");
        assert!(outsystems.body.contains("SOC 2"), "{backend}");
        assert!(!outsystems.body.contains("itemUid=7bfa66da"), "{backend}");
        assert!(outsystems.body.contains("NDA is recorded"));
    });
}

#[test]
fn setup_link_accounts_csrf_and_lockout() {
    both_backends(|backend, db| {
        let (mut c, token) = portal(db);
        assert_eq!(c.get("/setup?token=nope").status, 404, "{backend}");
        let form = c.get(&format!("/setup?token={token}"));
        // A form without the CSRF token, or with another's, is refused.
        let forged = c.post(
            "/setup",
            &[
                ("token", &token),
                ("email", "a@b.io"),
                ("name", "A"),
                ("password", PASSWORD),
                ("confirm", PASSWORD),
            ],
        );
        assert_eq!(forged.status, 403, "{backend}");
        let mut stranger = Client::new(c.addr);
        stranger.get("/");
        let forged = stranger.post(
            "/setup",
            &[
                ("csrf", &form.csrf()),
                ("token", &token),
                ("email", "a@b.io"),
                ("name", "A"),
                ("password", PASSWORD),
                ("confirm", PASSWORD),
            ],
        );
        assert_eq!(forged.status, 403, "{backend}");
        // The password policy re-shows the form with the reason.
        let weak = c.post(
            "/setup",
            &[
                ("csrf", &form.csrf()),
                ("token", &token),
                ("email", "admin@portal.io"),
                ("name", "Ada"),
                ("password", "password1234"),
                ("confirm", "password1234"),
            ],
        );
        assert_eq!(weak.status, 422, "{backend}");
        assert!(weak.body.contains("common passwords"), "{}", weak.body);
        assert!(weak.body.contains("value=\"admin@portal.io\""));
        setup_admin(&mut c, &token);
        // Single use.
        assert_eq!(
            Client::new(c.addr)
                .get(&format!("/setup?token={token}"))
                .status,
            404
        );
        let admin = c.get("/admin");
        assert_eq!(admin.status, 200, "{backend}");
        assert!(admin.body.contains("Ada Admin"));
        sign_out(&mut c);
        assert_eq!(c.get("/admin").location(), Some("/login"));

        // A burst of concurrent wrong passwords gets no more guesses checked
        // than the limit (each attempt counts before its password is
        // checked); sequential ones then get a clear message until the
        // lockout, which holds even for the right password.
        let burst = std::sync::Barrier::new(12);
        let statuses: Vec<u16> = std::thread::scope(|s| {
            let threads: Vec<_> = (0..12)
                .map(|_| {
                    s.spawn(|| {
                        let mut attacker = Client::new(c.addr);
                        let csrf = attacker.get("/login").csrf();
                        burst.wait();
                        attacker
                            .post(
                                "/login",
                                &[
                                    ("csrf", &csrf),
                                    ("email", "admin@portal.io"),
                                    ("password", "a burst of guesses"),
                                ],
                            )
                            .status
                    })
                })
                .collect();
            threads.into_iter().map(|t| t.join().unwrap()).collect()
        });
        let checked = statuses.iter().filter(|s| **s == 401).count();
        assert!(
            statuses.iter().all(|s| *s == 401 || *s == 429),
            "{backend}: {statuses:?}"
        );
        let mut attacker = Client::new(c.addr);
        let mut more = 0;
        loop {
            let r = sign_in(&mut attacker, "admin@portal.io", "not the password at all");
            if r.status == 429 {
                break;
            }
            assert_eq!(r.status, 401, "{backend}");
            assert!(r.body.contains("The email or the password is wrong"));
            more += 1;
            assert!(
                more <= 5,
                "{backend}: no lockout after {more} more failures"
            );
        }
        assert_eq!(
            checked + more,
            5,
            "{backend}: burst {statuses:?}, then {more}"
        );
        let locked = sign_in(&mut attacker, "admin@portal.io", PASSWORD);
        assert_eq!(locked.status, 429, "{backend}");
        assert!(locked.body.contains("locked for"), "{}", locked.body);
        assert!(!attacker.cookies.contains_key("onus_session"));
    });
}

#[test]
fn tenants_invites_isolation_mfa_and_sessions() {
    both_backends(|backend, db| {
        let (mut admin, token) = portal(db);
        setup_admin(&mut admin, &token);
        let (a_id, a_invite) = create_tenant(&mut admin, "Acme", "outsystems/odc", "boss@acme.io");
        let (b_id, _) = create_tenant(&mut admin, "Globex", "codat/platform", "boss@globex.io");
        assert_eq!(a_id.len(), 32, "{backend}: unguessable ids");
        assert_eq!(admin.get("/admin/tenants").status, 405);

        // The invite makes the first tenant admin, once.
        let (mut boss, done) = accept(&admin, &a_invite, "Bo Boss");
        assert_eq!(
            done.location(),
            Some(format!("/t/{a_id}").as_str()),
            "{backend}: {}",
            done.body
        );
        assert_eq!(
            Client::new(admin.addr)
                .get(&format!("/invite?token={a_invite}"))
                .status,
            404
        );
        let home = boss.get(&format!("/t/{a_id}"));
        assert_eq!(home.status, 200);
        assert!(
            home.body.contains("boss@acme.io") && home.body.contains("tenant-admin"),
            "{backend}"
        );
        // Another tenant's page, and the admin pages, do not exist for them.
        assert_eq!(boss.get(&format!("/t/{b_id}")).status, 404, "{backend}");
        assert_eq!(boss.get("/admin").status, 404);
        // Nor do the tenant's pages for platform staff.
        assert_eq!(admin.get(&format!("/t/{a_id}")).status, 404);
        assert_eq!(
            Client::new(admin.addr)
                .get(&format!("/t/{a_id}"))
                .location(),
            Some("/login")
        );

        // NDA: recorded by the platform, the member sees the link.
        assert!(!boss
            .get("/models/outsystems")
            .body
            .contains("itemUid=7bfa66da"));
        let csrf = admin.get("/admin").csrf();
        assert_eq!(
            admin
                .post(&format!("/admin/tenants/{a_id}/nda"), &[("csrf", &csrf)])
                .status,
            303
        );
        assert!(
            boss.get("/models/outsystems")
                .body
                .contains("itemUid=7bfa66da"),
            "{backend}"
        );
        assert!(!admin
            .get("/models/outsystems")
            .body
            .contains("itemUid=7bfa66da"));

        // The tenant admin invites a viewer.
        let csrf = boss.get(&format!("/t/{a_id}")).csrf();
        let bad = boss.post(
            &format!("/t/{a_id}/invites"),
            &[
                ("csrf", &csrf),
                ("email", "nobody"),
                ("role", "tenant-viewer"),
            ],
        );
        assert_eq!(bad.status, 422);
        let made = boss.post(
            &format!("/t/{a_id}/invites"),
            &[
                ("csrf", &csrf),
                ("email", "vi@acme.io"),
                ("role", "tenant-viewer"),
            ],
        );
        assert_eq!(made.status, 201, "{}", made.body);
        let (mut viewer, _) = accept(&admin, &token_of(&made), "Vi Viewer");
        assert_eq!(viewer.get(&format!("/t/{a_id}")).status, 200, "{backend}");
        let csrf = viewer.get(&format!("/t/{a_id}")).csrf();
        assert_eq!(
            viewer
                .post(
                    &format!("/t/{a_id}/invites"),
                    &[
                        ("csrf", &csrf),
                        ("email", "x@acme.io"),
                        ("role", "tenant-admin")
                    ]
                )
                .status,
            404,
            "{backend}: viewers manage no one"
        );

        // TOTP enrolment: a wrong code is refused, the right one gives 10 recovery codes.
        let enrol = boss.get("/account/mfa");
        let secret = between(&enrol, "id=\"totp-secret\">", "<");
        assert!(enrol.body.contains("<svg class=\"qr\""));
        let wrong = boss.post(
            "/account/mfa",
            &[("csrf", &enrol.csrf()), ("code", "000000x")],
        );
        assert_eq!(wrong.status, 422, "{backend}");
        let enrolled_with = totp_now(&secret);
        let codes = boss.post(
            "/account/mfa",
            &[("csrf", &enrol.csrf()), ("code", &enrolled_with)],
        );
        assert_eq!(codes.status, 200, "{backend}: {}", codes.body);
        let recovery: Vec<String> = codes
            .body
            .split("<li><code>")
            .skip(1)
            .map(|s| s[..19].to_string())
            .collect();
        assert_eq!(recovery.len(), 10);

        // The tenant requires MFA: the viewer without it is sent to enrol.
        let csrf = boss.get(&format!("/t/{a_id}")).csrf();
        assert_eq!(
            boss.post(
                &format!("/t/{a_id}/mfa"),
                &[("csrf", &csrf), ("require", "on")]
            )
            .status,
            303
        );
        let blocked = viewer.get(&format!("/t/{a_id}"));
        assert_eq!(blocked.status, 403, "{backend}");
        assert!(blocked.body.contains("requires two-factor"));

        // Signing in again takes the code, or a recovery code once.
        sign_out(&mut boss);
        let first = sign_in(&mut boss, "boss@acme.io", PASSWORD);
        assert_eq!(first.location(), Some("/login/mfa"), "{backend}");
        assert_eq!(
            boss.get(&format!("/t/{a_id}")).location(),
            Some("/login"),
            "no access before the code"
        );
        let form = boss.get("/login/mfa");
        assert_eq!(
            boss.post("/login/mfa", &[("csrf", &form.csrf()), ("code", "123")])
                .status,
            401
        );
        // The code enrolment used is spent: a replay is refused.
        let replay = boss.post(
            "/login/mfa",
            &[("csrf", &form.csrf()), ("code", &enrolled_with)],
        );
        assert_eq!(replay.status, 401, "{backend}: a TOTP code is good once");
        let next = totp_next(&secret);
        let ok = boss.post("/login/mfa", &[("csrf", &form.csrf()), ("code", &next)]);
        assert_eq!(ok.location(), Some("/"), "{backend}");
        sign_out(&mut boss);
        sign_in(&mut boss, "boss@acme.io", PASSWORD);
        let form = boss.get("/login/mfa");
        assert_eq!(
            boss.post("/login/mfa", &[("csrf", &form.csrf()), ("code", &next)])
                .status,
            401,
            "{backend}: the sign-in code, replayed"
        );
        let ok = boss.post(
            "/login/mfa",
            &[
                ("csrf", &form.csrf()),
                ("code", &recovery[1].to_uppercase()),
            ],
        );
        assert_eq!(ok.location(), Some("/"), "{backend}");
        assert_eq!(boss.get(&format!("/t/{a_id}")).status, 200);
        sign_out(&mut boss);
        sign_in(&mut boss, "boss@acme.io", PASSWORD);
        let form = boss.get("/login/mfa");
        assert_eq!(
            boss.post(
                "/login/mfa",
                &[
                    ("csrf", &form.csrf()),
                    ("code", &recovery[0].to_uppercase())
                ]
            )
            .location(),
            Some("/")
        );
        sign_out(&mut boss);
        sign_in(&mut boss, "boss@acme.io", PASSWORD);
        let form = boss.get("/login/mfa");
        assert_eq!(
            boss.post(
                "/login/mfa",
                &[("csrf", &form.csrf()), ("code", &recovery[0])]
            )
            .status,
            401,
            "{backend}: used once"
        );

        // Sign out everywhere ends the admin's other sessions.
        let mut other = Client::new(admin.addr);
        assert_eq!(
            sign_in(&mut other, "admin@portal.io", PASSWORD).location(),
            Some("/")
        );
        assert_eq!(other.get("/admin").status, 200);
        let csrf = admin.get("/account").csrf();
        assert_eq!(
            admin.post("/logout/everywhere", &[("csrf", &csrf)]).status,
            303
        );
        assert_eq!(other.get("/admin").location(), Some("/login"), "{backend}");
    });
}

/// A tenant admin manages their own users: changes a role, removes a
/// member (who then gets 404 like any outsider), and cannot leave the
/// tenant without an admin; nobody else can do either.
#[test]
fn tenant_admins_change_roles_and_remove_members() {
    both_backends(|backend, db| {
        let (mut admin, token) = portal(db);
        setup_admin(&mut admin, &token);
        let (a_id, a_invite) = create_tenant(&mut admin, "Acme", "outsystems/odc", "boss@acme.io");
        let (mut boss, _) = accept(&admin, &a_invite, "Bo Boss");
        let csrf = boss.get(&format!("/t/{a_id}")).csrf();
        let made = boss.post(
            &format!("/t/{a_id}/invites"),
            &[
                ("csrf", &csrf),
                ("email", "vi@acme.io"),
                ("role", "tenant-viewer"),
            ],
        );
        let (mut vi, _) = accept(&admin, &token_of(&made), "Vi Viewer");
        // Each member's id, from the forms of the admin's page.
        let page = boss.get(&format!("/t/{a_id}")).body;
        let id_of = |email: &str| -> String {
            let rest = &page[page.find(email).unwrap()..];
            let at = rest.find("/members/").unwrap() + "/members/".len();
            rest[at..at + rest[at..].find('/').unwrap()].to_string()
        };
        let (boss_id, vi_id) = (id_of("boss@acme.io"), id_of("vi@acme.io"));
        let role = |c: &mut Client, who: &str, role: &str| {
            let csrf = c.get(&format!("/t/{a_id}")).csrf();
            c.post(
                &format!("/t/{a_id}/members/{who}/role"),
                &[("csrf", &csrf), ("role", role)],
            )
        };

        // A viewer manages no one, themselves included.
        assert_eq!(
            role(&mut vi, &vi_id, "tenant-admin").status,
            404,
            "{backend}"
        );
        // The last admin cannot step down.
        let last = role(&mut boss, &boss_id, "tenant-member");
        assert_eq!(last.status, 422, "{backend}");
        assert!(last.body.contains("last admin"), "{}", last.body);
        // An unknown role, an unknown member.
        assert_eq!(role(&mut boss, &vi_id, "owner").status, 422);
        assert_eq!(role(&mut boss, "nobody", "tenant-member").status, 404);
        // The viewer becomes a member.
        assert_eq!(
            role(&mut boss, &vi_id, "tenant-member").status,
            303,
            "{backend}"
        );
        assert!(vi
            .get(&format!("/t/{a_id}"))
            .body
            .contains("<dd>tenant-member</dd>"));

        // Removed, the member sees the tenant no more; the last admin stays.
        let csrf = boss.get(&format!("/t/{a_id}")).csrf();
        let remove = |c: &mut Client, who: &str| {
            c.post(
                &format!("/t/{a_id}/members/{who}/remove"),
                &[("csrf", &csrf)],
            )
        };
        assert_eq!(remove(&mut boss, &boss_id).status, 422, "{backend}");
        assert_eq!(remove(&mut boss, &vi_id).status, 303, "{backend}");
        assert_eq!(vi.get(&format!("/t/{a_id}")).status, 404, "{backend}");
        assert_eq!(remove(&mut boss, &vi_id).status, 404, "{backend}: once");
        assert!(!boss.get(&format!("/t/{a_id}")).body.contains("vi@acme.io"));
    });
}

#[test]
fn publishing_on_demand_is_a_no_op_for_the_same_content() {
    both_backends(|backend, db| {
        let (mut admin, token) = portal(db);
        setup_admin(&mut admin, &token);
        let csrf = admin.get("/admin").csrf();
        let r = admin.post("/admin/publish", &[("csrf", &csrf)]);
        assert_eq!(r.status, 200, "{backend}");
        assert!(
            r.body
                .contains("codat unchanged (version 1 has this content)"),
            "{}",
            r.body
        );
        let mut anon = Client::new(admin.addr);
        let csrf = anon.get("/login").csrf();
        assert_eq!(
            anon.post("/admin/publish", &[("csrf", &csrf)]).location(),
            Some("/login")
        );
    });
}

#[test]
fn the_api_answers_with_tokens_json_and_problems() {
    both_backends(|backend, db| {
        let (mut c, _) = portal(db);
        let rt = runtime();
        let store = rt.block_on(Store::open(db)).unwrap();
        let (admin_id, _) = rt
            .block_on(onus_server::admin_create_user(
                &store,
                "ops@portal.io",
                "Ops",
                "platform-admin",
                None,
            ))
            .unwrap();
        let write = rt
            .block_on(onus_server::admin_mint_token(
                &store,
                "ops@portal.io",
                "write",
                None,
                "ci",
                90,
            ))
            .unwrap();
        let read = rt
            .block_on(onus_server::admin_mint_token(
                &store,
                "ops@portal.io",
                "read",
                None,
                "ci",
                90,
            ))
            .unwrap();

        let doc = c.api("GET", "/api/v1/openapi.json", None, None);
        assert_eq!(doc.status, 200, "{backend}");
        let doc: serde_json::Value = serde_json::from_str(&doc.body).unwrap();
        assert!(doc["openapi"].as_str().unwrap().starts_with("3.1"), "{doc}");
        for path in [
            "/api/v1/me",
            "/api/v1/models",
            "/api/v1/tenants",
            "/api/v1/tenants/{tenant}/invites",
        ] {
            assert!(
                doc["paths"].get(path).is_some(),
                "{path} missing from the OpenAPI document"
            );
        }

        let anon = c.api("GET", "/api/v1/me", None, None);
        assert_eq!(anon.status, 401, "{backend}");
        assert_eq!(
            anon.header("content-type"),
            Some("application/problem+json")
        );
        assert!(
            anon.body
                .contains("\"type\":\"/api/v1/problems/unauthorized\""),
            "{}",
            anon.body
        );
        assert_security_headers(&anon);
        assert_eq!(
            c.api("GET", "/api/v1/me", Some("onus_wrong"), None).status,
            401
        );

        let me: serde_json::Value =
            serde_json::from_str(&c.api("GET", "/api/v1/me", Some(&read), None).body).unwrap();
        assert_eq!(
            (me["email"].as_str(), me["id"].as_str()),
            (Some("ops@portal.io"), Some(admin_id.as_str())),
            "{backend}"
        );
        let models = c.api("GET", "/api/v1/models", Some(&read), None);
        assert!(
            models.body.contains("\"model\":\"codat\""),
            "{}",
            models.body
        );
        assert!(c
            .api("GET", "/api/v1/models/codat/versions", Some(&read), None)
            .body
            .contains("\"version\":1"));
        let missing = c.api("GET", "/api/v1/models/nope/versions", Some(&read), None);
        assert_eq!(missing.status, 404);
        assert!(missing.body.contains("/api/v1/problems/not-found"));
        assert_eq!(
            c.api("GET", "/api/v1/nothing", Some(&read), None).status,
            404
        );

        let new_tenant =
            r#"{"name":"Initech","subscription":"codat/platform","admin_email":"boss@initech.io"}"#;
        let ro = c.api("POST", "/api/v1/tenants", Some(&read), Some(new_tenant));
        assert_eq!(ro.status, 403, "{backend}");
        assert!(ro.body.contains("read-only-token"));
        let bad = c.api(
            "POST",
            "/api/v1/tenants",
            Some(&write),
            Some("{\"name\":1}"),
        );
        assert_eq!(bad.status, 422, "{backend}");
        assert!(bad.body.contains("invalid-request"));
        let bad = c.api(
            "POST",
            "/api/v1/tenants",
            Some(&write),
            Some(r#"{"name":"X","subscription":"nope/x","admin_email":"a@b.io"}"#),
        );
        assert_eq!(bad.status, 422);
        assert!(
            bad.body.contains("Choose a published model"),
            "{}",
            bad.body
        );
        let made = c.api("POST", "/api/v1/tenants", Some(&write), Some(new_tenant));
        assert_eq!(made.status, 201, "{backend}: {}", made.body);
        let made: serde_json::Value = serde_json::from_str(&made.body).unwrap();
        let tenant_id = made["tenant"]["id"].as_str().unwrap().to_string();
        let invite = made["invite_url"]
            .as_str()
            .unwrap()
            .split("token=")
            .nth(1)
            .unwrap()
            .to_string();
        assert!(c
            .api("GET", "/api/v1/tenants", Some(&read), None)
            .body
            .contains("Initech"));
        let other = c.api(
            "POST",
            "/api/v1/tenants",
            Some(&write),
            Some(r#"{"name":"Other","subscription":"codat/platform","admin_email":"o@o.io"}"#),
        );
        let other_id = serde_json::from_str::<serde_json::Value>(&other.body).unwrap()["tenant"]
            ["id"]
            .as_str()
            .unwrap()
            .to_string();

        // The tenant admin, with a token bound to their tenant.
        let (_, done) = accept(&c, &invite, "Bill Boss");
        assert_eq!(done.status, 303, "{}", done.body);
        let boss = rt
            .block_on(onus_server::admin_mint_token(
                &store,
                "boss@initech.io",
                "write",
                Some(&tenant_id),
                "ci",
                90,
            ))
            .unwrap();
        let users = c.api(
            "GET",
            &format!("/api/v1/tenants/{tenant_id}/users"),
            Some(&boss),
            None,
        );
        assert_eq!(users.status, 200, "{backend}: {}", users.body);
        assert!(users.body.contains("boss@initech.io"));
        assert_eq!(
            c.api(
                "GET",
                &format!("/api/v1/tenants/{other_id}/users"),
                Some(&boss),
                None
            )
            .status,
            404,
            "{backend}"
        );
        assert_eq!(
            c.api("GET", "/api/v1/tenants", Some(&boss), None).status,
            404
        );
        assert_eq!(
            c.api(
                "GET",
                &format!("/api/v1/tenants/{tenant_id}/users"),
                Some(&write),
                None
            )
            .status,
            404,
            "platform staff see no tenant's users"
        );
        let inv = c.api(
            "POST",
            &format!("/api/v1/tenants/{tenant_id}/invites"),
            Some(&boss),
            Some(r#"{"email":"dev@initech.io","role":"tenant-god"}"#),
        );
        assert_eq!(inv.status, 422);
        let inv = c.api(
            "POST",
            &format!("/api/v1/tenants/{tenant_id}/invites"),
            Some(&boss),
            Some(r#"{"email":"dev@initech.io","role":"tenant-member"}"#),
        );
        assert_eq!(inv.status, 201, "{}", inv.body);
        assert!(inv.body.contains("/invite?token="));

        // Revoked: refused at once.
        let grant = rt.block_on(store.api_token(&read)).unwrap().unwrap();
        assert!(rt
            .block_on(store.revoke_api_token(&grant.id, &admin_id, &onus_store::Audit::default()))
            .unwrap());
        assert_eq!(
            c.api("GET", "/api/v1/me", Some(&read), None).status,
            401,
            "{backend}"
        );
    });
}

#[test]
fn api_tokens_are_minted_on_the_account_page_shown_once_listed_and_revoked() {
    both_backends(|backend, db| {
        let (mut c, setup) = portal(db);
        setup_admin(&mut c, &setup);
        let csrf = c.get("/account").csrf();

        let bad = c.post(
            "/account/tokens",
            &[
                ("csrf", &csrf),
                ("name", "ci"),
                ("scope", "admin"),
                ("tenant", ""),
            ],
        );
        assert_eq!(bad.status, 422, "{backend}: {}", bad.body);
        assert!(bad.body.contains("not `admin`"), "{}", bad.body);
        let nameless = c.post(
            "/account/tokens",
            &[
                ("csrf", &csrf),
                ("name", " "),
                ("scope", "read"),
                ("tenant", ""),
            ],
        );
        assert_eq!(nameless.status, 422, "{backend}");
        let foreign = c.post(
            "/account/tokens",
            &[
                ("csrf", &csrf),
                ("name", "x"),
                ("scope", "read"),
                ("tenant", "no-such-tenant"),
            ],
        );
        assert_eq!(
            foreign.status, 422,
            "{backend}: a tenant one does not belong to"
        );

        let shown = c.post(
            "/account/tokens",
            &[
                ("csrf", &csrf),
                ("name", "nightly export"),
                ("scope", "write"),
                ("tenant", ""),
            ],
        );
        assert_eq!(shown.status, 201, "{backend}: {}", shown.body);
        let token = shown_value(&shown);
        assert!(token.starts_with("onus_"), "{token}");

        let me = c.api("GET", "/api/v1/me", Some(&token), None);
        assert_eq!(me.status, 200, "{backend}: {}", me.body);
        let listed = c.api("GET", "/api/v1/me/tokens", Some(&token), None);
        assert_eq!(listed.status, 200, "{backend}");
        let listed: serde_json::Value = serde_json::from_str(&listed.body).unwrap();
        assert_eq!(listed.as_array().unwrap().len(), 1, "{listed}");
        assert_eq!(listed[0]["name"], "nightly export");
        assert!(listed[0]["last_used_at"].is_i64(), "{listed}");
        assert!(
            !listed.to_string().contains(&token),
            "the secret is never listed"
        );
        let id = listed[0]["id"].as_str().unwrap().to_string();

        let account = c.get("/account");
        assert!(account.body.contains("nightly export"), "{backend}");
        assert!(!account.body.contains(&token), "{backend}: shown once only");

        // A token works for the days asked (1 to 366), and not a second more.
        let forever = c.post(
            "/account/tokens",
            &[
                ("csrf", &csrf),
                ("name", "forever"),
                ("scope", "read"),
                ("tenant", ""),
                ("days", "5000"),
            ],
        );
        assert_eq!(forever.status, 422, "{backend}: {}", forever.body);
        assert!(forever.body.contains("1 to 366 days"), "{}", forever.body);
        let weekly = c.post(
            "/account/tokens",
            &[
                ("csrf", &csrf),
                ("name", "weekly"),
                ("scope", "read"),
                ("tenant", ""),
                ("days", "7"),
            ],
        );
        let weekly = shown_value(&weekly);
        let listed: serde_json::Value =
            serde_json::from_str(&c.api("GET", "/api/v1/me/tokens", Some(&weekly), None).body)
                .unwrap();
        let week = listed
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["name"] == "weekly")
            .unwrap();
        let lifetime = week["expires_at"].as_i64().unwrap() - week["created_at"].as_i64().unwrap();
        assert_eq!(lifetime, 7 * 86_400, "{backend}: {week}");
        let week_id = week["id"].as_str().unwrap().to_string();
        runtime().block_on(async {
            let store = Store::open(db).await.unwrap();
            store
                .exec_for_test(&format!(
                    "UPDATE api_tokens SET expires_at = {} WHERE id = '{week_id}'",
                    onus_store::now() - 1
                ))
                .await;
        });
        assert_eq!(
            c.api("GET", "/api/v1/me", Some(&weekly), None).status,
            401,
            "{backend}: expired at once"
        );
        assert!(c.get("/account").body.contains("expired "), "{backend}");

        // A second token revokes the first through the API; the page revokes the second.
        let second = c.post(
            "/account/tokens",
            &[
                ("csrf", &csrf),
                ("name", "second"),
                ("scope", "write"),
                ("tenant", ""),
            ],
        );
        let second = shown_value(&second);
        let gone = c.api(
            "DELETE",
            &format!("/api/v1/me/tokens/{id}"),
            Some(&second),
            None,
        );
        assert_eq!(gone.status, 204, "{backend}: {}", gone.body);
        assert_eq!(
            c.api("GET", "/api/v1/me", Some(&token), None).status,
            401,
            "{backend}: revoked at once"
        );
        let again = c.api(
            "DELETE",
            &format!("/api/v1/me/tokens/{id}"),
            Some(&second),
            None,
        );
        assert_eq!(again.status, 404, "{backend}");
        let listed: serde_json::Value =
            serde_json::from_str(&c.api("GET", "/api/v1/me/tokens", Some(&second), None).body)
                .unwrap();
        let second_id = listed
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["name"] == "second")
            .unwrap()["id"]
            .as_str()
            .unwrap()
            .to_string();
        let revoked = c.post(
            &format!("/account/tokens/{second_id}/revoke"),
            &[("csrf", &csrf)],
        );
        assert_eq!(revoked.location(), Some("/account"), "{backend}");
        assert_eq!(
            c.api("GET", "/api/v1/me", Some(&second), None).status,
            401,
            "{backend}"
        );
        assert!(c.get("/account").body.contains("revoked"), "{backend}");
        let unknown = c.post("/account/tokens/nope/revoke", &[("csrf", &csrf)]);
        assert_eq!(unknown.status, 404, "{backend}");
        let audit = runtime().block_on(async {
            let store = Store::open(db).await.unwrap();
            store.audit_entries(50).await.unwrap()
        });
        let actions: Vec<&str> = audit.iter().map(|e| e.2.as_str()).collect();
        assert_eq!(
            actions
                .iter()
                .filter(|a| **a == "api-token-created")
                .count(),
            3,
            "{actions:?}"
        );
        assert_eq!(
            actions
                .iter()
                .filter(|a| **a == "api-token-revoked")
                .count(),
            2,
            "{actions:?}"
        );
    });
}

#[test]
fn platform_operators_see_the_overview_and_change_nothing() {
    both_backends(|backend, db| {
        let (mut admin, setup) = portal(db);
        setup_admin(&mut admin, &setup);
        let (tenant, _) = create_tenant(&mut admin, "Acme Corp", "codat/platform", "boss@acme.io");
        let password = runtime().block_on(async {
            let store = Store::open(db).await.unwrap();
            onus_server::admin_create_user(
                &store,
                "op@portal.io",
                "Olu Operator",
                "platform-operator",
                None,
            )
            .await
            .unwrap()
            .1
        });
        let mut op = Client::new(admin.addr);
        assert_eq!(
            sign_in(&mut op, "op@portal.io", &password).status,
            303,
            "{backend}"
        );
        let home = op.get("/");
        assert!(
            home.body.contains("href=\"/admin\""),
            "{backend}: the operator's menu leads to the overview"
        );
        let overview = op.get("/admin");
        assert_eq!(overview.status, 200, "{backend}: {}", overview.body);
        assert!(overview.body.contains("Acme Corp"), "{backend}");
        assert!(overview.body.contains("codat/platform"), "{backend}");
        for absent in ["New tenant", "Publish now", "Record NDA", "Recent events"] {
            assert!(
                !overview.body.contains(absent),
                "{backend}: an operator sees no `{absent}`"
            );
        }
        let csrf = overview.csrf();
        let refused = [
            op.post(
                "/admin/tenants",
                &[
                    ("csrf", &csrf),
                    ("name", "Evil"),
                    ("subscription", "codat/platform"),
                    ("admin_email", "e@x.io"),
                ],
            ),
            op.post(&format!("/admin/tenants/{tenant}/nda"), &[("csrf", &csrf)]),
            op.post("/admin/publish", &[("csrf", &csrf)]),
            op.get(&format!("/t/{tenant}")),
        ];
        for r in refused {
            assert_eq!(r.status, 404, "{backend}: {}", r.body);
        }
        assert!(
            !admin.get("/admin").body.contains("Evil"),
            "{backend}: nothing was created"
        );
    });
}
