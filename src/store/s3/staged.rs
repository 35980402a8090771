//! A staged backup in a bucket: one object per batch under `<id>/tables/<table>/`, the engine's
//! plan in `<id>/plan.json`, and the manifest written last to publish.
//!
//! The checkpoint and retry rules are the archive's (see `archive/staged.rs`): a range's
//! checkpoint is the last key of its highest-numbered segment, which only exists complete (a PUT
//! or a completed multipart upload is atomic), and a batch whose first key equals the first key
//! of the range's latest segment replaces that segment. Every upload runs in its own task that
//! owns the range's lock, so a caller that gives up (a cancelled run) never leaves a half-done
//! multipart upload nor a sequence number used twice.

use std::collections::HashMap;

use async_trait::async_trait;

use super::bucket::Bucket;
use super::{backup_dir, manifest_key};
use crate::store::archive::layout::{
    parse_segment_file_name, segment_file_name, segment_object_name, validate_table_name,
    TABLES_DIR,
};
use crate::store::archive::reader::parse_segment;
use crate::store::archive::segment::{EncodedBatch, SegmentError};
use crate::store::encryption::BackupSeal;
use crate::store::staged_ranges::{
    loaded_state, LatestSegment, Phase, RangeKey, RangeState, StagedRanges,
};
use crate::store::{EncodedRows, Manifest, RangeCheckpoint, StagedBackup, StoreError};

pub const PLAN_FILE: &str = "plan.json";

pub struct S3Staged {
    bucket: Bucket,
    backup_id: String,
    /// Plain, or sealing every object with the backup's data key.
    seal: BackupSeal,
    /// The phase and one lock per range, with the segment numbers found when resumed.
    ranges: StagedRanges,
}

/// `tables/<table>/<segment file name>`: the segment's name inside the backup (also what
/// its seal is bound to).
impl S3Staged {
    pub fn new(
        bucket: Bucket,
        backup_id: String,
        seal: BackupSeal,
        found: HashMap<RangeKey, u64>,
    ) -> Self {
        S3Staged {
            bucket,
            backup_id,
            seal,
            ranges: StagedRanges::new(found),
        }
    }

    /// A staged backup continued from the objects `keys` (relative keys under `<id>/`).
    pub fn resume(bucket: Bucket, backup_id: String, seal: BackupSeal, keys: &[String]) -> Self {
        let tables = format!("{backup_id}/{TABLES_DIR}/");
        let mut found = HashMap::new();
        for key in keys {
            let Some((table, name)) = key.strip_prefix(&tables).and_then(|k| k.split_once('/'))
            else {
                continue;
            };
            if validate_table_name(table).is_err() {
                continue;
            }
            if let Some((range, seq)) = parse_segment_file_name(name) {
                let highest = found.entry((table.to_owned(), range)).or_insert(seq);
                *highest = (*highest).max(seq);
            }
        }
        Self::new(bucket, backup_id, seal, found)
    }

    async fn ensure_open(&self) -> Result<(), StoreError> {
        self.ranges.ensure_open(&self.backup_id).await
    }

    /// The range's state from its latest segment (only its keys and state are used).
    async fn load_range(&self, table: &str, range: u32) -> Result<RangeState, StoreError> {
        let Some(seq) = self.ranges.found(table, range) else {
            return Ok(RangeState::empty());
        };
        let inner = segment_object_name(table, range, seq);
        let key = format!("{}{inner}", backup_dir(&self.backup_id));
        let stored = self
            .bucket
            .get(&key)
            .await?
            .ok_or_else(|| self.corrupt(format!("{key} disappeared")))?;
        let bytes = self.seal.open(&self.backup_id, &inner, stored.to_vec())?;
        let name = segment_file_name(range, seq);
        let (first_key, last_key, state) =
            parse_segment(&bytes, &name, |s| Ok((s.first_key, s.last_key, s.state))).map_err(
                |e| match e {
                    SegmentError::Corrupt(detail) => self.corrupt(format!("{key}: {detail}")),
                    SegmentError::Io(e) => StoreError::io(format!("reading {key}"), e),
                },
            )?;
        Ok(RangeState::after(LatestSegment {
            seq,
            first_key,
            last_key,
            state,
        }))
    }

    fn corrupt(&self, detail: String) -> StoreError {
        StoreError::Corrupt {
            backup: self.backup_id.clone(),
            detail,
        }
    }
}

#[async_trait]
impl StagedBackup for S3Staged {
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
            return Ok(());
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
        let inner = segment_object_name(table, range, seq);
        let key = format!("{}{inner}", backup_dir(&self.backup_id));
        let bucket = self.bucket.clone();
        let seal = self.seal.clone();
        let span = tracing::Span::current();
        // The guard moves into the task: a dropped caller cannot cut the upload short (no
        // orphaned multipart upload) and the range's state stays true to the bucket.
        let upload = tokio::spawn(tracing::Instrument::instrument(
            async move {
                let bytes = tokio::task::spawn_blocking(move || {
                    batch
                        .into_file_bytes(range)
                        .map(|bytes| seal.seal(&inner, bytes))
                })
                .await
                .map_err(|e| StoreError::io("compressing a segment", std::io::Error::other(e)))?
                .map_err(|e| StoreError::io("compressing a segment", e))?;
                bucket.put(&key, bytes).await?;
                loaded_state(&mut guard).record(latest);
                Ok(())
            },
            span,
        ));
        upload
            .await
            .map_err(|e| StoreError::io("segment upload task", std::io::Error::other(e)))?
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
        let key = format!("{}{PLAN_FILE}", backup_dir(&self.backup_id));
        let sealed = self.seal.seal(PLAN_FILE, plan.as_bytes().to_vec());
        self.bucket.put(&key, sealed).await
    }

    async fn load_plan(&self) -> Result<Option<String>, StoreError> {
        self.ensure_open().await?;
        let key = format!("{}{PLAN_FILE}", backup_dir(&self.backup_id));
        match self.bucket.get(&key).await? {
            Some(stored) => String::from_utf8(self.seal.open(
                &self.backup_id,
                PLAN_FILE,
                stored.to_vec(),
            )?)
            .map(Some)
            .map_err(|_| self.corrupt(format!("{PLAN_FILE} is not UTF-8"))),
            None => Ok(None),
        }
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
        let key = manifest_key(&self.backup_id);
        if self.bucket.exists(&key).await? {
            return Err(StoreError::AlreadyExists(self.backup_id.clone()));
        }
        self.bucket.put(&key, json).await?;
        *phase = Phase::Published;
        tracing::info!(backup_id = %self.backup_id, rows = manifest.total_rows(), "Published backup.");
        Ok(())
    }

    async fn abort(&self) -> Result<(), StoreError> {
        let mut phase = self.ranges.phase().await;
        if *phase != Phase::Open {
            return Ok(());
        }
        // Wait for uploads still running (their callers may have given up), so none lands
        // after the deletion below.
        self.ranges.wait_for_writes().await;
        let keys = self.bucket.keys_under(&backup_dir(&self.backup_id)).await?;
        self.bucket.delete_keys(keys).await?;
        *phase = Phase::Aborted;
        tracing::info!(backup_id = %self.backup_id, "Aborted staged backup.");
        Ok(())
    }
}
