//! Loading one model for the commands that show it: load, check, and stop
//! with the findings (exit 1) if it has errors.

use std::path::Path;
use std::sync::Arc;

use onus_core::check::check;
use onus_core::diagnostic::{self, text, Diagnostic};
use onus_core::load::{Files, ModelSet};
use onus_core::resolve::{resolve, Matrix};
use onus_core::source::SourceMap;
use onus_fs::OsFiles;

use crate::error::CliError;
use crate::output;

/// The resolved matrix of the model at `path`, if it has no errors.
pub fn resolved(path: &Path) -> Result<Arc<Matrix>, CliError> {
    resolved_from(path, &OsFiles, &path.display().to_string())
}

/// The resolved matrix of the model at `path` read through `files` (the
/// disk, or a git revision), if it has no errors; `label` names it in
/// messages (`HEAD~1:models/x.onus.yaml`).
pub fn resolved_from(path: &Path, files: &dyn Files, label: &str) -> Result<Arc<Matrix>, CliError> {
    let set = ModelSet::load(&[path.to_path_buf()], files)
        .map_err(|e| CliError::io("read", label, e.error))?;
    let found = check(&set);
    // `onus check` reads files on disk only: no hint for a git revision.
    let hint = if *label == *path.display().to_string() {
        format!(
            "; run `onus check {}` for details",
            onus_fs::git::shell_quote(label)
        )
    } else {
        String::new()
    };
    refuse_errors(found, &set.sources, |errors| {
        format!("{label} has {errors}{hint}")
    })?;
    resolve(&set, set.roots[0])
        .ok_or_else(|| CliError::Findings(format!("{label} could not be resolved")))
}

/// Passes when `found` has no error; otherwise prints the errors on stderr
/// and fails (exit 1) with `message("N errors")`.
pub fn refuse_errors(
    found: Vec<Diagnostic>,
    sources: &SourceMap,
    message: impl FnOnce(String) -> String,
) -> Result<(), CliError> {
    let (errors, _) = diagnostic::counts(&found);
    if errors == 0 {
        return Ok(());
    }
    let shown: Vec<_> = found.into_iter().filter(Diagnostic::is_error).collect();
    let color = output::color(output::stderr_is_terminal());
    eprint!("{}", text::render(&shown, sources, color));
    let count = format!("{errors} error{}", if errors == 1 { "" } else { "s" });
    Err(CliError::Findings(message(count)))
}
