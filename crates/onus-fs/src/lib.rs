//! The disk side of onus: reading model files (and their upstreams),
//! finding models in folders, and writing outputs atomically (a temp file
//! in the same folder, then a rename), so a failure never leaves a
//! half-written file behind.

pub mod git;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use onus_core::load::Files;

/// What a run may read: set once by the command line ([`set_limits`]),
/// read by [`OsFiles`] and by the OSCAL loader ([`read_text`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// A file larger than this is refused before it is read.
    pub max_file_bytes: u64,
    /// Whether upstreams (and a framework's `catalog:`) must stay inside
    /// the root model's folder tree or git repository ([`confine`]).
    pub confined: bool,
}

/// The default size cap: 256 MB, ten times the largest real model or
/// catalog (NIST SP 800-53's catalog is 10 MB).
pub const DEFAULT_MAX_FILE_BYTES: u64 = 256 << 20;

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_file_bytes: DEFAULT_MAX_FILE_BYTES,
            confined: true,
        }
    }
}

static LIMITS: OnceLock<Limits> = OnceLock::new();

/// Sets the limits of this process (the first call wins; the command line
/// makes it once, before reading anything).
pub fn set_limits(limits: Limits) {
    let _ = LIMITS.set(limits);
}

/// The limits of this process: [`Limits::default`] unless set.
pub fn limits() -> Limits {
    LIMITS.get().copied().unwrap_or_default()
}

fn refused(message: String) -> std::io::Error {
    std::io::Error::new(std::io::ErrorKind::PermissionDenied, message)
}

/// Reads a text file under the process [`limits`]: only a regular file
/// (never a device, a FIFO, a folder, nor anything under `/proc`, `/sys`
/// or `/dev`, whose sizes lie), no larger than the size cap, in UTF-8 (a
/// UTF-16 file is told to be saved as UTF-8).
pub fn read_text(path: &Path) -> Result<String, std::io::Error> {
    read_text_within(path, limits().max_file_bytes)
}

fn read_text_within(path: &Path, max: u64) -> Result<String, std::io::Error> {
    use std::io::Read;
    let meta = std::fs::metadata(path)?;
    if !meta.is_file() {
        let what = if meta.is_dir() {
            "a folder"
        } else {
            "not a regular file (a device, a pipe or a socket)"
        };
        return Err(refused(format!("it is {what}")));
    }
    if let Ok(real) = std::fs::canonicalize(path) {
        if ["/proc", "/sys", "/dev"]
            .iter()
            .any(|p| real.starts_with(p))
        {
            return Err(refused(format!(
                "{} is a system file, not a document",
                real.display()
            )));
        }
    }
    let too_big = |size: u64| {
        refused(format!(
            "it is {} MB, more than the limit of {} MB (raise it with `--max-file-size MB`)",
            size.div_ceil(1 << 20),
            max >> 20
        ))
    };
    if meta.len() > max {
        return Err(too_big(meta.len()));
    }
    let file = std::fs::File::open(path)?;
    // The file may have grown since: never read more than the cap.
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    file.take(max + 1).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > max {
        return Err(too_big(bytes.len() as u64));
    }
    String::from_utf8(bytes).map_err(|e| {
        let bytes = e.as_bytes();
        let message = if bytes.starts_with(&[0xff, 0xfe]) || bytes.starts_with(&[0xfe, 0xff]) {
            "UTF-16 text: onus reads UTF-8; save the file as UTF-8".to_string()
        } else {
            let at = e.utf8_error().valid_up_to();
            // What comes before the byte is UTF-8: lines and columns as an editor counts them.
            let before = std::str::from_utf8(&bytes[..at]).unwrap_or_default();
            let line = before.matches('\n').count() + 1;
            let column = before
                .rsplit('\n')
                .next()
                .unwrap_or_default()
                .chars()
                .count()
                + 1;
            format!(
                "not UTF-8 text: byte 0x{:02X} at line {line}, column {column} is not UTF-8 \
                 (the file may be Latin-1 or Windows-1252); save the file as UTF-8",
                bytes[at]
            )
        };
        std::io::Error::new(std::io::ErrorKind::InvalidData, message)
    })
}

/// Where the files a root model reads must stay: its git repository (the
/// nearest folder above it with a `.git`), else its own folder.
pub fn boundary(root: &Path) -> PathBuf {
    let real = std::fs::canonicalize(root).unwrap_or_else(|_| root.to_path_buf());
    let folder = real
        .parent()
        .map_or_else(|| real.clone(), Path::to_path_buf);
    folder
        .ancestors()
        .find(|dir| dir.join(".git").exists())
        .map_or(folder.clone(), Path::to_path_buf)
}

/// Refuses `path` (an upstream or a framework's catalog of the model at
/// `root`) when it leads, links resolved, outside [`boundary`]`(root)`,
/// unless the process [`limits`] are not confined (`--allow-outside-root`).
pub fn confine(root: &Path, path: &Path) -> Result<(), std::io::Error> {
    if !limits().confined {
        return Ok(());
    }
    confine_to(&boundary(root), path)
}

fn confine_to(boundary: &Path, path: &Path) -> Result<(), std::io::Error> {
    // A file that does not exist is not refused here: reading it says so.
    let Ok(real) = std::fs::canonicalize(path) else {
        return Ok(());
    };
    if real.starts_with(boundary) {
        return Ok(());
    }
    Err(refused(format!(
        "it is outside {} (the model's folder or git repository); pass `--allow-outside-root` to read it",
        boundary.display()
    )))
}

/// Files read from the operating system's file system, under the process
/// [`limits`].
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
        read_text(path)
    }

    fn may_read_upstream(&self, root: &Path, path: &Path) -> Result<(), std::io::Error> {
        confine(root, path)
    }
}

/// Whether a file name is a model's: `*.onus.yaml`, `*.onus.yml` or `*.onus.json`.
pub fn is_model_file(path: &Path) -> bool {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
    [".onus.yaml", ".onus.yml", ".onus.json"]
        .iter()
        .any(|ext| name.ends_with(ext))
}

/// The model files found by [`find_models`], and the folders (or links)
/// that could not be searched, with why: a warning each, not the end of
/// the run.
#[derive(Debug, Default)]
pub struct Found {
    pub models: Vec<PathBuf>,
    pub skipped: Vec<(PathBuf, std::io::Error)>,
}

/// Expands the paths given on a command line: files are kept as given,
/// folders are searched recursively for model files (sorted, hidden folders
/// and `target` skipped). A symbolic link that leads out of the folder
/// given is not followed; a folder that cannot be read is skipped.
pub fn find_models(paths: &[PathBuf]) -> Result<Found, std::io::Error> {
    let mut found = Found::default();
    let mut seen = Vec::new();
    for path in paths {
        if path.is_dir() {
            let tree = std::fs::canonicalize(path)?;
            std::fs::read_dir(path).map_err(|e| {
                std::io::Error::new(
                    e.kind(),
                    format!("cannot read folder {}: {e}", path.display()),
                )
            })?;
            walk(path, &tree, &mut found, &mut seen);
        } else {
            found.models.push(path.clone());
        }
    }
    Ok(found)
}

/// `seen` holds the canonical folders already searched, so symbolic links
/// that loop (or lead to a folder twice) are searched once; `tree` is the
/// canonical folder given, which links may not leave.
fn walk(dir: &Path, tree: &Path, found: &mut Found, seen: &mut Vec<PathBuf>) {
    let canonical = match std::fs::canonicalize(dir) {
        Ok(c) => c,
        Err(e) => return found.skipped.push((dir.to_path_buf(), e)),
    };
    if seen.contains(&canonical) {
        return;
    }
    seen.push(canonical);
    let mut entries: Vec<PathBuf> = match std::fs::read_dir(dir) {
        Ok(entries) => entries.filter_map(|e| e.ok().map(|e| e.path())).collect(),
        Err(e) => return found.skipped.push((dir.to_path_buf(), e)),
    };
    entries.sort();
    for path in entries {
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        let is_link = std::fs::symlink_metadata(&path).is_ok_and(|m| m.file_type().is_symlink());
        if is_link && !std::fs::canonicalize(&path).is_ok_and(|real| real.starts_with(tree)) {
            if path.is_dir() || is_model_file(&path) {
                let why = "a symbolic link out of the folder searched; not followed";
                found.skipped.push((path, refused(why.to_string())));
            }
            continue;
        }
        if path.is_dir() {
            if !name.starts_with('.') && name != "target" && name != "node_modules" {
                walk(&path, tree, found, seen);
            }
        } else if is_model_file(&path) {
            found.models.push(path);
        }
    }
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
        let found = find_models(&[root.to_path_buf()]).unwrap().models;
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

    #[cfg(unix)]
    #[test]
    fn links_out_of_the_tree_and_unreadable_folders_are_skipped() {
        let outside = tempfile::tempdir().unwrap();
        std::fs::write(outside.path().join("secret.onus.yaml"), "").unwrap();
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir_all(root.join("in")).unwrap();
        std::fs::write(root.join("in/a.onus.yaml"), "").unwrap();
        std::os::unix::fs::symlink(outside.path(), root.join("out")).unwrap();
        std::os::unix::fs::symlink(
            outside.path().join("secret.onus.yaml"),
            root.join("b.onus.yaml"),
        )
        .unwrap();
        // A link inside the tree is followed; a link to itself leads nowhere.
        std::os::unix::fs::symlink(root.join("in"), root.join("within")).unwrap();
        std::os::unix::fs::symlink(root.join("z"), root.join("z")).unwrap();
        let found = find_models(&[root.to_path_buf()]).unwrap();
        let names: Vec<_> = found
            .models
            .iter()
            .map(|p| p.strip_prefix(root).unwrap().to_path_buf())
            .collect();
        assert_eq!(names, [PathBuf::from("in/a.onus.yaml")]);
        let skipped: Vec<_> = found
            .skipped
            .iter()
            .map(|(p, e)| {
                (
                    p.strip_prefix(root).unwrap().display().to_string(),
                    e.to_string(),
                )
            })
            .collect();
        assert_eq!(skipped.len(), 2, "{skipped:?}");
        assert_eq!(skipped[0].0, "b.onus.yaml");
        assert!(skipped[0].1.contains("out of the folder searched"));
        assert_eq!(skipped[1].0, "out");
    }

    #[cfg(unix)]
    #[test]
    fn reads_only_regular_files_within_the_cap() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("fifo");
        let made = std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap();
        assert!(made.success());
        for (path, why) in [
            (fifo.as_path(), "not a regular file"),
            (Path::new("/dev/zero"), "not a regular file"),
            (Path::new("/proc/self/environ"), "is a system file"),
            (dir.path(), "it is a folder"),
        ] {
            let err = read_text(path).unwrap_err().to_string();
            assert!(err.contains(why), "{}: {err}", path.display());
        }
        let big = dir.path().join("big.onus.yaml");
        std::fs::write(&big, vec![b'a'; (2 << 20) + 1]).unwrap();
        let err = read_text_within(&big, 2 << 20).unwrap_err().to_string();
        assert_eq!(
            err,
            "it is 3 MB, more than the limit of 2 MB (raise it with `--max-file-size MB`)"
        );
        assert_eq!(
            read_text_within(&big, 3 << 20).unwrap().len(),
            (2 << 20) + 1
        );
        let utf16 = dir.path().join("utf16.onus.yaml");
        std::fs::write(&utf16, b"\xff\xfeo\0n\0").unwrap();
        let err = read_text(&utf16).unwrap_err().to_string();
        assert!(err.contains("UTF-16 text"), "{err}");
    }

    #[cfg(unix)]
    #[test]
    fn confinement_follows_links_to_where_they_lead() {
        let outside = tempfile::tempdir().unwrap();
        std::fs::write(outside.path().join("up.onus.yaml"), "").unwrap();
        let dir = tempfile::tempdir().unwrap();
        let tree = std::fs::canonicalize(dir.path()).unwrap();
        std::fs::create_dir(tree.join("sub")).unwrap();
        std::fs::write(tree.join("sub/up.onus.yaml"), "").unwrap();
        std::os::unix::fs::symlink(
            outside.path().join("up.onus.yaml"),
            tree.join("link.onus.yaml"),
        )
        .unwrap();
        assert!(confine_to(&tree, &tree.join("sub/../sub/up.onus.yaml")).is_ok());
        for path in [
            tree.join("link.onus.yaml"),
            outside.path().join("up.onus.yaml"),
            PathBuf::from("/etc/passwd"),
        ] {
            let err = confine_to(&tree, &path).unwrap_err().to_string();
            assert!(err.contains("--allow-outside-root"), "{err}");
        }
        // The boundary is the git repository above the model, else its folder.
        assert_eq!(boundary(&tree.join("sub/up.onus.yaml")), tree.join("sub"));
        std::fs::create_dir(tree.join(".git")).unwrap();
        assert_eq!(boundary(&tree.join("sub/up.onus.yaml")), tree);
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
