//! Loading one model for the commands that show it: load, check, and stop
//! with the findings (exit 1) if it has errors; else resolve it, with the
//! resolver the checker used, so a chain is resolved once per run.

use std::path::Path;
use std::sync::Arc;

use onus_core::check::check_with;
use onus_core::diagnostic::{self, text, Diagnostic};
use onus_core::load::{Files, ModelSet};
use onus_core::resolve::{Matrix, Resolver};
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
    // One resolver for the checker's chain rules and the matrix: each
    // upstream is resolved once in the run.
    let mut resolver = Resolver::new(&set);
    let found = check_all(&set, &mut resolver);
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
    resolver
        .resolve(set.roots[0])
        .ok_or_else(|| CliError::findings(format!("{label} could not be resolved")))
}

/// A direct upstream of a model, resolved: what an SSP export leverages.
pub struct ResolvedUpstream {
    pub id: String,
    pub matrix: Arc<Matrix>,
    pub fedramp_package: Option<String>,
    pub authorized: Option<String>,
}

/// [`resolved`], with the model's direct upstreams, each resolved, in
/// written order (an upstream that cannot be read is left out: the check
/// has refused the model then).
pub fn resolved_with_upstreams(
    path: &Path,
) -> Result<(Arc<Matrix>, Vec<ResolvedUpstream>), CliError> {
    let label = path.display().to_string();
    let set = ModelSet::load(&[path.to_path_buf()], &OsFiles)
        .map_err(|e| CliError::io("read", &label, e.error))?;
    let mut resolver = Resolver::new(&set);
    let found = check_all(&set, &mut resolver);
    let hint = format!(
        "; run `onus check {}` for details",
        onus_fs::git::shell_quote(&label)
    );
    refuse_errors(found, &set.sources, |errors| {
        format!("{label} has {errors}{hint}")
    })?;
    let root = set.roots[0];
    let matrix = resolver
        .resolve(root)
        .ok_or_else(|| CliError::findings(format!("{label} could not be resolved")))?;
    let mut upstreams = Vec::new();
    if let Some(model) = set.model(root) {
        for (id, target) in &set.get(root).upstreams {
            let (Some(target), Some(up)) = (target, model.upstreams.get(id)) else {
                continue;
            };
            if let Some(m) = resolver.resolve(*target) {
                upstreams.push(ResolvedUpstream {
                    id: id.clone(),
                    matrix: m,
                    fedramp_package: up.fedramp_package.clone(),
                    authorized: up.authorized.as_ref().map(|d| d.value.clone()),
                });
            }
        }
    }
    Ok((matrix, upstreams))
}

/// Every finding of `set`: the model rules (onus-core), and control ids
/// against the catalogs onus knows (onus-oscal).
pub fn check_all<'s>(set: &'s ModelSet, resolver: &mut Resolver<'s>) -> Vec<Diagnostic> {
    let mut found = check_with(set, resolver);
    found.extend(onus_oscal::control_id::check(set));
    found
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
    let count = output::plural(errors, "error");
    Err(CliError::findings(message(count)))
}
