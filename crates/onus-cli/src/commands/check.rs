//! `onus check PATH... [--format text|json|sarif]`

use std::path::PathBuf;
use std::process::ExitCode;

use clap::ValueEnum;
use onus_core::check::check;
use onus_core::diagnostic::{self, json, sarif, text, Code, Diagnostic};
use onus_core::load::ModelSet;
use onus_core::source::Span;
use onus_fs::{find_models, OsFiles};

use crate::error::{CliError, FINDINGS};
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

pub fn run(args: Args) -> Result<ExitCode, CliError> {
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
    let mut found = check(&set);
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
                "checked {} model{}: {errors} error{}, {warnings} warning{}\n",
                set.models.len(),
                plural(set.models.len()),
                plural(errors),
                plural(warnings)
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
    // The process ends here: taking a big model set apart piece by piece
    // would cost more than the rest of the run after parsing; the system
    // takes the memory back at once.
    std::mem::forget(set);
    Ok(if errors > 0 {
        ExitCode::from(FINDINGS)
    } else {
        ExitCode::SUCCESS
    })
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}
