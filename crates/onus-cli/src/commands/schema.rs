//! `onus schema`: the JSON Schema of the model format.

use crate::error::CliError;
use crate::output;

pub fn run() -> Result<(), CliError> {
    output::emit(None, onus_core::schema::JSON_SCHEMA.as_bytes())?;
    Ok(())
}
