//! The fast path: a hand-written parser for the YAML that model files are
//! written in: on the benchmark chain, `syntax::parse` takes a fifth of the
//! time it takes through yaml-rust2's events (and most of that fifth goes
//! to allocating and freeing the tree, which both paths do).
//!
//! It answers `Some(root)` only for a text that is wholly in the subset
//! below and valid, and then the tree is the one [`super::slow`] gives,
//! values and spans byte for byte (spans follow yaml-rust2's marks, quirks
//! included: see [`super::scalar_end`], and a block collection ends where
//! the next token starts). For anything else it answers `None` and the
//! caller takes the slow path, which also says what is wrong: so the fast
//! path never reports an error, and when in doubt it gives up.
//!
//! The subset, per line (indentation is spaces only):
//!
//! - blank lines, comments (whole lines, or after a space), an optional
//!   leading byte order mark and an optional first `---` line; LF or CRLF;
//! - block maps: `key: value` or `key:`, keys plain or quoted (shorter than
//!   1,000 bytes, as yaml-rust2 forgets a simple key after 1,024
//!   characters); under `key:` an empty value, a deeper map or list, or a
//!   list at the key's own indentation;
//! - block lists: `- value`, `- key: value` (a map whose next keys line up
//!   with the first);
//! - scalars on one line: plain (core schema by [`super::plain_scalar`]),
//!   single-quoted, double-quoted with the escapes of YAML 1.2;
//! - flow lists and maps on one line, nested, every map entry with a value;
//! - `|`, `|-`, `>` and `>-` block scalars as map values, every content line
//!   at one indentation.
//!
//! It gives up on: tabs, NUL, a lone CR, a byte order mark after the start,
//! anchors, aliases, tags, directives, `...`, a second document, explicit
//! `?` keys, scalars or flow collections over several lines, a value on the
//! line after its key, empty list items, `- - x`, `[a: 1]`, `{a}`,
//! `{a: 1,}`, block scalars with an indentation or keep indicator, a scalar
//! starting with an indicator (`?`, `:`, `@`, `%`, ...), and any line whose
//! indentation is not the one its place calls for.

use super::{plain_scalar, scalar_end};
use crate::source::{FileId, Span};
use crate::syntax::{Node, Value, MAX_DEPTH, MAX_NODES};
use crate::text::Text;

/// Nesting deeper than this takes the slow path (which reports beyond [`MAX_DEPTH`]).
const MAX_FAST_DEPTH: usize = MAX_DEPTH - 8;
/// Keys longer than this (bytes, to their `:`) take the slow path.
const MAX_KEY: usize = 1000;

/// The tree of `text` if it is in the subset and valid, else `None`.
pub fn parse(file: FileId, text: &str) -> Option<Node> {
    let start = if text.starts_with('\u{feff}') { 3 } else { 0 };
    if !plain_bytes(text.as_bytes(), start) {
        return None;
    }
    let mut parser = Parser {
        text,
        b: text.as_bytes(),
        file,
        cur: None,
        depth: 0,
        nodes: 0,
        entries: Vec::new(),
        items: Vec::new(),
    };
    parser.document(start)
}

/// Whether the bytes from `start` are free of what the fast path leaves to
/// yaml-rust2: NUL (its end of stream), tabs, a CR not before an LF, and a
/// byte order mark.
fn plain_bytes(b: &[u8], start: usize) -> bool {
    let suspect = |c: u8| matches!(c, 0 | b'\t' | b'\r' | 0xEF);
    let mut from = start;
    for chunk in b[start..].chunks(64) {
        // Branch-free over the chunk, so the common case runs vectorised.
        if chunk.iter().fold(false, |any, &c| any | suspect(c)) {
            for (i, &c) in chunk.iter().enumerate() {
                let at = from + i;
                let bad = match c {
                    0 | b'\t' => true,
                    b'\r' => b.get(at + 1) != Some(&b'\n'),
                    0xEF => b.get(at + 1..at + 3) == Some(&[0xBB, 0xBF][..]),
                    _ => false,
                };
                if bad {
                    return false;
                }
            }
        }
        from += chunk.len();
    }
    true
}

/// A line with content (not blank, not only a comment).
#[derive(Clone, Copy, Debug)]
struct Line {
    /// Byte offset of its first column (after the byte order mark on line 1).
    start: usize,
    /// Leading spaces: its column, as the text before it is ASCII.
    indent: usize,
    /// End of its text, before the line break.
    end: usize,
    /// Start of the next line (the length of the text at the end).
    next: usize,
}

impl Line {
    fn content(&self) -> usize {
        self.start + self.indent
    }
}

struct Parser<'a> {
    text: &'a str,
    b: &'a [u8],
    file: FileId,
    /// The next line with content not yet read; `None` at the end of the text.
    cur: Option<Line>,
    depth: usize,
    nodes: usize,
    /// The entries of the maps and the items of the lists being read, the
    /// innermost last: each collection takes its own off the top in one
    /// allocation of the right size when it ends.
    entries: Vec<(Node, Node)>,
    items: Vec<Node>,
}

/// The stop of a scalar scanned on a line: its text's end and where it stopped.
struct Stop {
    text_end: usize,
    at: usize,
}

impl Parser<'_> {
    fn document(&mut self, start: usize) -> Option<Node> {
        self.advance(start, true)?;
        let line = self.cur?;
        let c = line.content();
        let root = match self.b[c] {
            b'-' if self.is_entry(c, line.end) => self.block_seq(line, false)?,
            b'[' | b'{' => self.flow_then_eol(c, line)?,
            _ => {
                let (key, colon) = self.key(c, line.end)?;
                self.block_map(line.indent, key, colon, line)?
            }
        };
        self.cur.is_none().then_some(root)
    }

    /// Moves to the next line with content from the line starting at `pos`.
    /// Gives up on document markers and directives, except a first `---`
    /// line when `document_start`.
    fn advance(&mut self, mut pos: usize, mut document_start: bool) -> Option<()> {
        let b = self.b;
        loop {
            if pos >= b.len() {
                self.cur = None;
                return Some(());
            }
            let mut i = pos;
            while i < b.len() && b[i] == b' ' {
                i += 1;
            }
            let lf = find_lf(b, i);
            let end = if lf > i && b[lf - 1] == b'\r' {
                lf - 1
            } else {
                lf
            };
            let next = (lf + 1).min(b.len());
            if i == end || b[i] == b'#' {
                pos = next;
                continue;
            }
            if i == pos {
                let rest = &b[i..end];
                let marker = (rest.starts_with(b"---") || rest.starts_with(b"..."))
                    && matches!(rest.get(3), None | Some(b' '));
                if marker && document_start && rest[0] == b'-' {
                    self.eol(i + 3, end)?;
                    document_start = false;
                    pos = next;
                    continue;
                }
                if marker || b[i] == b'%' {
                    return None;
                }
            }
            self.cur = Some(Line {
                start: pos,
                indent: i - pos,
                end,
                next,
            });
            return Some(());
        }
    }

    /// Where the next token starts: the first character of the next line
    /// with content, or the end of the text.
    fn next_token(&self) -> usize {
        self.cur.map_or(self.b.len(), |l| l.content())
    }

    fn enter(&mut self) -> Option<()> {
        self.depth += 1;
        (self.depth <= MAX_FAST_DEPTH).then_some(())
    }

    fn node(&mut self, value: Value, start: usize, end: usize) -> Option<Node> {
        self.nodes += 1;
        if self.nodes > MAX_NODES / 2 - 8 {
            return None;
        }
        Some(Node {
            value,
            span: Span::new(self.file, start, end),
        })
    }

    /// A collection from `start` that ends where the token at `at` starts
    /// (after it when that is its `]` or `}`), as the slow path's end events.
    fn collection(&mut self, value: Value, start: usize, at: usize) -> Option<Node> {
        self.depth -= 1;
        let closes = matches!(self.b.get(at), Some(b']' | b'}'));
        let end = (at + usize::from(closes)).max(start + 1).min(self.b.len());
        self.node(value, start, end)
    }

    /// `-` followed by a space or the end of the line: a block list entry.
    fn is_entry(&self, at: usize, end: usize) -> bool {
        self.b[at] == b'-' && (at + 1 == end || self.b[at + 1] == b' ')
    }

    fn skip_spaces(&self, mut at: usize, end: usize) -> usize {
        while at < end && self.b[at] == b' ' {
            at += 1;
        }
        at
    }

    /// Nothing but spaces and a comment from `at` to the end of the line.
    fn eol(&self, at: usize, end: usize) -> Option<()> {
        let q = self.skip_spaces(at, end);
        (q == end || (q > at && self.b[q] == b'#')).then_some(())
    }

    /// A block map at column `indent` whose first key (already read, on
    /// `line`) is followed by `:` ending before `colon`.
    fn block_map(&mut self, indent: usize, first: Node, colon: usize, line: Line) -> Option<Node> {
        self.enter()?;
        let start = first.span.start as usize;
        let base = self.entries.len();
        let (mut key, mut colon, mut line) = (first, colon, line);
        loop {
            let value = self.map_value(indent, colon, line)?;
            self.entries.push((key, value));
            match self.cur {
                Some(next) if next.indent == indent => {
                    let c = next.content();
                    if self.is_entry(c, next.end) {
                        return None;
                    }
                    (key, colon) = self.key(c, next.end)?;
                    line = next;
                }
                Some(next) if next.indent > indent => return None,
                _ => break,
            }
        }
        let at = self.next_token();
        let entries = self.entries.split_off(base);
        self.collection(Value::Map(entries), start, at)
    }

    /// The value after `key:` (`colon` is just after the `:`) of a map at
    /// column `indent`; reads on to the line after it.
    fn map_value(&mut self, indent: usize, colon: usize, line: Line) -> Option<Node> {
        let end = line.end;
        let p = self.skip_spaces(colon, end);
        if p == end || self.b[p] == b'#' {
            self.advance(line.next, false)?;
            return match self.cur {
                Some(next) if next.indent > indent => {
                    let c = next.content();
                    if self.is_entry(c, next.end) {
                        return self.block_seq(next, false);
                    }
                    let (key, colon) = self.key(c, next.end)?;
                    self.block_map(next.indent, key, colon, next)
                }
                Some(next) if next.indent == indent && self.is_entry(next.content(), next.end) => {
                    self.block_seq(next, true)
                }
                _ => {
                    // An empty value: yaml-rust2 puts it at the next token.
                    let at = self.next_token();
                    let end = scalar_end(self.text, at, "", false);
                    self.node(Value::Null, at, end)
                }
            };
        }
        match self.b[p] {
            b'|' | b'>' => self.block_scalar(indent, p, line),
            b'[' | b'{' | b'\'' | b'"' => self.flow_then_eol(p, line),
            _ => {
                let stop = self.plain(p, end, false)?;
                if stop.at < end && self.b[stop.at] == b':' {
                    return None;
                }
                let node = self.plain_node(p, stop.text_end)?;
                self.advance(line.next, false)?;
                Some(node)
            }
        }
    }

    /// A flow collection or quoted scalar at `p` that ends its line.
    fn flow_then_eol(&mut self, p: usize, line: Line) -> Option<Node> {
        let (node, after) = self.flow(p, line.end)?;
        self.eol(after, line.end)?;
        self.advance(line.next, false)?;
        Some(node)
    }

    /// A block list whose first entry is on `first`; `indentless` when it
    /// stands at the column of the key it is the value of.
    fn block_seq(&mut self, first: Line, indentless: bool) -> Option<Node> {
        self.enter()?;
        let indent = first.indent;
        let mut start = first.content();
        let base = self.items.len();
        let mut line = first;
        loop {
            let p = self.skip_spaces(line.content() + 1, line.end);
            if p == line.end || self.b[p] == b'#' {
                return None;
            }
            if indentless && self.items.len() == base {
                // yaml-rust2 marks such a list at its first entry's content.
                start = p;
            }
            let item = self.seq_item(p, line)?;
            self.items.push(item);
            match self.cur {
                Some(next) if next.indent == indent && self.is_entry(next.content(), next.end) => {
                    line = next;
                }
                Some(next) if next.indent > indent || (next.indent == indent && !indentless) => {
                    return None
                }
                _ => break,
            }
        }
        let at = self.next_token();
        let items = self.items.split_off(base);
        self.collection(Value::Seq(items), start, at)
    }

    /// The entry of a block list at `p` on `line`: a scalar, a flow
    /// collection, or a map whose first key is there.
    fn seq_item(&mut self, p: usize, line: Line) -> Option<Node> {
        let end = line.end;
        let column = p - line.start;
        match self.b[p] {
            b'[' | b'{' => self.flow_then_eol(p, line),
            b'\'' | b'"' => {
                let (node, after) = self.quoted(p, end)?;
                let q = self.skip_spaces(after, end);
                if q < end && self.b[q] == b':' {
                    let colon = self.colon(p, q, end)?;
                    return self.block_map(column, node, colon, line);
                }
                self.eol(after, end)?;
                self.advance(line.next, false)?;
                Some(node)
            }
            _ => {
                let stop = self.plain(p, end, false)?;
                let node = self.plain_node(p, stop.text_end)?;
                if stop.at < end && self.b[stop.at] == b':' {
                    let colon = self.colon(p, stop.at, end)?;
                    return self.block_map(column, node, colon, line);
                }
                self.advance(line.next, false)?;
                Some(node)
            }
        }
    }

    /// A key at `p` followed by `:` and a space or the end of the line:
    /// the key and the position after the `:`.
    fn key(&mut self, p: usize, end: usize) -> Option<(Node, usize)> {
        match self.b[p] {
            b'\'' | b'"' => {
                let (node, after) = self.quoted(p, end)?;
                let q = self.skip_spaces(after, end);
                if q == end || self.b[q] != b':' {
                    return None;
                }
                Some((node, self.colon(p, q, end)?))
            }
            _ => {
                let stop = self.plain(p, end, false)?;
                if stop.at == end || self.b[stop.at] != b':' {
                    return None;
                }
                let colon = self.colon(p, stop.at, end)?;
                Some((self.plain_node(p, stop.text_end)?, colon))
            }
        }
    }

    /// The `:` at `q` of a block map key starting at `key`: it must be
    /// followed by a space or the end of the line. The position after it.
    fn colon(&self, key: usize, q: usize, end: usize) -> Option<usize> {
        let spaced = q + 1 == end || self.b[q + 1] == b' ';
        (spaced && q - key <= MAX_KEY).then_some(q + 1)
    }

    /// A block scalar (`|`, `|-`, `>`, `>-`) whose indicator is at `p` on
    /// `line`, the value of a key of a map at column `indent`.
    fn block_scalar(&mut self, indent: usize, p: usize, line: Line) -> Option<Node> {
        let b = self.b;
        let literal = b[p] == b'|';
        let mut q = p + 1;
        let strip = q < line.end && b[q] == b'-';
        q += usize::from(strip);
        if q < line.end && b[q] != b' ' {
            return None;
        }
        self.eol(q, line.end)?;

        // The first line sets the indentation: it must have content, deeper
        // than the map, and no line after it may be deeper.
        let first = physical_line(self.text, line.next)?;
        if first.content() == first.end || first.indent <= indent {
            return None;
        }
        let column = first.indent;
        let start = first.content();
        let mut value = String::new();
        let mut next = first;
        let mut empty = 0;
        loop {
            if next.content() == next.end {
                // Spaces beyond the column are text; at the end of the text,
                // yaml-rust2 reads `column` spaces as one more line break.
                let last = next.next == next.end;
                if next.indent > column || (last && next.indent == column) {
                    return None;
                }
                empty += 1;
            } else if next.indent < column {
                break;
            } else if next.indent > column {
                return None;
            } else {
                if next.start != first.start {
                    if literal || empty > 0 {
                        let breaks = if literal { empty + 1 } else { empty };
                        value.extend(std::iter::repeat_n('\n', breaks));
                    } else {
                        value.push(' ');
                    }
                }
                value.push_str(&self.text[next.content()..next.end]);
                empty = 0;
            }
            match physical_line(self.text, next.next) {
                Some(line) => next = line,
                None => break,
            }
        }
        if !strip {
            value.push('\n');
        }
        let resume = if next.content() < next.end && next.indent < column {
            next.start
        } else {
            b.len()
        };
        self.advance(resume, false)?;
        let end = scalar_end(self.text, start, &value, false);
        self.node(Value::String(Text::from(value)), start, end)
    }

    /// A node in flow context at `p` (a flow collection, a quoted or plain
    /// scalar), on one line ending at `end`: the node and the position after it.
    fn flow(&mut self, p: usize, end: usize) -> Option<(Node, usize)> {
        match self.b[p] {
            b'[' => self.flow_seq(p, end),
            b'{' => self.flow_map(p, end),
            b'\'' | b'"' => self.quoted(p, end),
            _ => {
                let stop = self.plain(p, end, true)?;
                Some((self.plain_node(p, stop.text_end)?, stop.at))
            }
        }
    }

    fn flow_seq(&mut self, p: usize, end: usize) -> Option<(Node, usize)> {
        self.enter()?;
        let b = self.b;
        let base = self.items.len();
        let mut i = self.skip_spaces(p + 1, end);
        loop {
            if i >= end || b[i] == b'#' {
                return None;
            }
            if b[i] == b']' {
                break;
            }
            let (item, after) = self.flow(i, end)?;
            self.items.push(item);
            i = self.skip_spaces(after, end);
            match b.get(i) {
                Some(b',') if i < end => i = self.skip_spaces(i + 1, end),
                Some(b']') if i < end => break,
                _ => return None,
            }
        }
        let items = self.items.split_off(base);
        let node = self.collection(Value::Seq(items), p, i)?;
        Some((node, i + 1))
    }

    fn flow_map(&mut self, p: usize, end: usize) -> Option<(Node, usize)> {
        self.enter()?;
        let b = self.b;
        let base = self.entries.len();
        let mut i = self.skip_spaces(p + 1, end);
        if i < end && b[i] == b'}' {
            let node = self.collection(Value::Map(Vec::new()), p, i)?;
            return Some((node, i + 1));
        }
        loop {
            if i >= end || matches!(b[i], b'[' | b'{' | b'#' | b'}') {
                return None;
            }
            let (key, after) = self.flow(i, end)?;
            let q = self.skip_spaces(after, end);
            if q + 1 >= end || b[q] != b':' || b[q + 1] != b' ' {
                return None;
            }
            let v = self.skip_spaces(q + 1, end);
            if v >= end || matches!(b[v], b',' | b'}' | b'#') {
                return None;
            }
            let (value, after) = self.flow(v, end)?;
            self.entries.push((key, value));
            i = self.skip_spaces(after, end);
            match b.get(i) {
                Some(b',') if i < end => i = self.skip_spaces(i + 1, end),
                Some(b'}') if i < end => break,
                _ => return None,
            }
        }
        let entries = self.entries.split_off(base);
        let node = self.collection(Value::Map(entries), p, i)?;
        Some((node, i + 1))
    }

    /// Scans a plain scalar at `p` on a line ending at `end`, in block or
    /// flow context; `None` if one cannot start there (or if yaml-rust2
    /// would find fault with it).
    #[inline(always)]
    fn plain(&self, p: usize, end: usize, flow: bool) -> Option<Stop> {
        let b = self.b;
        let next = b.get(p + 1).copied().filter(|_| p + 1 < end);
        let starts = match b[p] {
            b'-' => next.is_some_and(|c| c != b' ' && !(flow && is_flow(c))),
            b'?' | b':' | b',' | b'[' | b']' | b'{' | b'}' | b'#' | b'&' | b'*' | b'!' | b'|'
            | b'>' | b'\'' | b'"' | b'%' | b'@' | b'`' => false,
            _ => true,
        };
        if !starts {
            return None;
        }
        let stops = if flow { &FLOW_STOPS } else { &BLOCK_STOPS };
        let line = &b[..end];
        let mut i = p;
        let mut text_end = p;
        loop {
            // A run of bytes that cannot end the scalar, then one that may.
            let run = i;
            while let Some(&c) = line.get(i) {
                if stops[usize::from(c)] {
                    break;
                }
                i += 1;
            }
            if i > run {
                text_end = i;
            }
            let Some(&c) = line.get(i) else {
                break;
            };
            match c {
                b' ' => {
                    while line.get(i) == Some(&b' ') {
                        i += 1;
                    }
                    match line.get(i) {
                        Some(b'#') => break,
                        // yaml-rust2 refuses a word `-` before a flow indicator.
                        Some(b'-') if flow && line.get(i + 1).is_some_and(|&c| is_flow(c)) => {
                            return None
                        }
                        _ => {}
                    }
                }
                b':' => match line.get(i + 1) {
                    None | Some(b' ') => break,
                    Some(&c) if flow && is_flow(c) => break,
                    _ => {
                        i += 1;
                        text_end = i;
                    }
                },
                _ => break,
            }
        }
        Some(Stop { text_end, at: i })
    }

    fn plain_node(&mut self, start: usize, end: usize) -> Option<Node> {
        let value = plain_scalar(&self.text[start..end]);
        self.node(value, start, end)
    }

    /// A single- or double-quoted scalar at `p`, closed before `end`: the
    /// node and the position after its closing quote.
    fn quoted(&mut self, p: usize, end: usize) -> Option<(Node, usize)> {
        let (value, after) = if self.b[p] == b'\'' {
            self.single_quoted(p, end)?
        } else {
            self.double_quoted(p, end)?
        };
        let span_end = scalar_end(self.text, p, &value, true);
        Some((
            self.node(Value::String(Text::from(value)), p, span_end)?,
            after,
        ))
    }

    fn single_quoted(&self, p: usize, end: usize) -> Option<(String, usize)> {
        let b = self.b;
        let mut value = String::new();
        let mut from = p + 1;
        loop {
            let q = from + b[from..end].iter().position(|&c| c == b'\'')?;
            value.push_str(&self.text[from..q]);
            if q + 1 < end && b[q + 1] == b'\'' {
                value.push('\'');
                from = q + 2;
            } else {
                return Some((value, q + 1));
            }
        }
    }

    fn double_quoted(&self, p: usize, end: usize) -> Option<(String, usize)> {
        let b = self.b;
        let mut value = String::new();
        let mut from = p + 1;
        loop {
            let q = from + b[from..end].iter().position(|&c| c == b'"' || c == b'\\')?;
            value.push_str(&self.text[from..q]);
            if b[q] == b'"' {
                return Some((value, q + 1));
            }
            let e = *b.get(q + 1).filter(|_| q + 1 < end)?;
            let simple = match e {
                b'0' => '\0',
                b'a' => '\x07',
                b'b' => '\x08',
                b't' => '\t',
                b'n' => '\n',
                b'v' => '\x0b',
                b'f' => '\x0c',
                b'r' => '\r',
                b'e' => '\x1b',
                b' ' => ' ',
                b'"' => '"',
                b'/' => '/',
                b'\\' => '\\',
                b'N' => '\u{85}',
                b'_' => '\u{a0}',
                b'L' => '\u{2028}',
                b'P' => '\u{2029}',
                b'x' | b'u' | b'U' => {
                    let digits = match e {
                        b'x' => 2,
                        b'u' => 4,
                        _ => 8,
                    };
                    let hex = self.text.get(q + 2..q + 2 + digits)?;
                    if q + 2 + digits > end || !hex.bytes().all(|c| c.is_ascii_hexdigit()) {
                        return None;
                    }
                    let c = char::from_u32(u32::from_str_radix(hex, 16).ok()?)?;
                    value.push(c);
                    from = q + 2 + digits;
                    continue;
                }
                _ => return None,
            };
            value.push(simple);
            from = q + 2;
        }
    }
}

/// The bytes a plain scalar may stop at, in block and in flow context.
const BLOCK_STOPS: [bool; 256] = stops(b" :");
const FLOW_STOPS: [bool; 256] = stops(b" :,[]{}");

const fn stops(bytes: &[u8]) -> [bool; 256] {
    let mut table = [false; 256];
    let mut i = 0;
    while i < bytes.len() {
        table[bytes[i] as usize] = true;
        i += 1;
    }
    table
}

fn is_flow(c: u8) -> bool {
    matches!(c, b',' | b'[' | b']' | b'{' | b'}')
}

/// The position of the next LF from `from`, or the end of the text.
fn find_lf(b: &[u8], from: usize) -> usize {
    // Eight bytes at a time: lines are short, and a call to memchr costs
    // more than it saves on them.
    const ONES: u64 = 0x0101_0101_0101_0101;
    let mut i = from;
    while let Some(word) = b.get(i..i + 8) {
        let x = u64::from_le_bytes(word.try_into().unwrap_or_default()) ^ (ONES * u64::from(b'\n'));
        // The lowest byte of `x` that is zero has the lowest bit set here.
        let zero = x.wrapping_sub(ONES) & !x & (ONES << 7);
        if zero != 0 {
            return i + (zero.trailing_zeros() / 8) as usize;
        }
        i += 8;
    }
    b[i.min(b.len())..]
        .iter()
        .position(|&c| c == b'\n')
        .map_or(b.len(), |at| i + at)
}

/// The physical line starting at `pos` (blank or not); `None` at the end.
fn physical_line(text: &str, pos: usize) -> Option<Line> {
    let b = text.as_bytes();
    if pos >= b.len() {
        return None;
    }
    let mut i = pos;
    while i < b.len() && b[i] == b' ' {
        i += 1;
    }
    let lf = find_lf(b, i);
    let end = if lf > i && b[lf - 1] == b'\r' {
        lf - 1
    } else {
        lf
    };
    Some(Line {
        start: pos,
        indent: i - pos,
        end,
        next: (lf + 1).min(b.len()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The fast path answers for `text`, with the slow path's tree.
    #[track_caller]
    fn fast(text: &str) -> Node {
        let slow = super::super::slow(FileId(0), text);
        let fast = parse(FileId(0), text);
        assert!(
            slow.1.is_empty(),
            "{text:?}: the slow path finds {:?}",
            slow.1
        );
        assert_eq!(fast, slow.0, "{text:?}");
        fast.unwrap()
    }

    /// The fast path gives up on `text`.
    #[track_caller]
    fn gives_up(text: &str) {
        assert_eq!(parse(FileId(0), text), None, "{text:?}");
    }

    #[test]
    fn block_maps_and_empty_values() {
        for text in [
            "a: 1\n",
            "a: 1",
            "a:\n",
            "a:",
            "a:\nb: 2\n",
            "a: # c\n\n# d\n  # e\nb: 2\n",
            "a:\n  b: 1\n  c:\n# x\nd: 3\n",
            "a:   # c\n  # d\nb:\n",
            "a: x\n  # a deeper comment\nb: y\n",
            "  a: 1\n  b: 2\n",
            "a: 1\na: 2\n",
            "key with spaces: v\n",
            "a:b: 1\n",
            "a :b: 1\n",
            "a  : 1\n",
            "-x: 1\n",
            "'a': 1\n\"b\": 2\n'c' : 3\n",
            "'': x\n",
            "1: a\ntrue: b\n~: c\n",
        ] {
            fast(text);
        }
    }

    #[test]
    fn plain_scalars() {
        for text in [
            "url: http://x.y/z?q=1\n",
            "k: a:b\n",
            "k: -x\n",
            "k: -1\n",
            "k: a # c\n",
            "k: a#b\n",
            "k: v   \n",
            "k: a :b\n",
            "k: a, b] }\n",
            "k: it's \"q\"\n",
            "k: 0x1F\nl: .inf\nm: 1e3\nn: 2024-06\no: NULL\np: False\n",
            "é: ü\nkey: v\n",
            "k: 日本 語 # コメント\n",
        ] {
            fast(text);
        }
    }

    #[test]
    fn quoted_scalars() {
        for text in [
            "k: 'it''s'\n",
            "k: \"a\\\"b\"\n",
            "k: ''\n",
            "k: '' # c\n",
            "k: \"\"\n",
            "k: ' a  b '\n",
            "k: \"\\\\\"\n",
            "k: \"\\x41\\u00e9\\U0001F600\\n\\t\\/\"\n",
            "k: 'a # b'   # c\n",
            "- 'x'\n- \"y\": 1\n",
        ] {
            fast(text);
        }
    }

    #[test]
    fn block_lists() {
        for text in [
            "- a\n- b\n",
            "a:\n- x\n- y\nb: 1\n",
            "a:\n  - x\n  - y\nb: 1\n",
            "- a: 1\n  b: 2\n- c\n",
            "- a:\n  - x\n  b: 1\n- c\n",
            "- a:\n- b\n",
            "a:\n  - x\n  -   y: 1\n      z: 2\n",
            "- [a]\n- {b: c}\n",
            "a:\n- x\n# c\n\nb:\n",
        ] {
            fast(text);
        }
    }

    #[test]
    fn flow_collections() {
        for text in [
            "k: [a, b,]\n",
            "k: [a, b, ]\n",
            "k: []\n",
            "k: {}\n",
            "k: [ ]\n",
            "k: [nist:ac-2, sc-7]\n",
            "k: { a: 1, b: [x, y] }\n",
            "k: { up: ~, acme: { duties: [Run hosts] } }\n",
            "k: {url: https://x.y/z, 'q': \"r\"}  # c\n",
            "k: [a b, 'c', \"d\", [e], {f: g}]\n",
            "[a, b]\n",
            "{a: 1}\n",
        ] {
            fast(text);
        }
    }

    #[test]
    fn block_scalars() {
        for text in [
            "a: >-\n  folded\n  text\n\n  para\nb: 1\n",
            "a: >\n  folded\n\n\n  text\n",
            "a: |\n  lit\n  \n \n  x\n",
            "a: |-\n  lit\n  x\nb: 1\n",
            "a: |\n  one\n",
            "a: |\n  no final break",
            "a: >- # c\n    x  \n  # a comment\nb: 1\n",
            "- k: |\n    x\n  l: 1\n",
        ] {
            fast(text);
        }
    }

    #[test]
    fn documents() {
        for text in [
            "\u{feff}a: 1\nb: 2\n",
            "---\na: 1\n",
            "# c\n--- # d\na: 1\n",
            "a: 1\r\nb:\r\n  - x\r\n",
            "a: |\r\n  x\r\n  y\r\nb: 1\r\n",
            "a: 1\n\n   \n# end",
        ] {
            fast(text);
        }
    }

    #[test]
    fn long_and_odd_text() {
        let long = "x".repeat(3000);
        for text in [
            format!("k: {long}\n"),
            format!("- {long}\n- '{long}'\n"),
            format!("k: [{long}, \"{long}\"]\n"),
            format!("{}: 1\n", "k".repeat(900)),
            "k: a\u{1}b\u{7f}\n".to_string(),
            "k: a\u{2028}b\u{85}\n".to_string(),
            "\u{a0}k: v\n".to_string(),
        ] {
            fast(&text);
        }
    }

    #[test]
    fn gives_up_outside_the_subset() {
        let long_key = format!("{}: 1\n", "k".repeat(1200));
        let deep = format!("k: {}{}\n", "[".repeat(200), "]".repeat(200));
        for text in [
            "",
            "# only\n",
            "a\n",
            "---\n",
            "a: &x 1\n",
            "a: *x\n",
            "a: !!str 1\n",
            "!t a: 1\n",
            "a: |+\n  x\n",
            "a: >2\n  x\n",
            "a: |\n\n  x\n",
            "a: |\n  x\n    y\n",
            "a: |\n  lit\n   \n  x\n",
            "a: |\n  x\n  ",
            "- |\n  x\n",
            "? a\n: b\n",
            "a: first\n  second\n",
            "- a\n  b\n",
            "a: 'x\n  y'\n",
            "a: [x,\n  y]\n",
            "\ta: 1\n",
            "a: 1\t# c\n",
            "a: 1\n...\n",
            "%YAML 1.2\n---\na: 1\n",
            "a: 1\n---\nb: 2\n",
            "a:\n  value\n",
            "a:\n  [x]\n",
            "- - x\n",
            "-\n  a: 1\n",
            "- # c\n",
            "k: [a: 1]\n",
            "k: {a}\n",
            "k: {a: }\n",
            "k: {a: 1,}\n",
            "k: {\"a\":1}\n",
            "a: :x\n",
            "a: ?x\n",
            "a: b: c\n",
            "a: b:\n",
            "a: \"\\q\"\n",
            "a: \"\\ud800\"\n",
            "a: 1\0\n",
            "a: 1\rb: 2\n",
            "a: x\u{feff}\n",
            "a: 1\n b: 2\n",
            "a:\n    b: 1\n  c: 2\n",
            &long_key,
            &deep,
        ] {
            gives_up(text);
        }
    }

    #[test]
    fn never_panics_on_cut_text() {
        let text =
            "\u{feff}---\na: 'x''y' # c\nb:\n- [1, {c: \"\\u00e9\"}]\n- d: >-\n    e\n  f: g\n";
        for end in (0..=text.len()).filter(|&i| text.is_char_boundary(i)) {
            let cut = &text[..end];
            if let Some(root) = parse(FileId(0), cut) {
                assert_eq!(Some(root), super::super::slow(FileId(0), cut).0, "{cut:?}");
            }
        }
    }
}
