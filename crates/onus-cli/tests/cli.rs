//! End-to-end tests of the `onus` binary on the bundled examples.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::{onus, root, stderr, stdout};

const EXAMPLES: &[&str] = &["azure", "aws", "codat", "outsystems", "coherent"];

#[test]
fn examples_check_clean() {
    let o = onus(&["check", "examples"]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    assert_eq!(stdout(&o), "checked 5 models: 0 errors, 0 warnings\n");
}

/// The golden files were transcribed from the seeds' tables (and the
/// providers' published pictures) by hand: the resolved matrix must hold
/// exactly those holders, in that order.
#[test]
fn resolved_examples_match_the_seeds() {
    for name in EXAMPLES {
        let golden = std::fs::read_to_string(
            root().join(format!("crates/onus-cli/tests/golden/{name}.tsv")),
        )
        .unwrap();
        let mut expected: Vec<(String, String, String)> = golden
            .lines()
            .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
            .map(|l| {
                let f: Vec<&str> = l.split('\t').collect();
                assert_eq!(f.len(), 3, "{name}: bad golden line {l:?}");
                (f[0].to_string(), f[1].to_string(), f[2].to_string())
            })
            .collect();
        let o = onus(&[
            "matrix",
            &format!("examples/{name}.onus.yaml"),
            "--format",
            "json",
        ]);
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        let json: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
        let mut actual = Vec::new();
        for offering in json["offerings"].as_array().unwrap() {
            for area in offering["areas"].as_array().unwrap() {
                let holders: Vec<&str> = area["holders"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|h| h["party"].as_str().unwrap())
                    .collect();
                actual.push((
                    offering["id"].as_str().unwrap().to_string(),
                    area["id"].as_str().unwrap().to_string(),
                    holders.join(","),
                ));
            }
        }
        expected.sort();
        actual.sort();
        assert_eq!(actual, expected, "{name}");
    }
}

#[test]
fn matrix_json_has_the_documented_shape() {
    let o = onus(&["matrix", "examples/codat.onus.yaml", "--format", "json"]);
    let json: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(json["model"], "codat");
    let area = json["offerings"][0]["areas"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["id"] == "operating-system")
        .unwrap();
    let holder = &area["holders"][0];
    assert_eq!(holder["party"], "azure/microsoft");
    assert_eq!(holder["name"], "Microsoft");
    assert_eq!(holder["role"], "provider");
    assert_eq!(holder["via"], serde_json::json!(["azure"]));
    let keys: Vec<&String> = holder.as_object().unwrap().keys().collect();
    assert_eq!(
        keys,
        ["party", "name", "role", "scope", "duties", "how", "evidence", "via"]
    );
}

#[test]
fn matrix_formats() {
    let md = stdout(&onus(&[
        "matrix",
        "examples/azure.onus.yaml",
        "--format",
        "markdown",
    ]));
    assert!(
        md.starts_with("| Area | SaaS | PaaS | IaaS | On-premises |\n"),
        "{md}"
    );
    assert!(md.contains("| Operating system |"), "{md}");

    let csv = stdout(&onus(&[
        "matrix",
        "examples/azure.onus.yaml",
        "--format",
        "csv",
        "--offering",
        "iaas",
    ]));
    let mut lines = csv.lines();
    assert_eq!(
        lines.next(),
        Some("offering,area,area_name,party,name,role,scope,duties,how,evidence,via")
    );
    assert!(lines.all(|l| l.starts_with("iaas,")));

    let table = onus(&["matrix", "examples/outsystems.onus.yaml"]);
    assert_eq!(table.status.code(), Some(0));
    let wide = stdout(&table);
    assert!(wide.contains("Amazon Web Services (via aws)"), "{wide}");

    let narrow = Command::new(env!("CARGO_BIN_EXE_onus"))
        .args(["matrix", "examples/outsystems.onus.yaml"])
        .current_dir(root())
        .env("COLUMNS", "80")
        .output()
        .unwrap();
    for line in String::from_utf8(narrow.stdout).unwrap().lines() {
        assert!(line.chars().count() <= 80, "too wide: {line}");
    }
}

#[test]
fn duties_default_to_the_customer() {
    let o = onus(&["duties", "examples/coherent.onus.yaml", "--format", "json"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let json: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(json["party"], "customer");
    let areas: Vec<&str> = json["offerings"][0]["areas"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        areas,
        [
            "privileged-access-management",
            "logging-and-monitoring",
            "incident-response",
            "compliance"
        ]
    );

    let o = onus(&[
        "duties",
        "examples/codat.onus.yaml",
        "--party",
        "azure/microsoft",
        "--format",
        "csv",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(
        stdout(&o).contains("platform,operating-system,Operating System"),
        "{}",
        stdout(&o)
    );
}

#[test]
fn bad_usage_exits_2_with_a_suggestion() {
    let o = onus(&["matrix", "examples/azure.onus.yaml", "--offering", "pass"]);
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(
        stderr(&o),
        "error: the model has no offering `pass`; did you mean `paas`?\n"
    );

    let o = onus(&["duties", "examples/azure.onus.yaml", "--party", "microsfot"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("did you mean `microsoft`?"),
        "{}",
        stderr(&o)
    );

    let o = onus(&["check", "no/such/file.onus.yaml"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).starts_with("error: cannot read no/such/file.onus.yaml"),
        "{}",
        stderr(&o)
    );

    let o = onus(&["check", "scripts"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("no model files"), "{}", stderr(&o));

    let o = onus(&["matrix"]);
    assert_eq!(o.status.code(), Some(2));

    let o = onus(&["explain", "unknown-prty"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("did you mean `unknown-party`?"));
}

#[test]
fn explain_without_a_code_lists_every_code() {
    let o = onus(&["explain"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let out = stdout(&o);
    for code in ["unknown-party", "unsafe-url", "duplicate-id"] {
        assert!(
            out.contains(&format!("[`{code}`]")),
            "{code} missing:\n{out}"
        );
    }
    assert!(out.contains("onus explain --all"), "{out}");
}

#[test]
fn library_errors_exit_2_with_their_own_message() {
    // A git revision that does not exist (a `GitError`).
    let o = onus(&[
        "diff",
        "no-such-revision-x:examples/azure.onus.yaml",
        "examples/azure.onus.yaml",
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).starts_with("error: "), "{}", stderr(&o));
    // A baseline that is not built in (an `onus_oscal::Error`).
    let o = onus(&["crm", "examples/codat.onus.yaml", "--baseline", "nope"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).starts_with("error: "), "{}", stderr(&o));
    assert!(stderr(&o).contains("nope"), "{}", stderr(&o));
    // Findings exit 1; `check` says them on standard output only.
    let o = onus(&[
        "check",
        "crates/onus-cli/tests/check/unknown-party.onus.yaml",
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).is_empty(), "{}", stderr(&o));
    assert!(stdout(&o).contains("1 error"), "{}", stdout(&o));
}

#[test]
fn a_model_with_errors_is_not_shown() {
    let o = onus(&[
        "matrix",
        "crates/onus-cli/tests/check/unknown-party.onus.yaml",
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stdout(&o).is_empty());
    assert!(
        stderr(&o).contains("error[unknown-party]"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn never_a_backtrace_on_garbage() {
    let dir = tempfile::tempdir().unwrap();
    for (name, bytes) in [
        ("bin.onus.yaml", &b"\x00\xff\xfe garbage"[..]),
        ("deep.onus.json", "[".repeat(100_000).as_bytes()),
        ("deep.onus.yaml", "a: ".repeat(10_000).as_bytes()),
        ("list.onus.yaml", b"- 1\n- 2\n"),
        ("empty.onus.yaml", b""),
    ] {
        let path = dir.path().join(name);
        std::fs::write(&path, bytes).unwrap();
        let o = onus(&["check", path.to_str().unwrap()]);
        let code = o.status.code();
        assert!(code == Some(1) || code == Some(2), "{name}: {code:?}");
        assert!(!stderr(&o).contains("panicked"), "{name}: {}", stderr(&o));
    }
}

#[test]
fn init_writes_a_model_that_checks() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("model.onus.yaml");
    let p = path.to_str().unwrap();
    let o = onus(&["init", p]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    // The header names the file written and the docs to read next.
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.starts_with(&format!("# {p}: ")), "{text}");
    assert!(text.contains("docs/format.md") && text.contains("docs/tutorial.md"));
    let o = onus(&["check", p]);
    assert_eq!(stdout(&o), "checked 1 model: 0 errors, 0 warnings\n");
    let o = onus(&["init", p]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("already exists"));
    assert_eq!(onus(&["init", p, "--force"]).status.code(), Some(0));
}

#[test]
fn diagnostics_doc_is_generated_from_the_code() {
    let doc = std::fs::read_to_string(root().join("docs/diagnostics.md")).unwrap();
    let generated = stdout(&onus(&["explain", "--all"]));
    assert!(
        doc == generated,
        "docs/diagnostics.md is stale: run `cargo run -- explain --all > docs/diagnostics.md`"
    );
}

/// Every example, the starter model and the JSON form validate against
/// `onus schema`; broken models do not.
#[test]
fn schema_validates_the_examples() {
    let schema: serde_json::Value = serde_json::from_str(&stdout(&onus(&["schema"]))).unwrap();
    let validator = jsonschema::draft7::new(&schema).unwrap();
    let as_json = |path: &Path| {
        let text = std::fs::read_to_string(path).unwrap();
        let syntax = onus_core::syntax::Syntax::from_path(path);
        let (root, d) = onus_core::syntax::parse(onus_core::source::FileId(0), &text, syntax);
        assert!(d.is_empty(), "{}: {d:?}", path.display());
        root.unwrap().to_json()
    };
    let mut files: Vec<PathBuf> = EXAMPLES
        .iter()
        .map(|n| root().join(format!("examples/{n}.onus.yaml")))
        .collect();
    files.push(root().join("crates/onus-cli/src/starter.onus.yaml"));
    files.push(root().join("crates/onus-cli/tests/check/clean.onus.yaml"));
    for path in &files {
        let doc = as_json(path);
        let errors: Vec<String> = validator
            .iter_errors(&doc)
            .map(|e| format!("{} at {}", e, e.instance_path))
            .collect();
        assert!(errors.is_empty(), "{}: {errors:#?}", path.display());
    }
    // Every check case: the schema rejects a model exactly when `onus
    // check` finds its shape wrong (the rules beyond shape are the
    // checker's alone).
    const SHAPE: &[&str] = &[
        "unknown-key",
        "invalid-id",
        "invalid-value",
        "unsupported-version",
        "missing-key",
        "invalid-type",
        "not-a-model",
    ];
    let cases = root().join("crates/onus-cli/tests/check");
    let mut compared = 0;
    for entry in std::fs::read_dir(&cases).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let Some(case) = name.strip_suffix(".onus.yaml") else {
            continue;
        };
        if case == "syntax" || case == "duplicate-key" {
            continue; // found by the parser, before there is a document for a schema
        }
        let found: serde_json::Value = serde_json::from_str(&stdout(&onus(&[
            "check",
            "--format",
            "json",
            &path.to_string_lossy(),
        ])))
        .unwrap();
        let shape_wrong = found
            .as_array()
            .unwrap()
            .iter()
            .any(|d| SHAPE.contains(&d["code"].as_str().unwrap()));
        let doc = as_json(&path);
        assert_eq!(
            validator.is_valid(&doc),
            !shape_wrong,
            "{case}: the schema and `onus check` disagree about its shape"
        );
        compared += 1;
    }
    assert!(compared > 30, "only {compared} cases");

    // Practice and evidence kinds are enumerated in the schema, as in the checker.
    for (section, kind) in [("practices", "policy"), ("evidence", "report")] {
        let mut doc = as_json(&cases.join("clean.onus.yaml"));
        doc[section] = serde_json::json!({ "x": { "name": "X", "kind": kind } });
        assert!(validator.is_valid(&doc), "{section} kind {kind} refused");
        doc[section]["x"]["kind"] = serde_json::json!("not-a-kind");
        assert!(
            !validator.is_valid(&doc),
            "{section} kind not-a-kind passes the schema"
        );
    }
}

#[test]
fn json_and_yaml_models_mean_the_same() {
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(root().join("examples/coherent.onus.yaml")).unwrap();
    let (node, _) = onus_core::syntax::parse(
        onus_core::source::FileId(0),
        &text,
        onus_core::syntax::Syntax::Yaml,
    );
    let json_path = dir.path().join("coherent.onus.json");
    std::fs::write(
        &json_path,
        serde_json::to_string_pretty(&node.unwrap().to_json()).unwrap(),
    )
    .unwrap();
    let from_yaml = stdout(&onus(&[
        "matrix",
        "examples/coherent.onus.yaml",
        "--format",
        "json",
    ]));
    let from_json = stdout(&onus(&[
        "matrix",
        json_path.to_str().unwrap(),
        "--format",
        "json",
    ]));
    assert_eq!(from_yaml, from_json);
}

/// One file reached by several spellings (relative, absolute, a link, an
/// upstream path with `..`) is one model: checked once, resolved once.
#[test]
fn a_file_is_one_model_however_it_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::create_dir_all(d.join("up")).unwrap();
    std::fs::copy(
        root().join("examples/azure.onus.yaml"),
        d.join("up/azure.onus.yaml"),
    )
    .unwrap();
    let codat = std::fs::read_to_string(root().join("examples/codat.onus.yaml")).unwrap();
    let absolute = d.join("up/azure.onus.yaml");
    std::fs::write(
        d.join("a.onus.yaml"),
        codat.replace("model: azure.onus.yaml", "model: up/../up/azure.onus.yaml"),
    )
    .unwrap();
    std::fs::write(
        d.join("b.onus.yaml"),
        codat
            .replace(
                "model: azure.onus.yaml",
                &format!("model: {}", absolute.display()),
            )
            .replace("id: codat", "id: codat-b"),
    )
    .unwrap();
    #[cfg(unix)]
    std::os::unix::fs::symlink(d.join("a.onus.yaml"), d.join("link.onus.yaml")).unwrap();
    let a = d.join("a.onus.yaml");
    let o = onus(&[
        "check",
        a.to_str().unwrap(),
        d.join("b.onus.yaml").to_str().unwrap(),
        d.join("link.onus.yaml").to_str().unwrap(),
    ]);
    assert_eq!(stdout(&o), "checked 3 models: 0 errors, 0 warnings\n");
}
