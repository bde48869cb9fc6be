//! SARIF 2.1.0, so code review tools show findings inline.

use serde_json::{json, Value};

use super::{Code, Diagnostic, Severity};
use crate::source::SourceMap;

pub const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";

/// A SARIF log with one run. `version` is onus's version.
pub fn to_value(diagnostics: &[Diagnostic], sources: &SourceMap, version: &str) -> Value {
    let rules: Vec<Value> = Code::ALL
        .iter()
        .map(|c| {
            let doc = c.doc();
            json!({
                "id": c.name(),
                "shortDescription": { "text": doc.summary },
                "fullDescription": { "text": doc.why },
                "help": { "text": doc.fix },
                "defaultConfiguration": { "level": level(c.severity()) },
            })
        })
        .collect();
    let results: Vec<Value> = diagnostics
        .iter()
        .map(|d| {
            let mut message = d.message.clone();
            if let Some(help) = &d.help {
                message = format!("{message}\nhelp: {help}");
            }
            let locations: Vec<Value> = d
                .span
                .iter()
                .map(|span| {
                    let file = sources.get(span.file);
                    let (line, col) = file.line_col(span.start as usize);
                    let (end_line, end_col) = file.line_col(span.end as usize);
                    json!({
                        "physicalLocation": {
                            "artifactLocation": { "uri": uri(&file.path) },
                            "region": {
                                "startLine": line, "startColumn": col,
                                "endLine": end_line, "endColumn": end_col.max(col + usize::from(end_line == line)),
                            }
                        }
                    })
                })
                .collect();
            json!({
                "ruleId": d.code.name(),
                "ruleIndex": Code::ALL.iter().position(|c| *c == d.code),
                "level": level(d.severity),
                "message": { "text": message },
                "locations": locations,
            })
        })
        .collect();
    json!({
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": {
                "name": "onus",
                "version": version,
                "informationUri": "https://github.com/onus-project/onus",
                "rules": rules,
            }},
            "columnKind": "unicodeCodePoints",
            "results": results,
        }]
    })
}

fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
    }
}

/// A relative URI reference with forward slashes (absolute paths become `file://`).
fn uri(path: &std::path::Path) -> String {
    let s = path.display().to_string().replace('\\', "/");
    let encoded: String = s
        .chars()
        .map(|c| match c {
            ' ' => "%20".to_string(),
            '#' => "%23".to_string(),
            '%' => "%25".to_string(),
            c => c.to_string(),
        })
        .collect();
    if encoded.starts_with('/') {
        format!("file://{encoded}")
    } else {
        encoded
    }
}
