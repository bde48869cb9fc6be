//! YAML 1.2 (core schema) to [`Node`]s, with every node's position.
//!
//! Two paths give the same tree. [`slow`] (this file) drives yaml-rust2's
//! event parser: it reads all of YAML and says what is wrong with a file.
//! It is also the biggest single cost of checking a big model, so [`parse`]
//! first tries [`fast`]: a hand-written parser for the subset of YAML that
//! model files use (block maps and lists, one-line scalars and flow
//! collections, plain block scalars, comments; see its docs). It answers
//! only when the whole text is in the subset and is valid, with the very
//! tree, values and spans, that `slow` gives; anything else, errors
//! included, goes through `slow`. `tests/yaml_fast_path.rs` and the fuzz
//! target `yaml_fast_path` hold the two to that.

use std::collections::HashMap;

use yaml_rust2::parser::{Event, MarkedEventReceiver, Parser};
use yaml_rust2::scanner::{Marker, TScalarStyle};

use super::{syntax_error, Node, Value, MAX_ALIAS_BYTES, MAX_DEPTH, MAX_NODES};
use crate::diagnostic::Diagnostic;
use crate::source::{FileId, SourceFile, Span};
use crate::text::Text;

pub(crate) mod fast;

pub(super) fn parse(file: FileId, text: &str) -> (Option<Node>, Vec<Diagnostic>) {
    match fast::parse(file, text) {
        Some(root) => (Some(root), Vec::new()),
        None => slow(file, text),
    }
}

/// The yaml-rust2 path, for every text: the tree it could build and the findings.
pub fn slow(file: FileId, text: &str) -> (Option<Node>, Vec<Diagnostic>) {
    // yaml-rust2 reads a NUL as the end of the stream: the rest of the file
    // would be lost without a word.
    if let Some(at) = text.find('\0') {
        let d = syntax_error(file, text, at, "a NUL byte, which YAML text cannot hold")
            .with_help("the file may be binary or damaged: remove the byte");
        return (None, vec![d]);
    }
    let lines = SourceFile::new("", text);
    // YAML allows a byte order mark at the start of a stream; the parser
    // sees the text after it, and positions on line 1 shift by one character.
    let bom = usize::from(text.starts_with('\u{feff}'));
    let text = &text[bom * '\u{feff}'.len_utf8()..];
    let mut builder = Builder {
        file,
        bom,
        ascii: text.is_ascii(),
        lines: &lines,
        stack: Vec::new(),
        anchors: HashMap::new(),
        root: None,
        documents: 0,
        nodes: 0,
        alias_bytes: 0,
        error: None,
    };
    let mut parser = Parser::new_from_str(text);
    // Events are pulled one at a time rather than through `Parser::load`,
    // which recurses once per level of nesting: 20,000 nested `- ` would
    // exhaust the stack before the builder could say "too deep". Here the
    // first finding stops the parser.
    loop {
        match parser.next_token() {
            Ok((Event::StreamEnd, _)) => break,
            Ok((event, mark)) => {
                builder.on_event(event, mark);
                if builder.error.is_some() {
                    break;
                }
            }
            Err(e) => {
                let at = builder.offset(*e.marker());
                let d = tab_after_colon(file, &lines.text, at).unwrap_or_else(|| {
                    syntax_error(file, &lines.text, at, format!("invalid YAML: {}", e.info()))
                        .with_help_opt(help_for(e.info()))
                });
                builder.fail(d);
                break;
            }
        }
    }
    if let Some(error) = builder.error {
        return (None, vec![error]);
    }
    match builder.root {
        Some(root) if builder.documents > 0 => (Some(root), Vec::new()),
        _ => (
            None,
            vec![syntax_error(
                file,
                &lines.text,
                0,
                "the file is empty: expected a model",
            )],
        ),
    }
}

enum Frame {
    Seq {
        items: Vec<Node>,
        start: usize,
        anchor: usize,
    },
    Map {
        entries: Vec<(Node, Node)>,
        key: Option<Node>,
        start: usize,
        anchor: usize,
    },
}

struct Builder<'a> {
    file: FileId,
    /// 1 when the text starts with a byte order mark the parser did not see.
    bom: usize,
    /// Whether the text after the mark is ASCII (positions are then indexes).
    ascii: bool,
    lines: &'a SourceFile,
    stack: Vec<Frame>,
    /// Anchored nodes with their size in nodes and bytes of text.
    anchors: HashMap<usize, (Node, Size)>,
    root: Option<Node>,
    documents: usize,
    nodes: usize,
    /// Bytes of text the aliases expanded to so far.
    alias_bytes: usize,
    error: Option<Diagnostic>,
}

/// The size of a node: how many nodes, and how many bytes of scalar text.
#[derive(Clone, Copy, Debug, Default)]
struct Size {
    nodes: usize,
    bytes: usize,
}

impl Builder<'_> {
    fn offset(&self, mark: Marker) -> usize {
        // The parser counts characters: in ASCII text that is the byte offset.
        if self.ascii {
            return (mark.index() + self.bom * '\u{feff}'.len_utf8()).min(self.lines.text.len());
        }
        let shift = if mark.line() == 1 { self.bom } else { 0 };
        self.lines.offset_of(mark.line(), mark.col() + shift)
    }

    fn fail(&mut self, diagnostic: Diagnostic) {
        if self.error.is_none() {
            self.error = Some(diagnostic);
        }
    }

    fn add(&mut self, node: Node, anchor: usize) {
        if anchor > 0 {
            let size = size(&node);
            self.anchors.insert(anchor, (node.clone(), size));
        }
        match self.stack.last_mut() {
            None => self.root = Some(node),
            Some(Frame::Seq { items, .. }) => items.push(node),
            Some(Frame::Map { entries, key, .. }) => match key.take() {
                None => *key = Some(node),
                Some(k) => entries.push((k, node)),
            },
        }
    }

    fn open(&mut self, frame: Frame, at: usize) {
        if self.stack.len() >= MAX_DEPTH {
            self.fail(syntax_error(
                self.file,
                &self.lines.text,
                at,
                format!("nesting deeper than {MAX_DEPTH} levels"),
            ));
        }
        self.stack.push(frame);
    }
}

impl MarkedEventReceiver for Builder<'_> {
    fn on_event(&mut self, event: Event, mark: Marker) {
        if self.error.is_some() {
            return;
        }
        let at = self.offset(mark);
        self.nodes += 1;
        if self.nodes > MAX_NODES {
            self.fail(syntax_error(
                self.file,
                &self.lines.text,
                at,
                "the document is too large",
            ));
            return;
        }
        match event {
            Event::DocumentStart => {
                self.documents += 1;
                if self.documents > 1 {
                    self.fail(
                        syntax_error(
                            self.file,
                            &self.lines.text,
                            at,
                            "a model file holds one YAML document",
                        )
                        .with_help("split the documents into files of their own"),
                    );
                }
            }
            Event::Scalar(text, style, anchor, tag) => {
                let quoted = matches!(
                    style,
                    TScalarStyle::SingleQuoted | TScalarStyle::DoubleQuoted
                );
                let end = scalar_end(&self.lines.text, at, &text, quoted);
                let as_string =
                    style != TScalarStyle::Plain || tag.as_ref().is_some_and(|t| t.suffix == "str");
                let value = if as_string {
                    Value::String(Text::from(text))
                } else {
                    plain_scalar(&text)
                };
                let span = Span::new(self.file, at, end);
                self.add(Node { value, span }, anchor);
            }
            Event::Alias(id) => match self.anchors.get(&id) {
                Some((node, size)) => {
                    // Both budgets are checked before the copy is made: a
                    // 1 MB string repeated through 30,000 aliases is 30 GB.
                    self.nodes += size.nodes;
                    self.alias_bytes += size.bytes;
                    if self.nodes > MAX_NODES || self.alias_bytes > MAX_ALIAS_BYTES {
                        self.fail(
                            syntax_error(
                                self.file,
                                &self.lines.text,
                                at,
                                "aliases expand to too large a document",
                            )
                            .with_help(format!(
                                "aliases may repeat at most {} MB of text and {MAX_NODES} nodes in all: write the repeated part out, or shorten it",
                                MAX_ALIAS_BYTES >> 20
                            )),
                        );
                        return;
                    }
                    let mut node = node.clone();
                    node.span = Span::new(self.file, at, at + 1);
                    self.add(node, 0);
                }
                None => self.fail(syntax_error(
                    self.file,
                    &self.lines.text,
                    at,
                    "alias to an unknown anchor",
                )),
            },
            Event::SequenceStart(anchor, _) => self.open(
                Frame::Seq {
                    items: Vec::new(),
                    start: at,
                    anchor,
                },
                at,
            ),
            Event::MappingStart(anchor, _) => self.open(
                Frame::Map {
                    entries: Vec::new(),
                    key: None,
                    start: at,
                    anchor,
                },
                at,
            ),
            Event::SequenceEnd | Event::MappingEnd => {
                let (value, start, anchor) = match self.stack.pop() {
                    Some(Frame::Seq {
                        items,
                        start,
                        anchor,
                    }) => (Value::Seq(items), start, anchor),
                    Some(Frame::Map {
                        entries,
                        start,
                        anchor,
                        ..
                    }) => {
                        // A block map's start event comes after its first key: start at the key.
                        let start = entries
                            .first()
                            .map_or(start, |(k, _)| start.min(k.span.start as usize));
                        (Value::Map(entries), start, anchor)
                    }
                    None => return,
                };
                // A flow collection ends at its `]` or `}`, which belongs to it.
                let closes = matches!(self.lines.text.as_bytes().get(at), Some(b']' | b'}'));
                let end = (at + usize::from(closes))
                    .max(start + 1)
                    .min(self.lines.text.len());
                let span = Span::new(self.file, start, end);
                self.add(Node { value, span }, anchor);
            }
            Event::Nothing | Event::StreamStart | Event::StreamEnd | Event::DocumentEnd => {}
        }
    }
}

/// End of a scalar that starts at byte `start` of `text` (at its opening
/// quote if `quoted`): the value as written if it is there verbatim, else
/// the rest of the line.
pub(super) fn scalar_end(text: &str, start: usize, value: &str, quoted: bool) -> usize {
    let text = &text[start..];
    let inner = if quoted {
        &text[1.min(text.len())..]
    } else {
        text
    };
    // An empty value (`key:` and nothing) has no text: a zero-width span
    // where the parser saw it, which findings about it take as "at its key".
    if value.is_empty() && !quoted {
        return start;
    }
    if !value.is_empty() && inner.starts_with(value) {
        return start + value.len() + if quoted { 2 } else { 0 };
    }
    start + text.find(['\n', '\r']).unwrap_or(text.len())
}

/// `key:<TAB>value`, which yaml-rust2 refuses with "':' must be followed
/// by a valid YAML whitespace" at the value: said in words, at the tab.
fn tab_after_colon(file: FileId, text: &str, at: usize) -> Option<Diagnostic> {
    let before = text.get(..at)?;
    let tab = before.trim_end_matches('\t');
    if tab.len() == before.len() || !tab.ends_with(':') {
        return None;
    }
    let line = &tab[tab.rfind('\n').map_or(0, |n| n + 1)..];
    let key = line.trim_start().trim_end_matches(':');
    Some(
        syntax_error(
            file,
            text,
            tab.len(),
            format!(
                "a tab (`\\t`) after `{key}:`: YAML separates a key from its value with a space"
            ),
        )
        .with_help(format!("replace the tab with a space: `{key}: ...`")),
    )
}

/// A hint for the parser's messages that say what went wrong but not what to do.
fn help_for(info: &str) -> Option<String> {
    let help = if info.contains("tab") {
        "YAML indents with spaces only: replace the tabs"
    } else if info.contains("escape") {
        "an escape names no character: `\\uD800`-`\\uDFFF` are halves of a pair, not characters (write the character itself); YAML knows `\\n`, `\\t`, `\\\"`, `\\\\`, `\\xXX`, `\\uXXXX`, `\\UXXXXXXXX` and a few more"
    } else if info.contains("quoted scalar") {
        "a quoted string is not closed on this line or above: add the closing quote"
    } else if info.contains("flow mapping") || info.contains("flow sequence") {
        "a `{` or `[` above is not closed, or two entries lack a comma between them"
    } else if info.contains("mapping values are not allowed") {
        "a `key: value` where a plain value was expected: check the indentation, or quote a value that contains `: `"
    } else if info.contains("block") || info.contains("indentation") {
        "check the indentation: entries of one map or list start in the same column"
    } else if info.contains("anchor") || info.contains("alias") {
        "an alias `*name` needs an anchor `&name` defined before it"
    } else {
        return None;
    };
    Some(help.to_string())
}

/// The size of a node, without recursion (an anchored node may nest up to
/// [`MAX_DEPTH`] levels, but the walk need not care).
fn size(node: &Node) -> Size {
    let mut size = Size::default();
    let mut todo = vec![node];
    while let Some(node) = todo.pop() {
        size.nodes += 1;
        match &node.value {
            Value::Seq(items) => todo.extend(items),
            Value::Map(entries) => todo.extend(entries.iter().flat_map(|(k, v)| [k, v])),
            Value::String(s) => size.bytes += s.len(),
            Value::Number(s) => size.bytes += s.len(),
            Value::Null | Value::Bool(_) => {}
        }
    }
    size
}

/// Resolves a plain scalar by the YAML 1.2 core schema.
pub(super) fn plain_scalar(text: &str) -> Value {
    // Most scalars are words: null and the booleans have five characters
    // at most, and every number starts with one of `0-9+-.`.
    let numeric = |c: char| c.is_ascii_digit() || matches!(c, '+' | '-' | '.');
    if text.len() > 5 && !text.starts_with(numeric) {
        return Value::String(Text::from(text));
    }
    match text {
        "" | "~" | "null" | "Null" | "NULL" => Value::Null,
        "true" | "True" | "TRUE" => Value::Bool(true),
        "false" | "False" | "FALSE" => Value::Bool(false),
        t if t.starts_with(numeric) && is_number(t) => Value::Number(text.to_string()),
        _ => Value::String(Text::from(text)),
    }
}

fn is_number(t: &str) -> bool {
    let digits = |s: &str, radix: u32| !s.is_empty() && s.chars().all(|c| c.is_digit(radix));
    if let Some(hex) = t.strip_prefix("0x") {
        return digits(hex, 16);
    }
    if let Some(oct) = t.strip_prefix("0o") {
        return digits(oct, 8);
    }
    let unsigned = t.strip_prefix(['-', '+']).unwrap_or(t);
    if matches!(unsigned, ".inf" | ".Inf" | ".INF") || matches!(t, ".nan" | ".NaN" | ".NAN") {
        return true;
    }
    let (mantissa, exponent) = match unsigned.find(['e', 'E']) {
        Some(i) => (&unsigned[..i], Some(&unsigned[i + 1..])),
        None => (unsigned, None),
    };
    let mantissa_ok = match mantissa.split_once('.') {
        Some((int, frac)) => {
            (int.is_empty() || digits(int, 10))
                && (frac.is_empty() || digits(frac, 10))
                && !(int.is_empty() && frac.is_empty())
        }
        None => digits(mantissa, 10),
    };
    let exponent_ok = exponent.is_none_or(|e| digits(e.strip_prefix(['-', '+']).unwrap_or(e), 10));
    mantissa_ok && exponent_ok
}

#[cfg(test)]
mod tests {
    use super::*;

    fn root(text: &str) -> Node {
        let (root, d) = parse(FileId(0), text);
        assert!(d.is_empty(), "{d:?}");
        root.unwrap()
    }

    #[test]
    fn keeps_positions_of_keys_and_values() {
        let text = "a: 1\nb:\n  - x\n  - 'y z'\nc: {d: ~}\n";
        let root = root(text);
        let Value::Map(entries) = &root.value else {
            panic!()
        };
        let (b, list) = &entries[1];
        assert_eq!(&text[b.span.start as usize..b.span.end as usize], "b");
        let Value::Seq(items) = &list.value else {
            panic!()
        };
        assert_eq!(
            &text[items[1].span.start as usize..items[1].span.end as usize],
            "'y z'"
        );
        assert_eq!(items[1].value, Value::String("y z".into()));
        assert_eq!(entries[0].1.value, Value::Number("1".into()));
        let Value::Map(inner) = &entries[2].1.value else {
            panic!()
        };
        assert_eq!(inner[0].1.value, Value::Null);
    }

    #[test]
    fn positions_count_multibyte_characters() {
        let text = "é: ü\nkey: v\n";
        let root = root(text);
        let Value::Map(entries) = &root.value else {
            panic!()
        };
        assert_eq!(entries[1].0.span.start as usize, text.find("key").unwrap());
        assert_eq!(entries[0].1.span.start as usize, text.find('ü').unwrap());
    }

    #[test]
    fn ignores_a_byte_order_mark() {
        let text = "\u{feff}onus: 1\nb: 2\n";
        let root = root(text);
        let Value::Map(entries) = &root.value else {
            panic!()
        };
        assert_eq!(entries[0].0.value, Value::String("onus".into()));
        assert_eq!(entries[0].0.span.start as usize, 3);
        assert_eq!(entries[1].0.span.start as usize, text.find('b').unwrap());
    }

    #[test]
    fn a_block_map_starts_at_its_first_key() {
        let root = root("\n\nfirst: 1\n");
        assert_eq!(root.span.start, 2);
    }

    #[test]
    fn core_schema_scalars() {
        assert_eq!(plain_scalar("~"), Value::Null);
        assert_eq!(plain_scalar("TRUE"), Value::Bool(true));
        assert_eq!(plain_scalar("1.5e3"), Value::Number("1.5e3".into()));
        assert_eq!(plain_scalar("2024-06"), Value::String("2024-06".into()));
        assert_eq!(plain_scalar("yes"), Value::String("yes".into()));
        assert_eq!(plain_scalar("."), Value::String(".".into()));
    }

    #[test]
    fn refuses_bad_documents() {
        for (text, message) in [
            ("", "the file is empty"),
            ("a: 1\n---\nb: 2\n", "one YAML document"),
            ("a: [1, 2\n", "invalid YAML"),
            ("a: *nope\n", "invalid YAML"),
            ("a: 1\nb: x\0y\nc: 3\n", "a NUL byte"),
        ] {
            let (root, d) = parse(FileId(0), text);
            assert!(root.is_none(), "{text}");
            assert!(d[0].message.contains(message), "{text}: {:?}", d[0].message);
        }
    }

    #[test]
    fn aliases_of_a_large_string_are_refused_at_the_alias() {
        // 1 MB anchored once, then 30,000 aliases: 30 GB if each were copied.
        let mut text = format!("a: &big {}\nb: [", "x".repeat(1 << 20));
        let first_alias = text.len();
        text.push_str(&vec!["*big"; 30_000].join(", "));
        text.push_str("]\n");
        let (root, d) = parse(FileId(0), &text);
        assert!(root.is_none());
        assert!(d[0].message.contains("too large"), "{:?}", d[0].message);
        let span = d[0].span.unwrap();
        // At one of the aliases (the 65th: 64 MB is the budget), not at the anchor.
        let at = span.start as usize;
        assert!(at > first_alias && text[at..].starts_with("*big"), "{at}");
        assert_eq!(text[first_alias..at].matches("*big").count(), 64);
    }

    #[test]
    fn deep_block_nesting_is_refused_without_exhausting_the_stack() {
        for unit in ["? ", "- ", "[", "{a: "] {
            for levels in [9_000, 22_000] {
                let text = format!("{}x\n", unit.repeat(levels));
                // A thread of 1 MB (the main thread has 8): the parser must
                // not recurse per level.
                let (root, d) = std::thread::Builder::new()
                    .stack_size(1 << 20)
                    .spawn(move || parse(FileId(0), &text))
                    .unwrap()
                    .join()
                    .unwrap();
                assert!(root.is_none(), "{unit:?} x {levels}");
                // yaml-rust2's scanner has a limit of its own for flow collections.
                let message = &d[0].message;
                assert!(
                    message.contains("nesting deeper than 128 levels")
                        || (unit.starts_with(['[', '{']) && message.contains("recursion limit")),
                    "{unit:?} x {levels}: {message:?}"
                );
            }
        }
    }

    #[test]
    fn aliases_expand_but_not_exponentially() {
        let (root, _) = parse(FileId(0), "a: &x [1, 2]\nb: *x\n");
        let Value::Map(entries) = root.unwrap().value else {
            panic!()
        };
        assert_eq!(entries[1].1.value, entries[0].1.value);

        let mut bomb = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 1..12 {
            let p = i - 1;
            bomb.push_str(&format!(
                "a{i}: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]\n"
            ));
        }
        let (root, d) = parse(FileId(0), &bomb);
        assert!(root.is_none());
        assert!(d[0].message.contains("too large"));
    }
}
