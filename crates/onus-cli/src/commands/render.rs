//! `onus render MODEL --to markdown|html|svg|xlsx [--offering ID] [--show-via] [-o FILE]`

use std::path::PathBuf;

use clap::ValueEnum;
use onus_export::render::{self, Options, Target};

use crate::commands::load;
use crate::error::CliError;
use crate::output::{self, Written};

#[derive(clap::Args)]
pub struct Args {
    /// The model file.
    model: PathBuf,
    /// What to render.
    #[arg(long, value_enum)]
    to: RenderTarget,
    /// Only this offering (default: every one).
    #[arg(long, value_name = "ID")]
    offering: Option<String>,
    /// Name parties reached through upstreams with them, "Microsoft (via
    /// azure)", in every document (default: the name alone, with the
    /// upstreams only where two parties share a name).
    #[arg(long)]
    show_via: bool,
    /// Write to this file (atomically) instead of standard output. An XLSX
    /// workbook needs a file, or a pipe.
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    output: Option<PathBuf>,
    /// Write even over the input model, another model file or a read-only
    /// file (refused without it).
    #[arg(long, requires = "output")]
    force: bool,
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

pub fn run(args: Args) -> Result<(), CliError> {
    let target = args.to.to_export();
    if target.is_binary() {
        output::refuse_binary_on_terminal(args.output.as_deref())?;
    }
    let inputs = [args.model.as_path()];
    output::refuse_overwrite(
        args.output.as_deref(),
        Written::Document { inputs: &inputs },
        args.force,
    )?;
    let options = Options {
        show_via: args.show_via,
        created: Some(created()?),
        ..Options::default()
    };
    let mut matrix = load::resolved(&args.model)?;
    if let Some(id) = &args.offering {
        let whole = std::sync::Arc::unwrap_or_clone(matrix);
        matrix = std::sync::Arc::new(onus_export::only_offering(whole, id)?);
    }
    let bytes = render::render_with(&matrix, target, &options)?;
    output::emit(args.output.as_deref(), &bytes)?;
    Ok(())
}

/// When the document is made: `SOURCE_DATE_EPOCH` (seconds since the Unix
/// epoch, for reproducible builds) when set, else now.
fn created() -> Result<i64, CliError> {
    match std::env::var("SOURCE_DATE_EPOCH") {
        Ok(v) => v.trim().parse::<i64>().map_err(|_| {
            CliError::Usage(format!(
                "SOURCE_DATE_EPOCH is `{v}`, not a number of seconds since 1970-01-01; set it to one (e.g. `$(git log -1 --format=%ct)`) or unset it"
            ))
        }),
        Err(_) => Ok(std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))),
    }
}
