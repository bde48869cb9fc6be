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

    /// Whether the upstream at `path`, reached from the model `root` that
    /// was asked for, may be read at all (`Err` says why not). By default
    /// every path may; the disk confines upstreams to the root's folder
    /// tree or git repository.
    fn may_read_upstream(&self, root: &Path, path: &Path) -> Result<(), std::io::Error> {
        let _ = (root, path);
        Ok(())
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

/// Chains of upstreams deeper than this are refused (`upstream-missing` at
/// the reference that goes one deeper): real chains are a handful deep, and
/// everything after loading walks them.
pub const MAX_CHAIN_DEPTH: usize = 64;

/// An upstream reference: the upstream's id and its path as written.
type UpstreamRef = (String, Spanned<String>);

/// An upstream being loaded: its upstream references, which one is next,
/// and what was found so far. The loader keeps these on a stack of its
/// own, so a chain thousands deep cannot exhaust the call stack.
struct Pending {
    id: ModelId,
    key: PathBuf,
    path: PathBuf,
    refs: Vec<UpstreamRef>,
    next: usize,
    upstreams: IndexMap<String, Option<ModelId>>,
    found: Vec<Diagnostic>,
}

impl ModelSet {
    /// Loads the model files at `paths` and their upstream chains; fails on
    /// the first of `paths` that cannot be read.
    pub fn load(paths: &[PathBuf], files: &dyn Files) -> Result<ModelSet, ReadError> {
        let (set, mut errors) = ModelSet::load_all(paths, files);
        match errors.is_empty() {
            true => Ok(set),
            false => Err(errors.swap_remove(0)),
        }
    }

    /// Loads the model files at `paths` and their upstream chains, going on
    /// past the files that cannot be read, which are returned beside the set.
    pub fn load_all(paths: &[PathBuf], files: &dyn Files) -> (ModelSet, Vec<ReadError>) {
        let mut set = ModelSet::default();
        let mut errors = Vec::new();
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
            match files.read(&path) {
                Ok(text) => {
                    let id = set.add_root(&path, key, text, files);
                    set.roots.push(id);
                }
                Err(error) => errors.push(ReadError { path, error }),
            }
        }
        (set, errors)
    }

    /// Loads one model from text already in hand (upstreams still come from `files`).
    pub fn load_text(path: &Path, text: String, files: &dyn Files) -> ModelSet {
        let mut set = ModelSet::default();
        let path = normalize(path);
        let key = files.identity(&path);
        let id = set.add_root(&path, key, text, files);
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

    /// Parses and decodes one file into the set; returns its id and its
    /// upstream references (id, path as written), if it decoded.
    fn parse(
        &mut self,
        path: &Path,
        key: PathBuf,
        text: String,
        upstream: bool,
    ) -> (ModelId, Option<Vec<UpstreamRef>>) {
        let file = self.sources.add(path, text);
        let text = &self.sources.get(file).text;
        let (mut root, mut diagnostics) = syntax::parse(file, text, Syntax::from_path(path));
        if upstream && !looks_like_model(root.as_ref(), text) {
            root = None;
            // Never show a line of a file that is not a model: an upstream
            // path may name a key or a password file.
            self.sources.withhold(file);
            diagnostics = vec![Diagnostic::new(
                Code::NotAModel,
                crate::source::Span::new(file, 0, 0),
                "this upstream file is not an onus model, so none of it is shown",
            )
            .with_help(
                "an upstream's `model:` names another model file, which starts with `onus: 1`",
            )];
        }
        let model = root.and_then(|root| {
            let (model, found) = decode(file, &root);
            diagnostics.extend(found);
            model
        });
        // Upstream id -> its path as written: all the loader needs of the
        // model, which moves into the set (cloning it would double the work).
        let refs = model.as_ref().map(|m| {
            m.upstreams
                .iter()
                .map(|(name, u)| (name.clone(), u.model.clone()))
                .collect()
        });
        let id = ModelId(self.models.len());
        self.models.push(LoadedModel {
            path: path.to_path_buf(),
            key,
            file,
            model,
            upstreams: IndexMap::new(),
            diagnostics,
        });
        (id, refs)
    }

    /// Adds a root file and, depth first, its upstreams, each file once.
    /// The chain of files being loaded (the stack) finds cycles.
    fn add_root(&mut self, path: &Path, key: PathBuf, text: String, files: &dyn Files) -> ModelId {
        let root_path = path.to_path_buf();
        let (root, refs) = self.parse(path, key.clone(), text, false);
        let Some(refs) = refs else {
            return root;
        };
        let mut stack = vec![Pending::new(root, key, path, refs)];
        while let Some(top) = stack.last_mut() {
            let Some((name, written)) = top.refs.get(top.next).cloned() else {
                let done = stack.pop().expect("the stack has a top");
                let loaded = &mut self.models[done.id.0];
                loaded.upstreams = done.upstreams;
                loaded.diagnostics.extend(done.found);
                continue;
            };
            top.next += 1;
            let holder = stack.len() - 1;
            let (loaded, found) = self.follow(&name, &written, &root_path, &mut stack, files);
            stack[holder].found.extend(found);
            stack[holder].upstreams.insert(name, loaded);
        }
        root
    }

    /// Follows the reference `written` to upstream `name` of the model on
    /// top of `stack`: the upstream's id (pushed on the stack if it is new
    /// and has upstreams of its own), or the finding that says why not.
    fn follow(
        &mut self,
        name: &str,
        written: &Spanned<String>,
        root: &Path,
        stack: &mut Vec<Pending>,
        files: &dyn Files,
    ) -> (Option<ModelId>, Option<Diagnostic>) {
        let holder = stack.last().expect("the stack has a top");
        let dir = holder.path.parent().unwrap_or(Path::new(""));
        let target = normalize(&dir.join(&written.value));
        let target_key = files.identity(&target);
        let refuse = |message: String, help: &str| {
            let d = Diagnostic::new(Code::UpstreamMissing, written.span, message).with_help(help);
            (None, Some(d))
        };
        let unreadable = |e: std::io::Error| {
            refuse(
                format!("cannot read upstream `{name}` at {}: {e}", target.display()),
                "the path is relative to the file that names it",
            )
        };
        if written.value.trim().is_empty() {
            return refuse(
                format!("the path of upstream `{name}` is empty"),
                "give the upstream model's file, relative to this file: `model: azure.onus.yaml`",
            );
        }
        if stack.iter().any(|p| p.key == target_key) {
            let mut cycle: Vec<String> = stack
                .iter()
                .skip_while(|p| p.key != target_key)
                .map(|p| p.path.display().to_string())
                .collect();
            cycle.push(target.display().to_string());
            let d = Diagnostic::new(
                Code::UpstreamCycle,
                written.span,
                format!(
                    "upstream `{name}` leads back into its own chain: {}",
                    cycle.join(" -> ")
                ),
            )
            .with_help("a model cannot run on itself; remove one of the upstream references");
            return (None, Some(d));
        }
        if let Err(e) = files.may_read_upstream(root, &target) {
            return unreadable(e);
        }
        if let Some(existing) = self.find(&target_key) {
            return (Some(existing), None);
        }
        if stack.len() >= MAX_CHAIN_DEPTH {
            return refuse(
                format!("upstream `{name}` makes the chain deeper than {MAX_CHAIN_DEPTH} models"),
                "a chain of upstreams is a handful of models deep: look for a chain generated by mistake",
            );
        }
        match files.read(&target) {
            Ok(text) => {
                let (id, refs) = self.parse(&target, target_key.clone(), text, true);
                if let Some(refs) = refs {
                    stack.push(Pending::new(id, target_key, &target, refs));
                }
                (Some(id), None)
            }
            Err(e) => unreadable(e),
        }
    }
}

impl Pending {
    fn new(id: ModelId, key: PathBuf, path: &Path, refs: Vec<UpstreamRef>) -> Self {
        Pending {
            id,
            key,
            path: path.to_path_buf(),
            refs,
            next: 0,
            upstreams: IndexMap::new(),
            found: Vec::new(),
        }
    }
}

/// Whether a file read as an upstream is a model, or close enough that its
/// findings may quote it: a map with the key `onus`, or text that does not
/// parse but has a line starting with that key.
fn looks_like_model(root: Option<&syntax::Node>, text: &str) -> bool {
    const KEYS: &[&str] = &["onus"];
    match root {
        Some(root) => match &root.value {
            syntax::Value::Map(entries) => entries
                .iter()
                .any(|(k, _)| k.as_text().is_some_and(|k| KEYS.contains(&k))),
            _ => false,
        },
        None => text.lines().any(|line| {
            let line =
                line.trim_start_matches(|c: char| c.is_whitespace() || "{\"'\u{feff}".contains(c));
            KEYS.iter().any(|k| {
                line.strip_prefix(k)
                    .is_some_and(|rest| rest.trim_start_matches(['"', '\'', ' ']).starts_with(':'))
            })
        }),
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
    use std::collections::HashMap;

    fn upstream_on(next: &str) -> String {
        format!("onus: 1\nupstreams:\n  up: {{ model: {next} }}\n")
    }

    #[test]
    fn a_chain_thousands_deep_stops_at_the_limit_without_recursion() {
        let files: HashMap<PathBuf, String> = (0..3_000)
            .map(|i| {
                let path = PathBuf::from(format!("m{i}.onus.yaml"));
                (path, upstream_on(&format!("m{}.onus.yaml", i + 1)))
            })
            .collect();
        // A thread of 256 KB: one frame per level would not fit.
        let set = std::thread::Builder::new()
            .stack_size(256 << 10)
            .spawn(move || ModelSet::load(&[PathBuf::from("m0.onus.yaml")], &files).unwrap())
            .unwrap()
            .join()
            .unwrap();
        assert_eq!(set.models.len(), MAX_CHAIN_DEPTH);
        let last = &set.models[MAX_CHAIN_DEPTH - 1];
        assert_eq!(last.path, PathBuf::from("m63.onus.yaml"));
        let deep: Vec<_> = last
            .diagnostics
            .iter()
            .filter(|d| d.code == Code::UpstreamMissing)
            .collect();
        assert_eq!(deep.len(), 1);
        assert!(
            deep[0].message.contains("deeper than 64 models"),
            "{deep:?}"
        );
        assert_eq!(last.upstreams["up"], None);
        // Every other link is followed, in order.
        assert_eq!(set.models[0].upstreams["up"], Some(ModelId(1)));
    }

    #[test]
    fn cycles_and_diamonds_are_found_on_the_loader_stack() {
        let files: HashMap<PathBuf, String> = [
            (
                "a.onus.yaml",
                "onus: 1\nupstreams:\n  b: { model: b.onus.yaml }\n  c: { model: c.onus.yaml }\n"
                    .to_string(),
            ),
            ("b.onus.yaml", upstream_on("d.onus.yaml")),
            ("c.onus.yaml", upstream_on("d.onus.yaml")),
            ("d.onus.yaml", upstream_on("b.onus.yaml")),
        ]
        .into_iter()
        .map(|(p, t)| (PathBuf::from(p), t))
        .collect();
        let set = ModelSet::load(&[PathBuf::from("a.onus.yaml")], &files).unwrap();
        let paths: Vec<_> = set
            .models
            .iter()
            .map(|m| m.path.display().to_string())
            .collect();
        assert_eq!(
            paths,
            ["a.onus.yaml", "b.onus.yaml", "d.onus.yaml", "c.onus.yaml"]
        );
        assert_eq!(set.models[0].upstreams["c"], Some(ModelId(3)));
        assert_eq!(set.models[3].upstreams["up"], Some(ModelId(2)));
        let cycle = &set.models[2].diagnostics;
        assert!(
            cycle.iter().any(|d| d.code == Code::UpstreamCycle
                && d.message
                    .ends_with("b.onus.yaml -> d.onus.yaml -> b.onus.yaml")),
            "{cycle:?}"
        );
    }

    #[test]
    fn an_upstream_that_is_not_a_model_is_never_shown() {
        for secret in [
            "password: hunter2\n",
            "hunter2\n",
            "-----BEGIN OPENSSH PRIVATE KEY-----\nhunter2: [\n",
            "{\"token\": \"hunter2\"}",
        ] {
            let files: HashMap<PathBuf, String> = [
                ("a.onus.yaml", upstream_on("secret")),
                ("secret", secret.to_string()),
            ]
            .into_iter()
            .map(|(p, t)| (PathBuf::from(p), t.to_string()))
            .collect();
            let set = ModelSet::load(&[PathBuf::from("a.onus.yaml")], &files).unwrap();
            let upstream = &set.models[1];
            assert_eq!(set.sources.get(upstream.file).text, "");
            assert_eq!(upstream.diagnostics.len(), 1, "{secret}");
            assert_eq!(upstream.diagnostics[0].code, Code::NotAModel);
            let shown = crate::diagnostic::text::render(&upstream.diagnostics, &set.sources, false);
            assert!(!shown.contains("hunter2"), "{shown}");
        }
        // A model with a syntax error is still quoted.
        let files: HashMap<PathBuf, String> = [
            ("a.onus.yaml", upstream_on("b.onus.yaml")),
            ("b.onus.yaml", "onus: 1\nparties: [\n".to_string()),
        ]
        .into_iter()
        .map(|(p, t)| (PathBuf::from(p), t))
        .collect();
        let set = ModelSet::load(&[PathBuf::from("a.onus.yaml")], &files).unwrap();
        assert_eq!(set.models[1].diagnostics[0].code, Code::Syntax);
        assert!(!set.sources.get(set.models[1].file).text.is_empty());
    }

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
