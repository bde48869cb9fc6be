//! Hostile inputs (issue 15): each reproduction ends in a clear, located
//! error or a correct output from the real binary, never in a crash (exit
//! 134) nor in a file that is not a model being shown. The big inputs are
//! generated here, in temporary folders.

mod common;

use std::fmt::Write as _;
use std::path::Path;

use common::{onus, stderr, stdout};

/// `onus check PATH` with the path as a string.
fn check(path: &Path, extra: &[&str]) -> std::process::Output {
    let path = path.display().to_string();
    let mut args = vec!["check", path.as_str()];
    args.extend(extra);
    onus(&args)
}

fn model(id: &str, upstream: Option<&str>) -> String {
    let mut text = format!(
        "onus: 1\nmodel: {{ id: {id}, name: M, publisher: p }}\nparties:\n  p: {{ name: P, role: provider }}\n"
    );
    if let Some(up) = upstream {
        writeln!(text, "upstreams:\n  up: {{ model: {up} }}").unwrap();
    }
    text
}

#[test]
fn yaml_bombs_and_deep_nesting_are_syntax_errors() {
    let dir = tempfile::tempdir().unwrap();
    let alias = dir.path().join("alias.onus.yaml");
    let mut text = format!("a: &big {}\nb: [", "x".repeat(1 << 20));
    text.push_str(&vec!["*big"; 30_000].join(", "));
    text.push_str("]\n");
    std::fs::write(&alias, text).unwrap();
    let out = check(&alias, &[]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let shown = stdout(&out);
    assert!(
        shown.contains("error[syntax]: aliases expand to too large a document"),
        "{shown}"
    );
    // At an alias on line 2, not at the anchor.
    assert!(shown.contains("alias.onus.yaml:2:"), "{shown}");

    for (unit, levels) in [("? ", 9_000), ("- ", 22_000)] {
        let deep = dir.path().join("deep.onus.yaml");
        std::fs::write(&deep, format!("{}x\n", unit.repeat(levels))).unwrap();
        let out = check(&deep, &[]);
        assert_eq!(out.status.code(), Some(1), "{unit:?}: {}", stderr(&out));
        assert!(
            stdout(&out).contains("error[syntax]: nesting deeper than 128 levels"),
            "{unit:?}: {}",
            stdout(&out)
        );
    }
}

#[test]
fn a_chain_of_three_thousand_upstreams_stops_at_64() {
    let dir = tempfile::tempdir().unwrap();
    for i in 0..3_000 {
        let next = format!("m{}.onus.yaml", i + 1);
        let text = model(&format!("m{i}"), Some(&next));
        std::fs::write(dir.path().join(format!("m{i}.onus.yaml")), text).unwrap();
    }
    let out = check(&dir.path().join("m0.onus.yaml"), &[]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        stdout(&out).contains(
            "error[upstream-missing]: upstream `up` makes the chain deeper than 64 models"
        ),
        "{}",
        stdout(&out)
    );
}

#[test]
fn a_profile_chain_three_thousand_deep_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let catalog = r#"{"catalog": {"uuid": "c", "metadata": {"title": "C"},
        "controls": [{"id": "x-1", "title": "X"}]}}"#;
    std::fs::write(dir.path().join("cat.json"), catalog).unwrap();
    for i in 0..3_000 {
        let next = match i {
            2_999 => "cat.json".to_string(),
            i => format!("p{}.json", i + 1),
        };
        let text = format!(
            r#"{{"profile": {{"uuid": "p{i}", "metadata": {{"title": "P"}}, "imports": [{{"href": "{next}", "include-all": {{}}}}]}}}}"#
        );
        std::fs::write(dir.path().join(format!("p{i}.json")), text).unwrap();
    }
    let profile = dir.path().join("p0.json").display().to_string();
    let out = onus(&["oscal", "resolve", &profile]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("profiles import profiles more than 32 deep"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn an_upstream_that_is_not_a_model_is_not_shown() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("secrets.env"), "AWS_SECRET=hunter2\n").unwrap();
    let root = dir.path().join("a.onus.yaml");
    std::fs::write(&root, model("a", Some("secrets.env"))).unwrap();
    let out = check(&root, &[]);
    assert_eq!(out.status.code(), Some(1));
    let shown = stdout(&out) + &stderr(&out);
    assert!(!shown.contains("hunter2"), "{shown}");
    assert!(
        shown.contains("error[not-a-model]: this upstream file is not an onus model"),
        "{shown}"
    );
}

#[cfg(unix)]
#[test]
fn upstreams_stay_in_the_model_folder_and_are_regular_files() {
    let outside = tempfile::tempdir().unwrap();
    std::fs::write(outside.path().join("up.onus.yaml"), model("up", None)).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("fifo.onus.yaml");
    assert!(std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap()
        .success());
    let cases = [
        (
            outside.path().join("up.onus.yaml").display().to_string(),
            "(the model's folder or git repository); pass `--allow-outside-root` to read it",
        ),
        ("fifo.onus.yaml".to_string(), "not a regular file"),
        ("/dev/zero".to_string(), "the model's folder"),
        ("/proc/self/environ".to_string(), "the model's folder"),
    ];
    for (target, why) in &cases {
        let root = dir.path().join("a.onus.yaml");
        std::fs::write(&root, model("a", Some(target))).unwrap();
        let out = check(&root, &[]);
        assert_eq!(out.status.code(), Some(1), "{target}: {}", stderr(&out));
        let shown = stdout(&out);
        assert!(
            shown.contains("error[upstream-missing]: cannot read upstream `up`")
                && shown.contains(why),
            "{target}: {shown}"
        );
    }
    // The flag lets the model out of its folder, never into a device.
    let root = dir.path().join("a.onus.yaml");
    std::fs::write(&root, model("a", Some(&cases[0].0))).unwrap();
    let out = check(&root, &["--allow-outside-root"]);
    assert!(
        !stdout(&out).contains("upstream-missing"),
        "{}",
        stdout(&out)
    );
    std::fs::write(&root, model("a", Some("/proc/self/environ"))).unwrap();
    let out = check(&root, &["--allow-outside-root"]);
    assert!(
        stdout(&out).contains("is a system file"),
        "{}",
        stdout(&out)
    );
    // A size cap, configurable.
    std::fs::write(&root, model("a", Some("big.onus.yaml"))).unwrap();
    let mut big = model("big", None);
    big.push_str(&format!("# {}\n", "x".repeat(2 << 20)));
    std::fs::write(dir.path().join("big.onus.yaml"), big).unwrap();
    let out = check(&root, &["--max-file-size", "2"]);
    assert!(
        stdout(&out).contains("more than the limit of 2 MB"),
        "{}",
        stdout(&out)
    );
}

#[cfg(unix)]
#[test]
fn check_dir_goes_on_past_what_it_cannot_read() {
    let outside = tempfile::tempdir().unwrap();
    std::fs::write(outside.path().join("x.onus.yaml"), "hunter2: [\n").unwrap();
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("a.onus.yaml"), model("a", None)).unwrap();
    std::fs::write(dir.path().join("b.onus.yaml"), b"onus: 1\nmodel: \xff\n").unwrap();
    std::fs::write(dir.path().join("c.onus.yaml"), b"\xff\xfeo\0n\0").unwrap();
    std::os::unix::fs::symlink(outside.path(), dir.path().join("elsewhere")).unwrap();
    let out = check(dir.path(), &[]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let (shown, warned) = (stdout(&out), stderr(&out));
    assert!(!shown.contains("hunter2"), "{shown}");
    assert!(
        warned.contains("elsewhere: a symbolic link out of the folder searched; not followed"),
        "{warned}"
    );
    assert!(
        shown.contains(
            "error[syntax]: cannot read the file: not UTF-8 text: byte 0xFF at line 2, column 8 is not UTF-8"
        ),
        "{shown}"
    );
    assert!(
        shown.contains(
            "cannot read the file: UTF-16 text: onus reads UTF-8; save the file as UTF-8"
        ),
        "{shown}"
    );
    assert!(shown.contains("checked 1 model"), "{shown}");
}

#[test]
fn a_repository_git_does_not_trust_is_named_as_such() {
    let dir = tempfile::tempdir().unwrap();
    let git = |args: &[&str]| {
        let ok = std::process::Command::new("git")
            .args([
                "-c",
                "user.name=t",
                "-c",
                "user.email=t@t",
                "-c",
                "init.defaultBranch=main",
            ])
            .args(args)
            .current_dir(dir.path())
            .output()
            .unwrap();
        assert!(
            ok.status.success(),
            "{}",
            String::from_utf8_lossy(&ok.stderr)
        );
    };
    std::fs::write(dir.path().join("a.onus.yaml"), model("a", None)).unwrap();
    git(&["init", "-q"]);
    git(&["add", "a.onus.yaml"]);
    git(&["commit", "-qm", "a"]);
    let run = |env: &[(&str, &str)], rev: &str| {
        std::process::Command::new(env!("CARGO_BIN_EXE_onus"))
            .args(["diff", rev, "a.onus.yaml"])
            .current_dir(dir.path())
            .envs(env.iter().copied())
            .output()
            .unwrap()
    };
    // git's own switch to test its ownership check.
    let out = run(
        &[("GIT_TEST_ASSUME_DIFFERENT_OWNER", "1")],
        "HEAD:a.onus.yaml",
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("it belongs to another user (git's `safe.directory` check)"),
        "{}",
        stderr(&out)
    );
    // The revision a help line suggests to look at is quoted for the shell.
    let out = run(&[], "no such $(rev):a.onus.yaml");
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("git log --oneline --end-of-options 'no such $(rev)'"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn oscal_import_shortens_ids_and_names_its_input_in_errors() {
    let out = onus(&["oscal", "export", "examples/codat.onus.yaml"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let mut doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let set_prop = |doc: &mut serde_json::Value, name: &str, value: &str| {
        let props = doc["component-definition"]["metadata"]["props"]
            .as_array_mut()
            .unwrap();
        let prop = props.iter_mut().find(|p| p["name"] == name).unwrap();
        prop["value"] = value.into();
    };
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("cd.json");
    // An id of 300 capitals: made into an id and shortened, not refused.
    set_prop(&mut doc, "model", &"A".repeat(300));
    std::fs::write(&input, doc.to_string()).unwrap();
    let out = onus(&["oscal", "import", &input.display().to_string()]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        stdout(&out).contains(&format!("  id: {}\n", "a".repeat(60))),
        "{}",
        stdout(&out)
    );
    // A finding in the imported model is shown where the input says it
    // (line, column, JSON pointer), not in the output never written.
    set_prop(&mut doc, "publisher", "Nobody Here");
    let json = serde_json::to_string_pretty(&doc).unwrap();
    std::fs::write(&input, &json).unwrap();
    let out = onus(&["oscal", "import", &input.display().to_string()]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let shown = stderr(&out);
    let props = doc["component-definition"]["metadata"]["props"]
        .as_array()
        .unwrap();
    let index = props.iter().position(|p| p["name"] == "publisher").unwrap();
    let (line, text) = json
        .lines()
        .enumerate()
        .find(|(_, l)| l.contains("\"Nobody Here\""))
        .unwrap();
    let column = text.find("\"Nobody Here\"").unwrap() + 1;
    assert!(
        shown.contains(&format!(
            "error[unknown-party]: the publisher `nobody-here` is not a declared party \
             (imported from `/component-definition/metadata/props/{index}/value`)"
        )),
        "{shown}"
    );
    assert!(
        shown.contains(&format!("--> {}:{}:{column}\n", input.display(), line + 1)),
        "{shown}"
    );
    assert!(!shown.contains("(as imported)"), "{shown}");

    // A foreign document (not written by onus, schema-valid): its homepage link is the
    // model's url; `check` finds a `javascript:` one at the model's id,
    // which the document's title gave.
    let foreign = serde_json::json!({"component-definition": {
        "uuid": "8e4f2b6a-3c1d-4e5f-9a8b-7c6d5e4f3a2b",
        "metadata": {"title": "Vendor", "oscal-version": "1.1.2",
            "last-modified": "2025-01-01T00:00:00Z", "version": "1",
            "links": [{"rel": "homepage", "href": "javascript:alert(1)"}]},
        "components": [{"uuid": "1e4f2b6a-3c1d-4e5f-9a8b-7c6d5e4f3a2b", "type": "service", "title": "Cloud",
            "description": "The vendor's cloud.",
            "control-implementations": [{"uuid": "2e4f2b6a-3c1d-4e5f-9a8b-7c6d5e4f3a2b", "source": "#nist", "description": "d",
                "implemented-requirements": [{"uuid": "3e4f2b6a-3c1d-4e5f-9a8b-7c6d5e4f3a2b", "control-id": "ac-2",
                    "description": "Accounts."}]}]}]}});
    let json = serde_json::to_string_pretty(&foreign).unwrap();
    std::fs::write(&input, &json).unwrap();
    let out = onus(&["oscal", "import", &input.display().to_string()]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let shown = stderr(&out);
    let line = json.lines().position(|l| l.contains("\"Vendor\"")).unwrap() + 1;
    assert!(
        shown.contains("error[unsafe-url]")
            && shown.contains("(imported from `/component-definition/metadata/title`)")
            && shown.contains(&format!("--> {}:{line}:", input.display())),
        "{shown}"
    );
}

/// A lone `\ud800` escape is no character: an error, located, in a model
/// (JSON or YAML) and in every OSCAL document onus reads.
#[test]
fn a_lone_surrogate_is_an_error_everywhere() {
    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str, text: &str| {
        let path = dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        path.display().to_string()
    };
    let json = write(
        "a.onus.json",
        r#"{"onus": 1, "model": {"id": "m", "name": "x\ud800", "publisher": "p"}}"#,
    );
    let out = onus(&["check", &json]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("error[syntax]: a lone surrogate escape")
            && stdout(&out).contains("a.onus.json:1:44"),
        "{}",
        stdout(&out)
    );
    let yaml = write(
        "b.onus.yaml",
        "onus: 1\nmodel: { id: m, name: \"x\\ud800\", publisher: p }\n",
    );
    let out = onus(&["check", &yaml]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("b.onus.yaml:2:23")
            && stdout(&out).contains("halves of a pair")
            && !stdout(&out).contains("not closed"),
        "{}",
        stdout(&out)
    );
    let cd = write(
        "cd.json",
        r#"{"component-definition": {"uuid": "u", "metadata": {"title": "x\ud800"}}}"#,
    );
    let profile = write(
        "p.json",
        r#"{"profile": {"uuid": "u", "metadata": {"title": "x\ud800"}, "imports": []}}"#,
    );
    let profile_yaml = write(
        "p.yaml",
        "profile:\n  uuid: u\n  metadata: {title: \"x\\ud800\"}\n  imports: []\n",
    );
    for args in [
        vec!["oscal", "import", &cd],
        vec!["oscal", "resolve", &profile],
        vec!["oscal", "resolve", &profile_yaml],
        vec!["oscal", "validate", &profile],
        vec!["oscal", "validate", &profile_yaml],
    ] {
        let out = onus(&args);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr(&out));
        let shown = stderr(&out);
        assert!(
            ["line 1 column", "line 3 column", ":1:", ":3:"]
                .iter()
                .any(|at| shown.contains(at)),
            "{args:?}: {shown}"
        );
        assert!(!shown.contains("panicked"), "{args:?}: {shown}");
    }
}

/// A byte order mark before a JSON document is skipped: the columns of
/// line 1 are those an editor shows, in a model, in `oscal import` and in
/// `oscal validate`.
#[test]
fn a_json_byte_order_mark_does_not_shift_columns() {
    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str, text: &str| {
        let path = dir.path().join(name);
        std::fs::write(&path, format!("\u{feff}{text}")).unwrap();
        path.display().to_string()
    };
    let model = write("m.onus.json", r#"{"onus": 1, "model": 5}"#);
    let out = onus(&["check", &model]);
    assert!(
        stdout(&out).contains("error[invalid-type]: `model` must be a map")
            && stdout(&out).contains("m.onus.json:1:22\n"),
        "{}",
        stdout(&out)
    );
    let cd = write("cd.json", r#"{"component-definition": ]}"#);
    let out = onus(&["oscal", "import", &cd]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("expected value at line 1 column 26"),
        "{}",
        stderr(&out)
    );
    let profile = write("p.json", r#"{"profile": 5}"#);
    let out = onus(&["oscal", "validate", &profile]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stdout(&out).contains("p.json:1:13: /profile:"),
        "{}",
        stdout(&out)
    );
}

/// A number of 100,000 digits is cut where a finding quotes it and where
/// its line is shown: the report stays a few lines long.
#[test]
fn a_huge_number_is_cut_in_the_diagnostic() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("n.onus.yaml");
    let digits = "9".repeat(100_000);
    std::fs::write(
        &path,
        format!("onus: {digits}\nmodel: {{ id: m, name: M, publisher: p }}\n"),
    )
    .unwrap();
    let out = check(&path, &[]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let shown = stdout(&out);
    assert!(
        shown.contains(&format!(
            "error[unsupported-version]: format version `{}…` is not supported",
            "9".repeat(80)
        )),
        "{}",
        &shown[..shown.len().min(2_000)]
    );
    assert!(shown.len() < 2_000, "{} bytes", shown.len());
}

/// The imports a profile writes stay in its folder (or git repository)
/// unless `--allow-outside-root` says otherwise; whatever they lead to is
/// read only if it is a regular file under the size cap.
#[test]
fn profile_imports_are_confined_like_upstreams() {
    let dir = tempfile::tempdir().unwrap();
    let (inside, outside) = (dir.path().join("in"), dir.path().join("out"));
    std::fs::create_dir_all(&inside).unwrap();
    std::fs::create_dir_all(&outside).unwrap();
    let catalog = |padding: usize| {
        format!(
            r#"{{"catalog": {{"uuid": "c", "metadata": {{"title": "C", "remarks": "{}"}},
                "controls": [{{"id": "x-1", "title": "X"}}]}}}}"#,
            " ".repeat(padding)
        )
    };
    std::fs::write(outside.join("cat.json"), catalog(0)).unwrap();
    std::fs::write(inside.join("big.json"), catalog(2 << 20)).unwrap();
    let profile = inside.join("p.json");
    let write_profile = |href: &str| {
        let text = format!(
            r##"{{"profile": {{"uuid": "p", "metadata": {{"title": "P"}},
              "imports": [{{"href": "#r1", "include-all": {{}}}}],
              "back-matter": {{"resources": [{{"uuid": "r1", "rlinks": [{{"href": "{href}"}}]}}]}}}}}}"##
        );
        std::fs::write(&profile, text).unwrap();
    };
    let resolve = |extra: &[&str]| {
        let path = profile.display().to_string();
        let mut args = vec!["oscal", "resolve", path.as_str()];
        args.extend(extra);
        onus(&args)
    };
    // A back-matter resource leading out of the folder: refused, exit 2.
    write_profile("../out/cat.json");
    let out = resolve(&[]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("the profile imports `#r1`, which is ")
            && stderr(&out).contains("pass `--allow-outside-root` to read it"),
        "{}",
        stderr(&out)
    );
    assert!(stdout(&out).is_empty());
    // Allowed: read.
    let out = resolve(&["--allow-outside-root"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stdout(&out).contains("\"x-1\""), "{}", stdout(&out));
    // Inside, but over the size cap: refused before it is read.
    write_profile("big.json");
    let out = resolve(&["--max-file-size", "1"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("more than the limit of 1 MB"),
        "{}",
        stderr(&out)
    );
    // A device is no document, even when allowed out.
    write_profile("file:///dev/zero");
    let out = resolve(&["--allow-outside-root"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("there is no file for it"),
        "{}",
        stderr(&out)
    );
}
