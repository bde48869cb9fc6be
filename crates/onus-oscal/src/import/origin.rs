//! Where each part of an imported model came from in the input document,
//! so that what `onus check` finds in the model (never written when it has
//! errors) is shown where the input says it: file, line and column of the
//! JSON element, and its JSON pointer.
//!
//! The readers note, for each part of the model ([`Key`]), the JSON value
//! it was read from; the YAML writer notes the byte range each part takes
//! ([`super::draft::Draft::to_traced_yaml`]); here the values become JSON
//! pointers (by identity: one walk of the document) and the ranges are
//! looked up for a finding's span.

use std::collections::HashMap;
use std::ops::Range;

use serde_json::Value;

use onus_core::diagnostic::Diagnostic;
use onus_core::source::{FileId, Span};
use onus_core::syntax::{self, Syntax};

use super::draft::Key;

/// The JSON value each part of the model was read from (the first noted wins).
#[derive(Default)]
pub(crate) struct Noted<'d> {
    values: HashMap<Key, &'d Value>,
}

impl<'d> Noted<'d> {
    /// Notes that `key` was read from `value`, unless it was noted before.
    pub fn note(&mut self, key: Key, value: &'d Value) {
        self.values.entry(key).or_insert(value);
    }

    /// The JSON pointer of each noted value within `root` (the whole
    /// document). A value that is not in `root` (a member read as absent)
    /// has none.
    fn pointers(&self, root: &Value) -> HashMap<Key, String> {
        let wanted: HashMap<*const Value, Vec<&Key>> =
            self.values
                .iter()
                .fold(HashMap::new(), |mut wanted, (key, value)| {
                    wanted.entry(*value as *const Value).or_default().push(key);
                    wanted
                });
        let mut found = HashMap::new();
        // Depth first without recursion (a document may nest deeply), the
        // way down kept as tokens: a pointer is spelled only when wanted.
        let mut stack: Vec<(&Value, usize, Token<'_>)> = vec![(root, 0, Token::Root)];
        let mut path: Vec<Token<'_>> = Vec::new();
        while let Some((value, depth, token)) = stack.pop() {
            path.truncate(depth);
            path.push(token);
            if let Some(keys) = wanted.get(&(value as *const Value)) {
                let pointer = spell(&path);
                for key in keys {
                    found.insert((*key).clone(), pointer.clone());
                }
            }
            match value {
                Value::Object(members) => stack.extend(
                    members
                        .iter()
                        .map(|(name, member)| (member, depth + 1, Token::Member(name))),
                ),
                Value::Array(items) => stack.extend(
                    items
                        .iter()
                        .enumerate()
                        .map(|(i, item)| (item, depth + 1, Token::Index(i))),
                ),
                _ => {}
            }
        }
        found
    }
}

/// One step of the way down a document.
#[derive(Clone, Copy)]
enum Token<'v> {
    Root,
    Member(&'v str),
    Index(usize),
}

/// The JSON pointer of a way down.
fn spell(path: &[Token<'_>]) -> String {
    let mut pointer = String::new();
    for token in path {
        match token {
            Token::Root => {}
            Token::Member(name) => {
                pointer.push('/');
                pointer.push_str(&escape(name));
            }
            Token::Index(i) => {
                pointer.push('/');
                pointer.push_str(&i.to_string());
            }
        }
    }
    pointer
}

/// A member name as a JSON pointer token (RFC 6901).
fn escape(name: &str) -> String {
    name.replace('~', "~0").replace('/', "~1")
}

/// Which input element each range of the model's YAML text came from.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Origins {
    /// Ranges of the YAML text and the JSON pointer of the input element,
    /// nested ranges after the ranges that hold them.
    ranges: Vec<(Range<usize>, String)>,
    /// The pointer of the document (`/component-definition`): where the
    /// parts of the model no element gave (the customer onus adds) came from.
    root: String,
}

impl Origins {
    pub(crate) fn new(
        traced: Vec<(Range<usize>, Key)>,
        noted: &Noted<'_>,
        document: &Value,
        root: &str,
    ) -> Origins {
        let pointers = noted.pointers(document);
        Origins {
            ranges: traced
                .into_iter()
                .filter_map(|(range, key)| Some((range, pointers.get(&key)?.clone())))
                .collect(),
            root: format!("/{}", escape(root)),
        }
    }

    /// The JSON pointer of the input element the model's text at `offset`
    /// came from: the narrowest range that holds it, else the document.
    pub fn pointer_at(&self, offset: usize) -> &str {
        self.ranges
            .iter()
            .filter(|(range, _)| range.contains(&offset))
            .min_by_key(|(range, _)| range.len())
            .map_or(self.root.as_str(), |(_, pointer)| pointer.as_str())
    }

    /// Moves each finding about the imported model (whose spans are in
    /// any file but `input`) to the input element it came from: its span
    /// the element's text in `input` (the JSON `text`, as parsed), its
    /// message ending with the element's JSON pointer. Related notes move
    /// the same way (dropped when they land on the finding's own span).
    /// When `text` does not parse, the findings are returned as they are.
    pub fn relocate(&self, found: Vec<Diagnostic>, input: FileId, text: &str) -> Vec<Diagnostic> {
        let (Some(root), _) = syntax::parse(input, text, Syntax::Json) else {
            return found;
        };
        let place = |span: Span| {
            let pointer = self.pointer_at(span.start as usize);
            (crate::validate::locate(&root, pointer), pointer)
        };
        found
            .into_iter()
            .map(|mut d| {
                if let Some(span) = d.span.filter(|s| s.file != input) {
                    let (at, pointer) = place(span);
                    d.span = Some(at);
                    d.message = format!("{} (imported from `{pointer}`)", d.message);
                }
                let primary = d.span;
                d.related = std::mem::take(&mut d.related)
                    .into_iter()
                    .map(|(span, note)| match span.file == input {
                        true => (span, note),
                        false => {
                            let (at, pointer) = place(span);
                            (at, format!("{note} (`{pointer}`)"))
                        }
                    })
                    .filter(|(span, _)| Some(*span) != primary)
                    .collect();
                d
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_narrowest_range_wins_and_the_document_is_the_rest() {
        let doc: Value =
            serde_json::from_str(r#"{"cd": {"a/b": [{"x": 1}, {"y": 2}], "m~": 3}}"#).unwrap();
        let mut noted = Noted::default();
        noted.note(Key::Area("outer".into()), &doc["cd"]["a/b"]);
        noted.note(Key::Party("inner".into()), &doc["cd"]["a/b"][1]);
        noted.note(Key::Model("id"), &doc["cd"]["m~"]);
        // Noted again: the first stays.
        noted.note(Key::Model("id"), &doc["cd"]);
        // Not in the document (an absent member): no pointer.
        noted.note(Key::Model("name"), &doc["cd"]["absent"]);
        let traced = vec![
            (0..100, Key::Area("outer".into())),
            (10..20, Key::Party("inner".into())),
            (200..210, Key::Model("id")),
            (300..310, Key::Model("name")),
        ];
        let origins = Origins::new(traced, &noted, &doc, "cd");
        assert_eq!(origins.pointer_at(5), "/cd/a~1b");
        assert_eq!(origins.pointer_at(15), "/cd/a~1b/1");
        assert_eq!(origins.pointer_at(205), "/cd/m~0");
        assert_eq!(origins.pointer_at(305), "/cd");
        assert_eq!(origins.pointer_at(1_000), "/cd");
    }
}
