//! Crash-safe file operations (blocking; call from `spawn_blocking`).
//!
//! A file becomes visible only complete: it is written under a `.tmp` name, fsynced, renamed
//! over its final name, and the directory is fsynced so the rename itself survives a power loss.

use std::fs::{self, File};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use super::layout::TMP_SUFFIX;

/// Makes the directory entries of `dir` (creations, renames, deletions) durable.
pub fn fsync_dir(dir: &Path) -> io::Result<()> {
    File::open(dir)?.sync_all()
}

/// Writes `bytes` to `path` atomically: readers see the old file or the whole new one.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let tmp = tmp_path(path);
    let mut file = File::create(&tmp)?;
    file.write_all(bytes)?;
    file.sync_all()?;
    drop(file);
    fs::rename(&tmp, path)?;
    fsync_dir(parent(path))
}

/// Creates `dir` (and missing parents), then fsyncs its parent so the new entry is durable.
pub fn create_dir_durable(dir: &Path) -> io::Result<()> {
    fs::create_dir_all(dir)?;
    fsync_dir(parent(dir))
}

/// `<path>.tmp`: the name a file is written under before it is complete.
pub fn tmp_path(path: &Path) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(TMP_SUFFIX);
    PathBuf::from(name)
}

/// Removes leftover `*.tmp` files (a crash between create and rename) directly inside `dir`.
pub fn remove_tmp_files(dir: &Path) -> io::Result<usize> {
    let mut removed = 0;
    for entry in fs::read_dir(dir)? {
        let entry = entry?;
        if entry.file_name().to_string_lossy().ends_with(TMP_SUFFIX) {
            fs::remove_file(entry.path())?;
            removed += 1;
        }
    }
    Ok(removed)
}

/// Names of the entries of `dir` that are directories; a missing `dir` has none.
pub fn subdirectories(dir: &Path) -> io::Result<Vec<String>> {
    let entries = match fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(e),
    };
    let mut names = Vec::new();
    for entry in entries {
        let entry = entry?;
        if entry.file_type()?.is_dir() {
            if let Some(name) = entry.file_name().to_str() {
                names.push(name.to_owned());
            }
        }
    }
    names.sort();
    Ok(names)
}

fn parent(path: &Path) -> &Path {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    }
}

/// Removes a whole directory tree without ever exposing a half-deleted one under its old name:
/// it is first renamed into `trash_root` (atomic), then deleted there. Leftovers of a crash
/// during the deletion stay in the trash, which [`empty_trash`] clears.
pub fn discard_dir(dir: &Path, trash_root: &Path, name: &str) -> io::Result<()> {
    fs::create_dir_all(trash_root)?;
    let doomed = trash_root.join(format!("{name}.{}", uuid::Uuid::new_v4().simple()));
    fs::rename(dir, &doomed)?;
    fsync_dir(parent(dir))?;
    fs::remove_dir_all(&doomed)
}

/// Deletes whatever a crashed deletion left in `trash_root`.
pub fn empty_trash(trash_root: &Path) -> io::Result<()> {
    for name in subdirectories(trash_root)? {
        fs::remove_dir_all(trash_root.join(name))?;
    }
    Ok(())
}
