//! `s3` store: backups in an S3-compatible bucket (Alibaba Cloud OSS through its S3 endpoint,
//! AWS S3, MinIO). Each backup is the `archive` format under `<prefix><backup_id>/`: the same
//! segment files and manifest, so a backup can be read with standard tools (see
//! `docs/archive-format.md`, "The s3 store").
//!
//! Object storage has no rename, so a backup is written in place and published by writing its
//! manifest last: `<prefix><id>/` with a `manifest.json` is a published backup, without one a
//! staged backup (being written, or left by a crash). Deleting removes the manifest first, so a
//! backup stops being listed before any of its segments goes.

mod bucket;
mod config;
mod reader;
mod staged;

use std::sync::Arc;

use async_trait::async_trait;

use super::archive::layout::{validate_backup_id, MANIFEST_FILE};
use super::encryption::{BackupSeal, Keyring, KEY_RECORD_FILE};
use super::{BackupReader, BackupStore, Manifest, StagedBackup, StoreError};
use bucket::Bucket;
use reader::S3Reader;
use secrecy::ExposeSecret;
use staged::S3Staged;

pub use config::{S3StoreConfig, MIN_PART_SIZE};

/// A backup store in an S3-compatible bucket.
#[derive(Debug, Clone)]
pub struct S3Store {
    bucket: Bucket,
    /// Empty: backups are stored as they are.
    keys: Arc<Keyring>,
}

/// `<id>/key.json`: the wrapped data key of an encrypted backup, written first.
fn key_record_key(backup_id: &str) -> String {
    format!("{backup_id}/{KEY_RECORD_FILE}")
}

/// `<id>/`: everything of one backup.
fn backup_dir(backup_id: &str) -> String {
    format!("{backup_id}/")
}

/// `<id>/manifest.json`: present exactly when the backup is published.
fn manifest_key(backup_id: &str) -> String {
    format!("{backup_id}/{MANIFEST_FILE}")
}

impl S3Store {
    /// A store for the configured bucket. Makes no request (see [`BackupStore::healthcheck`]).
    pub fn new(config: &S3StoreConfig) -> Result<S3Store, StoreError> {
        let keys = Keyring::load(
            config.encryption_key_file.as_ref(),
            config.encryption_key.as_ref().map(|k| k.expose_secret()),
            &config.decryption_key_files,
        )
        .map_err(|e| StoreError::InvalidConfig(e.to_string()))?;
        Ok(S3Store {
            bucket: Bucket::new(config)?,
            keys: Arc::new(keys),
        })
    }

    /// The `key.json` of `backup_id`, if it is encrypted.
    async fn key_record(&self, backup_id: &str) -> Result<Option<Vec<u8>>, StoreError> {
        let record = self.bucket.get(&key_record_key(backup_id)).await?;
        Ok(record.map(|r| r.to_vec()))
    }

    /// How the objects of `backup_id` are stored: sealed if it has a `key.json`.
    async fn seal_of(&self, backup_id: &str) -> Result<BackupSeal, StoreError> {
        let record = self.key_record(backup_id).await?;
        self.keys.seal_of(backup_id, record.as_deref())
    }

    /// The manifest of `backup_id` and how its objects are stored; `None` while it is staged
    /// (or absent). With `listing`, an encrypted backup whose key this store lacks comes back
    /// as its cleartext part (no tables) instead of an error.
    async fn manifest(
        &self,
        backup_id: &str,
        listing: bool,
    ) -> Result<Option<(Manifest, BackupSeal)>, StoreError> {
        let Some(bytes) = self.bucket.get(&manifest_key(backup_id)).await? else {
            return Ok(None);
        };
        let record = self.key_record(backup_id).await?;
        self.keys
            .open_manifest(backup_id, bytes.to_vec(), record.as_deref(), listing)
            .map(Some)
    }

    /// Backup ids found in the bucket, published or staged.
    async fn backup_ids(&self) -> Result<Vec<String>, StoreError> {
        let dirs = self.bucket.top_level_dirs().await?;
        Ok(dirs
            .into_iter()
            .filter(|d| validate_backup_id(d).is_ok())
            .collect())
    }
}

#[async_trait]
impl BackupStore for S3Store {
    fn kind(&self) -> &'static str {
        "s3"
    }

    async fn healthcheck(&self) -> Result<(), StoreError> {
        self.bucket.probe().await
    }

    async fn create(&self, backup_id: &str) -> Result<Arc<dyn StagedBackup>, StoreError> {
        validate_backup_id(backup_id)?;
        if self.bucket.any_under(&backup_dir(backup_id)).await? {
            return Err(StoreError::AlreadyExists(backup_id.to_owned()));
        }
        let (seal, record) = self.keys.seal_new_backup(backup_id);
        if let Some(record) = record {
            self.bucket.put(&key_record_key(backup_id), record).await?;
        }
        tracing::info!(%backup_id, "Created staged backup.");
        Ok(Arc::new(S3Staged::new(
            self.bucket.clone(),
            backup_id.to_owned(),
            seal,
            Default::default(),
        )))
    }

    async fn resume(&self, backup_id: &str) -> Result<Arc<dyn StagedBackup>, StoreError> {
        validate_backup_id(backup_id)?;
        let keys = self.bucket.keys_under(&backup_dir(backup_id)).await?;
        if keys.is_empty() || keys.contains(&manifest_key(backup_id)) {
            return Err(StoreError::NotFound(backup_id.to_owned()));
        }
        let seal = self.seal_of(backup_id).await?;
        let staged = S3Staged::resume(self.bucket.clone(), backup_id.to_owned(), seal, &keys);
        tracing::info!(%backup_id, "Resumed staged backup.");
        Ok(Arc::new(staged))
    }

    async fn staged(&self) -> Result<Vec<String>, StoreError> {
        let mut staged = Vec::new();
        for id in self.backup_ids().await? {
            if !self.bucket.exists(&manifest_key(&id)).await? {
                staged.push(id);
            }
        }
        Ok(staged)
    }

    async fn list(&self) -> Result<Vec<Manifest>, StoreError> {
        let mut manifests = Vec::new();
        for id in self.backup_ids().await? {
            match self.manifest(&id, true).await {
                Ok(Some((manifest, _))) => manifests.push(manifest),
                Ok(None) => {} // staged
                Err(error) if error.is_transient() => return Err(error),
                Err(error) => {
                    tracing::warn!(backup_id = %id, %error, "Skipping unreadable backup manifest.")
                }
            }
        }
        manifests.sort_by(|a, b| (a.started_at, &a.backup_id).cmp(&(b.started_at, &b.backup_id)));
        Ok(manifests)
    }

    async fn open(&self, backup_id: &str) -> Result<Arc<dyn BackupReader>, StoreError> {
        validate_backup_id(backup_id)?;
        let (manifest, seal) = self
            .manifest(backup_id, false)
            .await?
            .ok_or_else(|| StoreError::NotFound(backup_id.to_owned()))?;
        if seal.is_sealed() {
            // Every sealed object is authenticated before the backup is read, the informative
            // plan too, so a damaged byte anywhere is refused.
            let plan = format!("{}{}", backup_dir(backup_id), staged::PLAN_FILE);
            if let Some(stored) = self.bucket.get(&plan).await? {
                seal.open(backup_id, staged::PLAN_FILE, stored.to_vec())?;
            }
        }
        Ok(Arc::new(S3Reader::new(self.bucket.clone(), manifest, seal)))
    }

    async fn delete(&self, backup_id: &str) -> Result<(), StoreError> {
        validate_backup_id(backup_id)?;
        let mut keys = self.bucket.keys_under(&backup_dir(backup_id)).await?;
        if keys.is_empty() {
            return Err(StoreError::NotFound(backup_id.to_owned()));
        }
        // The manifest goes first: from then on the backup is no longer listed, and a deletion
        // cut short leaves a staged backup that the staged sweep removes, never a published
        // backup with missing segments.
        let manifest = manifest_key(backup_id);
        if let Some(at) = keys.iter().position(|k| *k == manifest) {
            self.bucket.delete_keys(vec![keys.swap_remove(at)]).await?;
        }
        self.bucket.delete_keys(keys).await?;
        tracing::info!(%backup_id, "Deleted backup.");
        Ok(())
    }
}
