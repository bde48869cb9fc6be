//! Fresh databases for tests, on both backends: a SQLite file in the
//! temporary folder and a new PostgreSQL database on the server of
//! `ONUS_TEST_PG` (default `postgres://postgres@127.0.0.1:5432/postgres`).
//! PostgreSQL missing is a failure, never a skip: `scripts/test` starts it.

use crate::{random_id, Store};

/// The PostgreSQL server tests use.
pub fn pg_admin_url() -> String {
    std::env::var("ONUS_TEST_PG")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".to_string())
}

/// The URL of a new, empty PostgreSQL database (panics, saying why, when
/// PostgreSQL does not answer).
pub async fn fresh_pg_url() -> String {
    sqlx::any::install_default_drivers();
    let admin = pg_admin_url();
    let name = format!("onus_test_{}", random_id());
    let mut conn = <sqlx::AnyConnection as sqlx::Connection>::connect(&admin)
        .await
        .unwrap_or_else(|e| {
            panic!(
                "PostgreSQL is needed by this test and does not answer at {admin} ({e}); start it (scripts/test does) or set ONUS_TEST_PG"
            )
        });
    sqlx::query(&format!("CREATE DATABASE {name}"))
        .execute(&mut conn)
        .await
        .unwrap_or_else(|e| panic!("cannot create the test database {name}: {e}"));
    let base = admin.rsplit_once('/').map_or(admin.as_str(), |(b, _)| b);
    format!("{base}/{name}")
}

/// The URL of a new SQLite file in the temporary folder.
pub fn fresh_sqlite_url() -> String {
    let path = std::env::temp_dir().join(format!("onus_test_{}.db", random_id()));
    path.display().to_string()
}

/// Both fresh databases, opened and migrated: `[("sqlite", ..), ("postgres", ..)]`.
pub async fn fresh_stores() -> Vec<(&'static str, Store)> {
    let sqlite = Store::open(&fresh_sqlite_url())
        .await
        .expect("a fresh SQLite database opens");
    let pg = Store::open(&fresh_pg_url().await)
        .await
        .expect("a fresh PostgreSQL database opens");
    vec![("sqlite", sqlite), ("postgres", pg)]
}
