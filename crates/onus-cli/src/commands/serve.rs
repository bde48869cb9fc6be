//! `onus serve [--db URL] [--listen ADDR] [--models DIR] [--behind-tls]`
//! and `onus publish MODEL --db URL`: the portal (crate onus-server).

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

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
}

#[derive(clap::Args)]
pub struct PublishArgs {
    /// The model file (its upstream chain is published with it).
    model: PathBuf,
    /// The portal's database: `postgres://USER@HOST/DB` or a SQLite file.
    #[arg(long, value_name = "URL")]
    db: String,
}

pub fn serve(args: ServeArgs) -> Result<ExitCode, CliError> {
    let db = args
        .db
        .unwrap_or_else(|| onus_server::default_db_path().display().to_string());
    onus_server::run(onus_server::Config {
        listen: args.listen,
        db,
        models: args.models,
        behind_tls: args.behind_tls,
        public_url: args.public_url,
    })
    .map_err(|e| CliError::Usage(e.to_string()))?;
    Ok(ExitCode::SUCCESS)
}

pub fn publish(args: PublishArgs) -> Result<ExitCode, CliError> {
    if let Err(e) = std::fs::metadata(&args.model) {
        return Err(CliError::io("read", &args.model, e));
    }
    let outcome = onus_server::publish_blocking(&args.db, &args.model)
        .map_err(|e| CliError::Usage(e.to_string()))?;
    match outcome {
        Outcome::Refused { label, report } => {
            eprint!("{report}");
            Err(CliError::Findings(format!(
                "{label} has errors: not published; run `onus check {label}` for details"
            )))
        }
        done => {
            println!("{done}");
            Ok(ExitCode::SUCCESS)
        }
    }
}
