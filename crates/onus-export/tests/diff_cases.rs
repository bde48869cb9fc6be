//! Data-driven tests of `onus diff`: each `tests/diff/*.case` file takes
//! the example models of the repository, applies textual edits, and states
//! the exact changes expected between the two versions, as found and
//! classified by `onus_core::diff` and worded by `onus_export::diff::message`.
//!
//! A case file:
//!
//! ```text
//! # Comment lines say what the case is about.
//! model: outsystems.onus.yaml        the example whose two versions are compared
//! edit: outsystems.onus.yaml         the file the following edits apply to
//! <<<<                               text that occurs exactly once in it ...
//!     o11-self-managed: customer
//! ====                               ... and its replacement
//!     o11-self-managed: customer
//!     o11-cloud: customer
//! >>>>
//! expect:                            then one line per change:
//! breaking responsibility-moved o11-cloud/operating-systems-network-firewall-configuration: moved from OutSystems to Customer
//! ```
//!
//! `<<<< all` replaces every occurrence (at least one). The expected line is
//! `CLASS KIND OFFERING/AREA: MESSAGE`, `-` standing for no offering or area.
//! Both versions must load without errors. Adding a case is adding a file;
//! `UPDATE_EXPECT=1 cargo test -p onus-export --test diff_cases` rewrites the `expect:`
//! sections from what the code finds (review the result with `git diff`).

use std::collections::HashMap;
use std::fmt::Write;
use std::path::{Path, PathBuf};

use onus_core::check::check;
use onus_core::diff::{diff, Change};
use onus_core::load::ModelSet;
use onus_core::resolve::{resolve, Matrix};
use onus_export::diff::Wording;

struct Case {
    model: String,
    edits: Vec<Edit>,
    expect: Vec<String>,
    /// The file's text up to `expect:`, kept when rewriting.
    head: String,
}

struct Edit {
    file: String,
    find: String,
    replace: String,
    all: bool,
}

fn parse_case(text: &str) -> Result<Case, String> {
    let mut model = None;
    let mut file = None;
    let mut edits = Vec::new();
    let mut lines = text.lines().peekable();
    let mut head = String::new();
    while let Some(line) = lines.next() {
        if line == "expect:" {
            let expect = lines
                .by_ref()
                .filter(|l| !l.trim().is_empty())
                .map(str::to_string)
                .collect();
            let model = model.ok_or("no `model:` line")?;
            return Ok(Case {
                model,
                edits,
                expect,
                head,
            });
        }
        head.push_str(line);
        head.push('\n');
        if let Some(m) = line.strip_prefix("model: ") {
            model = Some(m.trim().to_string());
        } else if let Some(f) = line.strip_prefix("edit: ") {
            file = Some(f.trim().to_string());
        } else if line == "<<<<" || line == "<<<< all" {
            let all = line.ends_with("all");
            let mut find = String::new();
            let mut replace = String::new();
            let mut in_replace = false;
            loop {
                let l = lines.next().ok_or("an edit is not closed with `>>>>`")?;
                head.push_str(l);
                head.push('\n');
                match l {
                    "====" => in_replace = true,
                    ">>>>" => break,
                    _ if in_replace => {
                        replace.push_str(l);
                        replace.push('\n');
                    }
                    _ => {
                        find.push_str(l);
                        find.push('\n');
                    }
                }
            }
            edits.push(Edit {
                file: file
                    .clone()
                    .ok_or("an edit comes before any `edit:` line")?,
                find,
                replace,
                all,
            });
        } else if !(line.starts_with('#') || line.trim().is_empty()) {
            return Err(format!("unexpected line: {line}"));
        }
    }
    Err("no `expect:` section".into())
}

fn examples() -> HashMap<PathBuf, String> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples");
    std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.to_string_lossy().ends_with(".onus.yaml"))
        .map(|p| {
            let name = PathBuf::from(p.file_name().unwrap());
            (name, std::fs::read_to_string(&p).unwrap())
        })
        .collect()
}

fn resolved(files: &HashMap<PathBuf, String>, model: &str, side: &str) -> Result<Matrix, String> {
    let set = ModelSet::load(&[PathBuf::from(model)], files).map_err(|e| e.to_string())?;
    let errors: Vec<String> = check(&set)
        .into_iter()
        .filter(|d| d.is_error())
        .map(|d| d.message)
        .collect();
    if !errors.is_empty() {
        return Err(format!(
            "the {side} version has errors:\n  {}",
            errors.join("\n  ")
        ));
    }
    resolve(&set, set.roots[0])
        .map(|m| (*m).clone())
        .ok_or_else(|| format!("the {side} version does not resolve"))
}

/// One change as a line of an `expect:` section.
fn line(c: &Change, wording: &Wording) -> String {
    format!(
        "{} {} {}/{}: {}",
        c.class.as_str(),
        c.kind.as_str(),
        c.offering.as_deref().unwrap_or("-"),
        c.area.as_deref().unwrap_or("-"),
        wording.message(c)
    )
}

fn run(case: &Case) -> Result<Vec<String>, String> {
    let old_files = examples();
    let mut new_files = old_files.clone();
    for edit in &case.edits {
        let text = new_files
            .get_mut(Path::new(&edit.file))
            .ok_or_else(|| format!("no example {}", edit.file))?;
        let found = text.matches(&edit.find).count();
        if found == 0 || (found > 1 && !edit.all) {
            return Err(format!(
                "the text to replace occurs {found} times in {} (want exactly once, or `<<<< all`):\n{}",
                edit.file, edit.find
            ));
        }
        *text = text.replace(&edit.find, &edit.replace);
    }
    let old = resolved(&old_files, &case.model, "old")?;
    let new = resolved(&new_files, &case.model, "new")?;
    let wording = Wording::new(&old, &new);
    Ok(diff(&old, &new).iter().map(|c| line(c, &wording)).collect())
}

#[test]
fn diff_cases() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/diff");
    let update = std::env::var_os("UPDATE_EXPECT").is_some();
    let mut paths: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "case"))
        .collect();
    paths.sort();
    assert!(paths.len() >= 8, "the diff cases are missing from {dir:?}");
    let mut failures = String::new();
    for path in &paths {
        let name = path.file_name().unwrap().to_string_lossy();
        let text = std::fs::read_to_string(path).unwrap();
        let outcome = parse_case(&text).and_then(|case| run(&case).map(|got| (case, got)));
        match outcome {
            Err(e) => {
                let _ = writeln!(failures, "{name}: {e}");
            }
            Ok((case, got)) if got != case.expect => {
                if update {
                    let mut out = format!("{}expect:\n", case.head);
                    for l in &got {
                        out.push_str(l);
                        out.push('\n');
                    }
                    std::fs::write(path, out).unwrap();
                } else {
                    let _ = writeln!(
                        failures,
                        "{name}: expected\n  {}\ngot\n  {}",
                        case.expect.join("\n  "),
                        got.join("\n  ")
                    );
                }
            }
            Ok(_) => {}
        }
    }
    assert!(failures.is_empty(), "{failures}");
}

#[test]
fn a_model_compared_with_itself_has_no_changes() {
    let files = examples();
    for model in [
        "aws.onus.yaml",
        "azure.onus.yaml",
        "codat.onus.yaml",
        "outsystems.onus.yaml",
    ] {
        let m = resolved(&files, model, "old").unwrap();
        assert_eq!(diff(&m, &m), [], "{model}");
    }
}

#[test]
fn swapping_the_versions_swaps_additions_and_removals() {
    let old = examples();
    let mut new = old.clone();
    let text = new.get_mut(Path::new("outsystems.onus.yaml")).unwrap();
    *text = text.replace(
        "        - Classifying their assets\n",
        "        - Classifying their assets\n        - Reviewing who can deploy to production every quarter\n",
    );
    let (a, b) = (
        resolved(&old, "outsystems.onus.yaml", "old").unwrap(),
        resolved(&new, "outsystems.onus.yaml", "new").unwrap(),
    );
    let forward: Vec<_> = diff(&a, &b).iter().map(|c| c.kind.as_str()).collect();
    let backward: Vec<_> = diff(&b, &a).iter().map(|c| c.kind.as_str()).collect();
    assert_eq!(forward, ["duty-added"; 3]);
    assert_eq!(backward, ["duty-removed"; 3]);
}
