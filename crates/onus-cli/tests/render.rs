//! `onus render` end to end: every target written to a file, XLSX to a
//! pipe, bad usage refused with exit code 2.

use std::path::{Path, PathBuf};
use std::process::Command;

fn onus() -> Command {
    Command::new(env!("CARGO_BIN_EXE_onus"))
}

fn example(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("../../examples/{name}.onus.yaml"))
}

#[test]
fn writes_every_target_to_a_file() {
    let dir = tempfile::tempdir().unwrap();
    for (to, starts) in [
        ("markdown", &b"# Codat: Shared responsibility model\n"[..]),
        ("html", b"<!DOCTYPE html>"),
        ("svg", b"<svg xmlns=\"http://www.w3.org/2000/svg\""),
        ("xlsx", b"PK\x03\x04"),
    ] {
        let out = dir.path().join(format!("codat.{to}"));
        let run = onus()
            .args(["render", "--to", to, "-o"])
            .arg(&out)
            .arg(example("codat"))
            .output()
            .unwrap();
        assert!(
            run.status.success(),
            "{to}: {}",
            String::from_utf8_lossy(&run.stderr)
        );
        assert!(run.stdout.is_empty(), "{to}: wrote to stdout too");
        let bytes = std::fs::read(&out).unwrap();
        assert!(
            bytes.starts_with(starts),
            "{to}: starts with {:?}",
            &bytes[..16.min(bytes.len())]
        );
    }
}

#[test]
fn stdout_gets_the_same_bytes_as_a_file() {
    let dir = tempfile::tempdir().unwrap();
    for to in ["markdown", "svg", "xlsx"] {
        let out = dir.path().join(to);
        // The workbook's creation date is the run's: fixed here, so both runs agree.
        let file = onus()
            .env("SOURCE_DATE_EPOCH", "1796079900")
            .args(["render", "--to", to, "-o"])
            .arg(&out)
            .arg(example("azure"))
            .output()
            .unwrap();
        assert!(file.status.success());
        // Standard output is a pipe here, so even the binary workbook may go there.
        let piped = onus()
            .env("SOURCE_DATE_EPOCH", "1796079900")
            .args(["render", "--to", to])
            .arg(example("azure"))
            .output()
            .unwrap();
        assert!(
            piped.status.success(),
            "{to}: {}",
            String::from_utf8_lossy(&piped.stderr)
        );
        assert_eq!(piped.stdout, std::fs::read(&out).unwrap(), "{to}");
    }
}

#[test]
fn bad_usage_exits_2() {
    let unknown = onus()
        .args(["render", "--to", "pdf"])
        .arg(example("codat"))
        .output()
        .unwrap();
    assert_eq!(unknown.status.code(), Some(2));
    let missing = onus()
        .args(["render", "--to", "svg", "no-such-model.onus.yaml"])
        .output()
        .unwrap();
    assert_eq!(missing.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&missing.stderr).contains("no-such-model.onus.yaml"));
}

#[test]
fn source_date_epoch_makes_the_workbook_reproducible() {
    let run = |epoch: &str| {
        onus()
            .env("SOURCE_DATE_EPOCH", epoch)
            .args(["render", "--to", "xlsx"])
            .arg(example("codat"))
            .output()
            .unwrap()
    };
    let (a, b, c) = (run("1796079900"), run("1796079900"), run("946684800"));
    assert!(a.status.success(), "{}", String::from_utf8_lossy(&a.stderr));
    assert_eq!(a.stdout, b.stdout);
    assert_ne!(a.stdout, c.stdout, "the date is in the workbook");
    let bad = run("yesterday");
    assert_eq!(bad.status.code(), Some(2));
    let err = String::from_utf8_lossy(&bad.stderr);
    assert!(err.contains("SOURCE_DATE_EPOCH is `yesterday`"), "{err}");
}

#[test]
fn one_offering_and_names_with_or_without_upstreams() {
    let md = |extra: &[&str]| {
        let o = onus()
            .args(["render", "--to", "markdown"])
            .args(extra)
            .arg(example("outsystems"))
            .output()
            .unwrap();
        (
            o.status.code(),
            String::from_utf8_lossy(&o.stdout).into_owned(),
            String::from_utf8_lossy(&o.stderr).into_owned(),
        )
    };
    let (code, page, _) = md(&["--offering", "odc"]);
    assert_eq!(code, Some(0));
    assert!(
        page.contains("| Area | OutSystems Developer Cloud |"),
        "{page}"
    );
    assert!(!page.contains("OutSystems 11 Cloud"), "{page}");
    assert!(
        page.contains("\n### Amazon Web Services\n") && !page.contains("(via aws)"),
        "{page}"
    );
    let (code, page, _) = md(&["--show-via"]);
    assert_eq!(code, Some(0));
    assert!(
        page.contains("\n### Amazon Web Services (via aws)\n"),
        "{page}"
    );
    let (code, _, err) = md(&["--offering", "od"]);
    assert_eq!(code, Some(2));
    assert!(err.contains("did you mean `odc`?"), "{err}");
}
