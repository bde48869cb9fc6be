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

    /// An import's href names no JSON file that exists.
    #[error(
        "the profile imports `{href}`, but there is no JSON file for it (looked for {}); \
         pass the catalog explicitly (`--catalog PATH`) or put the JSON catalog at that path",
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
         download it and pass it explicitly (`--catalog PATH`)"
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

    /// The profile uses a feature this resolver does not implement.
    #[error("{feature} is not supported; {help}")]
    Unsupported {
        /// What was asked for.
        feature: String,
        /// What to do instead.
        help: &'static str,
    },
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
