//! Text from a model, catalog or profile, made safe to print on a
//! terminal: control characters (ESC, BEL, the C1 set that starts OSC
//! sequences, DEL) and the bidirectional overrides that reorder what a
//! reader sees are shown escaped (`\u{1b}`), so a hostile model cannot
//! move the cursor, retitle the window, hide text or make a line read
//! backwards. Line breaks and tabs are kept.

use std::borrow::Cow;

/// Whether `c` must not reach a terminal as it is.
pub fn is_hidden_control(c: char) -> bool {
    (c.is_control() && c != '\n' && c != '\t')
        || matches!(
            c,
            '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}'
        )
}

/// `text` with every [`is_hidden_control`] character escaped as `\u{XX}`.
pub fn printable(text: &str) -> Cow<'_, str> {
    if !text.chars().any(is_hidden_control) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        push_printable(&mut out, c);
    }
    Cow::Owned(out)
}

/// Appends `c`, escaped if it is a [`is_hidden_control`] character.
pub fn push_printable(out: &mut String, c: char) {
    if is_hidden_control(c) {
        out.push_str(&format!("\\u{{{:x}}}", c as u32));
    } else {
        out.push(c);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_what_drives_a_terminal() {
        assert_eq!(printable("plain\ttext\n"), "plain\ttext\n");
        assert!(matches!(printable("plain"), Cow::Borrowed(_)));
        assert_eq!(printable("a\x1b[2Jb"), "a\\u{1b}[2Jb");
        assert_eq!(printable("\x1b]0;owned\x07"), "\\u{1b}]0;owned\\u{7}");
        assert_eq!(printable("\u{9b}31m"), "\\u{9b}31m");
        assert_eq!(printable("x\ry"), "x\\u{d}y");
        assert_eq!(printable("abc\u{202E}fed"), "abc\\u{202e}fed");
        assert_eq!(printable("\u{2067}\u{200f}"), "\\u{2067}\\u{200f}");
        assert_eq!(printable("\x7f"), "\\u{7f}");
    }
}
