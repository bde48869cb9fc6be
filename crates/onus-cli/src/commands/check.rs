//! `onus check PATH... [--format text|json|sarif]`

use std::path::PathBuf;

use clap::ValueEnum;
use onus_core::diagnostic::{self, json, sarif, text, Code, Diagnostic};
use onus_core::load::ModelSet;
use onus_core::source::Span;
use onus_fs::{find_models, OsFiles};

use crate::error::{self, CliError};
use crate::output;

#[derive(clap::Args)]
pub struct Args {
    /// Model files, or folders to search for *.onus.yaml / *.onus.json.
    #[arg(required = true)]
    paths: Vec<PathBuf>,
    #[arg(long, value_enum, default_value = "text")]
    format: Format,
}

#[derive(Clone, Copy, ValueEnum)]
enum Format {
    Text,
    Json,
    Sarif,
}

pub fn run(args: Args) -> Result<(), CliError> {
    for p in &args.paths {
        if !p.exists() {
            return Err(CliError::io(
                "read",
                p,
                std::io::Error::new(std::io::ErrorKind::NotFound, "no such file or folder"),
            ));
        }
    }
    let found =
        find_models(&args.paths).map_err(|e| CliError::io("search", args.paths[0].clone(), e))?;
    for (path, why) in &found.skipped {
        eprintln!("warning: skipped {}: {why}", path.display());
    }
    let files = found.models;
    if files.is_empty() {
        return Err(CliError::Usage(format!(
            "no model files (*.onus.yaml, *.onus.json) in {}",
            args.paths
                .iter()
                .map(|p| p.display().to_string())
                .collect::<Vec<_>>()
                .join(", ")
        )));
    }
    let (mut set, unreadable) = ModelSet::load_all(&files, &OsFiles);
    // Nothing is shown resolved: the chain rules need only the upstreams'
    // customer parts, a fraction of the cost of resolving them whole.
    let mut resolver = onus_core::resolve::Resolver::customer_parts(&set);
    let mut found = super::load::check_all(&set, &mut resolver);
    // A file that cannot be read is one finding; the others are still checked.
    for e in unreadable {
        let file = set.sources.add(&e.path, "");
        let d = Diagnostic::new(
            Code::Syntax,
            Span::new(file, 0, 0),
            format!("cannot read the file: {}", e.error),
        );
        found.push(d);
    }
    let (errors, warnings) = diagnostic::counts(&found);
    let out = match args.format {
        Format::Text => {
            let mut s = text::render(
                &found,
                &set.sources,
                output::color(output::stdout_is_terminal()),
            );
            s.push_str(&format!(
                "checked {}: {}, {}\n",
                output::plural(set.models.len(), "model"),
                output::plural(errors, "error"),
                output::plural(warnings, "warning")
            ));
            s
        }
        Format::Json => {
            serde_json::to_string_pretty(&json::to_value(&found, &set.sources)).unwrap_or_default()
                + "\n"
        }
        Format::Sarif => {
            serde_json::to_string_pretty(&sarif::to_value(
                &found,
                &set.sources,
                env!("CARGO_PKG_VERSION"),
            ))
            .unwrap_or_default()
                + "\n"
        }
    };
    output::emit(None, out.as_bytes())?;
    // The findings are the output: nothing more to say on standard error.
    // The process ends here, with the model set still alive (see `exit_now`).
    error::exit_now(match errors {
        0 => Ok(()),
        _ => Err(CliError::Findings { summary: None }),
    })
}
