//! `onus init [FILE] [--force]`: a commented starter model that passes `onus check`.

use std::path::PathBuf;
use std::process::ExitCode;

use crate::error::CliError;
use crate::output;

pub const STARTER: &str = include_str!("../starter.onus.yaml");

#[derive(clap::Args)]
pub struct Args {
    /// Where to write it (`-` for standard output).
    #[arg(default_value = "model.onus.yaml")]
    file: PathBuf,
    /// Replace the file if it exists.
    #[arg(long)]
    force: bool,
}

pub fn run(args: Args) -> Result<ExitCode, CliError> {
    let to_stdout = args.file.as_os_str() == "-";
    if !to_stdout && args.file.exists() && !args.force {
        return Err(CliError::Usage(format!(
            "{} already exists; pass --force to replace it, or name another file",
            args.file.display()
        )));
    }
    output::emit(Some(&args.file), STARTER.as_bytes())?;
    if !to_stdout {
        eprintln!(
            "wrote {}; next: onus check {}",
            args.file.display(),
            args.file.display()
        );
    }
    Ok(ExitCode::SUCCESS)
}
