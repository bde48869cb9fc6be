//! A small strict JSON parser (RFC 8259) that keeps byte spans.

use super::{syntax_error, Node, Value, MAX_DEPTH};
use crate::diagnostic::Diagnostic;
use crate::source::{FileId, Span};
use crate::text::Text;

pub(super) fn parse(file: FileId, text: &str) -> (Option<Node>, Vec<Diagnostic>) {
    // RFC 8259 lets a parser ignore a byte order mark.
    let start = if text.starts_with('\u{feff}') {
        '\u{feff}'.len_utf8()
    } else {
        0
    };
    let mut p = Parser {
        file,
        text,
        bytes: text.as_bytes(),
        pos: start,
    };
    let result = p.skip_ws().and_then(|_| {
        if p.pos >= p.bytes.len() {
            return Err(p.error("the file is empty: expected a JSON object"));
        }
        let root = p.value(0)?;
        p.skip_ws()?;
        if p.pos < p.bytes.len() {
            return Err(p.error("unexpected text after the end of the JSON document"));
        }
        Ok(root)
    });
    match result {
        Ok(root) => (Some(root), Vec::new()),
        Err(d) => (None, vec![d]),
    }
}

struct Parser<'a> {
    file: FileId,
    text: &'a str,
    bytes: &'a [u8],
    pos: usize,
}

type Result<T> = std::result::Result<T, Diagnostic>;

impl Parser<'_> {
    fn error(&self, message: impl Into<String>) -> Diagnostic {
        syntax_error(self.file, self.text, self.pos, message)
    }

    fn span(&self, start: usize) -> Span {
        Span::new(self.file, start, self.pos)
    }

    fn skip_ws(&mut self) -> Result<()> {
        while let Some(&b) = self.bytes.get(self.pos) {
            match b {
                b' ' | b'\t' | b'\n' | b'\r' => self.pos += 1,
                _ => break,
            }
        }
        Ok(())
    }

    fn expect(&mut self, byte: u8, what: &str) -> Result<()> {
        if self.bytes.get(self.pos) == Some(&byte) {
            self.pos += 1;
            Ok(())
        } else {
            Err(self.error(format!("expected {what}, found {}", self.found())))
        }
    }

    fn found(&self) -> String {
        match self.text[self.pos..].chars().next() {
            None => "the end of the file".to_string(),
            Some(c) => format!("`{c}`"),
        }
    }

    /// Consumes a `,`, refusing a trailing one before `close`.
    fn comma(&mut self, close: u8) -> Result<()> {
        let at = self.pos;
        self.pos += 1;
        self.skip_ws()?;
        if self.bytes.get(self.pos) == Some(&close) {
            return Err(syntax_error(self.file, self.text, at, "trailing comma")
                .with_help("JSON allows no comma after the last entry: remove it"));
        }
        Ok(())
    }

    fn value(&mut self, depth: usize) -> Result<Node> {
        if depth > MAX_DEPTH {
            return Err(self.error(format!("nesting deeper than {MAX_DEPTH} levels")));
        }
        let start = self.pos;
        let value = match self.bytes.get(self.pos) {
            Some(b'{') => self.object(depth)?,
            Some(b'[') => self.array(depth)?,
            Some(b'"') => Value::String(Text::from(self.string()?)),
            Some(b't') => self.keyword("true", Value::Bool(true))?,
            Some(b'f') => self.keyword("false", Value::Bool(false))?,
            Some(b'n') => self.keyword("null", Value::Null)?,
            Some(b'-' | b'0'..=b'9') => self.number()?,
            _ => return Err(self.error(format!("expected a JSON value, found {}", self.found()))),
        };
        Ok(Node {
            value,
            span: self.span(start),
        })
    }

    fn keyword(&mut self, word: &str, value: Value) -> Result<Value> {
        if self.text[self.pos..].starts_with(word) {
            self.pos += word.len();
            Ok(value)
        } else {
            Err(self.error(format!("expected a JSON value, found {}", self.found())))
        }
    }

    fn number(&mut self) -> Result<Value> {
        let start = self.pos;
        if self.bytes[self.pos] == b'-' {
            self.pos += 1;
        }
        let digits = |p: &mut Self| {
            let s = p.pos;
            while p.bytes.get(p.pos).is_some_and(u8::is_ascii_digit) {
                p.pos += 1;
            }
            p.pos - s
        };
        let int_start = self.pos;
        let n = digits(self);
        if n == 0 || (n > 1 && self.bytes[int_start] == b'0') {
            return Err(syntax_error(self.file, self.text, start, "invalid number"));
        }
        if self.bytes.get(self.pos) == Some(&b'.') {
            self.pos += 1;
            if digits(self) == 0 {
                return Err(self.error("expected a digit after the decimal point"));
            }
        }
        if matches!(self.bytes.get(self.pos), Some(b'e' | b'E')) {
            self.pos += 1;
            if matches!(self.bytes.get(self.pos), Some(b'+' | b'-')) {
                self.pos += 1;
            }
            if digits(self) == 0 {
                return Err(self.error("expected a digit in the exponent"));
            }
        }
        Ok(Value::Number(self.text[start..self.pos].to_string()))
    }

    fn string(&mut self) -> Result<String> {
        self.expect(b'"', "`\"`")?;
        let mut out = String::new();
        loop {
            let rest = &self.text[self.pos..];
            let Some(c) = rest.chars().next() else {
                return Err(self.error("unterminated string: add the closing `\"`"));
            };
            match c {
                '"' => {
                    self.pos += 1;
                    return Ok(out);
                }
                '\\' => {
                    self.pos += 1;
                    let Some(e) = self.text[self.pos..].chars().next() else {
                        return Err(self.error("unterminated escape"));
                    };
                    self.pos += 1;
                    match e {
                        '"' => out.push('"'),
                        '\\' => out.push('\\'),
                        '/' => out.push('/'),
                        'b' => out.push('\u{8}'),
                        'f' => out.push('\u{c}'),
                        'n' => out.push('\n'),
                        'r' => out.push('\r'),
                        't' => out.push('\t'),
                        'u' => out.push(self.unicode_escape()?),
                        _ => {
                            self.pos -= 1;
                            return Err(self.error(format!("invalid escape `\\{e}`")));
                        }
                    }
                }
                c if (c as u32) < 0x20 => {
                    return Err(self.error("control character in a string: escape it"))
                }
                c => {
                    out.push(c);
                    self.pos += c.len_utf8();
                }
            }
        }
    }

    fn hex4(&mut self) -> Result<u32> {
        let hex = self
            .text
            .get(self.pos..self.pos + 4)
            .filter(|h| h.bytes().all(|b| b.is_ascii_hexdigit()))
            .ok_or_else(|| self.error("expected four hex digits after `\\u`"))?;
        self.pos += 4;
        Ok(u32::from_str_radix(hex, 16).unwrap_or(0xFFFD))
    }

    fn unicode_escape(&mut self) -> Result<char> {
        // The escape starts two bytes back, at its `\`.
        let start = self.pos - 2;
        let first = self.hex4()?;
        let lone = |p: &Self| {
            syntax_error(p.file, p.text, start, "a lone surrogate escape, which is no character")
                .with_help("a `\\uD800`-`\\uDBFF` escape must be followed by a `\\uDC00`-`\\uDFFF` one; write the character itself")
        };
        let code = if (0xD800..0xDC00).contains(&first) && self.text[self.pos..].starts_with("\\u")
        {
            self.pos += 2;
            let second = self.hex4()?;
            if !(0xDC00..0xE000).contains(&second) {
                return Err(self.error("invalid surrogate pair"));
            }
            0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00)
        } else {
            first
        };
        char::from_u32(code).ok_or_else(|| lone(self))
    }

    fn array(&mut self, depth: usize) -> Result<Value> {
        self.pos += 1;
        let mut items = Vec::new();
        self.skip_ws()?;
        if self.bytes.get(self.pos) == Some(&b']') {
            self.pos += 1;
            return Ok(Value::Seq(items));
        }
        loop {
            self.skip_ws()?;
            items.push(self.value(depth + 1)?);
            self.skip_ws()?;
            match self.bytes.get(self.pos) {
                Some(b',') => self.comma(b']')?,
                Some(b']') => {
                    self.pos += 1;
                    return Ok(Value::Seq(items));
                }
                _ => return Err(self.error(format!("expected `,` or `]`, found {}", self.found()))),
            }
        }
    }

    fn object(&mut self, depth: usize) -> Result<Value> {
        self.pos += 1;
        let mut entries = Vec::new();
        self.skip_ws()?;
        if self.bytes.get(self.pos) == Some(&b'}') {
            self.pos += 1;
            return Ok(Value::Map(entries));
        }
        loop {
            self.skip_ws()?;
            let start = self.pos;
            if self.bytes.get(self.pos) != Some(&b'"') {
                return Err(self.error(format!("expected a quoted key, found {}", self.found())));
            }
            let key = Value::String(Text::from(self.string()?));
            let key = Node {
                value: key,
                span: self.span(start),
            };
            self.skip_ws()?;
            self.expect(b':', "`:` after the key")?;
            self.skip_ws()?;
            let value = self.value(depth + 1)?;
            entries.push((key, value));
            self.skip_ws()?;
            match self.bytes.get(self.pos) {
                Some(b',') => self.comma(b'}')?,
                Some(b'}') => {
                    self.pos += 1;
                    return Ok(Value::Map(entries));
                }
                _ => {
                    return Err(self.error(format!("expected `,` or `}}`, found {}", self.found())))
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(text: &str) -> Node {
        let (root, d) = parse(FileId(0), text);
        assert!(d.is_empty(), "{d:?}");
        root.unwrap()
    }

    fn err(text: &str) -> (usize, String) {
        let (root, d) = parse(FileId(0), text);
        assert!(root.is_none());
        (d[0].span.unwrap().start as usize, d[0].message.clone())
    }

    #[test]
    fn parses_values_with_spans() {
        let root = ok(r#" {"a": [1, -2.5e3, true, null], "b": "x\u00e9\n"} "#);
        let Value::Map(entries) = &root.value else {
            panic!()
        };
        assert_eq!(entries[0].0.span.start, 2);
        assert_eq!(entries[1].1.value, Value::String("xé\n".into()));
        let Value::Seq(items) = &entries[0].1.value else {
            panic!()
        };
        assert_eq!(items[1].value, Value::Number("-2.5e3".into()));
        assert_eq!((items[2].span.start, items[2].span.end), (19, 23));
    }

    #[test]
    fn a_lone_surrogate_is_an_error() {
        for text in [
            r#"{"a": "x\ud800"}"#,
            r#"{"a": "\udc00"}"#,
            r#"{"a": "\ud800 \u0041"}"#,
        ] {
            let (at, message) = err(text);
            assert_eq!(at, text.find('\\').unwrap(), "{text}");
            assert!(message.contains("lone surrogate"), "{text}: {message}");
        }
        assert_eq!(
            ok(r#"{"a": "\ud83d\ude00"}"#).to_json()["a"],
            serde_json::json!("\u{1F600}")
        );
    }

    #[test]
    fn ignores_a_byte_order_mark() {
        let root = ok("\u{feff}{\"a\": 1}");
        let Value::Map(entries) = &root.value else {
            panic!()
        };
        assert_eq!(entries[0].0.span.start, 4);
    }

    #[test]
    fn reports_where_it_stops() {
        assert_eq!(err("{\"a\": 1,}"), (7, "trailing comma".to_string()));
        assert_eq!(err("[1 ,\n ]").0, 3);
        assert_eq!(err("[1 2]").1, "expected `,` or `]`, found `2`");
        assert!(err("\"abc").1.starts_with("unterminated string"));
        assert_eq!(err("").1, "the file is empty: expected a JSON object");
        assert_eq!(err("01").1, "invalid number");
        assert!(err(&"[".repeat(1000)).1.contains("nesting deeper"));
    }
}
