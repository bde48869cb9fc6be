//! rustc-style text: `error[code]: message`, `--> file:line:col`, the
//! source line with a caret, `= help:`.

use std::fmt::Write;

use super::{Diagnostic, Severity};
use crate::source::{SourceMap, Span};
use crate::terminal::printable;

/// Renders findings for a terminal; `color` adds ANSI colours.
pub fn render(diagnostics: &[Diagnostic], sources: &SourceMap, color: bool) -> String {
    let mut out = String::new();
    for d in diagnostics {
        render_one(&mut out, d, sources, color);
        out.push('\n');
    }
    out
}

struct Style {
    on: bool,
}

impl Style {
    fn paint(&self, code: &str, text: &str) -> String {
        if self.on {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_string()
        }
    }
}

fn render_one(out: &mut String, d: &Diagnostic, sources: &SourceMap, color: bool) {
    let style = Style { on: color };
    let (level, level_color) = match d.severity {
        Severity::Error => ("error", "1;31"),
        Severity::Warning => ("warning", "1;33"),
    };
    let _ = writeln!(
        out,
        "{}{} {}",
        style.paint(level_color, &format!("{level}[{}]", d.code.name())),
        style.paint("1", ":"),
        style.paint("1", &printable(&d.message))
    );
    let spans: Vec<(Span, Option<&str>)> = d
        .span
        .iter()
        .map(|s| (*s, None))
        .chain(d.related.iter().map(|(s, note)| (*s, Some(note.as_str()))))
        .collect();
    let width = spans
        .iter()
        .map(|(s, _)| sources.line_col(*s).0.to_string().len())
        .max()
        .unwrap_or(1);
    let pad = " ".repeat(width);
    let gutter = |s: &str| style.paint("1;34", s);
    for (i, (span, note)) in spans.iter().enumerate() {
        let file = sources.get(span.file);
        let (line, col) = file.line_col(span.start as usize);
        let arrow = if i == 0 { "-->" } else { ":::" };
        let _ = writeln!(
            out,
            "{pad}{} {}:{line}:{col}",
            gutter(arrow),
            printable(&file.path.display().to_string())
        );
        let (text, start) = window(file.line(line), col - 1);
        let _ = writeln!(out, "{pad} {}", gutter("|"));
        let _ = writeln!(
            out,
            "{} {}",
            gutter(&format!("{line:>width$} |")),
            printable(&text.replace('\t', " "))
        );
        let len = caret_len(&text, start, span);
        // Carets under what is shown: an escaped control character is wider.
        let shown = |chars: &mut dyn Iterator<Item = char>| {
            printable(&chars.collect::<String>()).chars().count()
        };
        let len = shown(&mut text.chars().skip(start).take(len));
        let start = shown(&mut text.chars().take(start));
        let marker = style.paint(
            if note.is_some() { "1;34" } else { level_color },
            &"^".repeat(len),
        );
        let label = note
            .map(|n| format!(" {}", printable(n)))
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "{pad} {} {}{marker}{label}",
            gutter("|"),
            " ".repeat(start)
        );
    }
    if let Some(help) = &d.help {
        if !spans.is_empty() {
            let _ = writeln!(out, "{pad} {}", gutter("|"));
        }
        let _ = writeln!(
            out,
            "{pad} {} {} {}",
            gutter("="),
            style.paint("1", "help:"),
            printable(help)
        );
    }
}

/// Lines longer than this are shown as a window around the caret.
const MAX_LINE: usize = 120;

/// The part of a source line to show, and the caret's column in it: a
/// minified one-line JSON file shows the neighbourhood, not the whole file.
fn window(line: &str, caret: usize) -> (String, usize) {
    let chars: Vec<char> = line.chars().collect();
    if chars.len() <= MAX_LINE {
        return (line.to_string(), caret);
    }
    let from = caret
        .saturating_sub(MAX_LINE / 3)
        .min(chars.len().saturating_sub(MAX_LINE));
    let to = (from + MAX_LINE).min(chars.len());
    let mut shown: String = chars[from..to].iter().collect();
    let mut caret = caret - from;
    if from > 0 {
        shown.insert(0, '…');
        caret += 1;
    }
    if to < chars.len() {
        shown.push('…');
    }
    (shown, caret)
}

/// Carets under the span, at least one, never past the end of the line.
fn caret_len(line: &str, start: usize, span: &Span) -> usize {
    let rest = line.chars().count().saturating_sub(start);
    let len = line.char_indices().nth(start).map_or(0, |(byte, _)| {
        let end = (byte + (span.end - span.start) as usize).min(line.len());
        line.get(byte..end).map_or(1, |s| s.chars().count())
    });
    len.clamp(1, rest.max(1))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostic::Code;
    use crate::source::SourceMap;

    #[test]
    fn long_lines_show_a_window_around_the_caret() {
        let line = format!("{}HERE{}", "a".repeat(300), "b".repeat(300));
        let (shown, caret) = window(&line, 300);
        assert_eq!(shown.chars().count(), MAX_LINE + 2);
        assert!(shown.starts_with('…') && shown.ends_with('…'));
        assert_eq!(
            shown.chars().skip(caret).take(4).collect::<String>(),
            "HERE"
        );
        assert_eq!(window("short", 2), ("short".to_string(), 2));
    }

    #[test]
    fn renders_like_rustc() {
        let mut sources = SourceMap::new();
        let text = "responsibilities:\n  data: custmer\n";
        let file = sources.add("m.onus.yaml", text);
        let start = text.find("custmer").unwrap();
        let d = Diagnostic::new(
            Code::UnknownParty,
            Span::new(file, start, start + 7),
            "unknown party `custmer`",
        )
        .with_help("did you mean `customer`?");
        let out = render(&[d], &sources, false);
        assert_eq!(
            out,
            "error[unknown-party]: unknown party `custmer`\n --> m.onus.yaml:2:9\n  |\n2 |   data: custmer\n  |         ^^^^^^^\n  |\n  = help: did you mean `customer`?\n\n"
        );
        assert!(render(&[], &sources, true).is_empty());
    }

    #[test]
    fn control_characters_are_shown_escaped_with_the_caret_under_them() {
        // Issue 15.5: an OSC sequence in a model retitled the terminal.
        let mut sources = SourceMap::new();
        let text = "a: \x1b]0;owned\x07 custmer\n";
        let file = sources.add("m.onus.yaml", text);
        let start = text.find("custmer").unwrap();
        let d = Diagnostic::new(
            Code::UnknownParty,
            Span::new(file, start, start + 7),
            "unknown party `\x1b[2Jcustmer`",
        )
        .with_help("\u{202e}did you mean");
        let out = render(&[d], &sources, false);
        assert!(!out.contains(['\x1b', '\x07', '\u{202e}']), "{out}");
        assert!(out.contains("unknown party `\\u{1b}[2Jcustmer`"), "{out}");
        assert!(out.contains("help: \\u{202e}did you mean"), "{out}");
        let lines: Vec<&str> = out.lines().collect();
        let shown = lines.iter().find(|l| l.starts_with("1 |")).unwrap();
        let carets = lines.iter().find(|l| l.contains('^')).unwrap();
        let at = carets.find('^').unwrap();
        assert_eq!(&shown[at..at + 7], "custmer", "{out}");
        assert_eq!(carets.matches('^').count(), 7);
    }
}
