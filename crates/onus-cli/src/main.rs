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
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    output::clean_up_on_signals();
    match commands::run(cli.command) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => e.report(),
    }
}
