//! Loading models and their upstream chains into a [`ModelSet`].
//!
//! Reading files is the caller's business, through the [`Files`] trait, so
//! this module does no I/O of its own: the CLI passes the disk, tests pass
//! a map of in-memory files.

mod decode;

use std::path::{Component, Path, PathBuf};

use indexmap::IndexMap;

use crate::diagnostic::{Code, Diagnostic};
use crate::model::Model;
use crate::source::{FileId, SourceMap, Spanned};
use crate::syntax::{self, Syntax};

pub use decode::{decode, OSCAL_ROOTS};

/// Where model files come from.
pub trait Files {
    /// The text of the file at `path`, or why it cannot be read.
    fn read(&self, path: &Path) -> Result<String, std::io::Error>;

    /// What makes two paths the same file (`a/x.yaml`, `/abs/a/x.yaml`, a
    /// link to it): the loader reads each file once, and finds cycles, by
    /// this. By default the path normalised lexically.
    fn identity(&self, path: &Path) -> PathBuf {
        normalize(path)
    }
}

/// In-memory files, for tests and for models that do not live on disk.
impl Files for std::collections::HashMap<PathBuf, String> {
    fn read(&self, path: &Path) -> Result<String, std::io::Error> {
        self.get(path)
            .cloned()
            .ok_or_else(|| std::io::Error::new(std::io::ErrorKind::NotFound, "no such file"))
    }
}

/// Index of a model in a [`ModelSet`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ModelId(pub usize);

/// One model file, as loaded.
#[derive(Debug, Clone)]
pub struct LoadedModel {
    /// The path as given or as reached from the file that names it.
    pub path: PathBuf,
    /// The file's identity ([`Files::identity`]).
    pub key: PathBuf,
    pub file: FileId,
    /// `None` when the file could not be read as a model at all.
    pub model: Option<Model>,
    /// Upstream id -> the loaded upstream, `None` when it could not be loaded.
    pub upstreams: IndexMap<String, Option<ModelId>>,
    /// Findings of parsing and decoding this file, and of following its upstreams.
    pub diagnostics: Vec<Diagnostic>,
}

/// Every model read in one run: the ones asked for and their upstreams,
/// each file once, with all their sources for diagnostics.
#[derive(Debug, Default, Clone)]
pub struct ModelSet {
    pub sources: SourceMap,
    pub models: Vec<LoadedModel>,
    /// The models asked for, in the order given.
    pub roots: Vec<ModelId>,
}

/// Why a model asked for by the user could not be loaded (upstreams that
/// cannot be read are diagnostics instead).
#[derive(Debug)]
pub struct ReadError {
    pub path: PathBuf,
    pub error: std::io::Error,
}

impl std::fmt::Display for ReadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "cannot read {}: {}", self.path.display(), self.error)
    }
}

impl std::error::Error for ReadError {}

impl ModelSet {
    /// Loads the model files at `paths` and their upstream chains.
    pub fn load(paths: &[PathBuf], files: &dyn Files) -> Result<ModelSet, ReadError> {
        let mut set = ModelSet::default();
        for path in paths {
            let path = normalize(path);
            // A file named twice, or already read as an upstream, is loaded once.
            let key = files.identity(&path);
            if let Some(id) = set.find(&key) {
                if !set.roots.contains(&id) {
                    set.roots.push(id);
                }
                continue;
            }
            let text = files.read(&path).map_err(|error| ReadError {
                path: path.clone(),
                error,
            })?;
            let id = set.add(&path, key, text, files, &mut Vec::new());
            set.roots.push(id);
        }
        Ok(set)
    }

    /// Loads one model from text already in hand (upstreams still come from `files`).
    pub fn load_text(path: &Path, text: String, files: &dyn Files) -> ModelSet {
        let mut set = ModelSet::default();
        let path = normalize(path);
        let key = files.identity(&path);
        let id = set.add(&path, key, text, files, &mut Vec::new());
        set.roots.push(id);
        set
    }

    pub fn get(&self, id: ModelId) -> &LoadedModel {
        &self.models[id.0]
    }

    /// The loaded model, if it decoded.
    pub fn model(&self, id: ModelId) -> Option<&Model> {
        self.models[id.0].model.as_ref()
    }

    fn find(&self, key: &Path) -> Option<ModelId> {
        self.models.iter().position(|m| m.key == key).map(ModelId)
    }

    /// Adds a file and, depth first, its upstreams. `chain` is the list of
    /// files being loaded above this one (identity, path), to find cycles.
    fn add(
        &mut self,
        path: &Path,
        key: PathBuf,
        text: String,
        files: &dyn Files,
        chain: &mut Vec<(PathBuf, PathBuf)>,
    ) -> ModelId {
        let file = self.sources.add(path, text);
        let (root, mut diagnostics) =
            syntax::parse(file, &self.sources.get(file).text, Syntax::from_path(path));
        let model = root.and_then(|root| {
            let (model, found) = decode(file, &root);
            diagnostics.extend(found);
            model
        });
        // Upstream id -> its path as written: all this function needs of the
        // model, which moves into the set (cloning it would double the work).
        let upstream_refs: Option<Vec<(String, Spanned<String>)>> = model.as_ref().map(|m| {
            m.upstreams
                .iter()
                .map(|(name, u)| (name.clone(), u.model.clone()))
                .collect()
        });
        let id = ModelId(self.models.len());
        self.models.push(LoadedModel {
            path: path.to_path_buf(),
            key: key.clone(),
            file,
            model,
            upstreams: IndexMap::new(),
            diagnostics,
        });
        let Some(upstream_refs) = upstream_refs else {
            return id;
        };

        chain.push((key, path.to_path_buf()));
        let dir = path.parent().unwrap_or(Path::new(""));
        let mut upstreams = IndexMap::new();
        let mut found = Vec::new();
        for (name, upstream_path) in &upstream_refs {
            let target = normalize(&dir.join(&upstream_path.value));
            let target_key = files.identity(&target);
            let loaded = if upstream_path.value.trim().is_empty() {
                found.push(
                    Diagnostic::new(Code::UpstreamMissing, upstream_path.span, format!("the path of upstream `{name}` is empty"))
                        .with_help("give the upstream model's file, relative to this file: `model: azure.onus.yaml`"),
                );
                None
            } else if chain.iter().any(|(k, _)| *k == target_key) {
                let mut cycle: Vec<String> = chain
                    .iter()
                    .skip_while(|(k, _)| *k != target_key)
                    .map(|(_, p)| p.display().to_string())
                    .collect();
                cycle.push(target.display().to_string());
                found.push(
                    Diagnostic::new(
                        Code::UpstreamCycle,
                        upstream_path.span,
                        format!(
                            "upstream `{name}` leads back into its own chain: {}",
                            cycle.join(" -> ")
                        ),
                    )
                    .with_help(
                        "a model cannot run on itself; remove one of the upstream references",
                    ),
                );
                None
            } else if let Some(existing) = self.find(&target_key) {
                Some(existing)
            } else {
                match files.read(&target) {
                    Ok(text) => Some(self.add(&target, target_key, text, files, chain)),
                    Err(e) => {
                        found.push(
                            Diagnostic::new(
                                Code::UpstreamMissing,
                                upstream_path.span,
                                format!(
                                    "cannot read upstream `{name}` at {}: {e}",
                                    target.display()
                                ),
                            )
                            .with_help("the path is relative to the file that names it"),
                        );
                        None
                    }
                }
            };
            upstreams.insert(name.clone(), loaded);
        }
        chain.pop();
        let loaded = &mut self.models[id.0];
        loaded.upstreams = upstreams;
        loaded.diagnostics.extend(found);
        id
    }
}

/// Removes `.` and resolves `..` lexically, so one file has one path.
pub fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for part in path.components() {
        match part {
            Component::CurDir => {}
            Component::ParentDir => match out.components().next_back() {
                Some(Component::Normal(_)) => {
                    out.pop();
                }
                Some(Component::RootDir | Component::Prefix(_)) => {}
                _ => out.push(".."),
            },
            other => out.push(other),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalizes_lexically() {
        assert_eq!(
            normalize(Path::new("./a/../b/./c.yaml")),
            PathBuf::from("b/c.yaml")
        );
        assert_eq!(
            normalize(Path::new("../x/../../y")),
            PathBuf::from("../../y")
        );
        assert_eq!(normalize(Path::new("/a/../../b")), PathBuf::from("/b"));
    }
}
