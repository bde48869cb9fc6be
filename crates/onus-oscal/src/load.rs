//! Files: read catalogs and profiles, find what an import's href points to,
//! resolve a profile file. The only module of this crate that does I/O.

use std::path::{Path, PathBuf};

use crate::import::{import, Imported as ImportedModel};
use crate::resolve::{resolve, resolve_owned, Imported, ResolvedCatalog};
use crate::{Catalog, Document, Error, Profile};

/// Reads an OSCAL catalog or profile from a JSON file.
pub fn read_document(path: &Path) -> Result<Document, Error> {
    // Reading to a `String` checks UTF-8 once, in bulk, which lets the
    // parser skip checking each string it reads.
    let text = std::fs::read_to_string(path).map_err(|source| Error::Io {
        path: path.to_owned(),
        source,
    })?;
    Document::from_json(&text).map_err(|e| e.in_file(path))
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
/// An href to an `.xml` or `.yaml` file maps to the `.json` file beside it,
/// as onus reads JSON only: the NIST profiles import
/// `NIST_SP-800-53_rev5_catalog.xml`, published next to the JSON one.
/// `file://` is accepted; network URLs are refused ([`Error::RemoteImport`]).
pub fn import_path(base: &Path, href: &str) -> Result<PathBuf, Error> {
    if href.starts_with("http://") || href.starts_with("https://") {
        return Err(Error::RemoteImport {
            href: href.to_owned(),
        });
    }
    let named = base.join(href.strip_prefix("file://").unwrap_or(href));
    let other_format = named
        .extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| matches!(e.to_ascii_lowercase().as_str(), "xml" | "yaml" | "yml"));
    // onus reads JSON only: for an XML or YAML href, the JSON sibling is the
    // file to read, whether or not the named one exists.
    let path = if other_format {
        named.with_extension("json")
    } else {
        named.clone()
    };
    if path.is_file() {
        return Ok(path);
    }
    let tried = if other_format {
        vec![named, path]
    } else {
        vec![path]
    };
    Err(Error::ImportNotFound {
        href: href.to_owned(),
        tried,
    })
}

/// Reads and resolves the profile at `profile`.
///
/// With `catalog`, every import of the profile is answered by that catalog
/// (the `--catalog PATH` option). Without, each import's href is found with
/// [`import_path`] relative to the profile's directory (for profiles that
/// import profiles, relative to the top profile's directory too).
pub fn resolve_file(profile: &Path, catalog: Option<&Path>) -> Result<ResolvedCatalog, Error> {
    let document = read_profile(profile)?;
    if let Some(catalog) = catalog {
        return resolve_owned(&document, read_catalog(catalog)?);
    }
    let base = profile.parent().unwrap_or(Path::new(""));
    resolve(&document, |href| {
        Ok(match read_document(&import_path(base, href)?)? {
            Document::Catalog(catalog) => Imported::from(catalog),
            Document::Profile(profile) => Imported::from(profile),
        })
    })
}

/// Imports the OSCAL component definition or SSP at `path` as onus model
/// YAML (see [`crate::import`]).
pub fn import_file(path: &Path) -> Result<ImportedModel, Error> {
    let text = std::fs::read_to_string(path).map_err(|source| Error::Io {
        path: path.to_owned(),
        source,
    })?;
    let name = path.file_name().map_or_else(
        || path.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    );
    import(&text, &name).map_err(|e| e.in_file(path))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn import_path_reads_json_for_xml_and_yaml_hrefs() {
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
        assert_eq!(
            import_path(base, "both.xml").unwrap(),
            base.join("both.json")
        );
        let err = import_path(base, "only.xml").unwrap_err();
        assert!(
            matches!(&err, Error::ImportNotFound { tried, .. }
                if *tried == [base.join("only.xml"), base.join("only.json")]),
            "{err:?}"
        );
        let absolute = format!("file://{}", base.join("cat.json").display());
        assert_eq!(
            import_path(Path::new("/elsewhere"), &absolute).unwrap(),
            base.join("cat.json")
        );
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
