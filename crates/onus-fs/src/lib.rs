//! The disk side of onus: reading model files (and their upstreams),
//! finding models in folders, and writing outputs atomically (a temp file
//! in the same folder, then a rename), so a failure never leaves a
//! half-written file behind.

pub mod git;

use std::io::Write;
use std::path::{Path, PathBuf};

use onus_core::load::Files;

/// Files read from the operating system's file system.
#[derive(Debug, Default, Clone, Copy)]
pub struct OsFiles;

impl Files for OsFiles {
    /// The file's canonical path (links resolved), so one file reached by
    /// two spellings is read once; a path that cannot be resolved stays as
    /// it is (reading it will say why).
    fn identity(&self, path: &Path) -> PathBuf {
        std::fs::canonicalize(path).unwrap_or_else(|_| onus_core::load::normalize(path))
    }

    fn read(&self, path: &Path) -> Result<String, std::io::Error> {
        let bytes = std::fs::read(path)?;
        String::from_utf8(bytes).map_err(|e| {
            std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                format!(
                    "not UTF-8 text (invalid byte at offset {})",
                    e.utf8_error().valid_up_to()
                ),
            )
        })
    }
}

/// Whether a file name is a model's: `*.onus.yaml`, `*.onus.yml` or `*.onus.json`.
pub fn is_model_file(path: &Path) -> bool {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
    [".onus.yaml", ".onus.yml", ".onus.json"]
        .iter()
        .any(|ext| name.ends_with(ext))
}

/// Expands the paths given on a command line: files are kept as given,
/// folders are searched recursively for model files (sorted, hidden folders
/// and `target` skipped).
pub fn find_models(paths: &[PathBuf]) -> Result<Vec<PathBuf>, std::io::Error> {
    let mut out = Vec::new();
    let mut seen = Vec::new();
    for path in paths {
        if path.is_dir() {
            walk(path, &mut out, &mut seen)?;
        } else {
            out.push(path.clone());
        }
    }
    Ok(out)
}

/// `seen` holds the canonical folders already searched, so symbolic links
/// that loop (or lead to a folder twice) are searched once.
fn walk(dir: &Path, out: &mut Vec<PathBuf>, seen: &mut Vec<PathBuf>) -> Result<(), std::io::Error> {
    let canonical = std::fs::canonicalize(dir)?;
    if seen.contains(&canonical) {
        return Ok(());
    }
    seen.push(canonical);
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|e| {
            std::io::Error::new(
                e.kind(),
                format!("cannot read folder {}: {e}", dir.display()),
            )
        })?
        .map(|e| e.map(|e| e.path()))
        .collect::<Result<_, _>>()?;
    entries.sort();
    for path in entries {
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if path.is_dir() {
            if !name.starts_with('.') && name != "target" && name != "node_modules" {
                walk(&path, out, seen)?;
            }
        } else if is_model_file(&path) {
            out.push(path);
        }
    }
    Ok(())
}

/// Writes `bytes` to `path` through a temporary file in the same folder
/// and a rename: readers see the old file or the new one, never half.
///
/// A symbolic link is followed (the file it points at is replaced, the link
/// stays), and what is not a regular file — `/dev/stdout`, a pipe, a device —
/// is written to in place, never replaced.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), std::io::Error> {
    match std::fs::metadata(path) {
        Ok(m) if m.is_dir() => {
            return Err(std::io::Error::new(
                std::io::ErrorKind::IsADirectory,
                "it is a folder",
            ));
        }
        Ok(m) if !m.is_file() => {
            let mut file = std::fs::OpenOptions::new().write(true).open(path)?;
            return file.write_all(bytes).and_then(|_| file.flush());
        }
        _ => {}
    }
    let is_link = std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink());
    let target = match is_link {
        true => std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf()),
        false => path.to_path_buf(),
    };
    let dir = match target.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    // The temporary file's own name means nothing to the user: errors say what happened.
    let plain = |e: std::io::Error| {
        let why = match e.kind() {
            std::io::ErrorKind::NotFound => "the folder does not exist".to_string(),
            kind => kind.to_string(),
        };
        std::io::Error::new(e.kind(), why)
    };
    let mut tmp = tempfile::NamedTempFile::new_in(dir).map_err(plain)?;
    let _pending = PENDING.add(tmp.path());
    tmp.write_all(bytes).map_err(plain)?;
    tmp.as_file().sync_all().map_err(plain)?;
    set_permissions(tmp.as_file(), &target)?;
    tmp.persist(&target).map_err(|e| plain(e.error))?;
    Ok(())
}

/// The temporary files [`write_atomic`] is writing right now.
static PENDING: PendingWrites = PendingWrites(std::sync::Mutex::new(Vec::new()));

/// Removes the temporary files of the writes in progress, so a process
/// ended by a signal (Ctrl-C, SIGTERM) leaves nothing behind: call it from
/// the signal handler, then exit. A write that had already renamed its
/// file into place is complete and stays.
pub fn remove_pending_writes() {
    PENDING.remove_all();
}

/// A list of temporary files being written.
struct PendingWrites(std::sync::Mutex<Vec<PathBuf>>);

impl PendingWrites {
    fn list(&self) -> std::sync::MutexGuard<'_, Vec<PathBuf>> {
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Lists `path` while the returned guard lives.
    fn add(&self, path: &Path) -> Pending<'_> {
        self.list().push(path.to_path_buf());
        Pending(self, path.to_path_buf())
    }

    fn remove_all(&self) {
        for path in self.list().drain(..) {
            let _ = std::fs::remove_file(path);
        }
    }
}

/// A temporary file listed while it lives.
struct Pending<'a>(&'a PendingWrites, PathBuf);

impl Drop for Pending<'_> {
    fn drop(&mut self) {
        self.0.list().retain(|p| *p != self.1);
    }
}

/// A replaced file keeps its permissions; a new one is readable by all
/// (0644), like a file written by an editor, not the temp file's 0600.
fn set_permissions(file: &std::fs::File, path: &Path) -> Result<(), std::io::Error> {
    let permissions = match std::fs::metadata(path) {
        Ok(existing) => existing.permissions(),
        Err(_) => {
            let mut p = file.metadata()?.permissions();
            #[cfg(unix)]
            {
                use std::os::unix::fs::PermissionsExt;
                p.set_mode(0o644);
            }
            p
        }
    };
    file.set_permissions(permissions)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_models_recursively_in_order() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir_all(root.join("b/.hidden")).unwrap();
        for f in [
            "b/z.onus.yaml",
            "a.onus.json",
            "b/.hidden/x.onus.yaml",
            "notes.yaml",
            "c.onus.yml",
        ] {
            std::fs::write(root.join(f), "").unwrap();
        }
        #[cfg(unix)]
        {
            // Loops through symbolic links are searched once.
            std::os::unix::fs::symlink(root, root.join("b/loop")).unwrap();
            std::os::unix::fs::symlink(root.join("b"), root.join("b/self")).unwrap();
        }
        let found = find_models(&[root.to_path_buf()]).unwrap();
        let names: Vec<_> = found
            .iter()
            .map(|p| p.strip_prefix(root).unwrap().to_path_buf())
            .collect();
        assert_eq!(
            names,
            [
                PathBuf::from("a.onus.json"),
                "b/z.onus.yaml".into(),
                "c.onus.yml".into()
            ]
        );
    }

    #[test]
    fn writes_atomically_and_replaces() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.txt");
        write_atomic(&path, b"one").unwrap();
        write_atomic(&path, b"two").unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "two");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
        let err = write_atomic(&dir.path().join("missing/out.txt"), b"x").unwrap_err();
        assert_eq!(err.to_string(), "the folder does not exist");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o644);
        }
    }

    #[cfg(unix)]
    #[test]
    fn links_are_followed_and_special_files_written_in_place() {
        let dir = tempfile::tempdir().unwrap();
        let real = dir.path().join("real.svg");
        let link = dir.path().join("link.svg");
        std::fs::write(&real, "old").unwrap();
        std::os::unix::fs::symlink(&real, &link).unwrap();
        write_atomic(&link, b"new").unwrap();
        assert!(std::fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink());
        assert_eq!(std::fs::read_to_string(&real).unwrap(), "new");

        // /dev/null stays a device.
        write_atomic(Path::new("/dev/null"), b"x").unwrap();
        assert!(!std::fs::metadata("/dev/null").unwrap().is_file());

        let err = write_atomic(dir.path(), b"x").unwrap_err();
        assert_eq!(err.to_string(), "it is a folder");
    }

    #[test]
    fn pending_writes_are_listed_until_done_and_removed_on_demand() {
        let dir = tempfile::tempdir().unwrap();
        let tmp = dir.path().join(".tmpXYZ");
        let pending = PendingWrites(std::sync::Mutex::new(Vec::new()));
        std::fs::write(&tmp, "half").unwrap();
        {
            let _guard = pending.add(&tmp);
            pending.remove_all();
            assert!(!tmp.exists(), "a pending temporary file is removed");
        }
        std::fs::write(&tmp, "again").unwrap();
        drop(pending.add(&tmp));
        assert!(pending.list().is_empty());
        pending.remove_all();
        assert!(tmp.exists(), "a finished write is no longer pending");
    }

    #[test]
    fn reading_non_utf8_says_so() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("bad.onus.yaml");
        std::fs::write(&path, b"a: \xff\n").unwrap();
        let err = OsFiles.read(&path).unwrap_err();
        assert!(err.to_string().contains("not UTF-8"));
    }
}
