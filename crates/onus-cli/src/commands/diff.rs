//! `onus diff OLD NEW [--format text|markdown|json] [--fail-on breaking|any]`

use std::sync::Arc;

use clap::ValueEnum;
use onus_core::diff::{diff, worst, Class};
use onus_core::resolve::Matrix;
use onus_export::diff::{DiffFormat, Version};
use onus_fs::git::{GitFiles, Spec};
use onus_fs::OsFiles;

use crate::commands::load;
use crate::error::CliError;
use crate::output;

#[derive(clap::Args)]
pub struct Args {
    /// The old version: a model file, or REV:PATH for the file (and its
    /// upstreams) as of a git revision, e.g. HEAD~1:models/x.onus.yaml.
    old: String,
    /// The new version, in the same forms.
    new: String,
    #[arg(long, value_enum, default_value = "text")]
    format: Format,
    /// Exit 1 when a change of this class (or worse) is found.
    #[arg(long, value_enum)]
    fail_on: Option<FailOn>,
}

#[derive(Clone, Copy, ValueEnum)]
enum Format {
    Text,
    Markdown,
    Json,
}

#[derive(Clone, Copy, ValueEnum)]
enum FailOn {
    /// A breaking change.
    Breaking,
    /// Any change, cosmetic ones included.
    Any,
}

pub fn run(args: Args) -> Result<(), CliError> {
    let (old_spec, new_spec) = (Spec::parse(&args.old), Spec::parse(&args.new));
    let old = resolved(&old_spec)?;
    let new = resolved(&new_spec)?;
    if old.model != new.model {
        // Still compared (a model may be renamed), but two unrelated models are likely a mistake.
        eprintln!(
            "warning: comparing two different models (`{}` and `{}`); is that what you meant?",
            old.model, new.model
        );
    }
    let changes = diff(&old, &new);
    let format = match args.format {
        Format::Text => DiffFormat::Text {
            color: output::color(output::stdout_is_terminal()),
        },
        Format::Markdown => DiffFormat::Markdown,
        Format::Json => DiffFormat::Json,
    };
    let (old_source, new_source) = (old_spec.to_string(), new_spec.to_string());
    let out = onus_export::diff::render(
        Version {
            matrix: &old,
            source: &old_source,
        },
        Version {
            matrix: &new,
            source: &new_source,
        },
        &changes,
        format,
    );
    output::emit(None, out.as_bytes())?;
    let threshold = match args.fail_on {
        None => return Ok(()),
        Some(FailOn::Breaking) => Class::Breaking,
        Some(FailOn::Any) => Class::Cosmetic,
    };
    match worst(&changes) {
        Some(class) if class >= threshold => {
            let n = changes.iter().filter(|c| c.class >= threshold).count();
            let gate = if threshold == Class::Breaking {
                "breaking"
            } else {
                "any"
            };
            Err(CliError::findings(format!(
                "{} (--fail-on {gate})",
                output::plural(
                    n,
                    if threshold == Class::Breaking {
                        "breaking change"
                    } else {
                        "change"
                    }
                ),
            )))
        }
        _ => Ok(()),
    }
}

/// One side, resolved: from disk, or from a git revision.
fn resolved(spec: &Spec) -> Result<Arc<Matrix>, CliError> {
    let label = spec.to_string();
    match spec {
        Spec::Disk(path) => load::resolved_from(path, &OsFiles, &label),
        Spec::Git { rev, path } => {
            let files = GitFiles::new(rev)?;
            load::resolved_from(path, &files, &label)
        }
    }
}
