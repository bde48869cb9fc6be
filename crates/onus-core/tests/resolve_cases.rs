//! Data-driven tests of resolution: each `tests/resolve/*.case` file holds
//! a chain of models and the resolved matrix of the first, cell by cell.
//!
//! A case file:
//!
//! ```text
//! # Comment lines say what the case is about.
//! === down.onus.yaml                 a model file (the first is resolved) ...
//! onus: 1
//! ...
//! === up.onus.yaml                   ... and the models it runs on
//! ...
//! expect:                            then one line per holder of each cell:
//! app/data: acme (provider) scope=[platform] duties=[Run backups] how=[policy]
//! app/hosts: up/cloud (provider) via=[up]
//! app/net: none
//! practice up/policy: Policy         and one line per reference, by kind
//! ```
//!
//! A holder line is `OFFERING/AREA: PARTY (ROLE)` followed by its non-empty
//! `scope=[..]` (scopes joined with `; `), `duties=[..]` (joined with ` | `),
//! `ids=[..]` (each duty's id, `-` for none; only when one has an id),
//! `how=[..]`, `evidence=[..]`, `note=..` and `via=[..]`. Every model must
//! check without errors. Adding a case is adding a file; `BLESS=1 cargo test
//! -p onus-core --test resolve_cases` rewrites the `expect:` sections from
//! what the code resolves (review the result with `git diff`).

use std::collections::HashMap;
use std::fmt::Write;
use std::path::{Path, PathBuf};

use onus_core::check::check;
use onus_core::load::ModelSet;
use onus_core::model::RefKind;
use onus_core::resolve::{resolve, Matrix};

struct Case {
    /// File name -> text, the first being the root.
    files: Vec<(String, String)>,
    expect: Vec<String>,
    /// The case's text up to `expect:`, kept when rewriting.
    head: String,
}

fn parse_case(text: &str) -> Result<Case, String> {
    let mut files: Vec<(String, String)> = Vec::new();
    let mut head = String::new();
    let mut lines = text.lines();
    for line in lines.by_ref() {
        if line == "expect:" {
            break;
        }
        head.push_str(line);
        head.push('\n');
        if let Some(name) = line.strip_prefix("=== ") {
            files.push((name.trim().to_string(), String::new()));
        } else if let Some((_, text)) = files.last_mut() {
            text.push_str(line);
            text.push('\n');
        } else if !line.starts_with('#') && !line.trim().is_empty() {
            return Err(format!("before the first `=== FILE`: {line:?}"));
        }
    }
    if files.is_empty() {
        return Err("no `=== FILE` section".into());
    }
    let expect = lines
        .filter(|l| !l.trim().is_empty())
        .map(str::to_string)
        .collect();
    Ok(Case {
        files,
        expect,
        head,
    })
}

fn list<S: AsRef<str>>(name: &str, items: &[S], sep: &str) -> String {
    if items.is_empty() {
        String::new()
    } else {
        let items: Vec<&str> = items.iter().map(AsRef::as_ref).collect();
        format!(" {name}=[{}]", items.join(sep))
    }
}

/// The matrix as the case's `expect:` lines.
fn lines(m: &Matrix) -> Vec<String> {
    let mut out = Vec::new();
    for o in &m.offerings {
        for a in &o.areas {
            if a.holders.is_empty() {
                out.push(format!("{}/{}: none", o.id, a.id));
            }
            for h in &a.holders {
                let mut line = format!("{}/{}: {} ({})", o.id, a.id, h.party, h.role.as_str());
                line += &list("scope", &h.scopes, "; ");
                line += &list("duties", &h.duties, " | ");
                if h.duties.has_ids() {
                    let ids: Vec<&str> = (0..h.duties.len())
                        .map(|i| h.duties.id(i).map_or("-", |id| id.as_str()))
                        .collect();
                    line += &list("ids", &ids, ", ");
                }
                line += &list("how", &h.how, ", ");
                line += &list("evidence", &h.evidence, ", ");
                if let Some(note) = &h.note {
                    let _ = write!(line, " note={note}");
                }
                line += &list("via", &h.via, "/");
                out.push(line);
            }
        }
    }
    for kind in RefKind::ALL {
        for (id, r) in m.references.of(kind) {
            out.push(format!("{} {id}: {}", kind.noun(), r.name));
        }
    }
    out
}

fn run(case: &Case) -> Result<Vec<String>, String> {
    let files: HashMap<PathBuf, String> = case
        .files
        .iter()
        .map(|(name, text)| (PathBuf::from(name), text.clone()))
        .collect();
    let root = PathBuf::from(&case.files[0].0);
    let set = ModelSet::load(&[root], &files).map_err(|e| format!("{e:?}"))?;
    let errors: Vec<String> = check(&set)
        .into_iter()
        .filter(|d| d.is_error())
        .map(|d| format!("{}: {}", d.code.name(), d.message))
        .collect();
    if !errors.is_empty() {
        return Err(format!("the models have errors: {errors:#?}"));
    }
    let matrix = resolve(&set, set.roots[0]).ok_or("the root does not resolve")?;
    Ok(lines(&matrix))
}

fn cases_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/resolve")
}

#[test]
fn every_case_resolves_as_expected() {
    let bless = std::env::var_os("BLESS").is_some();
    let mut paths: Vec<PathBuf> = std::fs::read_dir(cases_dir())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "case"))
        .collect();
    paths.sort();
    assert!(
        paths.len() >= 5,
        "expected the resolution cases, found {paths:?}"
    );
    let mut failures = Vec::new();
    for path in paths {
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        let text = std::fs::read_to_string(&path).unwrap();
        let case = parse_case(&text).unwrap_or_else(|e| panic!("{name}: {e}"));
        let found = run(&case).unwrap_or_else(|e| panic!("{name}: {e}"));
        if bless {
            let text = format!("{}expect:\n{}\n", case.head, found.join("\n"));
            std::fs::write(&path, text).unwrap();
        } else if found != case.expect {
            failures.push(format!(
                "{name}:\n  expected:\n    {}\n  found:\n    {}",
                case.expect.join("\n    "),
                found.join("\n    ")
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn a_case_without_files_is_refused() {
    assert!(parse_case("# nothing\nexpect:\n").is_err());
    assert!(parse_case("onus: 1\n=== a.onus.yaml\n").is_err());
    let case = parse_case("# c\n=== a.onus.yaml\nonus: 1\nexpect:\nx\n\n").unwrap();
    assert_eq!(case.files, [("a.onus.yaml".into(), "onus: 1\n".into())]);
    assert_eq!(case.expect, ["x"]);
}
