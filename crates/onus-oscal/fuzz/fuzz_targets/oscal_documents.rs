//! OSCAL documents in their three syntaxes on arbitrary bytes: the first
//! byte chooses XML, YAML or JSON, the rest is the text. Reading must not
//! panic. For XML, a document is read only from text that has a JSON form
//! (`xml::to_json`), and `xml::locate` must answer
//! every pointer into that JSON form with a range inside the text, on
//! character boundaries (the CLI cuts the text there to show a snippet).

#![no_main]

use libfuzzer_sys::fuzz_target;
use onus_oscal::{xml, Document};
use serde_json::Value;

/// Pointers to every member and item of `value`, at most `limit` of them.
fn pointers(value: &Value, at: String, out: &mut Vec<String>, limit: usize) {
    if out.len() >= limit {
        return;
    }
    out.push(at.clone());
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                let k = k.replace('~', "~0").replace('/', "~1");
                pointers(v, format!("{at}/{k}"), out, limit);
            }
        }
        Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                pointers(v, format!("{at}/{i}"), out, limit);
            }
        }
        _ => {}
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&syntax, rest)) = data.split_first() else {
        return;
    };
    let text = String::from_utf8_lossy(rest);
    match syntax % 3 {
        0 => {
            let read = Document::from_xml(&text);
            let json = xml::to_json(&text);
            assert!(
                json.is_ok() || read.is_err(),
                "the document was read from XML that has no JSON form"
            );
            if let Ok(json) = json {
                let mut all = Vec::new();
                pointers(&json, String::new(), &mut all, 2_000);
                all.push("/no/such/member".into());
                for pointer in all {
                    if let Some(range) = xml::locate(&text, &pointer) {
                        assert!(range.start <= range.end && range.end <= text.len());
                        assert!(text.is_char_boundary(range.start) && text.is_char_boundary(range.end));
                    }
                }
            }
        }
        1 => {
            let _ = Document::from_yaml(&text);
        }
        _ => {
            let _ = Document::from_json(&text);
        }
    }
});
