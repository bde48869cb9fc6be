//! The outer layer of an OSCAL JSON file: `{"catalog": {...}}` or
//! `{"profile": {...}}`, optionally with a `$schema` member.

use std::fmt;

use serde::de::{self, Deserializer, IgnoredAny, MapAccess, Visitor};
use serde::ser::{SerializeMap, Serializer};
use serde::{Deserialize, Serialize};

use crate::object::Key;
use crate::{Catalog, Error, Profile};

pub(crate) const CATALOG: &str = "catalog";
pub(crate) const PROFILE: &str = "profile";

/// An OSCAL document this crate reads: a catalog or a profile.
// A document is moved a handful of times, never stored in bulk: boxing
// the larger variant would only add an allocation.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq)]
pub enum Document {
    /// A `{"catalog": ...}` document.
    Catalog(Catalog),
    /// A `{"profile": ...}` document.
    Profile(Profile),
}

impl Document {
    /// Parses a catalog or a profile from JSON text, whichever it is.
    ///
    /// Fails with [`Error::Json`] on malformed JSON and with
    /// [`Error::WrongDocument`] for any other OSCAL model (an SSP, a
    /// component definition ...).
    pub fn from_json(json: &str) -> Result<Document, Error> {
        Self::from_root(serde_json::from_str(json))
    }

    /// Like [`Document::from_json`], from bytes (slower: every string is
    /// checked for UTF-8 as it is read).
    pub fn from_json_slice(json: &[u8]) -> Result<Document, Error> {
        Self::from_root(serde_json::from_slice(json))
    }

    /// Parses a catalog or a profile from OSCAL's YAML form (the JSON
    /// document written as YAML), with onus's bounded YAML parser.
    ///
    /// Fails with [`Error::Yaml`] on malformed YAML, then as
    /// [`Document::from_json`] does.
    pub fn from_yaml(yaml: &str) -> Result<Document, Error> {
        Self::from_root(serde_json::from_value(yaml_to_json(yaml)?))
    }

    /// Parses a catalog or a profile from OSCAL's XML form, mapped to the
    /// JSON form as OSCAL defines it ([`crate::xml`]).
    ///
    /// Fails with [`Error::Xml`] on malformed XML, then as
    /// [`Document::from_json`] does.
    pub fn from_xml(xml: &str) -> Result<Document, Error> {
        let json = crate::xml::to_json(xml).map_err(|source| Error::Xml { path: None, source })?;
        Self::from_root(serde_json::from_value(json))
    }

    fn from_root(root: Result<Root, serde_json::Error>) -> Result<Document, Error> {
        let root = root.map_err(|source| Error::Json { path: None, source })?;
        match root {
            Root::Document(document) => Ok(document),
            Root::Other(found) => Err(Error::WrongDocument {
                path: None,
                expected: "catalog or profile",
                found,
            }),
        }
    }

    /// `"catalog"` or `"profile"`: the member name that holds the document.
    pub fn kind(&self) -> &'static str {
        match self {
            Document::Catalog(_) => CATALOG,
            Document::Profile(_) => PROFILE,
        }
    }
}

/// OSCAL's YAML form read with onus's bounded YAML parser, as JSON.
pub(crate) fn yaml_to_json(yaml: &str) -> Result<serde_json::Value, Error> {
    use onus_core::source::{FileId, SourceFile};
    use onus_core::syntax::{parse, Syntax};

    let (root, found) = parse(FileId(0), yaml, Syntax::Yaml);
    match (root, found.first()) {
        (Some(root), None) => Ok(root.to_json()),
        (_, first) => {
            let message = first.map_or_else(
                || "the file is empty".to_string(),
                |d| match d.span {
                    Some(span) => {
                        let (line, column) =
                            SourceFile::new("", yaml).line_col(span.start as usize);
                        format!("{} at line {line} column {column}", d.message)
                    }
                    None => d.message.clone(),
                },
            );
            Err(Error::Yaml {
                path: None,
                message,
            })
        }
    }
}

/// What the root object held: a document, or the name of something else.
#[allow(clippy::large_enum_variant)]
enum Root {
    Document(Document),
    Other(String),
}

impl<'de> Deserialize<'de> for Root {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct RootVisitor;
        impl<'de> Visitor<'de> for RootVisitor {
            type Value = Root;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str(r#"an OSCAL document, an object like {"catalog": {...}}"#)
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Root, A::Error> {
                let mut found: Option<Document> = None;
                let mut other: Option<String> = None;
                while let Some(key) = map.next_key::<Key<'de>>()? {
                    match &*key.0 {
                        CATALOG | PROFILE if found.is_some() => {
                            return Err(de::Error::custom(format!(
                                "a second document `{}` in the same file",
                                key.0
                            )));
                        }
                        CATALOG => found = Some(Document::Catalog(map.next_value()?)),
                        PROFILE => found = Some(Document::Profile(map.next_value()?)),
                        _ => {
                            if other.is_none() && key.0 != "$schema" {
                                other = Some(key.0.into_owned());
                            }
                            map.next_value::<IgnoredAny>()?;
                        }
                    }
                }
                Ok(match found {
                    Some(document) => Root::Document(document),
                    None => Root::Other(other.unwrap_or_else(|| "an empty object".to_owned())),
                })
            }
        }
        deserializer.deserialize_map(RootVisitor)
    }
}

/// Writes `{"<kind>": value}` as indented JSON.
pub(crate) fn to_json_pretty<T: Serialize>(kind: &'static str, value: &T) -> String {
    struct Wrapped<'a, T>(&'static str, &'a T);
    impl<T: Serialize> Serialize for Wrapped<'_, T> {
        fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
            let mut map = serializer.serialize_map(Some(1))?;
            map.serialize_entry(self.0, self.1)?;
            map.end()
        }
    }
    // Serializing these types cannot fail: every key is a string and the
    // only values are strings, booleans, lists, maps and JSON values.
    serde_json::to_string_pretty(&Wrapped(kind, value)).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_either_document_and_ignores_schema() {
        let doc = Document::from_json(
            r#"{"$schema": "x", "catalog": {"uuid": "u", "metadata": {"title": "t"}}}"#,
        )
        .unwrap();
        assert_eq!(doc.kind(), "catalog");
        let doc = Document::from_json(
            r#"{"profile": {"uuid": "u", "metadata": {"title": "t"}, "imports": []}}"#,
        )
        .unwrap();
        assert_eq!(doc.kind(), "profile");
    }

    #[test]
    fn names_the_model_it_found_instead() {
        let err = Document::from_json(r#"{"system-security-plan": {}}"#).unwrap_err();
        assert!(
            matches!(&err, Error::WrongDocument { found, .. } if found == "system-security-plan"),
            "{err:?}"
        );
    }

    #[test]
    fn malformed_json_reports_line_and_column() {
        let err = Document::from_json("{\n  \"catalog\": {\n").unwrap_err();
        assert!(matches!(err, Error::Json { .. }), "{err:?}");
        assert!(err.to_string().contains("line 3"), "{err}");
    }
}
