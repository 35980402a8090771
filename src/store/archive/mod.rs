//! `archive` store: the embedded default. Every backup is a plain directory under one root: a
//! pretty-printed `manifest.json` plus, per table, zstd-compressed and SHA-256-checksummed
//! segment files of PlainBuffer rows. `docs/archive-format.md` describes the format well enough
//! to read a backup without TableVault.
//!
//! A backup is written under `<root>/.staging/<id>/` and published by writing its manifest and
//! renaming the directory to `<root>/<id>/` (atomic on one filesystem), so a listed backup is
//! always complete. All file I/O runs on tokio's blocking pool.

mod config;
pub(crate) mod durable;
mod layout;
mod reader;
mod segment;
mod staged;

use std::fs;
use std::sync::Arc;

use async_trait::async_trait;
use serde::Deserialize;

use super::{BackupReader, BackupStore, Manifest, StagedBackup, StoreError, FORMAT_VERSION};
use layout::{manifest_path, validate_backup_id, Layout};
use reader::ArchiveReader;
use staged::ArchiveStaged;

pub use config::ArchiveStoreConfig;
pub use layout::{parse_segment_file_name, segment_file_name};

/// A backup store in a local (or mounted) directory.
#[derive(Debug, Clone)]
pub struct ArchiveStore {
    layout: Layout,
}

impl ArchiveStore {
    /// Opens the store at `config.path`, creating the root if missing, checking that it is
    /// writable, and clearing what a crashed deletion left behind.
    pub async fn open(config: ArchiveStoreConfig) -> Result<ArchiveStore, StoreError> {
        let layout = Layout::new(config.path);
        let store = ArchiveStore { layout };
        let layout = store.layout.clone();
        blocking(move || {
            let root = layout.root().display().to_string();
            fs::create_dir_all(layout.staging_root())
                .map_err(|e| StoreError::io(format!("creating archive root {root}"), e))?;
            probe_writable(&layout)?;
            durable::empty_trash(&layout.trash_root())
                .map_err(|e| StoreError::io(format!("emptying the trash of {root}"), e))
        })
        .await?;
        tracing::info!(root = %store.layout.root().display(), "Opened archive store.");
        Ok(store)
    }

    /// The root directory.
    pub fn root(&self) -> &std::path::Path {
        self.layout.root()
    }
}

#[async_trait]
impl BackupStore for ArchiveStore {
    fn kind(&self) -> &'static str {
        "archive"
    }

    async fn healthcheck(&self) -> Result<(), StoreError> {
        let layout = self.layout.clone();
        blocking(move || probe_writable(&layout)).await
    }

    async fn create(&self, backup_id: &str) -> Result<Arc<dyn StagedBackup>, StoreError> {
        validate_backup_id(backup_id)?;
        let staged = ArchiveStaged::create(self.layout.clone(), backup_id.to_owned()).await?;
        Ok(Arc::new(staged))
    }

    async fn resume(&self, backup_id: &str) -> Result<Arc<dyn StagedBackup>, StoreError> {
        validate_backup_id(backup_id)?;
        let staged = ArchiveStaged::resume(self.layout.clone(), backup_id.to_owned()).await?;
        Ok(Arc::new(staged))
    }

    async fn staged(&self) -> Result<Vec<String>, StoreError> {
        let staging = self.layout.staging_root();
        blocking(move || {
            let names = durable::subdirectories(&staging)
                .map_err(|e| StoreError::io("listing staged backups", e))?;
            Ok(names
                .into_iter()
                .filter(|n| validate_backup_id(n).is_ok())
                .collect())
        })
        .await
    }

    async fn list(&self) -> Result<Vec<Manifest>, StoreError> {
        let layout = self.layout.clone();
        let mut manifests = blocking(move || list_published(&layout)).await?;
        manifests.sort_by(|a, b| (a.started_at, &a.backup_id).cmp(&(b.started_at, &b.backup_id)));
        Ok(manifests)
    }

    async fn open(&self, backup_id: &str) -> Result<Arc<dyn BackupReader>, StoreError> {
        validate_backup_id(backup_id)?;
        let dir = self.layout.published_dir(backup_id);
        let id = backup_id.to_owned();
        let manifest = blocking({
            let dir = dir.clone();
            move || read_manifest(&id, &dir)?.ok_or(StoreError::NotFound(id))
        })
        .await?;
        Ok(Arc::new(ArchiveReader::new(dir, manifest)))
    }

    async fn delete(&self, backup_id: &str) -> Result<(), StoreError> {
        validate_backup_id(backup_id)?;
        let layout = self.layout.clone();
        let id = backup_id.to_owned();
        blocking(move || {
            let mut found = false;
            for dir in [layout.published_dir(&id), layout.staged_dir(&id)] {
                if dir.is_dir() {
                    durable::discard_dir(&dir, &layout.trash_root(), &id)
                        .map_err(|e| StoreError::io(format!("deleting backup {id}"), e))?;
                    found = true;
                }
            }
            if found {
                tracing::info!(backup_id = %id, "Deleted backup.");
                Ok(())
            } else {
                Err(StoreError::NotFound(id))
            }
        })
        .await
    }
}

/// Manifests of the published backups, skipping (with a warning) directories whose manifest
/// cannot be read: one damaged backup must not hide all the others.
fn list_published(layout: &Layout) -> Result<Vec<Manifest>, StoreError> {
    let names = durable::subdirectories(layout.root())
        .map_err(|e| StoreError::io("listing published backups", e))?;
    let mut manifests = Vec::new();
    for name in names {
        if validate_backup_id(&name).is_err() {
            continue; // `.staging`, `.trash` and anything that is not ours
        }
        match read_manifest(&name, &layout.published_dir(&name)) {
            Ok(Some(manifest)) => manifests.push(manifest),
            Ok(None) => {}
            Err(error) => {
                tracing::warn!(backup_id = %name, %error, "Skipping unreadable backup manifest.")
            }
        }
    }
    Ok(manifests)
}

/// Reads `<dir>/manifest.json`; `None` if there is none. Checks the format version before
/// anything else so a newer backup gets a clear "upgrade" error, not a parse error.
fn read_manifest(backup_id: &str, dir: &std::path::Path) -> Result<Option<Manifest>, StoreError> {
    let path = manifest_path(dir);
    let text = match fs::read(&path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(StoreError::io(format!("reading {}", path.display()), e)),
    };
    let corrupt = |e: serde_json::Error| StoreError::Corrupt {
        backup: backup_id.to_owned(),
        detail: format!("{}: {e}", layout::MANIFEST_FILE),
    };
    #[derive(Deserialize)]
    struct VersionOnly {
        format_version: u32,
    }
    let version: VersionOnly = serde_json::from_slice(&text).map_err(corrupt)?;
    if version.format_version > FORMAT_VERSION {
        return Err(StoreError::UnsupportedFormat {
            backup: backup_id.to_owned(),
            found: version.format_version,
            supported: FORMAT_VERSION,
        });
    }
    let manifest: Manifest = serde_json::from_slice(&text).map_err(corrupt)?;
    if manifest.backup_id != backup_id {
        return Err(StoreError::Corrupt {
            backup: backup_id.to_owned(),
            detail: format!("manifest names backup {:?}", manifest.backup_id),
        });
    }
    Ok(Some(manifest))
}

/// Creates and removes a probe file, so an unwritable root is reported at start-up and by
/// readiness probes rather than in the middle of a backup.
fn probe_writable(layout: &Layout) -> Result<(), StoreError> {
    let probe = layout
        .staging_root()
        .join(format!(".probe-{}", uuid::Uuid::new_v4().simple()));
    let not_writable = |e| {
        StoreError::io(
            format!("archive root {} is not writable", layout.root().display()),
            e,
        )
    };
    fs::write(&probe, b"probe").map_err(not_writable)?;
    fs::remove_file(&probe).map_err(not_writable)
}

/// Runs blocking file work on tokio's blocking pool, in the caller's span (a run's lines
/// carry its id).
async fn blocking<T, F>(work: F) -> Result<T, StoreError>
where
    F: FnOnce() -> Result<T, StoreError> + Send + 'static,
    T: Send + 'static,
{
    let span = tracing::Span::current();
    tokio::task::spawn_blocking(move || span.in_scope(work))
        .await
        .map_err(|e| StoreError::io("blocking file task", std::io::Error::other(e)))?
}
