//! `onus oscal export MODEL [--kind component-definition|ssp] [--offering ID] [-o FILE]`,
//! `onus oscal import FILE [-o MODEL.onus.yaml]` and
//! `onus oscal resolve PROFILE [--href-map FROM=TO]... [-o FILE]`.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Subcommand, ValueEnum};
use onus_core::check::check;
use onus_core::load::ModelSet;
use onus_fs::OsFiles;
use onus_oscal::export::{self, Framework, Input};

use crate::commands::load;
use crate::error::CliError;
use crate::output;

#[derive(clap::Args)]
pub struct Args {
    #[command(subcommand)]
    command: OscalCommand,
}

#[derive(Subcommand)]
enum OscalCommand {
    /// Export a model as an OSCAL component definition or SSP fragment (JSON).
    Export(ExportArgs),
    /// Import an OSCAL component definition or SSP (JSON) as an onus model (YAML).
    Import(ImportArgs),
    /// Resolve an OSCAL profile (and the profiles it imports) into the catalog it describes.
    Resolve(ResolveArgs),
}

#[derive(clap::Args)]
struct ResolveArgs {
    /// The OSCAL profile (JSON). Its imports are read as their hrefs say,
    /// relative to the profile that holds them.
    profile: PathBuf,
    /// Read the import written FROM (as in the profile: a path, a URL, or a
    /// back-matter resource's link) from the file TO instead; only that
    /// document is replaced, the rest of the chain is resolved. Repeatable.
    #[arg(long, value_name = "FROM=TO")]
    href_map: Vec<String>,
    /// Fail (exit 1, nothing written) if resolution gives warnings (they
    /// are always shown on standard error, with their count).
    #[arg(long)]
    deny_warnings: bool,
    /// Write the resolved catalog to this file (atomically) instead of standard output.
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    output: Option<PathBuf>,
}

#[derive(clap::Args)]
struct ExportArgs {
    /// The model file.
    model: PathBuf,
    /// What to write.
    #[arg(long, value_enum, default_value = "component-definition")]
    kind: ExportKind,
    /// The offering: the system an SSP describes (needed when the model has
    /// several); for a component definition, only this offering.
    #[arg(long)]
    offering: Option<String>,
    /// Write to this file (atomically) instead of standard output.
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    output: Option<PathBuf>,
}

#[derive(Clone, Copy, ValueEnum)]
enum ExportKind {
    /// One component per provider-side party, implemented requirements per mapped control.
    ComponentDefinition,
    /// A system security plan fragment whose `by-components` carry `export`.
    Ssp,
}

#[derive(clap::Args)]
struct ImportArgs {
    /// The OSCAL JSON file: a component-definition or a system-security-plan.
    file: PathBuf,
    /// Write the model to this file (atomically) instead of standard output.
    #[arg(short = 'o', long = "output", value_name = "MODEL.onus.yaml")]
    output: Option<PathBuf>,
    /// Replace the model file if it exists (a model is a source file: it may have been edited).
    #[arg(long)]
    force: bool,
}

pub fn run(args: Args) -> Result<ExitCode, CliError> {
    match args.command {
        OscalCommand::Export(args) => export(args),
        OscalCommand::Import(args) => import(args),
        OscalCommand::Resolve(args) => resolve(args),
    }
}

fn resolve(args: ResolveArgs) -> Result<ExitCode, CliError> {
    let mut map = onus_oscal::load::HrefMap::new();
    for entry in &args.href_map {
        map.insert_arg(entry).map_err(error)?;
    }
    let resolved = onus_oscal::load::resolve_file(&args.profile, &map).map_err(error)?;
    warn(&args.profile, resolved.warnings(), args.deny_warnings)?;
    output::emit(args.output.as_deref(), resolved.to_json_pretty().as_bytes())?;
    Ok(ExitCode::SUCCESS)
}

fn export(args: ExportArgs) -> Result<ExitCode, CliError> {
    let matrix = load::resolved(&args.model)?;
    let frameworks = frameworks(&args.model)?;
    let offerings = onus_export::select_offerings(&matrix, args.offering.as_deref())?;
    let document = match args.kind {
        ExportKind::ComponentDefinition => {
            // Without a mapped control there is nothing to implement: an empty
            // component definition would read back as "the customer holds everything".
            if !matrix
                .offerings
                .iter()
                .flat_map(|o| &o.areas)
                .any(|a| !a.controls.is_empty())
            {
                return Err(CliError::Usage(format!(
                    "no area of {} maps to a control, so a component definition would be empty; \
                     map areas with `controls: [FRAMEWORK:CONTROL]` first",
                    args.model.display()
                )));
            }
            let mut only = (*matrix).clone();
            only.offerings
                .retain(|o| offerings.iter().any(|s| s.id == o.id));
            export::component_definition::export(Input {
                matrix: &only,
                frameworks: &frameworks,
            })
        }
        ExportKind::Ssp => {
            let [offering] = offerings.as_slice() else {
                let ids: Vec<&str> = offerings.iter().map(|o| o.id.as_str()).collect();
                return Err(CliError::Usage(format!(
                    "an SSP describes one offering and {} has {}: choose one with `--offering` ({})",
                    args.model.display(),
                    ids.len(),
                    ids.join(", ")
                )));
            };
            let input = Input {
                matrix: &matrix,
                frameworks: &frameworks,
            };
            export::ssp::export(input, offering).map_err(error)?
        }
    };
    let text = export::to_json_pretty(&document);
    output::emit(args.output.as_deref(), text.as_bytes())?;
    // The process ends here: freeing a document of 60,000 areas node by
    // node costs more than building it; the system takes the memory back.
    std::mem::forget(document);
    Ok(ExitCode::SUCCESS)
}

fn import(args: ImportArgs) -> Result<ExitCode, CliError> {
    if let Some(out) = args.output.as_ref().filter(|o| o.is_file() && !args.force) {
        return Err(CliError::Usage(format!(
            "{} already exists; pass --force to replace it, or name another file",
            out.display()
        )));
    }
    let imported = onus_oscal::load::import_file(&args.file).map_err(error)?;
    // The imported model must pass `onus check`: check it before writing.
    // Its findings point at the model as imported from the input (the
    // output is not written), labelled so.
    let name = PathBuf::from(format!("{} (as imported)", args.file.display()));
    let set = ModelSet::load_text(
        &name,
        imported.yaml.clone(),
        &HashMap::<PathBuf, String>::new(),
    );
    load::refuse_errors(check(&set), &set.sources, |errors| {
        format!(
            "the model imported from {} has {errors}; nothing was written",
            args.file.display()
        )
    })?;
    output::emit(args.output.as_deref(), imported.yaml.as_bytes())?;
    Ok(ExitCode::SUCCESS)
}

/// The frameworks declared by the model at `path` (resolution does not carry them).
pub fn frameworks(path: &Path) -> Result<Vec<Framework>, CliError> {
    let set = ModelSet::load(&[path.to_path_buf()], &OsFiles)?;
    Ok(set
        .roots
        .first()
        .and_then(|id| set.model(*id))
        .map(Framework::of_model)
        .unwrap_or_default())
}

/// Shows what resolving `profile` worked around on standard error, with
/// the count; with `deny`, any warning fails the run (exit 1).
pub fn warn(profile: &Path, warnings: &[onus_oscal::Warning], deny: bool) -> Result<(), CliError> {
    if warnings.is_empty() {
        return Ok(());
    }
    for w in warnings {
        eprintln!("warning: {w}");
    }
    let summary = format!(
        "resolving {} gave {} warning{}",
        profile.display(),
        warnings.len(),
        if warnings.len() == 1 { "" } else { "s" }
    );
    if deny {
        return Err(CliError::Findings(format!(
            "{summary}, and `--deny-warnings` was given"
        )));
    }
    eprintln!("warning: {summary}");
    Ok(())
}

/// An OSCAL library error as the CLI reports it: a file that cannot be
/// read is I/O, everything else a usage error (both exit 2).
pub fn error(e: onus_oscal::Error) -> CliError {
    match e {
        onus_oscal::Error::Io { path, source } => CliError::io("read", path, source),
        other => CliError::Usage(other.to_string()),
    }
}
