//! The one place where errors become messages and exit codes.

use std::path::PathBuf;
use std::process::ExitCode;

/// Exit code for a model with errors or a tripped gate.
pub const FINDINGS: u8 = 1;
/// Exit code for bad usage, unreadable input or a failed write.
pub const USAGE: u8 = 2;

#[derive(Debug, thiserror::Error)]
pub enum CliError {
    /// The command line names something that does not exist or makes no sense.
    #[error("{0}")]
    Usage(String),
    /// A file or folder could not be read or written.
    #[error("cannot {action} {}: {source}", path.display())]
    Io {
        action: &'static str,
        path: PathBuf,
        source: std::io::Error,
    },
    /// The model has errors; they were already printed.
    #[error("{0}")]
    Findings(String),
}

impl CliError {
    pub fn io(action: &'static str, path: impl Into<PathBuf>, source: std::io::Error) -> CliError {
        CliError::Io {
            action,
            path: path.into(),
            source,
        }
    }

    /// Prints the error on stderr and gives the exit code.
    pub fn report(&self) -> ExitCode {
        eprintln!("error: {self}");
        ExitCode::from(match self {
            CliError::Findings(_) => FINDINGS,
            CliError::Usage(_) | CliError::Io { .. } => USAGE,
        })
    }
}

impl From<onus_core::load::ReadError> for CliError {
    fn from(e: onus_core::load::ReadError) -> CliError {
        CliError::io("read", e.path, e.error)
    }
}

impl From<onus_export::SelectError> for CliError {
    fn from(e: onus_export::SelectError) -> CliError {
        CliError::Usage(e.to_string())
    }
}
