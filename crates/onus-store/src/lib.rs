//! onus-store: everything the portal keeps, in one database, SQLite or
//! PostgreSQL, with one behaviour.
//!
//! Queries are plain SQL run through sqlx's `Any` driver: `$1`-style
//! placeholders and portable types (TEXT, BIGINT; times are Unix seconds,
//! flags 0/1), so one text serves both backends and no query is checked at
//! compile time against a live database. The schema is created and upgraded
//! by the versioned migrations of `migrations/` (embedded in the binary),
//! run on every start.
//!
//! All state lives here, sessions included: any number of servers can share
//! one PostgreSQL database. Secrets (session ids, invite and setup tokens,
//! recovery codes, API tokens) are stored as SHA-256 hashes only; passwords
//! as the argon2id strings the server computes.

mod accounts;
pub mod audit;
mod checklist;
mod evidence;
mod grants;
mod models;
mod tenants;
pub mod testing;
mod webhooks;

use std::borrow::Cow;

use sha2::{Digest, Sha256};
use sqlx::any::{AnyPoolOptions, AnyRow};
use sqlx::migrate::{Migration, MigrationType, Migrator};
use sqlx::{AnyPool, Row};

pub use accounts::{ApiToken, Session, TokenSummary, User};
pub use audit::Audit;
pub use checklist::{
    ChangeRecord, Duty, HistoryEntry, Item, ModelChange, SyncOutcome, SyncPlan, TenantData, Update,
    UpdateError, STATUSES,
};
pub use evidence::{
    Attachment, BoxFuture, ChunkStore, DbChunks, Upload, UploadError, ABANDONED_AFTER, CHUNK_SIZE,
};
pub use grants::{Grant, MAX_GRANT_MINUTES};
pub use models::{ModelVersion, Published, VersionSummary};
pub use tenants::{Invite, Member, Tenant};
pub use webhooks::{Delivery, Webhook};

/// The migrations, in order: (version, description, SQL).
const MIGRATIONS: &[(i64, &str, &str)] = &[
    (1, "initial", include_str!("../migrations/0001_initial.sql")),
    (
        2,
        "totp last step",
        include_str!("../migrations/0002_totp_last_step.sql"),
    ),
    (
        3,
        "checklist",
        include_str!("../migrations/0003_checklist.sql"),
    ),
    (
        4,
        "evidence",
        include_str!("../migrations/0004_evidence.sql"),
    ),
    (
        5,
        "webhooks",
        include_str!("../migrations/0005_webhooks.sql"),
    ),
    (
        6,
        "audit chain",
        include_str!("../migrations/0006_audit_chain.sql"),
    ),
    (
        7,
        "access grants",
        include_str!("../migrations/0007_access_grants.sql"),
    ),
    (
        8,
        "api token expiry",
        include_str!("../migrations/0008_api_token_expiry.sql"),
    ),
];

/// A storage failure, with what was being done.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("cannot open the database {url}: {source}")]
    Open { url: String, source: sqlx::Error },
    #[error("cannot create or upgrade the database schema: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("database error: {0}")]
    Db(#[from] sqlx::Error),
    #[error("stored data is damaged: {0}")]
    Corrupt(String),
    #[error("{0}")]
    Conflict(String),
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// Which database a [`Store`] runs on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// The portal's database: a pool of connections, cheap to clone.
#[derive(Clone, Debug)]
pub struct Store {
    pool: AnyPool,
    backend: Backend,
    /// Where evidence files' bytes live ([`DbChunks`] unless set with
    /// [`Store::with_chunks`]).
    chunks: std::sync::Arc<dyn ChunkStore>,
}

impl Store {
    /// Opens the database at `url` (`postgres://...`, `sqlite:PATH`, or a
    /// plain file path for SQLite, created when missing) and brings its
    /// schema up to date.
    pub async fn open(url: &str) -> Result<Store> {
        sqlx::any::install_default_drivers();
        let (url, backend) = normalize_url(url);
        let max = if backend == Backend::Sqlite { 4 } else { 8 };
        let pool = AnyPoolOptions::new()
            .max_connections(max)
            .acquire_timeout(std::time::Duration::from_secs(10))
            .connect(&url)
            .await
            .map_err(|source| StoreError::Open {
                url: redact(&url),
                source,
            })?;
        if backend == Backend::Sqlite {
            // Readers do not block the writer; the setting stays with the file.
            sqlx::query("PRAGMA journal_mode=WAL")
                .execute(&pool)
                .await?;
        }
        let chunks = std::sync::Arc::new(DbChunks::new(pool.clone()));
        let store = Store {
            pool,
            backend,
            chunks,
        };
        store.migrate().await?;
        Ok(store)
    }

    async fn migrate(&self) -> Result<()> {
        let migrations: Vec<Migration> = MIGRATIONS
            .iter()
            .map(|(version, description, sql)| {
                Migration::new(
                    *version,
                    Cow::Borrowed(*description),
                    MigrationType::Simple,
                    Cow::Borrowed(*sql),
                    false,
                )
            })
            .collect();
        let migrator = Migrator {
            migrations: Cow::Owned(migrations),
            ..Migrator::DEFAULT
        };
        migrator.run(&self.pool).await?;
        Ok(())
    }

    /// Runs the migrations again (tests: a second start is harmless).
    #[doc(hidden)]
    pub async fn migrate_again_for_test(&self) {
        self.migrate().await.expect("migrations run twice");
    }

    /// Runs one statement as it is (tests that tamper with the database).
    #[doc(hidden)]
    pub async fn exec_for_test(&self, sql: &str) {
        sqlx::query(sql)
            .execute(&self.pool)
            .await
            .unwrap_or_else(|e| panic!("{sql}: {e}"));
    }

    /// A transaction that writes. On SQLite it takes the write lock at
    /// once (`BEGIN IMMEDIATE`), so it waits its turn behind another writer
    /// (the busy timeout); a plain `BEGIN` reads first, and its first write
    /// fails at once with "database is locked" when another writer has
    /// committed since that read (WAL's stale snapshot: no wait cures it).
    pub(crate) async fn begin(&self) -> Result<sqlx::Transaction<'static, sqlx::Any>> {
        Ok(match self.backend {
            Backend::Sqlite => self.pool.begin_with("BEGIN IMMEDIATE").await?,
            Backend::Postgres => self.pool.begin().await?,
        })
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Closes every connection (waits for the ones in use).
    pub async fn close(&self) {
        self.pool.close().await;
    }

    /// A setting shared by every server (`None` when unset).
    pub async fn setting(&self, key: &str) -> Result<Option<String>> {
        let row = sqlx::query("SELECT value FROM settings WHERE key = $1")
            .bind(key)
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.map(|r| r.get::<String, _>(0)))
    }

    /// Records an event in the audit log, in a transaction of its own: in
    /// the tenant's chain, or the platform's (see [`audit`]). Only for
    /// what changes nothing: reads (recorded before the data is served:
    /// downloads, exports, use of an access grant) and refused or failed
    /// attempts. A change is audited by the store method that makes it,
    /// which takes an [`audit::Audit`] and appends it in the change's own
    /// transaction, so a crash never leaves a change without its entry.
    pub async fn audit(
        &self,
        actor: Option<&str>,
        tenant: Option<&str>,
        action: &str,
        target: &str,
        details: &str,
    ) -> Result<()> {
        let chain = tenant.unwrap_or(audit::PLATFORM);
        let mut tries = 0;
        loop {
            match self
                .append_audit(chain, actor, action, target, details)
                .await
            {
                Ok(_) => return Ok(()),
                // Two servers starting one chain at once: the loser appends again.
                Err(StoreError::Db(sqlx::Error::Database(e)))
                    if e.is_unique_violation() && tries < 3 =>
                {
                    tries += 1;
                }
                Err(e) => return Err(e),
            }
        }
    }

    /// The latest audit entries (newest first): (time, actor, action, target).
    pub async fn audit_entries(
        &self,
        limit: i64,
    ) -> Result<Vec<(i64, Option<String>, String, String)>> {
        let rows = sqlx::query(
            "SELECT at, actor, action, target FROM audit ORDER BY at DESC, id LIMIT $1",
        )
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .iter()
            .map(|r| (r.get(0), r.get(1), r.get(2), r.get(3)))
            .collect())
    }
}

/// The sqlx URL for what the user wrote, and its backend. A plain path is a
/// SQLite file, created when missing.
fn normalize_url(url: &str) -> (String, Backend) {
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        return (url.to_string(), Backend::Postgres);
    }
    let path = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))
        .unwrap_or(url);
    let url = if path.contains('?') {
        format!("sqlite://{path}")
    } else {
        format!("sqlite://{path}?mode=rwc")
    };
    (url, Backend::Sqlite)
}

/// The URL without its password, for messages and logs.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let userinfo = &url[scheme + 3..at];
            match userinfo.find(':') {
                Some(colon) => format!(
                    "{}{}:***{}",
                    &url[..scheme + 3],
                    &userinfo[..colon],
                    &url[at..]
                ),
                None => url.to_string(),
            }
        }
        _ => url.to_string(),
    }
}

/// Seconds since the Unix epoch.
pub fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

/// `n` random bytes from the operating system.
pub fn random_bytes(n: usize) -> Vec<u8> {
    let mut bytes = vec![0u8; n];
    // The OS generator failing leaves no safe way on: stop loudly.
    getrandom::fill(&mut bytes).expect("the operating system's random generator failed");
    bytes
}

/// An unguessable id or secret: 128 random bits, hex.
pub fn random_id() -> String {
    hex(&random_bytes(16))
}

/// A secret token to hand out (256 random bits, hex); store only its [`hash`].
pub fn random_token() -> String {
    hex(&random_bytes(32))
}

/// Lowercase hex.
pub fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(DIGITS[(b >> 4) as usize] as char);
        s.push(DIGITS[(b & 15) as usize] as char);
    }
    s
}

/// SHA-256 of a secret, hex: what is stored in its place.
pub fn hash(secret: &str) -> String {
    hex(&Sha256::digest(secret.as_bytes()))
}

fn flag(row: &AnyRow, column: &str) -> bool {
    row.get::<i64, _>(column) != 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_paths_are_sqlite_files_created_when_missing() {
        assert_eq!(
            normalize_url("/tmp/x.db"),
            ("sqlite:///tmp/x.db?mode=rwc".to_string(), Backend::Sqlite)
        );
        assert_eq!(
            normalize_url("sqlite:portal.db"),
            ("sqlite://portal.db?mode=rwc".to_string(), Backend::Sqlite)
        );
        assert_eq!(normalize_url("postgres://u@h/db").1, Backend::Postgres);
    }

    #[test]
    fn passwords_are_kept_out_of_messages() {
        assert_eq!(redact("postgres://u:secret@h/db"), "postgres://u:***@h/db");
        assert_eq!(redact("postgres://u@h/db"), "postgres://u@h/db");
        assert_eq!(redact("/tmp/x.db"), "/tmp/x.db");
    }

    #[test]
    fn tokens_are_random_and_hashes_hex() {
        assert_ne!(random_token(), random_token());
        assert_eq!(random_id().len(), 32);
        assert_eq!(
            hash("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
