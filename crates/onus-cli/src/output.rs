//! Where command output goes: stdout, or a file written atomically.

use std::io::{IsTerminal, Write};
use std::path::Path;

use crate::error::CliError;

/// Writes `text` to `path` (atomically) or to stdout.
pub fn emit(path: Option<&Path>, bytes: &[u8]) -> Result<(), CliError> {
    match path {
        Some(p) if p != Path::new("-") => {
            onus_fs::write_atomic(p, bytes).map_err(|e| CliError::io("write", p, e))
        }
        _ => {
            let mut out = std::io::stdout().lock();
            // A closed pipe (`onus matrix | head`) is not an error worth a message.
            match out.write_all(bytes).and_then(|_| out.flush()) {
                Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
                    Err(CliError::io("write", "standard output", e))
                }
                _ => Ok(()),
            }
        }
    }
}

/// Whether to colour what goes to a stream: only on a terminal, never with NO_COLOR.
pub fn color(stream_is_terminal: bool) -> bool {
    stream_is_terminal && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
}

pub fn stdout_is_terminal() -> bool {
    std::io::stdout().is_terminal()
}

pub fn stderr_is_terminal() -> bool {
    std::io::stderr().is_terminal()
}

/// Width for terminal tables: `COLUMNS` if set, else the terminal's (None: no limit).
pub fn table_width() -> Option<u16> {
    std::env::var("COLUMNS").ok().and_then(|c| c.parse().ok())
}
