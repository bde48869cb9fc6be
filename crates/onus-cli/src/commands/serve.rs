//! `onus serve [--db URL] [--listen ADDR] [--models DIR] [--behind-tls]`
//! and `onus publish MODEL --db URL`: the portal (crate onus-server).

use std::net::SocketAddr;
use std::path::PathBuf;

use onus_server::publish::Outcome;

use crate::error::CliError;

#[derive(clap::Args)]
pub struct ServeArgs {
    /// The database: `postgres://USER@HOST/DB`, or a SQLite file (default:
    /// `$XDG_DATA_HOME/onus/portal.db`, shown at start).
    #[arg(long, value_name = "URL")]
    db: Option<String>,
    /// The address to listen on.
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:8080")]
    listen: SocketAddr,
    /// Publish the models of this folder at start (default: the bundled examples).
    #[arg(long, value_name = "DIR")]
    models: Option<PathBuf>,
    /// The portal is reached over HTTPS through a proxy: `Secure` cookies and HSTS.
    #[arg(long)]
    behind_tls: bool,
    /// The address people use to reach the portal, for the links it prints
    /// (default: `http://LISTEN`).
    #[arg(long, value_name = "URL")]
    public_url: Option<String>,
    /// A reverse proxy or load balancer (an address, or a network like
    /// 10.0.0.0/8) whose `X-Forwarded-For` names the client, for the
    /// per-address sign-in limit; repeatable. Without it the header is ignored.
    #[arg(long = "trusted-proxy", value_name = "ADDR[/PREFIX]")]
    trusted_proxies: Vec<onus_server::proxy::TrustedProxy>,
    /// The largest evidence file accepted: bytes, or with K, M or G
    /// (powers of 1024), e.g. 25MiB. A larger upload is refused (413)
    /// while it streams, and nothing of it is kept.
    #[arg(long, value_name = "SIZE", default_value = "25MiB", value_parser = onus_server::evidence::parse_size)]
    max_upload: u64,
    /// Let tenants' webhooks go to `http://` and private or loopback
    /// addresses (by default: `https://` to public addresses only).
    #[arg(long)]
    webhook_allow_private: bool,
}

#[derive(clap::Args)]
pub struct PublishArgs {
    /// The model file (its upstream chain is published with it).
    model: PathBuf,
    /// The portal's database: `postgres://USER@HOST/DB` or a SQLite file.
    #[arg(long, value_name = "URL")]
    db: String,
}

pub fn serve(args: ServeArgs) -> Result<(), CliError> {
    let db = args
        .db
        .unwrap_or_else(|| onus_server::default_db_path().display().to_string());
    onus_server::run(onus_server::Config {
        listen: args.listen,
        db,
        models: args.models,
        behind_tls: args.behind_tls,
        public_url: args.public_url,
        trusted_proxies: args.trusted_proxies,
        max_upload: args.max_upload,
        webhook_allow_private: args.webhook_allow_private,
    })?;
    Ok(())
}

pub fn publish(args: PublishArgs) -> Result<(), CliError> {
    if let Err(e) = std::fs::metadata(&args.model) {
        return Err(CliError::io("read", &args.model, e));
    }
    let outcome = onus_server::publish_blocking(&args.db, &args.model)?;
    match outcome {
        Outcome::Refused { label, report } => {
            eprint!("{report}");
            Err(CliError::findings(format!(
                "{label} has errors: not published; run `onus check {label}` for details"
            )))
        }
        done => {
            println!("{done}");
            Ok(())
        }
    }
}

#[derive(clap::Args)]
pub struct AdminArgs {
    #[command(subcommand)]
    action: AdminAction,
}

#[derive(clap::Subcommand)]
enum AdminAction {
    /// Create a user with a role; prints a generated password, once.
    CreateUser {
        /// The portal's database: `postgres://USER@HOST/DB` or a SQLite file.
        #[arg(long, value_name = "URL")]
        db: String,
        #[arg(long)]
        email: String,
        #[arg(long)]
        name: String,
        /// platform-admin or platform-operator; with --tenant: tenant-admin, tenant-member or tenant-viewer.
        #[arg(long)]
        role: String,
        /// The tenant (id) of a tenant role.
        #[arg(long, value_name = "ID")]
        tenant: Option<String>,
    },
    /// Mint an API token for a user; prints it, once.
    Token {
        /// The portal's database: `postgres://USER@HOST/DB` or a SQLite file.
        #[arg(long, value_name = "URL")]
        db: String,
        #[arg(long)]
        email: String,
        /// read or write.
        #[arg(long, default_value = "read")]
        scope: String,
        /// Bind the token to this tenant (id): it acts on it only.
        #[arg(long, value_name = "ID")]
        tenant: Option<String>,
        /// What the token is for (shown in the audit log).
        #[arg(long, default_value = "cli")]
        name: String,
        /// How many days the token works (1 to 366).
        #[arg(long, value_name = "DAYS", default_value_t = onus_server::tokens::DEFAULT_DAYS)]
        days: u32,
    },
}

pub fn admin(args: AdminArgs) -> Result<(), CliError> {
    match args.action {
        AdminAction::CreateUser {
            db,
            email,
            name,
            role,
            tenant,
        } => {
            let (id, password) = onus_server::with_store(&db, |store| {
                Box::pin(async move {
                    onus_server::admin_create_user(store, &email, &name, &role, tenant.as_deref())
                        .await
                })
            })?;
            println!("created user {id}\npassword (shown once): {password}");
        }
        AdminAction::Token {
            db,
            email,
            scope,
            tenant,
            name,
            days,
        } => {
            let token = onus_server::with_store(&db, |store| {
                Box::pin(async move {
                    onus_server::admin_mint_token(
                        store,
                        &email,
                        &scope,
                        tenant.as_deref(),
                        &name,
                        days,
                    )
                    .await
                })
            })?;
            println!("{token}");
        }
    }
    Ok(())
}
