//! Writing with `-o`: what must not be replaced, and what an interrupted
//! write leaves behind (nothing).

mod common;

use std::path::Path;
use std::process::{Command, Stdio};

use common::{onus, root, stderr};

/// The names in `dir`, sorted.
fn names(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn render_refuses_to_write_over_its_input_a_model_or_a_read_only_file() {
    let dir = tempfile::tempdir().unwrap();
    let model = dir.path().join("azure.onus.yaml");
    let original = std::fs::read_to_string(root().join("examples/azure.onus.yaml")).unwrap();
    std::fs::write(&model, &original).unwrap();
    let m = model.to_str().unwrap();

    // The reproduction: `-o` naming the input model replaced it with the page.
    let o = onus(&["render", m, "--to", "markdown", "-o", m]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("is the input model") && stderr(&o).contains("--force"),
        "{}",
        stderr(&o)
    );
    assert_eq!(std::fs::read_to_string(&model).unwrap(), original);

    // Another model file, named through another path.
    let other = dir.path().join("other.onus.yaml");
    std::fs::write(&other, "keep").unwrap();
    let o = onus(&["render", m, "--to", "html", "-o", other.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("is a model file"), "{}", stderr(&o));
    assert_eq!(std::fs::read_to_string(&other).unwrap(), "keep");

    // A read-only file.
    let page = dir.path().join("page.md");
    std::fs::write(&page, "keep").unwrap();
    let mut perms = std::fs::metadata(&page).unwrap().permissions();
    perms.set_readonly(true);
    std::fs::set_permissions(&page, perms).unwrap();
    let p = page.to_str().unwrap();
    let o = onus(&["render", m, "--to", "markdown", "-o", p]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("is read-only"), "{}", stderr(&o));
    assert_eq!(std::fs::read_to_string(&page).unwrap(), "keep");

    // `--force` says it is meant; an ordinary output file needs nothing.
    let o = onus(&["render", m, "--to", "markdown", "-o", p, "--force"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(std::fs::read_to_string(&page).unwrap().starts_with("# "));
    let fresh = dir.path().join("fresh.md");
    std::fs::write(&fresh, "old").unwrap();
    let o = onus(&[
        "render",
        m,
        "--to",
        "markdown",
        "-o",
        fresh.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(
        names(dir.path()),
        ["azure.onus.yaml", "fresh.md", "other.onus.yaml", "page.md"]
    );
}

/// Ctrl-C or SIGTERM while `render -o` writes: the temporary file is
/// removed. The model's long title makes the write long enough to catch:
/// the test waits for the temporary file to appear, then sends the signal.
#[cfg(unix)]
#[test]
fn an_interrupted_render_leaves_no_temporary_file() {
    let dir = tempfile::tempdir().unwrap();
    let model = dir.path().join("big.onus.yaml");
    let text = std::fs::read_to_string(root().join("examples/azure.onus.yaml")).unwrap();
    let title = format!("  title: \"{}\"", "x".repeat(60_000_000));
    std::fs::write(
        &model,
        text.replacen("  title: Shared responsibility in the cloud", &title, 1),
    )
    .unwrap();
    let out_dir = dir.path().join("out");
    std::fs::create_dir(&out_dir).unwrap();
    let out = out_dir.join("page.md");
    let mut caught = 0;
    for signal in ["-INT", "-TERM", "-INT"] {
        let mut child = Command::new(env!("CARGO_BIN_EXE_onus"))
            .args(["render", model.to_str().unwrap(), "--to", "markdown"])
            .args(["-o", out.to_str().unwrap()])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        // Wait for the temporary file (or the end of the run).
        let writing = loop {
            if !names(&out_dir).is_empty() {
                break true;
            }
            if child.try_wait().unwrap().is_some() {
                break false;
            }
            std::thread::sleep(std::time::Duration::from_micros(200));
        };
        Command::new("kill")
            .args([signal, &child.id().to_string()])
            .status()
            .unwrap();
        let status = child.wait().unwrap();
        let left = names(&out_dir);
        if writing && status.code() == Some(130) {
            caught += 1;
            assert!(left.is_empty(), "after {signal} mid-write: {left:?}");
        } else {
            assert!(left.is_empty() || left == ["page.md"], "{left:?}");
        }
        if !left.is_empty() {
            let page = std::fs::read_to_string(&out).unwrap();
            assert!(page.len() > 60_000_000, "a half page");
            std::fs::remove_file(&out).unwrap();
        }
    }
    assert!(caught > 0, "no signal landed while the file was written");
}
