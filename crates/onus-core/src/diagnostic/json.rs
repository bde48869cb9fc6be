//! The JSON array of docs/format.md: severity, code, message, file, line,
//! column (1-based), help.

use serde_json::{json, Value};

use super::Diagnostic;
use crate::source::SourceMap;

pub fn to_value(diagnostics: &[Diagnostic], sources: &SourceMap) -> Value {
    Value::Array(
        diagnostics
            .iter()
            .map(|d| {
                let (file, line, column) = match d.span {
                    Some(span) => {
                        let (line, col) = sources.line_col(span);
                        (
                            json!(sources.get(span.file).path.display().to_string()),
                            json!(line),
                            json!(col),
                        )
                    }
                    None => (Value::Null, Value::Null, Value::Null),
                };
                json!({
                    "severity": d.severity.as_str(),
                    "code": d.code.name(),
                    "message": d.message,
                    "file": file,
                    "line": line,
                    "column": column,
                    "help": d.help,
                })
            })
            .collect(),
    )
}
