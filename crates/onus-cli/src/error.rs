//! The one place where errors become messages and exit codes.
//!
//! Every command returns `Result<(), CliError>`. The library errors convert
//! with `From` (so a command writes `?`, never a `map_err` that picks an exit
//! code), and [`CliError::code`] alone decides the exit code: 1 for findings
//! (a model with errors, a tripped gate), 2 for everything else (bad usage,
//! unreadable or unfit input, a failed write).

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use onus_core::terminal::printable;

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
    /// The input was read, but is not fit for what was asked (a model with
    /// nothing to export, an SSP of a model with several offerings).
    #[error("{0}")]
    Invalid(String),
    /// The run found what it looks for: a model with errors (already
    /// printed), a `--fail-on` or `--deny-warnings` gate tripped. `summary`
    /// is said on standard error; `None` when the output already said it
    /// (`onus check`).
    #[error("{}", summary.as_deref().unwrap_or("findings"))]
    Findings { summary: Option<String> },
    /// An offering or party id the model does not have.
    #[error(transparent)]
    Select(#[from] onus_export::SelectError),
    /// A catalog, profile or OSCAL document that cannot be read or used.
    #[error(transparent)]
    Oscal(#[from] onus_oscal::Error),
    /// A document that could not be built.
    #[error(transparent)]
    Render(#[from] onus_export::render::RenderError),
    /// A git revision that cannot be read.
    #[error(transparent)]
    Git(#[from] onus_fs::git::GitError),
    /// The portal could not start, reach its database or publish.
    #[error(transparent)]
    Portal(#[from] onus_server::ServeError),
}

impl CliError {
    pub fn io(action: &'static str, path: impl Into<PathBuf>, source: std::io::Error) -> CliError {
        CliError::Io {
            action,
            path: path.into(),
            source,
        }
    }

    /// Findings, with what to say about them on standard error.
    pub fn findings(summary: impl Into<String>) -> CliError {
        CliError::Findings {
            summary: Some(summary.into()),
        }
    }

    /// The exit code: the one place that decides it.
    pub fn code(&self) -> u8 {
        match self {
            CliError::Findings { .. } => FINDINGS,
            CliError::Usage(_)
            | CliError::Io { .. }
            | CliError::Invalid(_)
            | CliError::Select(_)
            | CliError::Oscal(_)
            | CliError::Render(_)
            | CliError::Git(_)
            | CliError::Portal(_) => USAGE,
        }
    }

    /// Prints the error on standard error (control characters of model or
    /// catalog text shown escaped) and gives the exit code.
    pub fn report(&self) -> ExitCode {
        if !matches!(self, CliError::Findings { summary: None }) {
            eprintln!("error: {}", printable(&self.to_string()));
        }
        ExitCode::from(self.code())
    }
}

/// Ends the process now with `result`'s exit code (reporting the error),
/// without running destructors: taking a big model set apart piece by
/// piece would cost more than the rest of the run after parsing, and the
/// system takes the memory back at once. Standard output is flushed first.
pub fn exit_now(result: Result<(), CliError>) -> ! {
    let _ = std::io::stdout().flush();
    let code = match result {
        Ok(()) => 0,
        Err(e) => {
            e.report();
            e.code()
        }
    };
    let _ = std::io::stderr().flush();
    std::process::exit(i32::from(code))
}

impl From<onus_core::load::ReadError> for CliError {
    fn from(e: onus_core::load::ReadError) -> CliError {
        CliError::io("read", e.path, e.error)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn findings_exit_1_everything_else_2() {
        assert_eq!(CliError::findings("1 error").code(), FINDINGS);
        assert_eq!(CliError::Findings { summary: None }.code(), FINDINGS);
        assert_eq!(CliError::Usage("x".into()).code(), USAGE);
        assert_eq!(CliError::Invalid("x".into()).code(), USAGE);
        let io = std::io::Error::new(std::io::ErrorKind::NotFound, "gone");
        assert_eq!(CliError::io("read", "a", io).code(), USAGE);
        let oscal = onus_oscal::Error::RemoteImport {
            href: "https://x".into(),
        };
        assert_eq!(CliError::from(oscal).code(), USAGE);
        let git = onus_fs::git::GitError::UnknownRevision { rev: "v9".into() };
        let e = CliError::from(git);
        assert_eq!(e.code(), USAGE);
        assert!(e.to_string().contains("no revision `v9`"), "{e}");
    }
}
