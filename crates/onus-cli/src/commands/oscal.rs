//! `onus oscal export MODEL [--kind component-definition|ssp] [--offering ID]
//! [--baseline NAME | --profile PROFILE [--href-map FROM=TO]...] [-o FILE]`,
//! `onus oscal import FILE [--upstream NAME=PATH]... [-o MODEL.onus.yaml]` and
//! `onus oscal resolve PROFILE [--href-map FROM=TO]... [-o FILE]` and
//! `onus oscal validate FILE...`.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use clap::{Subcommand, ValueEnum};
use onus_core::check::check;
use onus_core::load::ModelSet;
use onus_core::terminal::printable;
use onus_oscal::export::{self, Input};

use crate::commands::load;
use crate::error::{self, CliError};
use crate::output::{self, Written};

#[derive(clap::Args)]
pub struct Args {
    #[command(subcommand)]
    command: OscalCommand,
}

#[derive(Subcommand)]
enum OscalCommand {
    /// Export a model as an OSCAL component definition or SSP fragment (JSON).
    Export(ExportArgs),
    /// Import an OSCAL component definition or SSP (JSON, YAML or XML) as an onus model (YAML).
    Import(ImportArgs),
    /// Resolve an OSCAL profile (and the profiles it imports) into the catalog it describes.
    Resolve(ResolveArgs),
    /// Check OSCAL documents (JSON, YAML or XML) against NIST's official schema
    /// (OSCAL 1.2.1, bundled): each error with its line, column and JSON pointer.
    Validate(ValidateArgs),
}

#[derive(clap::Args)]
struct ValidateArgs {
    /// The documents: catalogs, profiles, component definitions, SSPs,
    /// assessment plans and results, POA&Ms (`.json`; anything else is read as YAML).
    #[arg(required = true)]
    files: Vec<PathBuf>,
}

#[derive(clap::Args)]
struct ResolveArgs {
    /// The OSCAL profile (JSON, YAML or XML). Its imports are read as their hrefs say,
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
    /// SSP: target a built-in baseline (`onus crm --list-baselines`): every
    /// control of it gets an implemented requirement, unassigned ones included.
    #[arg(long, value_name = "NAME", conflicts_with = "profile")]
    baseline: Option<String>,
    /// SSP: target the baseline an OSCAL profile resolves to (its path is
    /// written in `import-profile`).
    #[arg(long, value_name = "PROFILE.json")]
    profile: Option<PathBuf>,
    /// With `--profile`: read the import written FROM from the file TO
    /// instead (as `onus crm`). Repeatable.
    #[arg(long, value_name = "FROM=TO", requires = "profile")]
    href_map: Vec<String>,
    /// SSP with a baseline: the framework whose mappings meet it (default:
    /// the only one the model's areas map to).
    #[arg(long)]
    framework: Option<String>,
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
    /// The OSCAL file (JSON, YAML or XML by its extension): a component-definition or a system-security-plan.
    file: PathBuf,
    /// Write the model to this file (atomically) instead of standard output.
    #[arg(short = 'o', long = "output", value_name = "MODEL.onus.yaml")]
    output: Option<PathBuf>,
    /// Replace the model file if it exists (a model is a source file: it may have been edited).
    #[arg(long)]
    force: bool,
    /// SSP: the onus model of a leveraged authorization, which becomes an
    /// upstream of the model (`upstreams: NAME: { model: PATH }`). NAME is
    /// the authorization's id (as the model's header names it), FedRAMP
    /// package id or uuid; PATH is relative to the model written (`-o`),
    /// else to the current folder. What the SSP inherits that the
    /// upstream's own SSP export provides is inherited from its areas.
    /// Repeatable.
    #[arg(long, value_name = "NAME=PATH")]
    upstream: Vec<String>,
}

pub fn run(args: Args) -> Result<(), CliError> {
    match args.command {
        OscalCommand::Export(args) => export(args),
        OscalCommand::Import(args) => import(args),
        OscalCommand::Resolve(args) => resolve(args),
        OscalCommand::Validate(args) => validate(args),
    }
}

/// Prints each schema error as `FILE:LINE:COL: POINTER: MESSAGE`; exit 1
/// when a document has errors, 2 when one cannot be read or is not OSCAL.
fn validate(args: ValidateArgs) -> Result<(), CliError> {
    use onus_core::source::{FileId, SourceFile};
    use onus_core::syntax::Syntax;
    use onus_oscal::validate::{validate, validate_xml, Invalid};

    let mut invalid = 0;
    for path in &args.files {
        let text = std::fs::read_to_string(path).map_err(|e| CliError::io("read", path, e))?;
        let name = path.display();
        let is_xml = path
            .extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| e.eq_ignore_ascii_case("xml"));
        let checked = if is_xml {
            validate_xml(FileId(0), &text)
        } else {
            validate(FileId(0), &text, Syntax::from_path(path))
        };
        let report = match checked {
            Ok(report) => report,
            Err(Invalid::Xml(e)) => {
                eprintln!("{name}:{}:{}: {}", e.line, e.column, e.message);
                return Err(CliError::Usage(format!("{name} is not valid XML")));
            }
            Err(Invalid::NotOscal(why)) => {
                return Err(CliError::Usage(format!(
                    "{name} is not an OSCAL document: {why}"
                )))
            }
            Err(Invalid::Syntax(found)) => {
                let mut sources = onus_core::source::SourceMap::new();
                sources.add(path.clone(), text);
                eprint!(
                    "{}",
                    onus_core::diagnostic::text::render(&found, &sources, false)
                );
                return Err(CliError::Usage(format!(
                    "{name} is not valid {}",
                    if Syntax::from_path(path) == Syntax::Json {
                        "JSON"
                    } else {
                        "YAML"
                    }
                )));
            }
        };
        let lines = SourceFile::new(path.clone(), text);
        for e in &report.errors {
            let (line, col) = lines.line_col(e.span.start as usize);
            println!(
                "{name}:{line}:{col}: {}: {}",
                printable(&cut(&e.pointer, 200)),
                printable(&cut(&e.message, 300))
            );
        }
        if report.errors.is_empty() {
            println!("{name}: a valid OSCAL {}", report.model);
        } else {
            invalid += 1;
            println!(
                "{name}: {} against the OSCAL {} schema",
                output::plural(report.errors.len(), "error"),
                report.model
            );
        }
    }
    if invalid > 0 {
        // Each document's errors and count are printed already.
        return Err(CliError::Findings { summary: None });
    }
    Ok(())
}

/// `text` cut after `max` characters, with an ellipsis: a schema message
/// can quote a whole object of the document.
fn cut(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        Some((at, _)) => format!("{}…", &text[..at]),
        None => text.to_string(),
    }
}

fn resolve(args: ResolveArgs) -> Result<(), CliError> {
    let mut map = onus_oscal::load::HrefMap::new();
    for entry in &args.href_map {
        map.insert_arg(entry)?;
    }
    let resolved = onus_oscal::load::resolve_file(&args.profile, &map)?;
    warn(&args.profile, resolved.warnings(), args.deny_warnings)?;
    output::emit(args.output.as_deref(), resolved.to_json_pretty().as_bytes())?;
    Ok(())
}

fn export(args: ExportArgs) -> Result<(), CliError> {
    // An SSP leverages the upstreams: it needs their matrices too.
    let (matrix, upstreams) = match args.kind {
        ExportKind::Ssp => load::resolved_with_upstreams(&args.model)?,
        ExportKind::ComponentDefinition => (load::resolved(&args.model)?, Vec::new()),
    };
    let offerings = onus_export::select_offerings(&matrix, args.offering.as_deref())?;
    let document = match args.kind {
        ExportKind::ComponentDefinition => {
            if args.baseline.is_some() || args.profile.is_some() {
                return Err(CliError::Usage(
                    "`--baseline` and `--profile` target an SSP: add `--kind ssp`".into(),
                ));
            }
            // Without a mapped control there is nothing to implement: an empty
            // component definition would read back as "the customer holds everything".
            if !matrix
                .offerings
                .iter()
                .flat_map(|o| &o.areas)
                .any(|a| !a.controls.is_empty())
            {
                return Err(CliError::Invalid(format!(
                    "no area of {} maps to a control, so a component definition would be empty; \
                     map areas with `controls: [FRAMEWORK:CONTROL]` first",
                    args.model.display()
                )));
            }
            let only = args.offering.as_ref().and(offerings.first().copied());
            export::component_definition::export(Input {
                only,
                ..Input::new(&matrix)
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
            let baseline = match (&args.baseline, &args.profile) {
                (Some(name), _) => Some(onus_oscal::Baseline::builtin(name)?),
                (None, Some(profile)) => {
                    let mut map = onus_oscal::load::HrefMap::new();
                    for entry in &args.href_map {
                        map.insert_arg(entry)?;
                    }
                    let resolved = onus_oscal::load::resolve_file(profile, &map)?;
                    warn(profile, resolved.warnings(), false)?;
                    Some(onus_oscal::Baseline::of(&resolved))
                }
                (None, None) => None,
            };
            let framework = match &baseline {
                Some(b) => {
                    let f = onus_oscal::crm::choose_framework(&matrix, args.framework.as_deref())?;
                    onus_oscal::crm::ensure_matches(&matrix, b, &f)?;
                    f
                }
                None => String::new(),
            };
            let profile = args.profile.as_ref().map(|p| p.display().to_string());
            let upstreams: Vec<export::Upstream<'_>> = upstreams
                .iter()
                .map(|u| export::Upstream {
                    id: &u.id,
                    matrix: &u.matrix,
                    fedramp_package: u.fedramp_package.as_deref(),
                    authorized: u.authorized.as_deref(),
                })
                .collect();
            let mut input = Input::new(&matrix).with_upstreams(&upstreams);
            if let Some(baseline) = &baseline {
                input = input.with_target(export::Target {
                    baseline,
                    framework: &framework,
                    profile: profile.as_deref(),
                });
            }
            export::ssp::export(input, offering)?
        }
    };
    let text = export::to_json_pretty(&document);
    output::emit(args.output.as_deref(), text.as_bytes())?;
    // The process ends here, the document still alive: freeing one of
    // 60,000 areas node by node costs more than building it (see `exit_now`).
    error::exit_now(Ok(()))
}

fn import(args: ImportArgs) -> Result<(), CliError> {
    output::refuse_overwrite(args.output.as_deref(), Written::Source, args.force)?;
    let input_name = args.file.file_name().map_or_else(
        || args.file.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    );
    // The model as it will be written: where its upstreams are read from.
    let (name, upstreams) = if args.upstream.is_empty() {
        (
            PathBuf::from(format!("{} (as imported)", args.file.display())),
            Vec::new(),
        )
    } else {
        let dir = match args.output.as_deref().and_then(Path::parent) {
            Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
            _ => PathBuf::from("."),
        };
        let dir = std::fs::canonicalize(&dir).map_err(|e| CliError::io("read", &dir, e))?;
        let name = dir.join(format!("{input_name} (as imported)"));
        (name.clone(), upstream_models(&args.upstream, &dir, &name)?)
    };
    let given: Vec<onus_oscal::import::Upstream<'_>> = upstreams
        .iter()
        .map(|(id, path, matrix)| onus_oscal::import::Upstream {
            name: id,
            model: path,
            matrix,
        })
        .collect();
    let (imported, input) = onus_oscal::load::import_file_with(&args.file, &given)?;
    // The imported model must pass `onus check`: check it before writing.
    // The output is not written then, so its findings are shown where the
    // input says what they are about: the JSON element (line, column and
    // pointer) the part of the model came from.
    let set = if given.is_empty() {
        ModelSet::load_text(
            &name,
            imported.yaml.clone(),
            &HashMap::<PathBuf, String>::new(),
        )
    } else {
        ModelSet::load_text(&name, imported.yaml.clone(), &onus_fs::OsFiles)
    };
    let found = check(&set);
    let mut sources = set.sources.clone();
    let input_file = sources.add(args.file.clone(), input.as_str());
    let found = imported.origins.relocate(found, input_file, &input);
    load::refuse_errors(found, &sources, |errors| {
        format!(
            "the model imported from {} has {errors}; nothing was written",
            args.file.display()
        )
    })?;
    output::emit(args.output.as_deref(), imported.yaml.as_bytes())?;
    Ok(())
}

/// The models `--upstream NAME=PATH` names, each resolved (refused when it
/// has errors): PATH relative to `dir`, the folder of the model `root`
/// being imported, and confined as that model's upstreams are.
fn upstream_models(
    entries: &[String],
    dir: &Path,
    root: &Path,
) -> Result<Vec<(String, String, std::sync::Arc<onus_core::resolve::Matrix>)>, CliError> {
    let mut out = Vec::new();
    for entry in entries {
        let Some((name, path)) = entry
            .split_once('=')
            .filter(|(n, p)| !n.trim().is_empty() && !p.trim().is_empty())
        else {
            return Err(CliError::Usage(format!(
                "`--upstream {entry}`: write NAME=PATH, the leveraged authorization and the path \
                 of its onus model (relative to the imported model)"
            )));
        };
        let file = dir.join(path);
        onus_fs::confine(root, &file).map_err(|e| CliError::io("read", &file, e))?;
        out.push((name.to_string(), path.to_string(), load::resolved(&file)?));
    }
    Ok(out)
}

/// Shows what resolving `profile` worked around on standard error, with
/// the count; with `deny`, any warning fails the run (exit 1).
pub fn warn(profile: &Path, warnings: &[onus_oscal::Warning], deny: bool) -> Result<(), CliError> {
    if warnings.is_empty() {
        return Ok(());
    }
    for w in warnings {
        // Warnings quote the catalog and profile: shown, never obeyed.
        eprintln!("warning: {}", printable(&w.to_string()));
    }
    let summary = format!(
        "resolving {} gave {}",
        profile.display(),
        output::plural(warnings.len(), "warning")
    );
    if deny {
        return Err(CliError::findings(format!(
            "{summary}, and `--deny-warnings` was given"
        )));
    }
    eprintln!("warning: {}", printable(&summary));
    Ok(())
}
