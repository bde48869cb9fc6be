//! Fresh databases for tests, on both backends: a SQLite file in the
//! temporary folder and a new PostgreSQL database on the server of
//! `ONUS_TEST_PG` (default `postgres://postgres@127.0.0.1:5432/postgres`).
//! PostgreSQL missing is a failure, never a skip: `scripts/test` starts it.
//!
//! Test databases are named `onus_test_UNIXTIME_RANDOM`; the first fresh
//! database of a test process drops those of earlier runs older than
//! [`STALE_AFTER`] (tests have no global teardown, so this keeps the
//! server from filling up run after run).

use std::sync::Once;

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
    static SWEEP: Once = Once::new();
    let name = format!("onus_test_{}_{}", crate::now(), random_id());
    let mut conn = <sqlx::AnyConnection as sqlx::Connection>::connect(&admin)
        .await
        .unwrap_or_else(|e| {
            panic!(
                "PostgreSQL is needed by this test and does not answer at {admin} ({e}); start it (scripts/test does) or set ONUS_TEST_PG"
            )
        });
    if !SWEEP.is_completed() {
        drop_stale(&mut conn).await;
        SWEEP.call_once(|| {});
    }
    sqlx::query(&format!("CREATE DATABASE {name}"))
        .execute(&mut conn)
        .await
        .unwrap_or_else(|e| panic!("cannot create the test database {name}: {e}"));
    let base = admin.rsplit_once('/').map_or(admin.as_str(), |(b, _)| b);
    format!("{base}/{name}")
}

/// Test databases older than this are dropped by the next run (seconds).
pub const STALE_AFTER: i64 = 6 * 3600;

/// Drops the test databases of earlier runs (best effort: one still in
/// use, or of a server shared with others, is left alone).
async fn drop_stale(conn: &mut sqlx::AnyConnection) {
    use sqlx::Row;
    let Ok(rows) =
        sqlx::query("SELECT datname::text FROM pg_database WHERE datname LIKE 'onus_test_%'")
            .fetch_all(&mut *conn)
            .await
    else {
        return;
    };
    let cutoff = crate::now() - STALE_AFTER;
    for row in rows {
        let name: String = row.get(0);
        let born = name
            .strip_prefix("onus_test_")
            .and_then(|rest| rest.split('_').next())
            .and_then(|t| t.parse::<i64>().ok());
        // Names without a time are from before names had one: stale too.
        if born.is_none_or(|t| t < cutoff)
            && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
        {
            let _ = sqlx::query(&format!("DROP DATABASE IF EXISTS {name}"))
                .execute(&mut *conn)
                .await;
        }
    }
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
