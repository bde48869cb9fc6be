//! Loading one model for the commands that show it: load, check, and stop
//! with the findings (exit 1) if it has errors.

use std::path::Path;
use std::rc::Rc;

use onus_core::check::check;
use onus_core::diagnostic::{self, text};
use onus_core::load::ModelSet;
use onus_core::resolve::{resolve, Matrix};
use onus_fs::OsFiles;

use crate::error::CliError;
use crate::output;

/// The resolved matrix of the model at `path`, if it has no errors.
pub fn resolved(path: &Path) -> Result<Rc<Matrix>, CliError> {
    let set = ModelSet::load(&[path.to_path_buf()], &OsFiles)?;
    let found = check(&set);
    let (errors, _) = diagnostic::counts(&found);
    if errors > 0 {
        let shown: Vec<_> = found.into_iter().filter(|d| d.is_error()).collect();
        eprint!(
            "{}",
            text::render(
                &shown,
                &set.sources,
                output::color(output::stderr_is_terminal())
            )
        );
        return Err(CliError::Findings(format!(
            "{} has {errors} error{}; run `onus check {}` for details",
            path.display(),
            if errors == 1 { "" } else { "s" },
            path.display()
        )));
    }
    resolve(&set, set.roots[0])
        .ok_or_else(|| CliError::Findings(format!("{} could not be resolved", path.display())))
}
