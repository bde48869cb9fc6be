//! The `onus` command line. Each subcommand is an args struct and a
//! function in `commands/`; errors become exit codes in one place
//! (`error.rs`): 0 success, 1 findings, 2 usage or I/O.

mod commands;
mod error;
mod output;

use std::process::ExitCode;

use clap::Parser;

#[derive(Parser)]
#[command(
    name = "onus",
    version,
    about = "Shared responsibility models as code: check, resolve, render."
)]
struct Cli {
    #[command(subcommand)]
    command: commands::Command,
    /// Let upstream `model:` paths and a framework's `catalog:` lead outside
    /// the model's folder or git repository, and the imports an OSCAL
    /// profile writes outside the profile's (by default they may not).
    #[arg(long, global = true)]
    allow_outside_root: bool,
    /// Refuse to read a model, catalog or profile larger than this many MB.
    #[arg(long, global = true, value_name = "MB", default_value_t = onus_fs::DEFAULT_MAX_FILE_BYTES >> 20)]
    max_file_size: u64,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    // The portal stops gracefully on its own signal handling (in-flight
    // requests finish); every other command ends at once, leaving no
    // temporary file behind.
    if !cli.command.serves() {
        output::clean_up_on_signals();
    }
    onus_fs::set_limits(onus_fs::Limits {
        max_file_bytes: cli.max_file_size.saturating_mul(1 << 20),
        confined: !cli.allow_outside_root,
    });
    match commands::run(cli.command) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => e.report(),
    }
}
