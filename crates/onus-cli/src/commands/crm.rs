//! `onus crm MODEL (--baseline NAME | --profile PROFILE.json [--href-map FROM=TO]...)
//! [--offering ID] [--framework ID] [--format table|markdown|csv|json|xlsx]
//! [--template onus|fedramp] [--fail-on unassigned] [-o FILE]`
//! and `onus crm --list-baselines`.

use std::path::{Path, PathBuf};

use clap::ValueEnum;
use onus_oscal::baseline::{Baseline, BUILTIN};
use onus_oscal::crm;
use onus_oscal::load::HrefMap;

use crate::commands::{load, oscal};
use crate::error::CliError;
use crate::output;

#[derive(clap::Args)]
pub struct Args {
    /// The model file.
    #[arg(required_unless_present = "list_baselines")]
    model: Option<PathBuf>,
    /// A built-in baseline (no files needed), e.g. `nist-800-53-rev5-moderate`
    /// or `fedramp-rev5-low`: see `--list-baselines`. Default: the one the
    /// model framework's `catalog:` names, if it names one.
    #[arg(long, value_name = "NAME", conflicts_with = "profile")]
    baseline: Option<String>,
    /// An OSCAL profile (JSON, YAML or XML) to resolve and check the model against, for
    /// baselines that are not built in. Its imports are read as their hrefs
    /// say, relative to the profile that holds them.
    #[arg(long, value_name = "PROFILE.json")]
    profile: Option<PathBuf>,
    /// Read the import written FROM (as in the profile: a path, a URL, or a
    /// back-matter resource's link) from the file TO instead; only that
    /// document is replaced, the rest of the chain is resolved. Repeatable.
    #[arg(long, value_name = "FROM=TO", requires = "profile")]
    href_map: Vec<String>,
    /// Deprecated: use `--href-map`. The catalog for the imports of the
    /// profile chain that cannot be found (missing files, URLs); imports
    /// that are found are read as they are.
    #[arg(long, value_name = "CATALOG.json", requires = "profile", hide = true)]
    catalog: Option<PathBuf>,
    /// Fail (exit 1) if resolving the profile gives warnings (they are
    /// always shown on standard error, with their count).
    #[arg(long)]
    deny_warnings: bool,
    /// Exit 1 (after writing the CRM) when a control of the baseline is in
    /// this class, for CI: `--fail-on unassigned`.
    #[arg(long, value_enum, value_name = "CLASS")]
    fail_on: Option<FailOn>,
    /// List the built-in baselines, with the release each is from.
    #[arg(long, exclusive = true)]
    list_baselines: bool,
    /// Only this offering.
    #[arg(long)]
    offering: Option<String>,
    /// The framework whose mappings to read (default: the only one the model's areas map to).
    #[arg(long)]
    framework: Option<String>,
    #[arg(long, value_enum, default_value = "table")]
    format: CrmFormat,
    /// The columns of a CSV or XLSX CRM: onus's own, or FedRAMP's CRM
    /// (a sheet per offering; Control ID, Can Be Inherited from CSP,
    /// origination in FedRAMP's words, customer and CSP responsibility
    /// apart, parameter values and the statement filled in with them).
    #[arg(long, value_enum, default_value = "onus")]
    template: CrmTemplate,
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

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum FailOn {
    /// A control no area maps to, or whose areas have no holder.
    Unassigned,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum CrmTemplate {
    /// onus's columns (docs/oscal.md, "Columns").
    Onus,
    /// FedRAMP's Customer Responsibility Matrix.
    Fedramp,
}

pub fn run(args: Args) -> Result<(), CliError> {
    let Some(model) = args.model.as_deref().filter(|_| !args.list_baselines) else {
        output::emit(None, list_baselines()?.as_bytes())?;
        return Ok(());
    };
    if args.template == CrmTemplate::Fedramp
        && !matches!(args.format, CrmFormat::Xlsx | CrmFormat::Csv)
    {
        return Err(CliError::Usage(
            "`--template fedramp` shapes a CSV or XLSX CRM: add `--format xlsx` or `--format csv`"
                .to_string(),
        ));
    }
    if matches!(args.format, CrmFormat::Xlsx) {
        output::refuse_binary_on_terminal(args.output.as_deref())?;
    }
    let matrix = load::resolved(model)?;
    let offerings = onus_export::select_offerings(&matrix, args.offering.as_deref())?;
    let framework = crm::choose_framework(&matrix, args.framework.as_deref())?;
    // The framework's `catalog:`: a built-in baseline's name, or a file
    // relative to the model.
    let catalog = matrix
        .frameworks
        .get(&framework)
        .and_then(|f| f.catalog.as_ref())
        .map(|c| c.value.clone());
    let builtin = catalog
        .clone()
        .filter(|c| BUILTIN.iter().any(|b| b.name == *c));
    let baseline = match (&args.baseline, &args.profile) {
        (Some(name), _) => Baseline::builtin(name)?,
        (None, Some(profile)) => {
            if args.catalog.is_some() {
                eprintln!(
                    "warning: `--catalog` is deprecated: it now only answers the imports that \
                     cannot be found; map an import with `--href-map FROM=TO`"
                );
            }
            let fallback = args.catalog.clone().or_else(|| {
                catalog
                    .filter(|_| builtin.is_none())
                    .map(|c| model.parent().unwrap_or(Path::new("")).join(c))
            });
            // The model's `catalog:` stays inside its folder or repository.
            if let Some(path) = fallback.as_ref().filter(|_| args.catalog.is_none()) {
                onus_fs::confine(model, path).map_err(|e| CliError::io("read", path, e))?;
            }
            let mut map = HrefMap::new().with_fallback(fallback);
            for entry in &args.href_map {
                map.insert_arg(entry)?;
            }
            let resolved =
                onus_oscal::load::resolve_file(profile, &map)?;
            oscal::warn(profile, resolved.warnings(), args.deny_warnings)?;
            Baseline::of(&resolved)
        }
        (None, None) => match builtin {
            Some(name) => Baseline::builtin(&name)?,
            None => {
                return Err(CliError::Usage(format!(
                    "which baseline? give a built-in one with `--baseline NAME` (`onus crm \
                     --list-baselines` lists them) or an OSCAL profile with `--profile PROFILE.json`; \
                     or name a built-in baseline in framework `{framework}`'s `catalog:` in {}",
                    model.display()
                )))
            }
        },
    };
    crm::ensure_matches(&matrix, &baseline, &framework)?;
    let crms: Vec<crm::Crm> = offerings
        .iter()
        .map(|o| crm::build(&matrix, o, &baseline, &framework))
        .collect();
    let bytes = match (args.format, args.template) {
        (CrmFormat::Xlsx, CrmTemplate::Fedramp) => onus_export::crm_fedramp::xlsx(&matrix, &crms)?,
        (CrmFormat::Csv, CrmTemplate::Fedramp) => onus_export::crm_fedramp::csv(&crms).into_bytes(),
        (format, _) => render(format, &matrix, &crms)?,
    };
    output::emit(args.output.as_deref(), &bytes)?;
    if args.fail_on == Some(FailOn::Unassigned) {
        let unassigned: usize = crms.iter().map(|c| c.counts.unassigned).sum();
        if unassigned > 0 {
            return Err(CliError::findings(format!(
                "{} unassigned (`--fail-on unassigned`)",
                output::plural(unassigned, "control")
            )));
        }
    }
    Ok(())
}

/// The CRM in onus's own columns.
fn render(
    format: CrmFormat,
    matrix: &onus_core::resolve::Matrix,
    crms: &[crm::Crm],
) -> Result<Vec<u8>, CliError> {
    Ok(match format {
        CrmFormat::Xlsx => onus_export::crm::xlsx(matrix, crms)?,
        CrmFormat::Table => onus_export::crm::render(
            matrix,
            crms,
            onus_export::Format::Table {
                width: output::table_width(),
            },
        )
        .into_bytes(),
        CrmFormat::Markdown => {
            onus_export::crm::render(matrix, crms, onus_export::Format::Markdown).into_bytes()
        }
        CrmFormat::Csv => {
            onus_export::crm::render(matrix, crms, onus_export::Format::Csv).into_bytes()
        }
        CrmFormat::Json => {
            onus_export::crm::render(matrix, crms, onus_export::Format::Json).into_bytes()
        }
    })
}

/// `onus crm --list-baselines`: name, size, release and source of each
/// built-in baseline.
fn list_baselines() -> Result<String, CliError> {
    let mut out = String::new();
    for builtin in BUILTIN {
        let baseline = Baseline::builtin(builtin.name)?;
        out.push_str(&format!(
            "{:<26} {:>3} controls  release {:<24} {}\n",
            builtin.name,
            baseline.len(),
            baseline.release,
            builtin.source
        ));
    }
    Ok(out)
}
