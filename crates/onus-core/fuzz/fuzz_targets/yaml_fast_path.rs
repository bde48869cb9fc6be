//! The fast YAML path against yaml-rust2 on arbitrary bytes (lossy UTF-8):
//! whenever the fast path answers, the slow path reads the text with no
//! finding and gives the very same tree, values and spans. A panic in
//! either, or a difference, is a crash.

#![no_main]

use libfuzzer_sys::fuzz_target;
use onus_core::source::FileId;
use onus_core::syntax::yaml_paths::{fast, slow};

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let Some(root) = fast(FileId(0), &text) else {
        return;
    };
    let (slow_root, findings) = slow(FileId(0), &text);
    assert!(
        findings.is_empty(),
        "the fast path answers for {text:?}, the slow path finds {findings:?}"
    );
    assert_eq!(Some(root), slow_root, "{text:?}");
});
