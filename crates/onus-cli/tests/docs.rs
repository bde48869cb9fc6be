//! The documentation's examples are real: every fenced `yaml` or `json`
//! block of `docs/format.md`, `docs/tutorial.md` and `README.md` is a whole
//! model that `onus check` passes with no error and no warning, unless its
//! info string marks it `excerpt` (part of a model) or `output` (what a
//! command prints). A model block is checked in a folder that also holds
//! the bundled examples, so `model: aws.onus.yaml` names the bundled AWS
//! model. The tutorial's step files (`docs/tutorial/`) pass as they are,
//! with their paths to `examples/`. `onus man` is `docs/onus.1`.

mod common;

use common::{onus, root, stderr, stdout};

/// A fenced block: its info string, its text, and the line it starts on.
struct Block {
    info: String,
    text: String,
    line: usize,
}

/// The fenced blocks (``` only, the docs use no other fence) of a Markdown text.
fn blocks(markdown: &str) -> Vec<Block> {
    let mut out = Vec::new();
    let mut open: Option<Block> = None;
    for (i, line) in markdown.lines().enumerate() {
        let trimmed = line.trim_start();
        match open.take() {
            None => {
                if let Some(info) = trimmed.strip_prefix("```") {
                    open = Some(Block {
                        info: info.trim().to_string(),
                        text: String::new(),
                        line: i + 1,
                    });
                }
            }
            Some(mut b) => {
                if trimmed == "```" {
                    out.push(b);
                } else {
                    b.text.push_str(line);
                    b.text.push('\n');
                    open = Some(b);
                }
            }
        }
    }
    assert!(open.is_none(), "a fenced block is never closed");
    out
}

/// What a block is, by its info string.
#[derive(Debug, PartialEq)]
enum Kind {
    /// `yaml` or `json`: a whole model.
    Model(&'static str),
    /// `yaml excerpt`, `json output`...: shown, not checked.
    Shown,
    /// Another language (`sh`, none...).
    Other,
}

fn kind(info: &str) -> Kind {
    let mut words = info.split_whitespace();
    let ext = match words.next() {
        Some("yaml") => "yaml",
        Some("json") => "json",
        _ => return Kind::Other,
    };
    let rest: Vec<&str> = words.collect();
    match rest.as_slice() {
        [] => Kind::Model(ext),
        ["excerpt"] | ["output"] => Kind::Shown,
        other => panic!("unknown info string `{info}` ({other:?}): use `{ext}`, `{ext} excerpt` or `{ext} output`"),
    }
}

/// Checks every model block of `doc`; returns how many there were.
fn check_doc(doc: &str) -> usize {
    let text = std::fs::read_to_string(root().join(doc)).unwrap();
    let dir = tempfile::tempdir().unwrap();
    for e in std::fs::read_dir(root().join("examples")).unwrap() {
        let e = e.unwrap();
        std::fs::copy(e.path(), dir.path().join(e.file_name())).unwrap();
    }
    let mut checked = 0;
    for b in blocks(&text) {
        let Kind::Model(ext) = kind(&b.info) else {
            continue;
        };
        let file = dir.path().join(format!("doc-example.onus.{ext}"));
        std::fs::write(&file, &b.text).unwrap();
        let o = onus(&["check", file.to_str().unwrap()]);
        let out = stdout(&o);
        assert!(
            o.status.code() == Some(0) && out.trim_end().ends_with(" 0 errors, 0 warnings"),
            "{doc}:{}: this `{}` block does not pass `onus check` (mark it `{ext} excerpt` if it is part of a model):\n{out}{}",
            b.line,
            b.info,
            stderr(&o)
        );
        checked += 1;
    }
    checked
}

#[test]
fn format_reference_examples_pass_check() {
    assert!(check_doc("docs/format.md") >= 3);
}

#[test]
fn tutorial_examples_pass_check() {
    check_doc("docs/tutorial.md");
}

#[test]
fn readme_examples_pass_check() {
    check_doc("README.md");
}

#[test]
fn the_block_kinds_are_read_from_the_info_string() {
    assert_eq!(kind("yaml"), Kind::Model("yaml"));
    assert_eq!(kind("json"), Kind::Model("json"));
    assert_eq!(kind("yaml excerpt"), Kind::Shown);
    assert_eq!(kind("json output"), Kind::Shown);
    assert_eq!(kind("sh"), Kind::Other);
    assert_eq!(kind(""), Kind::Other);
    let b = blocks("a\n```yaml excerpt\nx: 1\n```\n```sh\nls\n```\n");
    assert_eq!(b.len(), 2);
    assert_eq!(
        (b[0].info.as_str(), b[0].text.as_str(), b[0].line),
        ("yaml excerpt", "x: 1\n", 2)
    );
}

/// Every step of the tutorial is a file that passes as it is, and the
/// tutorial links each one.
#[test]
fn tutorial_steps_pass_check() {
    let tutorial = std::fs::read_to_string(root().join("docs/tutorial.md")).unwrap();
    let mut steps: Vec<String> = std::fs::read_dir(root().join("docs/tutorial"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".onus.yaml"))
        .collect();
    steps.sort();
    assert!(steps.len() >= 5, "{steps:?}");
    for step in &steps {
        let path = format!("docs/tutorial/{step}");
        assert!(
            tutorial.contains(&format!("(tutorial/{step})")),
            "docs/tutorial.md does not link {path}"
        );
        let o = onus(&["check", &path]);
        assert_eq!(
            o.status.code(),
            Some(0),
            "{path}:\n{}{}",
            stdout(&o),
            stderr(&o)
        );
        assert!(
            stdout(&o).ends_with(" 0 errors, 0 warnings\n"),
            "{path}: {}",
            stdout(&o)
        );
    }
}

#[test]
fn man_page_is_current() {
    let page = std::fs::read_to_string(root().join("docs/onus.1")).unwrap();
    let o = onus(&["man"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(
        page == stdout(&o),
        "docs/onus.1 is stale: run `cargo run -- man > docs/onus.1`"
    );
    assert!(
        page.contains(".TH onus 1"),
        "{}",
        &page[..page.len().min(300)]
    );
}

#[test]
fn completions_are_generated_for_each_shell() {
    for (shell, marker) in [
        ("bash", "complete -F"),
        ("zsh", "#compdef onus"),
        ("fish", "complete -c onus"),
    ] {
        let o = onus(&["completions", shell]);
        assert_eq!(o.status.code(), Some(0), "{shell}: {}", stderr(&o));
        let script = stdout(&o);
        assert!(script.contains(marker), "{shell}: no `{marker}`");
        assert!(
            script.contains("render") && script.contains("show-via"),
            "{shell}: subcommands and options missing"
        );
    }
    assert_eq!(onus(&["completions", "tcsh"]).status.code(), Some(2));
}
