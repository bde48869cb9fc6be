//! `onus duties MODEL [--party ID] [--offering ID] [--format table|markdown|csv|json]`

use std::path::PathBuf;

use crate::commands::{load, ViewFormat};
use crate::error::CliError;
use crate::output;

#[derive(clap::Args)]
pub struct Args {
    /// The model file.
    model: PathBuf,
    /// The party (a qualified id such as `azure/microsoft` for an upstream's); default: the customer.
    #[arg(long)]
    party: Option<String>,
    /// Only this offering.
    #[arg(long)]
    offering: Option<String>,
    #[arg(long, value_enum, default_value = "table")]
    format: ViewFormat,
}

pub fn run(args: Args) -> Result<(), CliError> {
    let matrix = load::resolved(&args.model)?;
    let offerings = onus_export::select_offerings(&matrix, args.offering.as_deref())?;
    let party = onus_export::select_party(&matrix, args.party.as_deref())?;
    let out = onus_export::duties::render(&matrix, &offerings, &party, args.format.to_export());
    output::emit(None, out.as_bytes())?;
    Ok(())
}
