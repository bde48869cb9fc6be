//! `onus audit verify`: the portal's hash-chained audit log, checked in
//! its database (every chain, or one tenant's) or in an exported file.

use std::path::PathBuf;

use onus_store::audit::{verify_lines, Verified};

use crate::error::CliError;

#[derive(clap::Args)]
pub struct Args {
    #[command(subcommand)]
    action: Action,
}

#[derive(clap::Subcommand)]
enum Action {
    /// Verify every chain of a portal's audit log (or one tenant's), or an
    /// exported chain (JSON lines); exit 1 at the first broken link of any chain.
    Verify {
        /// The portal's database: `postgres://USER@HOST/DB` or a SQLite file.
        #[arg(
            long,
            value_name = "URL",
            required_unless_present = "file",
            conflicts_with = "file"
        )]
        db: Option<String>,
        /// Only this tenant's chain (its id).
        #[arg(long, value_name = "ID", requires = "db")]
        tenant: Option<String>,
        /// An exported chain (`audit.jsonl` from the tenant's audit page), verified on its own.
        #[arg(long, value_name = "FILE")]
        file: Option<PathBuf>,
    },
}

pub fn run(args: Args) -> Result<(), CliError> {
    let Action::Verify { db, tenant, file } = args.action;
    let (report, heads) = match (db, file) {
        (_, Some(file)) => {
            let text = onus_fs::read_text(&file).map_err(|e| CliError::io("read", &file, e))?;
            let report = verify_lines(&text)
                .map_err(|e| CliError::Invalid(format!("{}: {e}", file.display())))?;
            (report, Vec::new())
        }
        (Some(db), None) => onus_server::with_store(&db, |store| {
            Box::pin(async move {
                let report = store.verify_audit(tenant.as_deref()).await?;
                let mut heads = Vec::new();
                for (chain, _) in &report.chains {
                    if let Some((_, hash)) = store.audit_head(chain).await? {
                        heads.push((chain.clone(), hash));
                    }
                }
                Ok((report, heads))
            })
        })?,
        (None, None) => return Err(CliError::Usage("give --db URL or --file FILE".into())),
    };
    print(&report, &heads)
}

fn print(report: &Verified, heads: &[(String, String)]) -> Result<(), CliError> {
    if report.chains.is_empty() {
        println!("no audit entries");
    }
    for (chain, count) in &report.chains {
        let chain_name = onus_core::terminal::printable(chain);
        match report.broken.iter().find(|b| b.chain == *chain) {
            Some(b) => println!("{chain_name}: BROKEN at entry {}: {}", b.seq, b.reason),
            None => {
                let head = heads
                    .iter()
                    .find(|(c, _)| c == chain)
                    .map(|(_, h)| format!(", head {h}"))
                    .unwrap_or_default();
                println!("{chain_name}: {count} entries, whole{head}");
            }
        }
    }
    if report.unchained > 0 {
        println!(
            "{} entries from before the log was chained (not verifiable)",
            report.unchained
        );
    }
    if report.broken.is_empty() {
        Ok(())
    } else {
        Err(CliError::findings(format!(
            "{} of {} audit chains are broken",
            report.broken.len(),
            report.chains.len()
        )))
    }
}
