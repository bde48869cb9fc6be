//! A position-keeping document tree, the same for YAML and JSON. Parsing
//! never panics: it returns the tree it could build and the findings.

mod json;
mod yaml;

use crate::diagnostic::{Code, Diagnostic};
use crate::source::{FileId, Span};

/// Deeper nesting than this is refused, so hostile input cannot exhaust the stack.
pub const MAX_DEPTH: usize = 128;
/// More nodes than this (after expanding YAML aliases) are refused.
pub const MAX_NODES: usize = 2_000_000;

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
    String(String),
    Seq(Vec<Node>),
    /// Entries in document order; keys are unique (duplicates are reported and dropped).
    Map(Vec<(Node, Node)>),
}

impl Node {
    /// The text of a scalar (string, number or bool), as a user would read it.
    pub fn as_text(&self) -> Option<&str> {
        match &self.value {
            Value::String(s) | Value::Number(s) => Some(s),
            Value::Bool(true) => Some("true"),
            Value::Bool(false) => Some("false"),
            _ => None,
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
            Value::String(s) => J::String(s.clone()),
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
            let mut kept: Vec<(Node, Node)> = Vec::with_capacity(entries.len());
            for (key, mut value) in std::mem::take(entries) {
                let first = kept
                    .iter()
                    .find(|(k, _)| k.as_text().is_some() && k.as_text() == key.as_text());
                if let Some((first, _)) = first {
                    let name = key.as_text().unwrap_or_default();
                    diagnostics.push(
                        Diagnostic::new(
                            Code::DuplicateKey,
                            key.span,
                            format!("duplicate key `{name}`"),
                        )
                        .with_related(first.span, "first defined here")
                        .with_help("remove or rename one of the two; a model never keeps just the last one"),
                    );
                } else {
                    drop_duplicate_keys(&mut value, diagnostics);
                    kept.push((key, value));
                }
            }
            *entries = kept;
        }
        _ => {}
    }
}

pub(crate) fn syntax_error(file: FileId, at: usize, message: impl Into<String>) -> Diagnostic {
    Diagnostic::new(Code::Syntax, Span::new(file, at, at + 1), message)
}
