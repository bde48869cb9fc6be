//! A position-keeping document tree, the same for YAML and JSON. Parsing
//! never panics: it returns the tree it could build and the findings.

mod json;
mod yaml;

use std::collections::HashMap;

use crate::diagnostic::{Code, Diagnostic};
use crate::source::{FileId, Span};
use crate::text::Text;

/// Deeper nesting than this is refused, so hostile input cannot exhaust the stack.
pub const MAX_DEPTH: usize = 128;
/// More nodes than this (after expanding YAML aliases) are refused.
pub const MAX_NODES: usize = 2_000_000;
/// YAML aliases may repeat at most this many bytes of text in all (each
/// alias costs the size of the text under its anchor), so a large anchored
/// string repeated many times is refused before it is copied.
pub const MAX_ALIAS_BYTES: usize = 64 << 20;

/// A value of the document with the span it was written at.
#[derive(Clone, Debug, PartialEq)]
pub struct Node {
    pub value: Value,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    Null,
    Bool(bool),
    /// A number, kept as written.
    Number(String),
    /// Text, shared: the model and the resolved matrix hold this very
    /// string rather than copies of it.
    String(Text),
    Seq(Vec<Node>),
    /// Entries in document order; keys are unique (duplicates are reported and dropped).
    Map(Vec<(Node, Node)>),
}

impl Node {
    /// The text of a scalar (string, number or bool), as a user would read it.
    pub fn as_text(&self) -> Option<&str> {
        match &self.value {
            Value::String(s) => Some(s),
            Value::Number(s) => Some(s),
            Value::Bool(true) => Some("true"),
            Value::Bool(false) => Some("false"),
            _ => None,
        }
    }

    /// [`Node::as_text`] as a [`Text`]: a string is shared, not copied.
    pub fn to_text(&self) -> Option<Text> {
        match &self.value {
            Value::String(s) => Some(s.clone()),
            _ => self.as_text().map(Text::from),
        }
    }

    /// The same document as JSON (numbers as JSON numbers where they fit),
    /// e.g. to validate a YAML model against the JSON Schema.
    pub fn to_json(&self) -> serde_json::Value {
        use serde_json::Value as J;
        match &self.value {
            Value::Null => J::Null,
            Value::Bool(b) => J::Bool(*b),
            Value::Number(n) => n
                .parse::<i64>()
                .map(J::from)
                .ok()
                .or_else(|| {
                    n.parse::<f64>()
                        .ok()
                        .and_then(serde_json::Number::from_f64)
                        .map(J::Number)
                })
                .unwrap_or_else(|| J::String(n.clone())),
            Value::String(s) => J::String(s.to_string()),
            Value::Seq(items) => J::Array(items.iter().map(Node::to_json).collect()),
            Value::Map(entries) => J::Object(
                entries
                    .iter()
                    .map(|(k, v)| (k.as_text().unwrap_or_default().to_string(), v.to_json()))
                    .collect(),
            ),
        }
    }

    /// What kind of value this is, for messages ("expected a list, found text").
    pub fn kind_name(&self) -> &'static str {
        match self.value {
            Value::Null => "null",
            Value::Bool(_) => "a boolean",
            Value::Number(_) => "a number",
            Value::String(_) => "text",
            Value::Seq(_) => "a list",
            Value::Map(_) => "a map",
        }
    }
}

/// YAML's two parsers taken apart, for the differential tests and the fuzz
/// target: `fast` answers only for the subset of YAML it reads (and then as
/// `slow` does), `slow` (yaml-rust2) for everything. Not an API.
#[doc(hidden)]
pub mod yaml_paths {
    pub use super::yaml::fast::parse as fast;
    pub use super::yaml::slow;
}

/// Which syntax a file is written in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Syntax {
    Yaml,
    Json,
}

impl Syntax {
    /// `.json` files are JSON; everything else is read as YAML.
    pub fn from_path(path: &std::path::Path) -> Syntax {
        match path.extension().and_then(|e| e.to_str()) {
            Some(e) if e.eq_ignore_ascii_case("json") => Syntax::Json,
            _ => Syntax::Yaml,
        }
    }
}

/// Parses a document. Returns the root (if the text parsed far enough to
/// have one) and every finding, duplicate keys included.
pub fn parse(file: FileId, text: &str, syntax: Syntax) -> (Option<Node>, Vec<Diagnostic>) {
    let (root, mut diagnostics) = match syntax {
        Syntax::Yaml => yaml::parse(file, text),
        Syntax::Json => json::parse(file, text),
    };
    let root = root.map(|mut root| {
        drop_duplicate_keys(&mut root, &mut diagnostics);
        root
    });
    (root, diagnostics)
}

fn drop_duplicate_keys(node: &mut Node, diagnostics: &mut Vec<Diagnostic>) {
    match &mut node.value {
        Value::Seq(items) => items
            .iter_mut()
            .for_each(|n| drop_duplicate_keys(n, diagnostics)),
        Value::Map(entries) => {
            let Some(first) = first_occurrences(entries) else {
                for (_, value) in entries.iter_mut() {
                    drop_duplicate_keys(value, diagnostics);
                }
                return;
            };
            for i in 0..entries.len() {
                if first[i] == i {
                    drop_duplicate_keys(&mut entries[i].1, diagnostics);
                    continue;
                }
                let key = &entries[i].0;
                let name = key.as_text().unwrap_or_default();
                diagnostics.push(
                    Diagnostic::new(
                        Code::DuplicateKey,
                        key.span,
                        format!("duplicate key `{name}`"),
                    )
                    .with_related(entries[first[i]].0.span, "first defined here")
                    .with_help(
                        "remove or rename one of the two; a model never keeps just the last one",
                    ),
                );
            }
            let mut i = 0;
            entries.retain(|_| {
                i += 1;
                first[i - 1] == i - 1
            });
        }
        _ => {}
    }
}

/// For each entry of a map, the index of the first entry whose key has the
/// same text; `None` when every key is distinct (the usual case, found
/// without allocating for small maps and in linear time for big ones).
fn first_occurrences(entries: &[(Node, Node)]) -> Option<Vec<usize>> {
    let first_of = |i: usize, key: &Node| match key.as_text() {
        Some(text) => entries[..i]
            .iter()
            .position(|(k, _)| k.as_text() == Some(text))
            .unwrap_or(i),
        None => i,
    };
    if entries.len() <= 16 {
        let any = (0..entries.len()).any(|i| first_of(i, &entries[i].0) != i);
        return any.then(|| {
            (0..entries.len())
                .map(|i| first_of(i, &entries[i].0))
                .collect()
        });
    }
    let mut seen: HashMap<&str, usize> = HashMap::with_capacity(entries.len());
    let first: Vec<usize> = entries
        .iter()
        .enumerate()
        .map(|(i, (key, _))| key.as_text().map_or(i, |t| *seen.entry(t).or_insert(i)))
        .collect();
    first
        .iter()
        .enumerate()
        .any(|(i, &f)| f != i)
        .then_some(first)
}

/// A syntax finding at byte `at`, covering the character there (nothing at
/// the end of the text, so the span never leaves the file).
pub(crate) fn syntax_error(
    file: FileId,
    text: &str,
    at: usize,
    message: impl Into<String>,
) -> Diagnostic {
    let at = at.min(text.len());
    let width = text
        .get(at..)
        .and_then(|rest| rest.chars().next())
        .map_or(0, char::len_utf8);
    Diagnostic::new(Code::Syntax, Span::new(file, at, at + width), message)
}
