//! A staged backup: segments are written under `<root>/.staging/<id>/`, one file per batch.
//!
//! Checkpoint rule: a range's checkpoint is the last key of its highest-numbered segment. A
//! segment appears only complete (tmp + fsync + rename), so the checkpoint never points past
//! data that is not durable. Retry rule: a batch whose first key equals the first key of the
//! range's latest segment is a retry of that batch and *replaces* the segment (same sequence
//! number) instead of adding one, so a retried batch never duplicates rows. This compares keys
//! for equality only; it never needs Tablestore's key ordering.
//!
//! The engine's state for a range rides inside each segment (see `segment`), and its plan is a
//! separate `plan.json` written atomically next to `tables/`.
//!
//! An encrypted store writes the backup's `key.json` (its wrapped data key) right after the
//! directory, before any other file, and seals every file after it (see `store/encryption/`).

use async_trait::async_trait;
use std::collections::HashMap;
use std::fs;
use std::path::PathBuf;

use super::blocking;
use super::durable;
use super::layout::{
    manifest_path, parse_segment_file_name, segment_file_name, segment_object_name, table_dir,
    validate_table_name, Layout, TABLES_DIR,
};
use super::reader::read_segment;
use super::segment::EncodedBatch;
use crate::store::encryption::{BackupSeal, Keyring, KEY_RECORD_FILE};
use crate::store::staged_ranges::{
    loaded_state, LatestSegment, Phase, RangeKey, RangeState, StagedRanges,
};
use crate::store::{EncodedRows, Manifest, RangeCheckpoint, StagedBackup, StoreError};

/// The engine's plan, beside `tables/`.
pub(super) const PLAN_FILE: &str = "plan.json";

pub struct ArchiveStaged {
    backup_id: String,
    layout: Layout,
    dir: PathBuf,
    /// Plain, or sealing every file with the backup's data key.
    seal: BackupSeal,
    /// The phase and one lock per range, with the segment numbers found on disk when resumed.
    ranges: StagedRanges,
}

impl ArchiveStaged {
    pub async fn create(
        layout: Layout,
        keys: &Keyring,
        backup_id: String,
    ) -> Result<Self, StoreError> {
        let dir = layout.staged_dir(&backup_id);
        let (seal, record) = keys.seal_new_backup(&backup_id);
        let (id, l, d) = (backup_id.clone(), layout.clone(), dir.clone());
        blocking(move || {
            if l.published_dir(&id).exists() {
                return Err(StoreError::AlreadyExists(id));
            }
            match fs::create_dir(&d) {
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                    return Err(StoreError::AlreadyExists(id))
                }
                other => other.map_err(|e| StoreError::io(format!("creating backup {id}"), e))?,
            }
            if let Some(record) = &record {
                durable::write_atomic(&d.join(KEY_RECORD_FILE), record)
                    .map_err(|e| StoreError::io(format!("creating backup {id}"), e))?;
            }
            durable::create_dir_durable(&d.join(TABLES_DIR))
                .and_then(|()| durable::fsync_dir(&l.staging_root()))
                .map_err(|e| StoreError::io(format!("creating backup {id}"), e))
        })
        .await?;
        tracing::info!(%backup_id, "Created staged backup.");
        Ok(Self::new(layout, backup_id, dir, seal, HashMap::new()))
    }

    pub async fn resume(
        layout: Layout,
        keys: &Keyring,
        backup_id: String,
    ) -> Result<Self, StoreError> {
        let dir = layout.staged_dir(&backup_id);
        let (id, d) = (backup_id.clone(), dir.clone());
        let (found, record) = blocking(move || {
            if !d.is_dir() {
                return Err(StoreError::NotFound(id));
            }
            let record = read_key_record(&d)?;
            let found = scan_segments(&d)
                .map_err(|e| StoreError::io(format!("scanning backup {id}"), e))?;
            Ok((found, record))
        })
        .await?;
        let seal = keys.seal_of(&backup_id, record.as_deref())?;
        tracing::info!(%backup_id, ranges = found.len(), "Resumed staged backup.");
        Ok(Self::new(layout, backup_id, dir, seal, found))
    }

    fn new(
        layout: Layout,
        backup_id: String,
        dir: PathBuf,
        seal: BackupSeal,
        found: HashMap<RangeKey, u64>,
    ) -> Self {
        ArchiveStaged {
            backup_id,
            layout,
            dir,
            seal,
            ranges: StagedRanges::new(found),
        }
    }

    async fn ensure_open(&self) -> Result<(), StoreError> {
        self.ranges.ensure_open(&self.backup_id).await
    }

    /// The range's state, loaded from its latest segment on first use. Also makes sure the
    /// table directory exists, so writes need no extra check.
    async fn load_range(&self, table: &str, range: u32) -> Result<RangeState, StoreError> {
        let latest_seq = self.ranges.found(table, range);
        let dir = table_dir(&self.dir, table);
        let (id, table, seal) = (self.backup_id.clone(), table.to_owned(), self.seal.clone());
        blocking(move || {
            durable::create_dir_durable(&dir)
                .map_err(|e| StoreError::io(format!("creating {}", dir.display()), e))?;
            let Some(seq) = latest_seq else {
                return Ok(RangeState::empty());
            };
            let path = dir.join(segment_file_name(range, seq));
            let (first_key, last_key, state) = read_segment(&id, &table, &path, &seal, |s| {
                Ok((s.first_key, s.last_key, s.state))
            })?;
            Ok(RangeState::after(LatestSegment {
                seq,
                first_key,
                last_key,
                state,
            }))
        })
        .await
    }
}

#[async_trait]
impl StagedBackup for ArchiveStaged {
    fn backup_id(&self) -> &str {
        &self.backup_id
    }

    async fn write_encoded_rows(
        &self,
        table: &str,
        range: u32,
        rows: &EncodedRows<'_>,
        state: &str,
    ) -> Result<(), StoreError> {
        validate_table_name(table)?;
        self.ensure_open().await?;
        let engine_state = state;
        let Some(batch) = EncodedBatch::from_encoded(rows, engine_state) else {
            return Ok(()); // nothing to write, checkpoint unchanged
        };
        let mut guard = self
            .ranges
            .loaded(table, range, || self.load_range(table, range))
            .await?;
        let seq = loaded_state(&mut guard).seq_for(batch.first_key());
        let latest = LatestSegment {
            seq,
            first_key: batch.first_key().clone(),
            last_key: batch.last_key().clone(),
            state: engine_state.to_owned(),
        };
        let path = table_dir(&self.dir, table).join(segment_file_name(range, seq));
        let (seal, name) = (self.seal.clone(), segment_object_name(table, range, seq));
        // The range guard moves into the blocking task: if the caller drops this future, the
        // write still finishes under the lock and its state update is not lost, so the next
        // batch can neither race on the same `.tmp` file nor reuse the sequence number.
        blocking(move || {
            let bytes = batch
                .into_file_bytes(range)
                .map_err(|e| StoreError::io("compressing a segment", e))?;
            let bytes = seal.seal(&name, bytes);
            durable::write_atomic(&path, &bytes)
                .map_err(|e| StoreError::io(format!("writing {}", path.display()), e))?;
            loaded_state(&mut guard).record(latest);
            Ok(())
        })
        .await
    }

    async fn checkpoint(
        &self,
        table: &str,
        range: u32,
    ) -> Result<Option<RangeCheckpoint>, StoreError> {
        self.ranges
            .checkpoint(&self.backup_id, table, range, || {
                self.load_range(table, range)
            })
            .await
    }

    async fn save_plan(&self, plan: &str) -> Result<(), StoreError> {
        self.ensure_open().await?;
        let path = self.dir.join(PLAN_FILE);
        let bytes = self.seal.seal(PLAN_FILE, plan.as_bytes().to_vec());
        blocking(move || {
            durable::write_atomic(&path, &bytes)
                .map_err(|e| StoreError::io(format!("writing {}", path.display()), e))
        })
        .await
    }

    async fn load_plan(&self) -> Result<Option<String>, StoreError> {
        self.ensure_open().await?;
        let path = self.dir.join(PLAN_FILE);
        let (id, seal) = (self.backup_id.clone(), self.seal.clone());
        blocking(move || match fs::read(&path) {
            Ok(stored) => String::from_utf8(seal.open(&id, PLAN_FILE, stored)?)
                .map(Some)
                .map_err(|_| StoreError::Corrupt {
                    backup: id,
                    detail: format!("{PLAN_FILE} is not UTF-8"),
                }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(StoreError::io(format!("reading {}", path.display()), e)),
        })
        .await
    }

    async fn publish(&self, manifest: &Manifest) -> Result<(), StoreError> {
        let mut phase = self.ranges.phase().await;
        if *phase != Phase::Open {
            return Err(StoreError::NotFound(self.backup_id.clone()));
        }
        if manifest.backup_id != self.backup_id {
            return Err(StoreError::InvalidId(manifest.backup_id.clone()));
        }
        let json = self.seal.seal_manifest(manifest);
        let (id, layout, dir) = (
            self.backup_id.clone(),
            self.layout.clone(),
            self.dir.clone(),
        );
        blocking(move || {
            let io = |e| StoreError::io(format!("publishing backup {id}"), e);
            let target = layout.published_dir(&id);
            if target.exists() {
                return Err(StoreError::AlreadyExists(id));
            }
            durable::write_atomic(&manifest_path(&dir), &json).map_err(io)?;
            fs::rename(&dir, &target).map_err(io)?;
            durable::fsync_dir(layout.root()).map_err(io)?;
            durable::fsync_dir(&layout.staging_root()).map_err(io)
        })
        .await?;
        *phase = Phase::Published;
        tracing::info!(backup_id = %self.backup_id, rows = manifest.total_rows(), "Published backup.");
        Ok(())
    }

    async fn abort(&self) -> Result<(), StoreError> {
        let mut phase = self.ranges.phase().await;
        if *phase != Phase::Open {
            return Ok(()); // already gone (aborted) or no longer staged (published)
        }
        let (id, layout, dir) = (
            self.backup_id.clone(),
            self.layout.clone(),
            self.dir.clone(),
        );
        blocking(move || {
            if !dir.exists() {
                return Ok(()); // deleted behind our back: the goal is reached anyway
            }
            durable::discard_dir(&dir, &layout.trash_root(), &id)
                .map_err(|e| StoreError::io(format!("aborting backup {id}"), e))
        })
        .await?;
        *phase = Phase::Aborted;
        tracing::info!(backup_id = %self.backup_id, "Aborted staged backup.");
        Ok(())
    }
}

/// The `key.json` of the backup in `dir`, if it is encrypted.
pub(super) fn read_key_record(dir: &std::path::Path) -> Result<Option<Vec<u8>>, StoreError> {
    let path = dir.join(KEY_RECORD_FILE);
    match fs::read(&path) {
        Ok(record) => Ok(Some(record)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(StoreError::io(format!("reading {}", path.display()), e)),
    }
}

/// Highest segment number of every range of every table of a staged backup, removing
/// leftover temporary files (a crash between write and rename) on the way.
fn scan_segments(backup_dir: &std::path::Path) -> std::io::Result<HashMap<RangeKey, u64>> {
    let mut found = HashMap::new();
    let tables = backup_dir.join(TABLES_DIR);
    for table in durable::subdirectories(&tables)? {
        if validate_table_name(&table).is_err() {
            continue;
        }
        let dir = tables.join(&table);
        let removed = durable::remove_tmp_files(&dir)?;
        if removed > 0 {
            tracing::info!(%table, removed, "Removed unfinished segment files.");
        }
        for entry in fs::read_dir(&dir)? {
            let name = entry?.file_name();
            if let Some((range, seq)) = name.to_str().and_then(parse_segment_file_name) {
                let highest = found.entry((table.clone(), range)).or_insert(seq);
                *highest = (*highest).max(seq);
            }
        }
    }
    Ok(found)
}
