//! `onus completions SHELL` and `onus man`: shell completions and the man
//! page, generated from the clap definition of the command line, so they
//! never drift from it. `docs/onus.1` is `onus man`'s output (a test keeps
//! it current).

use clap::CommandFactory;
use clap_complete::Shell;

use crate::error::CliError;
use crate::output;

#[derive(clap::Args)]
pub struct Args {
    /// The shell: bash, zsh, fish, elvish or powershell.
    #[arg(value_enum)]
    shell: Shell,
}

pub fn run(args: Args) -> Result<(), CliError> {
    let mut out = Vec::new();
    clap_complete::generate(args.shell, &mut crate::Cli::command(), "onus", &mut out);
    output::emit(None, &out)?;
    Ok(())
}

/// The man page, roff: `onus man > onus.1`, `man ./onus.1`.
pub fn man() -> Result<(), CliError> {
    let mut out = Vec::new();
    clap_mangen::Man::new(crate::Cli::command())
        .render(&mut out)
        .map_err(|e| CliError::io("render", "the man page", e))?;
    output::emit(None, &out)?;
    Ok(())
}
