//! What the end-to-end tests share: running the real binary from the
//! repository's root, and reading its output.

#![allow(dead_code)] // each test file uses what it needs

pub mod server;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The repository's root (the folder with `examples/`).
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// A file of the OSCAL reference data in `data/oscal/`.
pub fn shared(path: &str) -> String {
    root().join("data/oscal").join(path).display().to_string()
}

/// Runs `onus ARGS` in the root, without colour or a table width.
pub fn onus(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_onus"))
        .args(args)
        .current_dir(root())
        .env("NO_COLOR", "1")
        .env_remove("COLUMNS")
        .output()
        .unwrap()
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).unwrap()
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8(o.stderr.clone()).unwrap()
}
