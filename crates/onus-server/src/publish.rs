//! Publishing: a model and its upstream chain, checked, stored whole with
//! the SHA-256 of its content; and reading a stored version back into a
//! resolved matrix. A model with errors is refused with its diagnostics;
//! the same content as the latest version is a no-op.

use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap};
use std::path::{Component, Path, PathBuf};
use std::sync::Arc;

use onus_core::check::check;
use onus_core::diagnostic::{text, Diagnostic};
use onus_core::load::{Files, ModelSet};
use onus_core::resolve::{resolve, Matrix};
use onus_store::{ModelVersion, Published, Store};
use sha2::{Digest, Sha256};

use crate::{bundled, ServeError};

/// What publishing one model did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    New {
        model: String,
        version: i64,
    },
    Unchanged {
        model: String,
        version: i64,
    },
    /// The model has errors (or cannot be read): the report says which.
    Refused {
        label: String,
        report: String,
    },
}

impl std::fmt::Display for Outcome {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Outcome::New { model, version } => write!(f, "published {model} version {version}"),
            Outcome::Unchanged { model, version } => {
                write!(f, "{model} unchanged (version {version} has this content)")
            }
            Outcome::Refused { label, report } => {
                write!(f, "refused {label}: it has errors\n{report}")
            }
        }
    }
}

/// A checked model, ready to store.
struct Checked {
    model: String,
    name: String,
    root: String,
    files: Vec<(String, String)>,
    sha256: String,
}

/// Files read through another, remembering each file's text by identity.
struct Recording<'a> {
    inner: &'a dyn Files,
    seen: RefCell<BTreeMap<PathBuf, String>>,
}

impl Files for Recording<'_> {
    fn read(&self, path: &Path) -> Result<String, std::io::Error> {
        let text = self.inner.read(path)?;
        self.seen
            .borrow_mut()
            .insert(self.inner.identity(path), text.clone());
        Ok(text)
    }

    fn identity(&self, path: &Path) -> PathBuf {
        self.inner.identity(path)
    }
}

/// Loads and checks the model at `path` through `files`: the model with
/// the files it read (paths relative to their common folder), or the
/// report of its errors.
fn load_checked(path: &Path, files: &dyn Files) -> Result<Checked, String> {
    let recording = Recording {
        inner: files,
        seen: RefCell::new(BTreeMap::new()),
    };
    let set = ModelSet::load(&[path.to_path_buf()], &recording)
        .map_err(|e| format!("cannot read {}: {}", e.path.display(), e.error))?;
    let found = check(&set);
    let errors: Vec<Diagnostic> = found.into_iter().filter(Diagnostic::is_error).collect();
    if !errors.is_empty() {
        return Err(text::render(&errors, &set.sources, false));
    }
    let matrix =
        resolve(&set, set.roots[0]).ok_or_else(|| "it could not be resolved".to_string())?;
    let seen = recording.seen.into_inner();
    let root_id = files.identity(path);
    let base = common_folder(seen.keys());
    let rel = |p: &Path| -> String {
        p.strip_prefix(&base)
            .unwrap_or(p)
            .components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect::<Vec<_>>()
            .join("/")
    };
    let files: Vec<(String, String)> = seen.iter().map(|(p, t)| (rel(p), t.clone())).collect();
    Ok(Checked {
        model: matrix.model.clone(),
        name: matrix.name.clone(),
        root: rel(&root_id),
        sha256: content_hash(&files),
        files,
    })
}

/// The deepest folder holding every path.
fn common_folder<'a>(paths: impl Iterator<Item = &'a PathBuf>) -> PathBuf {
    let mut common: Option<PathBuf> = None;
    for p in paths {
        let dir = p.parent().unwrap_or(Path::new("/")).to_path_buf();
        common = Some(match common {
            None => dir,
            Some(c) => {
                let mut out = PathBuf::new();
                for (a, b) in c.components().zip(dir.components()) {
                    if a != b {
                        break;
                    }
                    out.push(a.as_os_str());
                }
                out
            }
        });
    }
    common.unwrap_or_default()
}

/// SHA-256 over every (path, text), in path order, each length-prefixed.
pub fn content_hash(files: &[(String, String)]) -> String {
    let mut h = Sha256::new();
    for (path, text) in files {
        h.update((path.len() as u64).to_le_bytes());
        h.update(path.as_bytes());
        h.update((text.len() as u64).to_le_bytes());
        h.update(text.as_bytes());
    }
    onus_store::hex(&h.finalize())
}

/// Checks and publishes the model at `path`, read through `files`.
pub async fn publish_with(
    store: &Store,
    path: &Path,
    files: &(dyn Files + Sync),
    label: &str,
) -> Result<Outcome, onus_store::StoreError> {
    let checked = match load_checked(path, files) {
        Ok(c) => c,
        Err(report) => {
            return Ok(Outcome::Refused {
                label: label.to_string(),
                report,
            })
        }
    };
    let done = store
        .publish(
            &checked.model,
            &checked.name,
            &checked.root,
            &checked.files,
            &checked.sha256,
        )
        .await?;
    Ok(match done {
        Published::New(version) => Outcome::New {
            model: checked.model,
            version,
        },
        Published::Unchanged(version) => Outcome::Unchanged {
            model: checked.model,
            version,
        },
    })
}

/// Publishes the model file at `path` from the disk (`onus publish`).
pub async fn publish_file(store: &Store, path: &Path) -> Result<Outcome, onus_store::StoreError> {
    publish_with(store, path, &onus_fs::OsFiles, &path.display().to_string()).await
}

/// Publishes every model of `folder` (or the bundled examples): one line
/// per model saying what happened.
pub async fn publish_source(
    store: &Store,
    folder: Option<&Path>,
) -> Result<Vec<String>, ServeError> {
    let mut lines = Vec::new();
    match folder {
        Some(folder) => {
            if !folder.is_dir() {
                return Err(ServeError::Models {
                    path: folder.to_path_buf(),
                    source: std::io::Error::new(std::io::ErrorKind::NotFound, "not a folder"),
                });
            }
            let found = onus_fs::find_models(&[folder.to_path_buf()]).map_err(|source| {
                ServeError::Models {
                    path: folder.to_path_buf(),
                    source,
                }
            })?;
            for (path, error) in &found.skipped {
                lines.push(format!("skipped {}: {error}", path.display()));
            }
            for path in found.models {
                lines.push(publish_file(store, &path).await?.to_string());
            }
        }
        None => {
            let files = bundled::files();
            for path in bundled::paths() {
                let label = format!("bundled {}", path.display());
                lines.push(
                    publish_with(store, &path, &files, &label)
                        .await?
                        .to_string(),
                );
            }
        }
    }
    Ok(lines)
}

/// A stored version, loaded and resolved again (it was checked when published).
pub fn resolve_version(version: &ModelVersion) -> Option<Arc<Matrix>> {
    let base = PathBuf::from("/published");
    let files: HashMap<PathBuf, String> = version
        .files
        .iter()
        .filter(|(p, _)| {
            Path::new(p)
                .components()
                .all(|c| matches!(c, Component::Normal(_)))
        })
        .map(|(p, t)| (base.join(p), t.clone()))
        .collect();
    let set = ModelSet::load(&[base.join(&version.root)], &files).ok()?;
    resolve(&set, *set.roots.first()?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_chain_is_stored_whole_relative_to_its_folder() {
        let files = bundled::files();
        let checked = load_checked(&PathBuf::from("/bundled/codat.onus.yaml"), &files).unwrap();
        assert_eq!(checked.model, "codat");
        assert_eq!(checked.root, "codat.onus.yaml");
        let names: Vec<&str> = checked.files.iter().map(|(p, _)| p.as_str()).collect();
        assert_eq!(names, ["azure.onus.yaml", "codat.onus.yaml"]);
        assert_eq!(checked.sha256, content_hash(&checked.files));
        assert_eq!(checked.sha256.len(), 64);
    }

    #[test]
    fn a_model_with_errors_is_refused_with_its_diagnostics() {
        let mut files = HashMap::new();
        files.insert(
            PathBuf::from("/m/bad.onus.yaml"),
            "onus: 1\nmodel: { id: bad }\n".to_string(),
        );
        let report = load_checked(&PathBuf::from("/m/bad.onus.yaml"), &files)
            .err()
            .unwrap();
        assert!(report.contains("error"), "{report}");
        assert!(report.contains("bad.onus.yaml"), "{report}");
    }

    #[test]
    fn the_hash_changes_with_any_byte_and_with_the_split() {
        let a = content_hash(&[("a".into(), "bc".into())]);
        assert_ne!(a, content_hash(&[("ab".into(), "c".into())]));
        assert_ne!(a, content_hash(&[("a".into(), "bd".into())]));
    }
}
