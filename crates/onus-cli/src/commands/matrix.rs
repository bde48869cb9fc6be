//! `onus matrix MODEL [--offering ID] [--format table|markdown|csv|json]`

use std::path::PathBuf;

use crate::commands::{load, ViewFormat};
use crate::error::{self, CliError};
use crate::output;

#[derive(clap::Args)]
pub struct Args {
    /// The model file.
    model: PathBuf,
    /// Only this offering.
    #[arg(long)]
    offering: Option<String>,
    #[arg(long, value_enum, default_value = "table")]
    format: ViewFormat,
}

pub fn run(args: Args) -> Result<(), CliError> {
    let matrix = load::resolved(&args.model)?;
    let offerings = onus_export::select_offerings(&matrix, args.offering.as_deref())?;
    if let ViewFormat::Json = args.format {
        // Streamed: the JSON of a big chain is a hundred MB.
        let mut out = std::io::BufWriter::new(std::io::stdout().lock());
        let written = onus_export::matrix::write_json(&matrix, &offerings, &mut out);
        let result = match written.and_then(|_| std::io::Write::flush(&mut out)) {
            // A closed pipe (`onus matrix | head`) is not an error worth a message.
            Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
                Err(CliError::io("write", "standard output", e))
            }
            _ => Ok(()),
        };
        drop(out);
        // The matrix of a big chain is millions of values: the process ends
        // without taking it apart (see `exit_now`).
        error::exit_now(result)
    }
    let out = onus_export::matrix::render(&matrix, &offerings, args.format.to_export());
    output::emit(None, out.as_bytes())?;
    Ok(())
}
