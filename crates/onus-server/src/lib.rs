//! onus-server: the portal behind `onus serve`. A thin web layer (axum
//! routes, askama templates, accounts) over `onus-store` (every byte of
//! state, sessions included) and `onus-core`/`onus-export` (loading,
//! checking, resolving and rendering models). No state lives in a server
//! process, so any number of them can share one PostgreSQL database.
//!
//! - [`serve`] starts a server: opens and migrates the database, publishes
//!   the models to serve, prints the setup link on a fresh database, and
//!   answers until SIGTERM or Ctrl-C (letting requests in flight finish).
//! - `publish` checks and stores model versions; `auth` holds passwords,
//!   TOTP, sessions and CSRF; `pages/` the routes; `headers` the security
//!   headers and limits every response gets.

// Handlers answer with a `Response` either way (a page, JSON, or an error
// page or problem); boxing the error only to unbox it at once buys nothing.
#![allow(clippy::result_large_err)]

mod api;
mod auth;
pub mod bundled;
pub mod checklist;
pub mod evidence;
mod export;
mod headers;
mod pages;
pub mod proxy;
pub mod publish;
pub mod testing;
pub mod tokens;
pub mod webhooks;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use onus_store::Store;

/// How long a setup link stays valid.
pub const SETUP_TTL: i64 = 24 * 3600;
/// How long an invite link stays valid.
pub const INVITE_TTL: i64 = 7 * 24 * 3600;

/// What `onus serve` was asked to do.
#[derive(Clone, Debug)]
pub struct Config {
    pub listen: SocketAddr,
    /// `postgres://...` or a SQLite file path.
    pub db: String,
    /// Publish the models of this folder (default: the bundled examples).
    pub models: Option<PathBuf>,
    /// The portal is reached over HTTPS (through a proxy): cookies are
    /// `Secure` and HSTS is sent.
    pub behind_tls: bool,
    /// The address people reach the portal at, for printed links
    /// (default: `http://LISTEN`).
    pub public_url: Option<String>,
    /// Reverse proxies whose `X-Forwarded-For` is believed (see [`proxy`]).
    pub trusted_proxies: Vec<proxy::TrustedProxy>,
    /// The largest evidence file accepted, bytes (`--max-upload`;
    /// [`evidence::DEFAULT_MAX_UPLOAD`]).
    pub max_upload: u64,
    /// Let tenants' webhooks go to `http://` and private addresses (internal receivers).
    pub webhook_allow_private: bool,
}

/// Why the server could not start or stopped on an error.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    #[error(transparent)]
    Store(#[from] onus_store::StoreError),
    #[error("cannot listen on {addr}: {source}")]
    Listen {
        addr: SocketAddr,
        source: std::io::Error,
    },
    #[error("cannot read the models in {path}: {source}")]
    Models {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{0}")]
    Usage(String),
    #[error("the server stopped: {0}")]
    Io(#[from] std::io::Error),
}

/// What every request handler shares: the database and a few settings.
#[derive(Clone)]
pub struct AppState {
    pub store: Store,
    pub behind_tls: bool,
    /// Where "publish now" reads models from.
    pub models: Option<PathBuf>,
    pub public_url: Arc<str>,
    /// Whose `X-Forwarded-For` names the client (see [`proxy`]).
    pub trusted_proxies: Arc<[proxy::TrustedProxy]>,
    /// Resolved model versions, kept by the process.
    pub matrices: checklist::Matrices,
    /// The largest evidence file accepted, bytes.
    pub max_upload: u64,
    /// See [`Config::webhook_allow_private`].
    pub webhook_allow_private: bool,
}

/// Runs the portal until SIGTERM or Ctrl-C. `ready` receives the address
/// actually listened on (with port 0, the one the system chose).
pub async fn serve(config: Config, ready: impl FnOnce(SocketAddr)) -> Result<(), ServeError> {
    let store = Store::open(&config.db).await?;
    let listener = tokio::net::TcpListener::bind(config.listen)
        .await
        .map_err(|source| ServeError::Listen {
            addr: config.listen,
            source,
        })?;
    let addr = listener.local_addr()?;
    let public_url: Arc<str> = config
        .public_url
        .clone()
        .unwrap_or_else(|| format!("http://{addr}"))
        .trim_end_matches('/')
        .into();
    println!("onus portal: database {}", onus_store::redact(&config.db));
    for line in publish::publish_source(&store, config.models.as_deref()).await? {
        println!("onus portal: {line}");
    }
    if store.user_count().await? == 0 {
        let token = onus_store::random_token();
        store.create_setup_token(&token, SETUP_TTL).await?;
        println!(
            "onus portal: no account yet. Open this link within 24 hours to create the first platform admin (it works once):\n  {public_url}/setup?token={token}"
        );
    }
    let state = AppState {
        store: store.clone(),
        behind_tls: config.behind_tls,
        models: config.models.clone(),
        public_url,
        trusted_proxies: config.trusted_proxies.clone().into(),
        matrices: checklist::Matrices::default(),
        max_upload: config.max_upload,
        webhook_allow_private: config.webhook_allow_private,
    };
    // Versions published since the last start reach the checklists now.
    checklist::sync_all(&state).await?;
    webhooks::spawn_sender(
        store.clone(),
        config.webhook_allow_private,
        std::time::Duration::from_secs(2),
    );
    println!("onus portal: listening on http://{addr}");
    ready(addr);
    axum::serve(
        listener,
        pages::router(state).into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown_signal())
    .await?;
    store.close().await;
    println!("onus portal: stopped");
    Ok(())
}

/// SIGTERM or Ctrl-C.
async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
    tracing::info!("shutting down: finishing the requests in flight");
}

/// (method, path) of every route of the portal, pages and API: what the
/// router is built from (the isolation test walks it).
pub use pages::route_list;

/// The router over a store, for tests that run the portal in-process.
pub fn app(state: AppState) -> axum::Router {
    pages::router(state)
}

/// The default SQLite file: `$XDG_DATA_HOME/onus/portal.db`, else
/// `~/.local/share/onus/portal.db`, else `./onus-portal.db`. The folder is
/// created.
pub fn default_db_path() -> PathBuf {
    let base = std::env::var_os("XDG_DATA_HOME")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .or_else(|| {
            std::env::var_os("HOME")
                .filter(|v| !v.is_empty())
                .map(|h| PathBuf::from(h).join(".local/share"))
        });
    match base {
        Some(base) => {
            let dir = base.join("onus");
            if std::fs::create_dir_all(&dir).is_ok() {
                return dir.join("portal.db");
            }
            PathBuf::from("onus-portal.db")
        }
        None => PathBuf::from("onus-portal.db"),
    }
}

/// Starts the tracing subscriber for request logs (`RUST_LOG`-free: info
/// level, or `ONUS_LOG=debug`).
pub fn init_logging() {
    let level = match std::env::var("ONUS_LOG").as_deref() {
        Ok("debug") => tracing::Level::DEBUG,
        Ok("warn") => tracing::Level::WARN,
        _ => tracing::Level::INFO,
    };
    let _ = tracing_subscriber::fmt()
        .with_max_level(level)
        .with_target(false)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_writer(std::io::stderr)
        .try_init();
}

/// A tokio runtime for the blocking entry points of the command line.
fn runtime() -> Result<tokio::runtime::Runtime, ServeError> {
    Ok(tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?)
}

/// `onus serve`: logs to stderr, serves until SIGTERM or Ctrl-C.
pub fn run(config: Config) -> Result<(), ServeError> {
    init_logging();
    runtime()?.block_on(serve(config, |_| {}))
}

/// `onus publish MODEL --db URL`: checks the model and publishes it.
pub fn publish_blocking(db: &str, model: &std::path::Path) -> Result<publish::Outcome, ServeError> {
    runtime()?.block_on(async {
        let store = Store::open(db).await?;
        let outcome = publish::publish_file(&store, model).await?;
        store.close().await;
        Ok(outcome)
    })
}

/// The platform roles `onus admin create-user` can give.
pub const PLATFORM_ROLES: &[&str] = &["platform-admin", "platform-operator"];

/// `onus admin create-user`: a user with a platform role, or a tenant role
/// in `tenant`; returns the user's id and a generated password (to be
/// shown once).
pub async fn admin_create_user(
    store: &Store,
    email: &str,
    name: &str,
    role: &str,
    tenant: Option<&str>,
) -> Result<(String, String), ServeError> {
    let password = onus_store::random_token()[..32].to_string();
    let platform_role = match tenant {
        None if PLATFORM_ROLES.contains(&role) => Some(role),
        None => {
            return Err(ServeError::Usage(format!(
                "`{role}` is not a platform role ({}); a tenant role needs --tenant ID",
                PLATFORM_ROLES.join(", ")
            )))
        }
        Some(_) if pages::tenant::ROLES.contains(&role) => None,
        Some(_) => {
            return Err(ServeError::Usage(format!(
                "`{role}` is not a tenant role ({})",
                pages::tenant::ROLES.join(", ")
            )))
        }
    };
    if let Some(t) = tenant {
        if store.tenant(t).await?.is_none() {
            return Err(ServeError::Usage(format!("there is no tenant {t}")));
        }
    }
    let email = email.trim().to_lowercase();
    let user = store
        .create_user(
            &email,
            name,
            platform_role,
            &auth::hash_password(&password),
            tenant.map(|t| (t, role)),
            &onus_store::Audit::new(None, tenant, "user-created", &email, role),
        )
        .await?;
    Ok((user.id, password))
}

/// `onus admin token`: mints an API token for the user with this email
/// (`read` or `write`; bound to `tenant` when given; working for `days`);
/// returns it (to be shown once).
pub async fn admin_mint_token(
    store: &Store,
    email: &str,
    scope: &str,
    tenant: Option<&str>,
    name: &str,
    days: u32,
) -> Result<String, ServeError> {
    let Some((user, _)) = store.local_login(email).await? else {
        return Err(ServeError::Usage(format!("there is no user {email}")));
    };
    tokens::mint(store, &user, scope, tenant, name, days)
        .await
        .map_err(|e| match e {
            tokens::TokenError::Store(e) => ServeError::Store(e),
            e => ServeError::Usage(e.to_string()),
        })
}

/// Runs `f` on the store at `db`, on a runtime of its own (the CLI's `onus admin`).
pub fn with_store<T>(
    db: &str,
    f: impl for<'a> FnOnce(
        &'a Store,
    ) -> std::pin::Pin<
        Box<dyn std::future::Future<Output = Result<T, ServeError>> + 'a>,
    >,
) -> Result<T, ServeError> {
    runtime()?.block_on(async {
        let store = Store::open(db).await?;
        let out = f(&store).await;
        store.close().await;
        out
    })
}
