//! Where command output goes: stdout, or a file written atomically.

use std::io::{IsTerminal, Write};
use std::path::Path;

use crate::error::CliError;

/// Writes `text` to `path` (atomically) or to stdout.
pub fn emit(path: Option<&Path>, bytes: &[u8]) -> Result<(), CliError> {
    match path.filter(|p| !is_stdout(Some(p))) {
        Some(p) => onus_fs::write_atomic(p, bytes).map_err(|e| CliError::io("write", p, e)),
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

/// Whether `path` (None or `-`: standard output) is standard output.
pub fn is_stdout(path: Option<&Path>) -> bool {
    path.is_none_or(|p| p == Path::new("-"))
}

/// Refuses to write binary output (an XLSX workbook) to a terminal.
pub fn refuse_binary_on_terminal(path: Option<&Path>) -> Result<(), CliError> {
    if is_stdout(path) && stdout_is_terminal() {
        return Err(CliError::Usage(
            "an XLSX workbook is binary and standard output is a terminal; write it to a file with `-o FILE`".into(),
        ));
    }
    Ok(())
}

/// What a file written with `-o` is to the people who keep it.
#[derive(Clone, Copy)]
pub enum Written<'a> {
    /// A source file people edit (`onus init`, `oscal import`): an
    /// existing file is never replaced without `--force`.
    Source,
    /// A generated document (`onus render -o`): it replaces the file it
    /// names, unless that file is one of `inputs`, a model file, or
    /// read-only (then only with `--force`).
    Document { inputs: &'a [&'a Path] },
}

/// Refuses to write over a file that must not be lost (see [`Written`]),
/// unless `force`.
pub fn refuse_overwrite(
    path: Option<&Path>,
    written: Written,
    force: bool,
) -> Result<(), CliError> {
    let Some(path) = path.filter(|p| !force && !is_stdout(Some(p))) else {
        return Ok(());
    };
    let Ok(meta) = std::fs::metadata(path) else {
        return Ok(());
    };
    if !meta.is_file() {
        // `/dev/null`, a pipe: written in place, nothing to lose.
        return Ok(());
    }
    let same = |input: &Path| {
        let canonical = |p: &Path| std::fs::canonicalize(p).ok();
        canonical(input).is_some_and(|i| Some(i) == canonical(path))
    };
    let why = match written {
        Written::Source => "already exists",
        Written::Document { inputs } if inputs.iter().any(|i| same(i)) => {
            "is the input model, which the output would replace"
        }
        Written::Document { .. } if onus_fs::is_model_file(path) => "is a model file",
        Written::Document { .. } if meta.permissions().readonly() => "is read-only",
        Written::Document { .. } => return Ok(()),
    };
    Err(CliError::Usage(format!(
        "{} {why}; pass --force to replace it, or name another file",
        path.display()
    )))
}

/// Removes the temporary file of a write in progress when Ctrl-C or
/// SIGTERM ends the run, so an interrupted `-o FILE` leaves nothing
/// behind (the file it replaces is untouched until the final rename).
pub fn clean_up_on_signals() {
    // Without a handler (another one installed first), the default
    // applies: the run ends, and only a temporary file can be left.
    let _ = ctrlc::set_handler(|| {
        onus_fs::remove_pending_writes();
        let _ = std::io::stderr().write_all(b"onus: interrupted\n");
        std::process::exit(130);
    });
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

/// `n what`, with an `s` unless there is one: `1 error`, `2 errors`.
pub fn plural(n: usize, what: &str) -> String {
    format!("{n} {what}{}", if n == 1 { "" } else { "s" })
}
