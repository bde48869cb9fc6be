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

/// `n what`, with an `s` unless there is one: `1 error`, `2 errors`.
pub fn plural(n: usize, what: &str) -> String {
    format!("{n} {what}{}", if n == 1 { "" } else { "s" })
}

/// Text from someone else's file, fit for a terminal line: control
/// characters (ESC, BEL, bidi overrides, newlines) escaped, so they can
/// neither drive the terminal nor hide text, and cut after `max` characters.
pub fn terminal_safe(text: &str, max: usize) -> String {
    let mut out = String::new();
    for (i, c) in text.chars().enumerate() {
        if i == max {
            out.push('…');
            break;
        }
        let bidi = matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{200e}' | '\u{200f}');
        if c.is_control() || bidi {
            out.extend(c.escape_unicode());
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn terminal_safe_escapes_what_drives_a_terminal() {
        assert_eq!(
            terminal_safe("a\u{1b}[31mb\u{7}", 100),
            "a\\u{1b}[31mb\\u{7}"
        );
        assert_eq!(terminal_safe("x\u{202e}y\nz", 100), "x\\u{202e}y\\u{a}z");
        assert_eq!(terminal_safe("abcdef", 3), "abc…");
    }
}
