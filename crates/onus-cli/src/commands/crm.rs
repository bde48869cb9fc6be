//! `onus crm MODEL --profile PROFILE.json [--catalog CATALOG.json] [--offering ID]
//! [--framework ID] [--format table|markdown|csv|json|xlsx] [-o FILE]`

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::ValueEnum;
use onus_core::diagnostic::suggest;
use onus_oscal::crm;

use crate::commands::{load, oscal};
use crate::error::CliError;
use crate::output;

#[derive(clap::Args)]
pub struct Args {
    /// The model file.
    model: PathBuf,
    /// The OSCAL profile (baseline) to check the model against, e.g. NIST's HIGH baseline.
    #[arg(long, value_name = "PROFILE.json")]
    profile: PathBuf,
    /// The OSCAL catalog the profile selects from (default: the model
    /// framework's `catalog:`, else the profile's import, an `.xml` href
    /// read as the `.json` beside it).
    #[arg(long, value_name = "CATALOG.json")]
    catalog: Option<PathBuf>,
    /// Only this offering.
    #[arg(long)]
    offering: Option<String>,
    /// The framework whose mappings to read (default: the only one the model's areas map to).
    #[arg(long)]
    framework: Option<String>,
    #[arg(long, value_enum, default_value = "table")]
    format: CrmFormat,
    /// Write to this file (atomically) instead of standard output. An XLSX
    /// workbook needs a file, or a pipe.
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    output: Option<PathBuf>,
}

#[derive(Clone, Copy, ValueEnum)]
enum CrmFormat {
    Table,
    Markdown,
    Csv,
    Json,
    /// A workbook for auditors.
    Xlsx,
}

pub fn run(args: Args) -> Result<ExitCode, CliError> {
    let to_stdout = args.output.as_deref().is_none_or(|p| p == Path::new("-"));
    if matches!(args.format, CrmFormat::Xlsx) && to_stdout && output::stdout_is_terminal() {
        return Err(CliError::Usage(
            "an XLSX workbook is binary and standard output is a terminal; write it to a file with `-o FILE`".into(),
        ));
    }
    let matrix = load::resolved(&args.model)?;
    let offerings = onus_export::select_offerings(&matrix, args.offering.as_deref())?;
    let used = crm::frameworks(&matrix);
    let framework = match args.framework {
        _ if used.is_empty() => {
            return Err(CliError::Usage(format!(
                "{} maps no area to a control; add `controls: [FRAMEWORK:ID, ...]` to its areas",
                args.model.display()
            )))
        }
        Some(f) if used.contains(&f) => f,
        Some(f) => {
            let hint = suggest(&f, used.iter().map(String::as_str))
                .unwrap_or_else(|| format!("it maps areas to: {}", used.join(", ")));
            return Err(CliError::Usage(format!(
                "{} maps no area to framework `{f}`; {hint}",
                args.model.display()
            )));
        }
        None if used.len() == 1 => used[0].clone(),
        None => {
            return Err(CliError::Usage(format!(
                "{} maps areas to several frameworks ({}); choose one with `--framework`",
                args.model.display(),
                used.join(", ")
            )))
        }
    };
    let catalog = match args.catalog {
        Some(c) => Some(c),
        None => oscal::frameworks(&args.model)?
            .into_iter()
            .find(|f| f.id == framework)
            .and_then(|f| f.catalog)
            .map(|c| args.model.parent().unwrap_or(Path::new("")).join(c)),
    };
    let map = onus_oscal::load::HrefMap::new().with_fallback(catalog);
    let baseline = onus_oscal::load::resolve_file(&args.profile, &map)
        .map_err(|e| CliError::Usage(e.to_string()))?;
    let baseline = onus_oscal::Baseline::of(&baseline);
    let crms: Vec<crm::Crm> = offerings
        .iter()
        .map(|o| crm::build(&matrix, o, &baseline, &framework))
        .collect();
    let bytes = match args.format {
        CrmFormat::Xlsx => onus_export::crm::xlsx(&matrix, &crms)
            .map_err(|e| CliError::Usage(format!("cannot write the CRM workbook: {e}")))?,
        CrmFormat::Table => onus_export::crm::render(
            &matrix,
            &crms,
            onus_export::Format::Table {
                width: output::table_width(),
            },
        )
        .into_bytes(),
        CrmFormat::Markdown => {
            onus_export::crm::render(&matrix, &crms, onus_export::Format::Markdown).into_bytes()
        }
        CrmFormat::Csv => {
            onus_export::crm::render(&matrix, &crms, onus_export::Format::Csv).into_bytes()
        }
        CrmFormat::Json => {
            onus_export::crm::render(&matrix, &crms, onus_export::Format::Json).into_bytes()
        }
    };
    output::emit(args.output.as_deref(), &bytes)?;
    Ok(ExitCode::SUCCESS)
}
