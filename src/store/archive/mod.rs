//! `archive` store: the embedded default. Every backup is a plain directory under one root: a
//! pretty-printed `manifest.json` plus, per table, zstd-compressed and SHA-256-checksummed
//! segment files of PlainBuffer rows. `docs/archive-format.md` describes the format well enough
//! to read a backup without TableVault.
//!
//! A backup is written under `<root>/.staging/<id>/` and published by writing its manifest and
//! renaming the directory to `<root>/<id>/` (atomic on one filesystem), so a listed backup is
//! always complete. All file I/O runs on tokio's blocking pool.
//!
//! With `encryption_key_file`, every file of a new backup is sealed as in the `s3` store (the
//! keys, seals and manifest wrapper are `store/encryption/`'s; this store only moves bytes).

mod config;
pub(crate) mod durable;
pub(crate) mod layout;
pub(crate) mod reader;
pub(crate) mod segment;
mod staged;

use std::fs;
use std::sync::Arc;

use async_trait::async_trait;
use serde::Deserialize;

use super::encryption::{BackupSeal, Keyring};
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
    /// Empty: backups are stored as they are.
    keys: Arc<Keyring>,
}

impl ArchiveStore {
    /// Opens the store at `config.path`, creating the root if missing, checking that it is
    /// writable, and clearing what a crashed deletion left behind. An unreadable key file is
    /// [`StoreError::InvalidConfig`].
    pub async fn open(config: ArchiveStoreConfig) -> Result<ArchiveStore, StoreError> {
        let keys = config
            .keyring()
            .map_err(|e| StoreError::InvalidConfig(e.to_string()))?;
        let layout = Layout::new(config.path);
        let store = ArchiveStore {
            layout,
            keys: Arc::new(keys),
        };
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
        let staged =
            ArchiveStaged::create(self.layout.clone(), &self.keys, backup_id.to_owned()).await?;
        Ok(Arc::new(staged))
    }

    async fn resume(&self, backup_id: &str) -> Result<Arc<dyn StagedBackup>, StoreError> {
        validate_backup_id(backup_id)?;
        let staged =
            ArchiveStaged::resume(self.layout.clone(), &self.keys, backup_id.to_owned()).await?;
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
        let (layout, keys) = (self.layout.clone(), self.keys.clone());
        let mut manifests = blocking(move || list_published(&layout, &keys)).await?;
        manifests.sort_by(|a, b| (a.started_at, &a.backup_id).cmp(&(b.started_at, &b.backup_id)));
        Ok(manifests)
    }

    async fn open(&self, backup_id: &str) -> Result<Arc<dyn BackupReader>, StoreError> {
        validate_backup_id(backup_id)?;
        let dir = self.layout.published_dir(backup_id);
        let (id, keys) = (backup_id.to_owned(), self.keys.clone());
        let (manifest, seal) = blocking({
            let dir = dir.clone();
            move || {
                let (manifest, seal) = read_manifest(&keys, &id, &dir, false)?
                    .ok_or(StoreError::NotFound(id.clone()))?;
                if seal.is_sealed() {
                    // Every sealed file is authenticated before the backup is read, the
                    // informative plan too, so a damaged byte anywhere is refused.
                    match fs::read(dir.join(staged::PLAN_FILE)) {
                        Ok(plan) => drop(seal.open(&id, staged::PLAN_FILE, plan)?),
                        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                        Err(e) => return Err(StoreError::io(format!("reading backup {id}"), e)),
                    }
                }
                Ok((manifest, seal))
            }
        })
        .await?;
        Ok(Arc::new(ArchiveReader::new(dir, manifest, seal)))
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
fn list_published(layout: &Layout, keys: &Keyring) -> Result<Vec<Manifest>, StoreError> {
    let names = durable::subdirectories(layout.root())
        .map_err(|e| StoreError::io("listing published backups", e))?;
    let mut manifests = Vec::new();
    for name in names {
        if validate_backup_id(&name).is_err() {
            continue; // `.staging`, `.trash` and anything that is not ours
        }
        match read_manifest(keys, &name, &layout.published_dir(&name), true) {
            Ok(Some((manifest, _))) => manifests.push(manifest),
            Ok(None) => {}
            Err(error) => {
                tracing::warn!(backup_id = %name, %error, "Skipping unreadable backup manifest.")
            }
        }
    }
    Ok(manifests)
}

/// Reads `<dir>/manifest.json` (opened with `keys` if sealed) and how the backup's files are
/// stored; `None` if there is no manifest. `listing`: see [`Keyring::open_manifest`].
fn read_manifest(
    keys: &Keyring,
    backup_id: &str,
    dir: &std::path::Path,
    listing: bool,
) -> Result<Option<(Manifest, BackupSeal)>, StoreError> {
    let path = manifest_path(dir);
    let stored = match fs::read(&path) {
        Ok(stored) => stored,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(StoreError::io(format!("reading {}", path.display()), e)),
    };
    let record = staged::read_key_record(dir)?;
    keys.open_manifest(backup_id, stored, record.as_deref(), listing)
        .map(Some)
}

/// The manifest of `backup_id` from its JSON (also used by the `s3` store). Checks the format
/// version before anything else so a newer backup gets a clear "upgrade" error, not a parse
/// error, and that the manifest names the backup it was found under.
pub(crate) fn parse_manifest(backup_id: &str, text: &[u8]) -> Result<Manifest, StoreError> {
    let corrupt = |e: serde_json::Error| StoreError::Corrupt {
        backup: backup_id.to_owned(),
        detail: format!("{}: {e}", layout::MANIFEST_FILE),
    };
    #[derive(Deserialize)]
    struct VersionOnly {
        format_version: u32,
    }
    let version: VersionOnly = serde_json::from_slice(text).map_err(corrupt)?;
    if version.format_version > FORMAT_VERSION {
        return Err(StoreError::UnsupportedFormat {
            backup: backup_id.to_owned(),
            found: version.format_version,
            supported: FORMAT_VERSION,
        });
    }
    let manifest: Manifest = serde_json::from_slice(text).map_err(corrupt)?;
    if manifest.backup_id != backup_id {
        return Err(StoreError::Corrupt {
            backup: backup_id.to_owned(),
            detail: format!("manifest names backup {:?}", manifest.backup_id),
        });
    }
    Ok(manifest)
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
