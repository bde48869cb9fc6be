//! Data-driven tests of `onus check`: every `check/NAME.onus.yaml` is the
//! clean model with one defect, and must report the code `NAME` (the
//! `clean` case, and every `clean-*` case, a model that is right however
//! odd it looks: nothing). The full text output of each case is an insta
//! snapshot (`cargo insta review` after a deliberate change).

use std::path::{Path, PathBuf};
use std::process::Command;

use onus_core::diagnostic::Code;

fn cases_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/check")
}

fn cases() -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(cases_dir())
        .unwrap()
        .filter_map(|e| e.unwrap().file_name().into_string().ok())
        .filter_map(|n| n.strip_suffix(".onus.yaml").map(str::to_string))
        .collect();
    names.sort();
    names
}

/// Runs `onus check` in the cases folder, so paths in the output are short and stable.
fn check(file: &str, format: &str) -> (i32, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_onus"))
        .args(["check", file, "--format", format])
        .current_dir(cases_dir())
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    assert!(
        out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    (
        out.status.code().unwrap(),
        String::from_utf8(out.stdout).unwrap(),
    )
}

#[test]
fn every_case_reports_its_code_at_a_real_place() {
    for name in cases() {
        let file = format!("{name}.onus.yaml");
        let (status, out) = check(&file, "json");
        let found: serde_json::Value = serde_json::from_str(&out).unwrap();
        let found = found.as_array().unwrap();
        let codes: Vec<&str> = found.iter().map(|d| d["code"].as_str().unwrap()).collect();
        if name == "clean" || name.starts_with("clean-") {
            assert!(found.is_empty(), "{name}: {codes:?}");
            assert_eq!(status, 0);
            continue;
        }
        assert!(codes.contains(&name.as_str()), "{name}: found {codes:?}");
        let errors = found.iter().any(|d| d["severity"] == "error");
        assert_eq!(status, if errors { 1 } else { 0 }, "{name}");
        for d in found {
            let path = cases_dir().join(d["file"].as_str().unwrap());
            let text = std::fs::read_to_string(&path).unwrap();
            let line = d["line"].as_u64().unwrap() as usize;
            let column = d["column"].as_u64().unwrap() as usize;
            let source_line = text
                .lines()
                .nth(line - 1)
                .unwrap_or_else(|| panic!("{name}: line {line} out of range"));
            assert!(
                column <= source_line.chars().count() + 1,
                "{name}: column {column} past the end of {source_line:?}"
            );
        }
    }
}

#[test]
fn every_code_has_a_case() {
    let cases = cases();
    for code in Code::ALL {
        assert!(
            cases.iter().any(|c| c == code.name()),
            "no tests/check/{}.onus.yaml",
            code.name()
        );
    }
}

#[test]
fn text_output_snapshots() {
    for name in cases() {
        let (_, out) = check(&format!("{name}.onus.yaml"), "text");
        insta::with_settings!({ snapshot_path => "check/snapshots", prepend_module_to_snapshot => false }, {
            insta::assert_snapshot!(name, out);
        });
    }
}

#[test]
fn findings_point_at_the_offending_token() {
    let (_, out) = check("unknown-party.onus.yaml", "json");
    let found: serde_json::Value = serde_json::from_str(&out).unwrap();
    let d = &found[0];
    assert_eq!(d["code"], "unknown-party");
    assert_eq!(
        (d["line"].as_u64(), d["column"].as_u64()),
        (Some(16), Some(38))
    );
    assert_eq!(d["help"], "did you mean `customer`?");

    // An error inside an upstream names the upstream's file.
    let (_, out) = check("upstream-broken.onus.yaml", "json");
    let found: serde_json::Value = serde_json::from_str(&out).unwrap();
    let files: Vec<&str> = found
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["file"].as_str().unwrap())
        .collect();
    assert!(files.contains(&"upstreams/broken.onus.yaml"), "{files:?}");
    assert!(files.contains(&"upstream-broken.onus.yaml"), "{files:?}");
}

#[test]
fn sarif_lists_the_same_findings() {
    let (status, out) = check("missing-key.onus.yaml", "sarif");
    assert_eq!(status, 1);
    let sarif: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(sarif["version"], "2.1.0");
    let run = &sarif["runs"][0];
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    assert_eq!(rules.len(), Code::ALL.len());
    let results = run["results"].as_array().unwrap();
    let (_, json) = check("missing-key.onus.yaml", "json");
    let json: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(results.len(), json.as_array().unwrap().len());
    for r in results {
        let index = r["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(rules[index]["id"], r["ruleId"]);
        let region = &r["locations"][0]["physicalLocation"]["region"];
        assert!(region["startLine"].as_u64().unwrap() >= 1);
        assert_eq!(
            r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
            "missing-key.onus.yaml"
        );
    }
}
