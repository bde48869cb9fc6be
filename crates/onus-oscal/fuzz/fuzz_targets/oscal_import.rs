//! `oscal import` on arbitrary bytes: importing must not panic, and the
//! model YAML it writes must parse without a syntax finding and load and
//! check without a panic (the CLI refuses to write it when `check` finds an
//! error, so that is allowed here).

#![no_main]

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use libfuzzer_sys::fuzz_target;
use onus_core::check::check;
use onus_core::diagnostic::Code;
use onus_core::load::ModelSet;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let Ok(imported) = onus_oscal::import::import(&text, "fuzz.json") else {
        return;
    };
    let files = HashMap::<PathBuf, String>::new();
    let set = ModelSet::load_text(Path::new("fuzz.onus.yaml"), imported.yaml.clone(), &files);
    let found = check(&set);
    assert!(
        found.iter().all(|d| d.code != Code::Syntax),
        "the imported YAML does not parse: {found:?}\n{}",
        imported.yaml
    );
});
