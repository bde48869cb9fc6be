//! Files: read catalogs and profiles, find what an import's href points to,
//! resolve a profile file. The only module of this crate that does I/O.

use std::borrow::Cow;
use std::cell::OnceCell;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

use crate::import::{import_value, import_with, Imported as ImportedModel, Upstream};
use crate::resolve::{resolve, Imported, Request, ResolvedCatalog, MAX_IMPORTS};
use crate::{Catalog, Document, Error, Profile};

/// Reads an OSCAL catalog or profile from a file: YAML when its name ends
/// in `.yaml` or `.yml`, XML when it ends in `.xml`, JSON otherwise.
pub fn read_document(path: &Path) -> Result<Document, Error> {
    // Reading to a `String` checks UTF-8 once, in bulk, which lets the
    // parser skip checking each string it reads. Only regular files, no
    // larger than the size cap (`onus_fs::limits`).
    let text = onus_fs::read_text(path).map_err(|source| Error::Io {
        path: path.to_owned(),
        source,
    })?;
    let text = without_bom(&text);
    let document = match Syntax::of(path) {
        Syntax::Yaml => Document::from_yaml(text),
        Syntax::Xml => Document::from_xml(text),
        Syntax::Json => Document::from_json(text),
    };
    document.map_err(|e| e.in_file(path))
}

/// The syntax of an OSCAL file, by its name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Syntax {
    /// `.json`, and any other name.
    Json,
    /// `.yaml` or `.yml`.
    Yaml,
    /// `.xml`.
    Xml,
}

impl Syntax {
    /// The syntax a file's extension names (case-insensitive); JSON when
    /// it names none of the others.
    pub fn of(path: &Path) -> Syntax {
        match path
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase)
            .as_deref()
        {
            Some("yaml" | "yml") => Syntax::Yaml,
            Some("xml") => Syntax::Xml,
            _ => Syntax::Json,
        }
    }
}

/// The text after its byte order mark, if it has one: JSON parsers may
/// ignore it (RFC 8259), and serde_json does not. Lines and columns are
/// then counted as an editor shows them.
fn without_bom(text: &str) -> &str {
    text.strip_prefix('\u{feff}').unwrap_or(text)
}

/// Reads an OSCAL catalog from a JSON file.
pub fn read_catalog(path: &Path) -> Result<Catalog, Error> {
    match read_document(path)? {
        Document::Catalog(catalog) => Ok(catalog),
        Document::Profile(_) => Err(wrong(path, "catalog", "profile")),
    }
}

/// Reads an OSCAL profile from a JSON file.
pub fn read_profile(path: &Path) -> Result<Profile, Error> {
    match read_document(path)? {
        Document::Profile(profile) => Ok(profile),
        Document::Catalog(_) => Err(wrong(path, "profile", "catalog")),
    }
}

fn wrong(path: &Path, expected: &'static str, found: &str) -> Error {
    Error::WrongDocument {
        path: Some(path.to_owned()),
        expected,
        found: found.to_owned(),
    }
}

/// The file an import's href points to, relative to `base` (the importing
/// profile's directory).
///
/// The file the href names is read when it exists, whatever its syntax.
/// When it does not, an `.xml` href falls back to the `.json` (else
/// `.yaml`) file beside it (NIST's JSON profiles import
/// `NIST_SP-800-53_rev5_catalog.xml`, the XML sibling of the JSON catalog
/// beside them), and a `.yaml` href to its `.json` sibling. `file://` is accepted; network URLs
/// are refused ([`Error::RemoteImport`]): map them to a local copy ([`HrefMap`]).
pub fn import_path(base: &Path, href: &str) -> Result<PathBuf, Error> {
    if href.starts_with("http://") || href.starts_with("https://") {
        return Err(Error::RemoteImport {
            href: href.to_owned(),
        });
    }
    let named = base.join(href.strip_prefix("file://").unwrap_or(href));
    let extension = named
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    let tried = match extension.as_deref() {
        Some("xml") => vec![
            named.clone(),
            named.with_extension("json"),
            named.with_extension("yaml"),
        ],
        Some("yaml" | "yml") => vec![named.clone(), named.with_extension("json")],
        _ => vec![named.clone()],
    };
    if let Some(path) = tried.iter().find(|p| p.is_file()) {
        return Ok(path.clone());
    }
    Err(Error::ImportNotFound {
        href: href.to_owned(),
        tried,
    })
}

/// Where the imports of a profile chain are read from, beyond their hrefs:
/// `--href-map FROM=TO` and the catalog for imports that cannot be found.
///
/// A mapping replaces only the document an href names, wherever in the
/// chain that href is written: mapping the catalog import of FedRAMP's LOW
/// profile to a local copy of the NIST catalog leaves the profiles above it
/// as they are, so every level of a chain is resolved.
#[derive(Clone, Debug, Default)]
pub struct HrefMap {
    entries: Vec<(String, PathBuf)>,
    fallback: Option<PathBuf>,
}

impl HrefMap {
    /// No mapping: every href is read as written.
    pub fn new() -> Self {
        HrefMap::default()
    }

    /// Reads the import written `from` (exactly as in the profile: a path,
    /// a URL, or `#uuid` of a back-matter resource; or that resource's
    /// link) from the file `to` instead.
    pub fn insert(&mut self, from: impl Into<String>, to: impl Into<PathBuf>) {
        self.entries.push((from.into(), to.into()));
    }

    /// Parses `FROM=TO` (the `--href-map` option) and adds it. The first
    /// `=` splits: an href with `=` in it cannot be mapped.
    pub fn insert_arg(&mut self, arg: &str) -> Result<(), Error> {
        match arg.split_once('=') {
            Some((from, to)) if !from.is_empty() && !to.is_empty() => {
                self.insert(from, to);
                Ok(())
            }
            _ => Err(Error::BadHrefMap {
                arg: arg.to_owned(),
            }),
        }
    }

    /// Reads the imports that name no file that exists, or a URL, from
    /// `catalog`: the leaf of the chain. Imports that are found are read as
    /// they are, profiles included (the deprecated `--catalog PATH`, and a
    /// model framework's `catalog:`).
    pub fn with_fallback(mut self, catalog: Option<PathBuf>) -> Self {
        self.fallback = catalog;
        self
    }

    fn get(&self, request: &Request<'_>) -> Option<&Path> {
        self.entries
            .iter()
            .find(|(from, _)| from == request.written || from == request.href)
            .map(|(_, to)| to.as_path())
    }

    /// The file to read for `request`, `top` being the profile resolved,
    /// and whether the user named it (a mapping or the fallback) rather
    /// than an href written in a document.
    fn path(&self, request: &Request<'_>, top: &Path) -> Result<(PathBuf, bool), Error> {
        if let Some(to) = self.get(request) {
            return Ok((to.to_owned(), true));
        }
        // A relative href is relative to the document that holds it.
        let holder = request.base.map_or(top, Path::new);
        let base = holder.parent().unwrap_or(Path::new(""));
        match (import_path(base, request.href), &self.fallback) {
            (Ok(path), _) => Ok((path, false)),
            (Err(Error::ImportNotFound { .. } | Error::RemoteImport { .. }), Some(fallback)) => {
                Ok((fallback.clone(), true))
            }
            (Err(e), _) => Err(e),
        }
    }

    /// Where the files the hrefs of documents lead to must stay: the
    /// folder or git repository ([`onus_fs::boundary`]) of the profile
    /// resolved (`top`), or of a file the user named (a mapping's, the
    /// fallback). `None` when the process is not confined
    /// (`--allow-outside-root`).
    fn boundaries(&self, top: &Path) -> Option<Vec<PathBuf>> {
        if !onus_fs::limits().confined {
            return None;
        }
        let named = self.entries.iter().map(|(_, to)| to.as_path());
        let chosen = std::iter::once(top)
            .chain(named)
            .chain(self.fallback.as_deref());
        let mut boundaries: Vec<PathBuf> = chosen.map(onus_fs::boundary).collect();
        boundaries.dedup();
        Some(boundaries)
    }
}

/// Refuses `path`, which `request`'s href leads to, when it is (links
/// resolved) outside every one of `boundaries`. A path that does not
/// exist is not refused here: reading it says so.
fn confine(request: &Request<'_>, path: &Path, boundaries: &[PathBuf]) -> Result<(), Error> {
    let Ok(real) = std::fs::canonicalize(path) else {
        return Ok(());
    };
    match boundaries.iter().any(|b| real.starts_with(b)) {
        true => Ok(()),
        false => Err(Error::ImportOutsideRoot {
            href: request.written.to_owned(),
            path: real,
            boundary: boundaries.first().cloned().unwrap_or_default(),
        }),
    }
}

/// Reads and resolves the profile at `profile`, every import found by
/// `map` (else by [`import_path`] relative to the profile that holds it),
/// profiles imported by profiles resolved in turn.
///
/// The result's metadata gets a `resolution-source` link to the profile
/// (its file name), as the OSCAL profile resolution specification asks.
///
/// The files that hrefs written in the documents lead to (a path, `file://`,
/// the link of a `#uuid` back-matter resource) must stay inside the folder
/// or git repository of `profile` or of a file `map` names, unless the
/// process is not confined ([`onus_fs::Limits`], `--allow-outside-root`):
/// a profile from elsewhere does not read the rest of the disk. Every file
/// is read as [`read_document`] reads it: regular files only, size capped.
pub fn resolve_file(profile: &Path, map: &HrefMap) -> Result<ResolvedCatalog, Error> {
    let document = read_profile(profile)?;
    let boundaries = map.boundaries(profile);
    // A file imported again is not parsed again (identity: its canonical
    // path). The first import of a catalog takes it (the fastest way, and
    // the usual case: a catalog is imported once); from the second, it is
    // kept in one of these slots and lent to every import of it.
    let slots: Vec<OnceCell<Catalog>> = (0..MAX_IMPORTS).map(|_| OnceCell::new()).collect();
    let mut catalogs: HashMap<PathBuf, Option<usize>> = HashMap::new();
    let mut profiles: HashMap<PathBuf, Profile> = HashMap::new();
    let mut resolved = resolve(&document, |request: Request<'_>| {
        let (path, named) = map.path(&request, profile)?;
        if let Some(boundaries) = boundaries.as_deref().filter(|_| !named) {
            confine(&request, &path, boundaries)?;
        }
        let key = std::fs::canonicalize(&path).unwrap_or_else(|_| path.clone());
        let location = Some(path.to_string_lossy().into_owned());
        if let Some(nested) = profiles.get(&key) {
            return Ok(Imported::Profile {
                profile: nested.clone(),
                location,
            });
        }
        let taken = match catalogs.get(&key) {
            Some(&Some(slot)) => return Ok(lend(&slots[slot])),
            Some(None) => true,
            None => false,
        };
        Ok(match read_document(&path)? {
            Document::Catalog(catalog) if taken => {
                // `resolve` asks for at most MAX_IMPORTS imports: a slot is free.
                let slot = catalogs.values().flatten().count();
                let Some(cell) = slots.get(slot) else {
                    return Err(Error::TooManyImports {
                        limit: MAX_IMPORTS,
                        href: request.href.to_owned(),
                    });
                };
                catalogs.insert(key, Some(slot));
                let _ = cell.set(catalog);
                lend(cell)
            }
            Document::Catalog(catalog) => {
                catalogs.insert(key, None);
                Imported::from(catalog)
            }
            Document::Profile(nested) => {
                profiles.insert(key, nested.clone());
                Imported::Profile {
                    profile: nested,
                    location,
                }
            }
        })
    })?;
    let source = profile.file_name().map_or_else(
        || profile.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    );
    resolved.add_resolution_source(&source);
    Ok(resolved)
}

/// The catalog in `slot`, lent to an import.
fn lend(slot: &OnceCell<Catalog>) -> Imported<'_> {
    match slot.get() {
        Some(catalog) => Imported::Catalog(Cow::Borrowed(catalog)),
        // Every slot lent is set first.
        None => Imported::Catalog(Cow::Owned(Catalog::default())),
    }
}

/// Imports the OSCAL component definition or SSP at `path` (JSON, YAML or
/// XML, by its extension as [`Syntax::of`] says) as onus model YAML (see
/// [`crate::import`]); with the text read (after its byte order mark, if
/// any), which the model's origins point into when it is JSON.
pub fn import_file(path: &Path) -> Result<(ImportedModel, String), Error> {
    import_file_with(path, &[])
}

/// [`import_file`] with the upstream models of an SSP's leveraged
/// authorizations (see [`crate::import::import_with`]).
pub fn import_file_with(
    path: &Path,
    upstreams: &[Upstream<'_>],
) -> Result<(ImportedModel, String), Error> {
    let text = onus_fs::read_text(path).map_err(|source| Error::Io {
        path: path.to_owned(),
        source,
    })?;
    let name = path.file_name().map_or_else(
        || path.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    );
    let text = without_bom(&text);
    let imported = match Syntax::of(path) {
        Syntax::Json => import_with(text, &name, upstreams),
        Syntax::Yaml => crate::document::yaml_to_json(text)
            .and_then(|root| import_value(&root, &name, upstreams)),
        Syntax::Xml => crate::xml::to_json(text)
            .map_err(|source| Error::Xml { path: None, source })
            .and_then(|root| import_value(&root, &name, upstreams)),
    };
    Ok((imported.map_err(|e| e.in_file(path))?, text.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_yaml_catalog_reads_like_its_json() {
        let dir = tempfile::tempdir().unwrap();
        let json = r#"{"catalog": {"uuid": "74c8ba1e-5cd4-4ad1-bbfd-d888e2f6c724",
            "metadata": {"title": "T", "last-modified": "2024-01-01T00:00:00Z", "version": "1", "oscal-version": "1.1.2"},
            "controls": [{"id": "ac-1", "title": "Policy"}]}}"#;
        let yaml = "catalog:\n  uuid: 74c8ba1e-5cd4-4ad1-bbfd-d888e2f6c724\n  metadata:\n    title: T\n    last-modified: 2024-01-01T00:00:00Z\n    version: '1'\n    oscal-version: 1.1.2\n  controls:\n    - id: ac-1\n      title: Policy\n";
        std::fs::write(dir.path().join("c.json"), json).unwrap();
        std::fs::write(dir.path().join("c.yaml"), yaml).unwrap();
        assert_eq!(
            read_document(&dir.path().join("c.yaml")).unwrap(),
            read_document(&dir.path().join("c.json")).unwrap()
        );
        std::fs::write(dir.path().join("bad.yml"), "catalog: [\n").unwrap();
        let err = read_document(&dir.path().join("bad.yml")).unwrap_err();
        assert!(
            err.to_string()
                .contains("bad.yml is not a valid OSCAL YAML document")
                && err.to_string().contains("line 2"),
            "{err}"
        );
    }

    #[test]
    fn import_path_reads_the_file_named_else_json_for_xml_and_yaml_hrefs() {
        let dir = tempfile::tempdir().unwrap();
        let base = dir.path();
        std::fs::write(base.join("cat.json"), "{}").unwrap();
        std::fs::write(base.join("both.xml"), "<catalog/>").unwrap();
        std::fs::write(base.join("both.json"), "{}").unwrap();
        std::fs::write(base.join("only.xml"), "<catalog/>").unwrap();
        assert_eq!(import_path(base, "cat.xml").unwrap(), base.join("cat.json"));
        assert_eq!(
            import_path(base, "cat.yaml").unwrap(),
            base.join("cat.json")
        );
        assert_eq!(
            import_path(base, "cat.json").unwrap(),
            base.join("cat.json")
        );
        // The file named first, whatever its syntax.
        assert_eq!(
            import_path(base, "both.xml").unwrap(),
            base.join("both.xml")
        );
        assert_eq!(
            import_path(base, "only.xml").unwrap(),
            base.join("only.xml")
        );
        let err = import_path(base, "none.xml").unwrap_err();
        assert!(
            matches!(&err, Error::ImportNotFound { tried, .. }
                if *tried == [base.join("none.xml"), base.join("none.json"), base.join("none.yaml")]),
            "{err:?}"
        );
        std::fs::write(base.join("y.yaml"), "catalog: {}").unwrap();
        assert_eq!(import_path(base, "y.yaml").unwrap(), base.join("y.yaml"));
        assert_eq!(import_path(base, "y.xml").unwrap(), base.join("y.yaml"));
        let absolute = format!("file://{}", base.join("cat.json").display());
        assert_eq!(
            import_path(Path::new("/elsewhere"), &absolute).unwrap(),
            base.join("cat.json")
        );
    }

    #[test]
    fn a_catalog_imported_many_times_is_read_again_at_most_once() {
        let dir = tempfile::tempdir().unwrap();
        let catalog = r#"{"catalog": {"uuid": "c", "metadata": {"title": "C"},
            "controls": [{"id": "x-1", "title": "X"}]}}"#;
        std::fs::write(dir.path().join("cat.json"), catalog).unwrap();
        let write_profile = |n: usize| {
            let imports = vec![r#"{"href": "cat.json", "include-all": {}}"#; n].join(", ");
            let text = format!(
                r#"{{"profile": {{"uuid": "p", "metadata": {{"title": "P"}}, "imports": [{imports}]}}}}"#
            );
            let path = dir.path().join(format!("p{n}.json"));
            std::fs::write(&path, text).unwrap();
            path
        };
        // Taken the first time, kept and lent from the second.
        let resolved = resolve_file(&write_profile(3), &HrefMap::new()).unwrap();
        assert_eq!(resolved.len(), 1);
        assert_eq!(resolved.warnings().len(), 2, "{:?}", resolved.warnings());
        // A thousand imports of it are refused at the limit.
        let err = resolve_file(&write_profile(1_000), &HrefMap::new()).unwrap_err();
        assert!(
            err.to_string().starts_with(
                "resolving the profile imports more than 100 documents in all (`cat.json` is one too many)"
            ),
            "{err}"
        );
    }

    #[test]
    fn a_byte_order_mark_is_skipped_and_does_not_shift_columns() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("cat.json");
        std::fs::write(&path, "\u{feff}{\"catalog\": 5}").unwrap();
        let err = read_document(&path).unwrap_err().to_string();
        assert!(err.ends_with("at line 1 column 13"), "{err}");
        std::fs::write(
            &path,
            "\u{feff}{\"catalog\": {\"uuid\": \"c\", \"metadata\": {\"title\": \"C\"}}}",
        )
        .unwrap();
        assert!(read_catalog(&path).is_ok());
    }

    /// The hrefs written in profiles stay in the profile's folder (or git
    /// repository): a path up and out, a `file://` URL, the link of a
    /// `#uuid` resource, a symbolic link out; files the user names do not.
    #[test]
    fn imports_stay_inside_the_profiles_folder() {
        let dir = tempfile::tempdir().unwrap();
        let (inside, outside) = (dir.path().join("in"), dir.path().join("out"));
        std::fs::create_dir_all(&inside).unwrap();
        std::fs::create_dir_all(&outside).unwrap();
        let catalog = r#"{"catalog": {"uuid": "c", "metadata": {"title": "C"},
            "controls": [{"id": "x-1", "title": "X"}]}}"#;
        std::fs::write(inside.join("cat.json"), catalog).unwrap();
        std::fs::write(outside.join("cat.json"), catalog).unwrap();
        let far = outside.join("cat.json").display().to_string();
        let profile = |href: &str, link: &str| {
            let text = format!(
                r#"{{"profile": {{"uuid": "p", "metadata": {{"title": "P"}},
                  "imports": [{{"href": "{href}", "include-all": {{}}}}],
                  "back-matter": {{"resources": [{{"uuid": "r1", "rlinks": [{{"href": "{link}"}}]}}]}}}}}}"#
            );
            let path = inside.join("p.json");
            std::fs::write(&path, text).unwrap();
            path
        };
        // Inside: read.
        assert!(resolve_file(&profile("cat.json", "x"), &HrefMap::new()).is_ok());
        assert!(resolve_file(&profile("#r1", "cat.json"), &HrefMap::new()).is_ok());
        // Out: refused, naming the href as written and where it leads.
        let file_url = format!("file://{far}");
        for (href, link) in [
            ("../out/cat.json", "x"),
            (file_url.as_str(), "x"),
            ("#r1", file_url.as_str()),
            ("#r1", "../out/cat.json"),
        ] {
            let err = resolve_file(&profile(href, link), &HrefMap::new()).unwrap_err();
            assert!(
                matches!(&err, Error::ImportOutsideRoot { href: h, .. } if h == href),
                "{href} {link}: {err:?}"
            );
            let message = err.to_string();
            assert!(
                message.contains(&far) && message.contains("--allow-outside-root"),
                "{message}"
            );
        }
        // A link inside that leads out is judged where it leads.
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink(outside.join("cat.json"), inside.join("link.json")).unwrap();
            let err = resolve_file(&profile("link.json", "x"), &HrefMap::new()).unwrap_err();
            assert!(matches!(err, Error::ImportOutsideRoot { .. }), "{err:?}");
        }
        // A file the user maps the href to is theirs to choose; so are the
        // imports written in it, in its own folder.
        let mut map = HrefMap::new();
        map.insert("../out/cat.json", outside.join("cat.json"));
        assert!(resolve_file(&profile("../out/cat.json", "x"), &map).is_ok());
        let fallback = HrefMap::new().with_fallback(Some(outside.join("cat.json")));
        assert!(resolve_file(&profile("missing.json", "x"), &fallback).is_ok());
    }

    #[test]
    fn import_path_does_not_guess_other_extensions() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("cat.json"), "{}").unwrap();
        let err = import_path(dir.path(), "cat.txt").unwrap_err();
        assert!(
            matches!(&err, Error::ImportNotFound { tried, .. } if tried.len() == 1),
            "{err:?}"
        );
    }
}
