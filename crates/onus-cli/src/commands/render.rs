//! `onus render MODEL --to markdown|html|svg|xlsx [-o FILE]`

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::ValueEnum;
use onus_export::render::{self, Target};

use crate::commands::load;
use crate::error::CliError;
use crate::output;

#[derive(clap::Args)]
pub struct Args {
    /// The model file.
    model: PathBuf,
    /// What to render.
    #[arg(long, value_enum)]
    to: RenderTarget,
    /// Write to this file (atomically) instead of standard output. An XLSX
    /// workbook needs a file, or a pipe.
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    output: Option<PathBuf>,
}

#[derive(Clone, Copy, ValueEnum)]
enum RenderTarget {
    /// A Markdown page (GitHub-flavoured) to publish.
    Markdown,
    /// A self-contained HTML trust page.
    Html,
    /// The stack diagram.
    Svg,
    /// A workbook for auditors.
    Xlsx,
}

impl RenderTarget {
    fn to_export(self) -> Target {
        match self {
            RenderTarget::Markdown => Target::Markdown,
            RenderTarget::Html => Target::Html,
            RenderTarget::Svg => Target::Svg,
            RenderTarget::Xlsx => Target::Xlsx,
        }
    }
}

pub fn run(args: Args) -> Result<ExitCode, CliError> {
    let target = args.to.to_export();
    let to_stdout = args.output.as_deref().is_none_or(|p| p == Path::new("-"));
    if target.is_binary() && to_stdout && output::stdout_is_terminal() {
        return Err(CliError::Usage(
            "an XLSX workbook is binary and standard output is a terminal; write it to a file with `-o FILE`".into(),
        ));
    }
    let matrix = load::resolved(&args.model)?;
    let bytes = render::render(&matrix, target)
        .map_err(|e| CliError::Usage(format!("cannot render {}: {e}", args.model.display())))?;
    output::emit(args.output.as_deref(), &bytes)?;
    Ok(ExitCode::SUCCESS)
}
