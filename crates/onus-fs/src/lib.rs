//! The disk side of onus: reading model files (and their upstreams),
//! finding models in folders, and writing outputs atomically (a temp file
//! in the same folder, then a rename), so a failure never leaves a
//! half-written file behind.

use std::io::Write;
use std::path::{Path, PathBuf};

use onus_core::load::Files;

/// Files read from the operating system's file system.
#[derive(Debug, Default, Clone, Copy)]
pub struct OsFiles;

impl Files for OsFiles {
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
    for path in paths {
        if path.is_dir() {
            walk(path, &mut out)?;
        } else {
            out.push(path.clone());
        }
    }
    Ok(out)
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> Result<(), std::io::Error> {
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
                walk(&path, out)?;
            }
        } else if is_model_file(&path) {
            out.push(path);
        }
    }
    Ok(())
}

/// Writes `bytes` to `path` through a temporary file in the same folder
/// and a rename: readers see the old file or the new one, never half.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), std::io::Error> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let mut tmp = tempfile::NamedTempFile::new_in(dir)?;
    tmp.write_all(bytes)?;
    tmp.as_file().sync_all()?;
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
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
        assert!(write_atomic(&dir.path().join("missing/out.txt"), b"x").is_err());
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
