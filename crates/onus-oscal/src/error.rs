//! The one error type of this crate.

use std::fmt;
use std::path::{Path, PathBuf};

/// Why a catalog or profile could not be read or resolved.
///
/// Each message says what went wrong, where (file, href, control id), and
/// what to do about it.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The text is not JSON, or a member has the wrong type or is missing.
    #[error("{} is not a valid OSCAL JSON document: {source}", Input(path.as_deref()))]
    Json {
        /// The file, when read from one.
        path: Option<PathBuf>,
        /// The parser's error, with line and column.
        source: serde_json::Error,
    },

    /// The text of a YAML document is not YAML (or is beyond the parser's bounds).
    #[error("{} is not a valid OSCAL YAML document: {message}", Input(path.as_deref()))]
    Yaml {
        /// The file, when read from one.
        path: Option<PathBuf>,
        /// The parser's finding, with line and column.
        message: String,
    },

    /// The JSON is an OSCAL document, but not the model that was expected.
    #[error("{} holds `{found}`, but an OSCAL {expected} was expected", Input(path.as_deref()))]
    WrongDocument {
        /// The file, when read from one.
        path: Option<PathBuf>,
        /// What was expected: `catalog`, `profile`, or `catalog or profile`.
        expected: &'static str,
        /// The root member found instead.
        found: String,
    },

    /// A file could not be read.
    #[error("cannot read {}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The operating system's error.
        source: std::io::Error,
    },

    /// An import's href names no JSON or YAML file that exists.
    #[error(
        "the profile imports `{href}`, but there is no JSON or YAML file for it (looked for {}); \
         map it to the file to read (`--href-map '{href}=PATH'`) or put the JSON document at that path",
        Tried(tried)
    )]
    ImportNotFound {
        /// The href as written in the profile.
        href: String,
        /// The paths looked at, in order.
        tried: Vec<PathBuf>,
    },

    /// An import's href is a URL; onus does not fetch over the network.
    #[error(
        "the profile imports `{href}` over the network, which onus does not do; \
         download it and map the href to the copy (`--href-map '{href}=PATH'`)"
    )]
    RemoteImport {
        /// The href as written in the profile.
        href: String,
    },

    /// An import's href is `#uuid`, but the profile's back-matter has no
    /// such resource with a usable link.
    #[error(
        "the profile imports `{href}`, but its back-matter has no resource with that uuid \
         and an `rlinks` entry; add the resource or write the path in `href`"
    )]
    UnknownResource {
        /// The href as written in the profile.
        href: String,
    },

    /// `include-controls` or `exclude-controls` of one import names control
    /// ids the imported catalog does not have (all of them are listed).
    #[error("{}", UnknownIds(href, unknown))]
    UnknownControls {
        /// The import's href.
        href: String,
        /// Each unknown id, in the order written.
        unknown: Vec<UnknownId>,
    },

    /// Profiles import each other in a loop.
    #[error("profiles import each other in a cycle: {}; remove one of these imports", chain.join(" -> "))]
    ImportCycle {
        /// The import hrefs, from the outermost profile to the repeated one.
        chain: Vec<String>,
    },

    /// A model cannot be exported as the OSCAL document asked for.
    #[error("cannot export model `{model}`: {what}")]
    NothingToExport {
        /// The model id.
        model: String,
        /// Why, and what to do about it.
        what: String,
    },

    /// A document given to `onus oscal import` is not one it reads.
    #[error(
        "{} holds `{found}`; `onus oscal import` reads an OSCAL component-definition \
         or system-security-plan (JSON)",
        Input(path.as_deref())
    )]
    NotImportable {
        /// The file, when read from one.
        path: Option<PathBuf>,
        /// The root member found instead.
        found: String,
    },

    /// A component definition or SSP has nothing an onus model can hold.
    #[error("{} has nothing to import: {what}", Input(path.as_deref()))]
    NothingToImport {
        /// The file, when read from one.
        path: Option<PathBuf>,
        /// What is missing.
        what: String,
    },

    /// An `--href-map` argument is not `FROM=TO`.
    #[error(
        "`--href-map {arg}` is not `FROM=TO`: write the href as the profile has it, `=`, \
         and the file to read instead, e.g. `--href-map NIST_SP-800-53_rev5_catalog.json=catalog.json`"
    )]
    BadHrefMap {
        /// The argument as given.
        arg: String,
    },

    /// `--baseline NAME` names no built-in baseline.
    #[error("there is no built-in baseline `{name}`; {}", Suggest(suggestion.as_deref(), known))]
    UnknownBaseline {
        /// The name as given.
        name: String,
        /// The closest built-in name, if one is close.
        suggestion: Option<String>,
        /// Every built-in name.
        known: Vec<&'static str>,
    },

    /// A CRM was asked for, but no area of the model maps to a control.
    #[error("model `{model}` maps no area to a control; add `controls: [FRAMEWORK:ID, ...]` to its areas")]
    NoMappedControls {
        /// The model id.
        model: String,
    },

    /// `--framework` names a framework no area of the model maps to.
    #[error("model `{model}` maps no area to framework `{framework}`; {}", Suggest(suggestion.as_deref(), used))]
    UnknownFramework {
        /// The model id.
        model: String,
        /// The framework as asked for.
        framework: String,
        /// The closest framework the model maps to, if one is close.
        suggestion: Option<String>,
        /// Every framework the model's areas map to.
        used: Vec<String>,
    },

    /// The model's areas map to several frameworks and none was chosen.
    #[error("model `{model}` maps areas to several frameworks ({}); choose one with `--framework`", used.join(", "))]
    SeveralFrameworks {
        /// The model id.
        model: String,
        /// Every framework the model's areas map to.
        used: Vec<String>,
    },

    /// The model's controls of the framework are none of the baseline's,
    /// nor of its families: the framework is another catalog than the
    /// baseline's, and every control would read as unassigned.
    #[error("{0}")]
    FrameworkMismatch(Box<FrameworkMismatch>),

    /// The profile uses a feature this resolver does not implement.
    #[error("{feature} is not supported; {help}")]
    Unsupported {
        /// What was asked for.
        feature: String,
        /// What to do instead.
        help: &'static str,
    },
}

/// What [`Error::FrameworkMismatch`] knows.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "model `{model}` maps areas to {mapped_count} control(s) of framework `{framework}` ({}), \
     but none of them is a control of `{baseline}` or of its families ({}): the framework is \
     not the catalog this baseline selects from; give a baseline of that framework, or map the \
     areas to this catalog's control ids",
    Sample(mapped),
    Sample(baseline_sample)
)]
pub struct FrameworkMismatch {
    /// The model id.
    pub model: String,
    /// The framework whose mappings were read.
    pub framework: String,
    /// The baseline's title.
    pub baseline: String,
    /// How many distinct controls the model maps to the framework.
    pub mapped_count: usize,
    /// The first few of them, as written.
    pub mapped: Vec<String>,
    /// The first few control ids of the baseline.
    pub baseline_sample: Vec<String>,
}

/// A control id in `with-ids` that the imported catalog does not have.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownId {
    /// The id as written.
    pub id: String,
    /// Whether it was in `exclude-controls` (else `include-controls`).
    pub excluded: bool,
    /// The closest id the catalog does have, if one is close.
    pub suggestion: Option<String>,
}

impl fmt::Display for UnknownId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let verb = if self.excluded {
            "excludes"
        } else {
            "includes"
        };
        write!(f, "{verb} `{}`", self.id)?;
        match &self.suggestion {
            Some(id) => write!(f, " (did you mean `{id}`?)"),
            None => Ok(()),
        }
    }
}

impl Error {
    /// Records the file a parse error came from.
    pub(crate) fn in_file(mut self, file: &Path) -> Self {
        if let Error::Json { path, .. }
        | Error::Yaml { path, .. }
        | Error::WrongDocument { path, .. }
        | Error::NotImportable { path, .. }
        | Error::NothingToImport { path, .. } = &mut self
        {
            *path = Some(file.to_owned());
        }
        self
    }
}

struct Input<'a>(Option<&'a Path>);

impl fmt::Display for Input<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Some(path) => write!(f, "{}", path.display()),
            None => f.write_str("the input"),
        }
    }
}

struct Tried<'a>(&'a [PathBuf]);

impl fmt::Display for Tried<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, path) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str(" and ")?;
            }
            write!(f, "{}", path.display())?;
        }
        Ok(())
    }
}

struct UnknownIds<'a>(&'a str, &'a [UnknownId]);

impl fmt::Display for UnknownIds<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let UnknownIds(href, unknown) = self;
        write!(f, "the import of `{href}` ")?;
        // Past a handful, the list says nothing more: it is likely the wrong catalog.
        const SHOWN: usize = 8;
        for (i, id) in unknown.iter().take(SHOWN).enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            write!(f, "{id}")?;
        }
        if unknown.len() > SHOWN {
            write!(
                f,
                " and {} more (is it the catalog the profile was written for?)",
                unknown.len() - SHOWN
            )?;
        }
        let which = if unknown.len() == 1 {
            "a control"
        } else {
            "controls"
        };
        write!(
            f,
            ": {which} that catalog does not have; check the ids against the catalog"
        )
    }
}

struct Suggest<'a, T>(Option<&'a str>, &'a [T]);

impl<T: fmt::Display> fmt::Display for Suggest<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Some(s) => write!(f, "did you mean `{s}`?"),
            None => {
                f.write_str("known: ")?;
                for (i, item) in self.1.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{item}")?;
                }
                Ok(())
            }
        }
    }
}

/// A few items of a list, `, `-joined, with `...` when there are more.
struct Sample<'a>(&'a [String]);

impl fmt::Display for Sample<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        const SHOWN: usize = 4;
        for (i, item) in self.0.iter().take(SHOWN).enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            f.write_str(item)?;
        }
        if self.0.len() > SHOWN {
            f.write_str(", ...")?;
        }
        Ok(())
    }
}
