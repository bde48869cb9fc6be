//! `onus oscal validate`: an OSCAL document (JSON, YAML or XML) against
//! NIST's official schema, each error with the JSON pointer and the line
//! and column of the member it is about. No I/O: the caller passes the
//! text. XML is checked in its JSON form ([`crate::xml`]), each error
//! located at the element its pointer names.
//!
//! The schema is NIST's `oscal_complete_schema.json` (OSCAL 1.2.1, in the
//! repository's `data/oscal/schemas/`), bundled in the binary: it covers
//! every OSCAL model, and the document's root member says which one it is.

use std::sync::OnceLock;

use onus_core::source::{FileId, Span};
use onus_core::syntax::{self, Node, Syntax, Value};

/// NIST's schema of every OSCAL model, as published.
const COMPLETE_SCHEMA: &str =
    include_str!("../../../data/oscal/schemas/oscal_complete_schema.json");

/// The root members of the OSCAL models the complete schema describes.
pub use onus_core::load::OSCAL_ROOTS as MODELS;

/// What the schema says of a document.
#[derive(Debug)]
pub struct Report {
    /// The OSCAL model of the document (its root member, e.g. `catalog`).
    pub model: String,
    /// Every error, in document order.
    pub errors: Vec<SchemaError>,
}

/// One error the schema found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SchemaError {
    /// Where in the document, as a JSON pointer (`/catalog/groups/0/id`).
    pub pointer: String,
    /// The schema's message.
    pub message: String,
    /// The text of the member the pointer names (or of its nearest
    /// ancestor that was written).
    pub span: Span,
}

/// Why a document could not be validated at all.
#[derive(Debug)]
pub enum Invalid {
    /// The text is not JSON or YAML (the parser's findings, located).
    Syntax(Vec<onus_core::diagnostic::Diagnostic>),
    /// The root is not a map with exactly one member naming an OSCAL model.
    NotOscal(String),
    /// The text is not XML (the parser's finding, located).
    Xml(crate::xml::XmlError),
}

/// Validates OSCAL XML `text` in its JSON form; each error's span is the
/// element its pointer names ([`crate::xml::locate`]).
pub fn validate_xml(file: FileId, text: &str) -> Result<Report, Invalid> {
    let json = crate::xml::to_json(text).map_err(Invalid::Xml)?;
    let model = json
        .as_object()
        .and_then(|o| o.keys().next())
        .and_then(|k| MODELS.iter().position(|m| m == k))
        .ok_or_else(|| {
            Invalid::NotOscal(format!(
                "the root element is none of the OSCAL models ({})",
                MODELS.join(", ")
            ))
        })?;
    Ok(report(model, &json, |pointer| {
        let range = crate::xml::locate(text, pointer).unwrap_or(0..0);
        Span::new(file, range.start, range.end)
    }))
}

/// The schema errors of `json`, an instance of `MODELS[model]`, each
/// located by `locate` from its JSON pointer, in document order.
fn report(model: usize, json: &serde_json::Value, locate: impl Fn(&str) -> Span) -> Report {
    let mut errors: Vec<SchemaError> = validator(model)
        .iter_errors(json)
        .map(|e| {
            let pointer = e.instance_path.to_string();
            SchemaError {
                span: locate(&pointer),
                message: e.to_string(),
                pointer,
            }
        })
        .collect();
    errors.sort_by_key(|e| (e.span.start, e.pointer.clone()));
    errors.dedup();
    Report {
        model: MODELS[model].to_string(),
        errors,
    }
}

/// Validates a document already in its JSON form; `None` when its root
/// is not a map with a member naming an OSCAL model. Errors have no
/// location (an empty span); their pointers say where they are.
pub fn validate_value(json: &serde_json::Value) -> Option<Report> {
    let model = json
        .as_object()?
        .keys()
        .find_map(|k| MODELS.iter().position(|m| m == k))?;
    Some(report(model, json, |_| Span::new(FileId(0), 0, 0)))
}

/// A schema message cut to 200 characters (it can quote a whole object of
/// the document), control characters escaped.
pub fn shorten(message: &str) -> String {
    let mut out: String = message
        .chars()
        .take(200)
        .flat_map(|c| {
            if c.is_control() {
                c.escape_default().collect::<Vec<_>>()
            } else {
                vec![c]
            }
        })
        .collect();
    if message.chars().nth(200).is_some() {
        out.push('…');
    }
    out
}

/// Validates `text` (read as `syntax`) against the OSCAL schema.
pub fn validate(file: FileId, text: &str, syntax: Syntax) -> Result<Report, Invalid> {
    let (root, findings) = syntax::parse(file, text, syntax);
    let root = match root {
        Some(root) if findings.is_empty() => root,
        _ => return Err(Invalid::Syntax(findings)),
    };
    let model = match &root.value {
        Value::Map(entries) => entries
            .iter()
            .filter_map(|(k, _)| k.as_text())
            .find_map(|k| MODELS.iter().position(|m| *m == k)),
        _ => None,
    }
    .ok_or_else(|| {
        Invalid::NotOscal(format!(
            "the document's root has none of the OSCAL models' members ({})",
            MODELS.join(", ")
        ))
    })?;
    Ok(report(model, &root.to_json(), |pointer| {
        locate(&root, pointer)
    }))
}

/// The schema of one model (an index into [`MODELS`]): the complete
/// schema with its root `oneOf` narrowed to that model's alternative, so
/// errors point into the document instead of "none of the models matched".
fn validator(model: usize) -> &'static jsonschema::Validator {
    static VALIDATORS: [OnceLock<jsonschema::Validator>; MODELS.len()] =
        [const { OnceLock::new() }; MODELS.len()];
    VALIDATORS[model].get_or_init(|| {
        let mut schema: serde_json::Value =
            serde_json::from_str(COMPLETE_SCHEMA).expect("the bundled OSCAL schema is JSON");
        let root = schema.as_object_mut().expect("the schema is an object");
        let alternatives = root
            .remove("oneOf")
            .expect("the complete schema has a oneOf");
        let alternative = alternatives
            .as_array()
            .into_iter()
            .flatten()
            .find(|a| a["required"][0] == MODELS[model])
            .and_then(|a| a.as_object())
            .expect("the complete schema describes every model of MODELS");
        for (key, value) in alternative {
            root.insert(key.clone(), value.clone());
        }
        jsonschema::draft7::new(&schema).expect("the bundled OSCAL schema compiles")
    })
}

/// The span of the node a JSON pointer names, or of the deepest node on
/// its way that exists (a missing member is reported at its parent).
pub(crate) fn locate(root: &Node, pointer: &str) -> Span {
    let mut node = root;
    for token in pointer.split('/').skip(1) {
        let token = token.replace("~1", "/").replace("~0", "~");
        let next = match &node.value {
            Value::Map(entries) => entries
                .iter()
                .find(|(k, _)| k.as_text() == Some(token.as_str()))
                .map(|(_, v)| v),
            Value::Seq(items) => token.parse::<usize>().ok().and_then(|i| items.get(i)),
            _ => None,
        };
        match next {
            Some(next) => node = next,
            None => break,
        }
    }
    node.span
}

#[cfg(test)]
mod tests {
    use super::*;

    fn errors(text: &str, syntax: Syntax) -> Vec<SchemaError> {
        validate(FileId(0), text, syntax).unwrap().errors
    }

    const CATALOG: &str = r#"{"catalog": {
  "uuid": "74c8ba1e-5cd4-4ad1-bbfd-d888e2f6c724",
  "metadata": {"title": "T", "last-modified": "2024-01-01T00:00:00Z", "version": "1", "oscal-version": "1.1.2"}
}}"#;

    #[test]
    fn a_valid_catalog_has_no_errors() {
        assert_eq!(errors(CATALOG, Syntax::Json), []);
        let report = validate(FileId(0), CATALOG, Syntax::Json).unwrap();
        assert_eq!(report.model, "catalog");
    }

    #[test]
    fn an_error_names_its_member_and_where_it_is_written() {
        let text = CATALOG.replace("\"74c8ba1e-5cd4-4ad1-bbfd-d888e2f6c724\"", "\"not-a-uuid\"");
        let found = errors(&text, Syntax::Json);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].pointer, "/catalog/uuid");
        let span = found[0].span;
        assert_eq!(
            &text[span.start as usize..span.end as usize],
            "\"not-a-uuid\""
        );

        // A missing member is reported at the object that lacks it.
        let text = CATALOG.replace("\"title\": \"T\", ", "");
        let found = errors(&text, Syntax::Json);
        assert!(
            found
                .iter()
                .any(|e| e.pointer == "/catalog/metadata" && e.message.contains("title")),
            "{found:?}"
        );
    }

    #[test]
    fn yaml_is_read_like_json() {
        let yaml = "catalog:\n  uuid: not-a-uuid\n  metadata:\n    title: T\n    last-modified: 2024-01-01T00:00:00Z\n    version: '1'\n    oscal-version: 1.1.2\n";
        let found = errors(yaml, Syntax::Yaml);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].pointer, "/catalog/uuid");
        assert_eq!(
            &yaml[found[0].span.start as usize..found[0].span.end as usize],
            "not-a-uuid"
        );
    }

    #[test]
    fn xml_is_read_in_its_json_form_and_errors_point_at_elements() {
        let xml = "<catalog uuid=\"74c8ba1e-5cd4-4ad1-bbfd-d888e2f6c724\">\n  <metadata>\n    <title>T</title>\n    <last-modified>yesterday</last-modified>\n    <version>1</version>\n    <oscal-version>1.1.2</oscal-version>\n  </metadata>\n  <control id=\"c-1\"/>\n</catalog>";
        let report = validate_xml(FileId(0), xml).unwrap();
        assert_eq!(report.model, "catalog");
        let mut pointers: Vec<&str> = report.errors.iter().map(|e| e.pointer.as_str()).collect();
        pointers.dedup();
        assert_eq!(
            pointers,
            ["/catalog/metadata/last-modified", "/catalog/controls/0"],
            "{:?}",
            report.errors
        );
        let at = |e: &SchemaError| &xml[e.span.start as usize..e.span.end as usize];
        assert_eq!(
            at(&report.errors[0]),
            "<last-modified>yesterday</last-modified>"
        );
        assert_eq!(at(report.errors.last().unwrap()), "<control id=\"c-1\"/>");
        assert!(matches!(
            validate_xml(FileId(0), "<catalog>"),
            Err(Invalid::Xml(_))
        ));
        assert!(matches!(
            validate_xml(FileId(0), "<onus/>"),
            Err(Invalid::NotOscal(_))
        ));
    }

    #[test]
    fn what_is_not_oscal_says_so() {
        assert!(matches!(
            validate(FileId(0), "{\"onus\": 1}", Syntax::Json),
            Err(Invalid::NotOscal(_))
        ));
        assert!(matches!(
            validate(FileId(0), "{\"catalog\": ", Syntax::Json),
            Err(Invalid::Syntax(_))
        ));
    }
}
