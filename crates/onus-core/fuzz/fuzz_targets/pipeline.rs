//! The whole pipeline on arbitrary bytes: up to three files (split at NUL
//! bytes: `a.onus.yaml`, `b.onus.yaml`, `c.onus.json`, so upstream
//! references between them can resolve, cycles included), loaded from
//! `a.onus.yaml` and as every file a root, checked, rendered, resolved.
//! A panic, or a span outside its file, is a crash.

#![no_main]

use std::collections::HashMap;
use std::path::PathBuf;

use libfuzzer_sys::fuzz_target;
use onus_core::check::check;
use onus_core::diagnostic::{json, sarif, text};
use onus_core::load::{ModelId, ModelSet};
use onus_core::resolve::resolve;

const NAMES: [&str; 3] = ["a.onus.yaml", "b.onus.yaml", "c.onus.json"];

fuzz_target!(|data: &[u8]| {
    let mut files = HashMap::new();
    for (name, part) in NAMES.iter().zip(data.splitn(3, |&b| b == 0)) {
        let text = String::from_utf8_lossy(part).into_owned();
        files.insert(PathBuf::from(name), text);
    }
    let mut roots: Vec<PathBuf> = files.keys().cloned().collect();
    roots.sort();
    for roots in [&roots[..1], &roots[..]] {
        let set = ModelSet::load(roots, &files).expect("every root is in the map");
        let found = check(&set);
        for d in &found {
            for span in d.span.iter().chain(d.related.iter().map(|(s, _)| s)) {
                let len = set.sources.get(span.file).text.len();
                assert!(span.start <= span.end && span.end as usize <= len, "{d:?}");
                let (line, col) = set.sources.line_col(*span);
                assert!(line >= 1 && col >= 1, "{d:?}");
            }
        }
        let _ = text::render(&found, &set.sources, true);
        let rendered = serde_json::to_string(&json::to_value(&found, &set.sources)).unwrap();
        serde_json::from_str::<serde_json::Value>(&rendered).expect("JSON parses back");
        let _ = sarif::to_value(&found, &set.sources, "0.0.0");
        let clean = !found.iter().any(|d| d.is_error());
        for i in 0..set.models.len() {
            let matrix = resolve(&set, ModelId(i));
            if clean {
                let matrix = matrix.expect("a model with no errors resolves");
                for offering in &matrix.offerings {
                    for area in &offering.areas {
                        assert!(!area.holders.is_empty(), "nobody holds {}", area.id);
                    }
                }
            }
        }
    }
});
