//! Hostile model and catalog text through every output (issue 15, points
//! 3, 4 and 5): no live script link, no raw Markdown or HTML, no control
//! character on a terminal, a well-formed workbook.

mod common;

use std::path::Path;

use common::{onus, root, stderr, stdout};

/// The examples copied into `dir`, with `edit` applied to codat's model.
fn codat_with(dir: &Path, edit: impl Fn(String) -> String) -> String {
    for name in ["azure", "codat"] {
        let file = format!("{name}.onus.yaml");
        let text = std::fs::read_to_string(root().join("examples").join(&file)).unwrap();
        let text = if name == "codat" { edit(text) } else { text };
        std::fs::write(dir.join(&file), text).unwrap();
    }
    dir.join("codat.onus.yaml").display().to_string()
}

#[test]
fn a_script_base_url_is_an_error_and_never_a_link() {
    let dir = tempfile::tempdir().unwrap();
    let model = codat_with(dir.path(), |t| {
        t.replacen(
            "model:\n",
            "model:\n  url: \"javascript://%0aalert(document.domain);1/x\"\n",
            1,
        )
    });
    let o = onus(&["check", &model]);
    assert_eq!(o.status.code(), Some(1), "{}", stdout(&o));
    assert!(stdout(&o).contains("error[unsafe-url]"), "{}", stdout(&o));
    for to in ["html", "markdown"] {
        let o = onus(&["render", &model, "--to", to]);
        assert_eq!(o.status.code(), Some(1), "{to}");
        assert!(!stdout(&o).contains("javascript"), "{to}");
    }
}

/// A catalog and profile whose titles are markup, and a model whose
/// area name carries a CR that started a heading.
fn hostile_crm(dir: &Path) -> (String, String) {
    std::fs::write(
        dir.join("cat.json"),
        r#"{"catalog":{"uuid":"00000000-0000-4000-8000-000000000001",
"metadata":{"title":"C","last-modified":"2024-01-01T00:00:00Z","version":"1","oscal-version":"1.1.2"},
"groups":[{"id":"ac","class":"family","title":"Access Control","controls":[
 {"id":"ac-1","class":"SP800-53","title":"<script>alert(1)</script>"},
 {"id":"pl-4","class":"SP800-53","title":"x\r# Injected \u001b]0;owned\u0007 \u202eevil"}]}]}}"#,
    )
    .unwrap();
    std::fs::write(
        dir.join("prof.json"),
        r#"{"profile":{"uuid":"00000000-0000-4000-8000-000000000002",
"metadata":{"title":"[x](javascript:alert(1)) <img src=x onerror=alert(1)>","last-modified":"2024-01-01T00:00:00Z","version":"1","oscal-version":"1.1.2"},
"imports":[{"href":"cat.json","include-all":{}}]}}"#,
    )
    .unwrap();
    let model = codat_with(dir, |t| {
        t.replacen(
            "    name: Information and data",
            "    name: \"Info <b>x</b>\\r# Heading \\e]0;owned\\a\"",
            1,
        )
    });
    (model, dir.join("prof.json").display().to_string())
}

#[test]
fn crm_markdown_escapes_catalog_profile_and_model_text() {
    let dir = tempfile::tempdir().unwrap();
    let (model, profile) = hostile_crm(dir.path());
    let o = onus(&["crm", &model, "--profile", &profile, "--format", "markdown"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let md = stdout(&o);
    for raw in ["<script", "<img", "<b>", "\r", "\n# ", "\x1b"] {
        assert!(!md.contains(raw), "{raw:?} in {md}");
    }
    assert!(!md.replace("\\]", "").contains("](javascript"), "{md}");
    assert!(md.contains("\\[x\\](javascript:alert(1)) &lt;img"), "{md}");
    assert!(md.contains("| x<br># Injected"), "{md}");
}

#[test]
fn terminal_outputs_show_control_characters_escaped() {
    let dir = tempfile::tempdir().unwrap();
    let (model, profile) = hostile_crm(dir.path());
    let hidden = ['\x1b', '\x07', '\r', '\u{202e}'];
    let o = onus(&["crm", &model, "--profile", &profile]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(!stdout(&o).contains(hidden), "{}", stdout(&o));
    assert!(
        stdout(&o).contains("\\u{1b}]0;owned\\u{7}"),
        "{}",
        stdout(&o)
    );
    for view in [&["matrix"][..], &["duties", "--party", "codat"]] {
        let o = onus(&[view, &[model.as_str()]].concat());
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        assert!(
            stdout(&o).contains("Info <b>x</b>\\u{d}# Heading"),
            "{view:?}: {}",
            stdout(&o)
        );
        assert!(!stdout(&o).contains(hidden), "{view:?}");
    }
    // Diagnostics: the message and the snippet.
    let bad = dir.path().join("bad.onus.yaml");
    std::fs::write(
        &bad,
        "onus: 1\nmodel: { id: a, name: \"\\e]0;owned\\a\" }\n\x1b]0;x\x07: 1\n",
    )
    .unwrap();
    let o = onus(&["check", bad.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    assert!(!stdout(&o).contains(hidden), "{}", stdout(&o));
    assert!(stdout(&o).contains("\\u{1b}]0;x\\u{7}"), "{}", stdout(&o));
}

#[test]
fn hostile_offering_names_make_a_well_formed_workbook() {
    let dir = tempfile::tempdir().unwrap();
    let name = format!("\\a{}'tail\\e", "x".repeat(30));
    let model = codat_with(dir.path(), |t| {
        t.replacen(
            "    name: Platform as a service",
            &format!("    name: \"{name}\""),
            1,
        )
    });
    let out = dir.path().join("book.xlsx");
    let o = onus(&[
        "render",
        &model,
        "--to",
        "xlsx",
        "-o",
        out.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let bytes = std::fs::read(&out).unwrap();
    assert!(bytes.starts_with(b"PK"));
    let csv = onus(&["duties", &model, "--format", "csv"]);
    assert_eq!(csv.status.code(), Some(0), "{}", stderr(&csv));
}
