//! Models as of a git revision: `REV:PATH` on the command line (`onus diff
//! HEAD~1:models/x.onus.yaml models/x.onus.yaml`).
//!
//! [`GitFiles`] reads every file, the model and its upstreams alike, from
//! the same revision, by running `git cat-file blob REV:PATH` (the plumbing
//! form of `git show REV:PATH`, with no pager and no text conversion). Paths
//! are taken relative to the current folder, as on disk, and turned into
//! paths from the root of the repository.

use std::io;
use std::path::{Component, Path, PathBuf};
use std::process::{Command, Output};

use onus_core::load::{normalize, Files};

/// One side of a comparison as written on the command line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Spec {
    /// A file on disk.
    Disk(PathBuf),
    /// `REV:PATH`: the file as of a git revision.
    Git { rev: String, path: PathBuf },
}

impl Spec {
    /// Reads an argument: a path that exists on disk is a file, whatever it
    /// looks like; otherwise `REV:PATH` (split at the first colon) names a
    /// file at a revision; anything else is a file on disk (that reading it
    /// will report missing).
    pub fn parse(arg: &str) -> Spec {
        if Path::new(arg).exists() {
            return Spec::Disk(PathBuf::from(arg));
        }
        match arg.split_once(':') {
            Some((rev, path)) if !rev.is_empty() && !path.is_empty() => Spec::Git {
                rev: rev.to_string(),
                path: PathBuf::from(path),
            },
            _ => Spec::Disk(PathBuf::from(arg)),
        }
    }
}

impl std::fmt::Display for Spec {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Spec::Disk(path) => write!(f, "{}", path.display()),
            Spec::Git { rev, path } => write!(f, "{rev}:{}", path.display()),
        }
    }
}

/// Why files cannot be read from a revision.
#[derive(Debug, thiserror::Error)]
pub enum GitError {
    #[error("cannot run git ({0}); install git, or compare files on disk")]
    NoGit(io::Error),
    #[error("{dir} is not inside a git repository; run onus from the repository, or compare files on disk")]
    NotARepository { dir: PathBuf },
    #[error("git refuses the repository at {dir}: it belongs to another user (git's `safe.directory` check); if you trust it, run `git config --global --add safe.directory {}`", shell_quote(&dir.display().to_string()))]
    NotTrusted { dir: PathBuf },
    #[error(
        "git knows no revision `{rev}`; check it with `git log --oneline --end-of-options {}`",
        shell_quote(rev)
    )]
    UnknownRevision { rev: String },
    #[error("git {args} failed: {stderr}")]
    Failed { args: String, stderr: String },
}

/// The files of a git repository as of one revision.
#[derive(Clone, Debug)]
pub struct GitFiles {
    /// The root of the working tree (`git rev-parse --show-toplevel`).
    root: PathBuf,
    /// The current folder, relative to the root (`--show-prefix`).
    prefix: PathBuf,
    /// The revision, resolved to a commit id.
    commit: String,
    /// The revision as given, for messages.
    rev: String,
}

impl GitFiles {
    /// Files as of `rev` in the repository of the current folder.
    pub fn new(rev: &str) -> Result<GitFiles, GitError> {
        Self::in_dir(Path::new("."), rev)
    }

    /// Files as of `rev` in the repository that holds `dir`, with paths
    /// relative to `dir`.
    pub fn in_dir(dir: &Path, rev: &str) -> Result<GitFiles, GitError> {
        let out = git(dir, &["rev-parse", "--show-toplevel", "--show-prefix"])?;
        let stderr = String::from_utf8_lossy(&out.stderr);
        if !out.status.success() && stderr.contains("dubious ownership") {
            // `git` names the repository: "... in repository at '/path'".
            let at = stderr
                .lines()
                .find_map(|l| {
                    l.split_once(" at '")
                        .map(|(_, rest)| rest.trim_end_matches('\''))
                })
                .map_or_else(|| dir.to_path_buf(), PathBuf::from);
            return Err(GitError::NotTrusted { dir: at });
        }
        if !out.status.success() {
            return Err(GitError::NotARepository {
                dir: std::path::absolute(dir).unwrap_or_else(|_| dir.to_path_buf()),
            });
        }
        let text = String::from_utf8_lossy(&out.stdout);
        let mut lines = text.lines();
        let root = PathBuf::from(lines.next().unwrap_or_default());
        let prefix = PathBuf::from(lines.next().unwrap_or_default());
        // `--end-of-options` keeps a revision such as `--all` from being an option.
        let spec = format!("{rev}^{{commit}}");
        let out = git(
            dir,
            &[
                "rev-parse",
                "--verify",
                "--quiet",
                "--end-of-options",
                &spec,
            ],
        )?;
        if !out.status.success() || rev.starts_with('-') {
            return Err(GitError::UnknownRevision {
                rev: rev.to_string(),
            });
        }
        let commit = String::from_utf8_lossy(&out.stdout).trim().to_string();
        Ok(GitFiles {
            root,
            prefix,
            commit,
            rev: rev.to_string(),
        })
    }

    /// The revision as given.
    pub fn rev(&self) -> &str {
        &self.rev
    }

    /// The path of `path` from the root of the repository, `/`-separated.
    fn repo_path(&self, path: &Path) -> io::Result<String> {
        let relative = if path.is_absolute() {
            let path = normalize(path);
            match path.strip_prefix(&self.root) {
                Ok(p) => p.to_path_buf(),
                // The root git gives is the real path: follow symbolic links in ours.
                Err(_) => path
                    .parent()
                    .and_then(|dir| std::fs::canonicalize(dir).ok())
                    .and_then(|dir| {
                        let real = dir.join(path.file_name()?);
                        real.strip_prefix(&self.root).ok().map(Path::to_path_buf)
                    })
                    .ok_or_else(|| outside(&path))?,
            }
        } else {
            normalize(&self.prefix.join(path))
        };
        let mut parts = Vec::new();
        for part in relative.components() {
            match part {
                Component::Normal(p) => parts.push(p.to_string_lossy().into_owned()),
                _ => return Err(outside(path)),
            }
        }
        Ok(parts.join("/"))
    }
}

impl Files for GitFiles {
    fn read(&self, path: &Path) -> io::Result<String> {
        let name = self.repo_path(path)?;
        let object = format!("{}:{name}", self.commit);
        let out = git(&self.root, &["cat-file", "blob", &object]).map_err(|e| match e {
            GitError::NoGit(e) => e,
            other => io::Error::other(other.to_string()),
        })?;
        if !out.status.success() {
            return Err(io::Error::new(
                io::ErrorKind::NotFound,
                format!("no file {name} at revision {}", self.rev),
            ));
        }
        String::from_utf8(out.stdout).map_err(|e| {
            io::Error::new(
                io::ErrorKind::InvalidData,
                format!(
                    "not UTF-8 text at revision {} (invalid byte at offset {})",
                    self.rev,
                    e.utf8_error().valid_up_to()
                ),
            )
        })
    }
}

/// `text` as one word for a POSIX shell: as it is when it is plain, else
/// in single quotes, so a suggested command can be pasted safely.
pub fn shell_quote(text: &str) -> String {
    let plain = |c: char| c.is_ascii_alphanumeric() || "-_./:~^@{}=+,".contains(c);
    if !text.is_empty() && text.chars().all(plain) {
        return text.to_string();
    }
    format!("'{}'", text.replace('\'', "'\\''"))
}

fn outside(path: &Path) -> io::Error {
    io::Error::new(
        io::ErrorKind::NotFound,
        format!("{} is outside the git repository", path.display()),
    )
}

fn git(dir: &Path, args: &[&str]) -> Result<Output, GitError> {
    Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .output()
        .map_err(GitError::NoGit)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggested_commands_quote_what_the_user_wrote() {
        assert_eq!(shell_quote("HEAD~1"), "HEAD~1");
        assert_eq!(shell_quote("main@{2}"), "main@{2}");
        assert_eq!(shell_quote("x; rm -rf ~"), "'x; rm -rf ~'");
        assert_eq!(shell_quote("it's"), "'it'\\''s'");
        assert_eq!(shell_quote("$(id)"), "'$(id)'");
        assert_eq!(shell_quote(""), "''");
        let err = GitError::UnknownRevision {
            rev: "v1 $(id)".into(),
        };
        assert_eq!(
            err.to_string(),
            "git knows no revision `v1 $(id)`; check it with `git log --oneline --end-of-options 'v1 $(id)'`"
        );
    }

    #[test]
    fn a_path_on_disk_wins_over_rev_path() {
        let dir = tempfile::tempdir().unwrap();
        let odd = dir.path().join("HEAD:x.onus.yaml");
        std::fs::write(&odd, "").unwrap();
        let arg = odd.to_str().unwrap();
        assert_eq!(Spec::parse(arg), Spec::Disk(odd.clone()));
        assert_eq!(
            Spec::parse("HEAD~1:models/x.onus.yaml"),
            Spec::Git {
                rev: "HEAD~1".into(),
                path: "models/x.onus.yaml".into()
            }
        );
        assert_eq!(
            Spec::parse("missing.onus.yaml"),
            Spec::Disk("missing.onus.yaml".into())
        );
        assert_eq!(Spec::parse(":x"), Spec::Disk(":x".into()));
        assert_eq!(Spec::parse("v1:"), Spec::Disk("v1:".into()));
        assert_eq!(
            Spec::parse("HEAD~1:models/x.onus.yaml").to_string(),
            "HEAD~1:models/x.onus.yaml"
        );
    }

    fn run(dir: &Path, args: &[&str]) {
        let out = Command::new("git")
            .arg("-C")
            .arg(dir)
            .args(args)
            .env_remove("GIT_DIR")
            .env_remove("GIT_WORK_TREE")
            .output()
            .unwrap();
        assert!(out.status.success(), "git {args:?}: {out:?}");
    }

    #[test]
    fn reads_files_as_of_a_revision_relative_to_the_folder() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        run(root, &["init", "-q"]);
        run(root, &["config", "user.name", "onus"]);
        run(root, &["config", "user.email", "onus@example.invalid"]);
        std::fs::create_dir_all(root.join("models")).unwrap();
        std::fs::write(root.join("models/a.onus.yaml"), "one\n").unwrap();
        run(root, &["add", "."]);
        run(root, &["commit", "-q", "-m", "one"]);
        std::fs::write(root.join("models/a.onus.yaml"), "two\n").unwrap();
        run(root, &["commit", "-q", "-am", "two"]);

        let files = GitFiles::in_dir(root, "HEAD~1").unwrap();
        assert_eq!(
            files.read(Path::new("models/a.onus.yaml")).unwrap(),
            "one\n"
        );
        let sub = GitFiles::in_dir(&root.join("models"), "HEAD").unwrap();
        assert_eq!(sub.read(Path::new("a.onus.yaml")).unwrap(), "two\n");
        assert_eq!(
            sub.read(Path::new("../models/./a.onus.yaml")).unwrap(),
            "two\n"
        );
        let missing = sub.read(Path::new("b.onus.yaml")).unwrap_err();
        assert_eq!(missing.kind(), io::ErrorKind::NotFound);
        assert_eq!(
            missing.to_string(),
            "no file models/b.onus.yaml at revision HEAD"
        );
        assert!(sub.read(Path::new("../../x")).is_err());

        let err = GitFiles::in_dir(root, "no-such-branch").unwrap_err();
        assert!(matches!(err, GitError::UnknownRevision { .. }), "{err}");
        let outside = tempfile::tempdir().unwrap();
        let err = GitFiles::in_dir(outside.path(), "HEAD").unwrap_err();
        assert!(matches!(err, GitError::NotARepository { .. }), "{err}");
    }
}
