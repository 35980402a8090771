//! Reading a published backup from the bucket: the archive reader's checks (every segment
//! verified before a row leaves it, sequence numbers without gaps, row count as the manifest
//! says) over objects instead of files.

use std::collections::BTreeMap;

use async_trait::async_trait;
use futures::stream;

use super::bucket::Bucket;
use crate::store::archive::layout::{parse_segment_file_name, validate_table_name, TABLES_DIR};
use crate::store::archive::reader::{check_sequence, parse_segment};
use crate::store::archive::segment::SegmentError;
use crate::store::encryption::BackupSeal;
use crate::store::{BackupReader, Manifest, RowBatches, StoreError};
use crate::tablestore::Row;

pub struct S3Reader {
    bucket: Bucket,
    manifest: Manifest,
    seal: BackupSeal,
}

impl S3Reader {
    pub fn new(bucket: Bucket, manifest: Manifest, seal: BackupSeal) -> Self {
        S3Reader {
            bucket,
            manifest,
            seal,
        }
    }
}

#[async_trait]
impl BackupReader for S3Reader {
    fn manifest(&self) -> &Manifest {
        &self.manifest
    }

    async fn read_table(&self, table: &str) -> Result<RowBatches, StoreError> {
        let backup = self.manifest.backup_id.clone();
        let Some(entry) = self.manifest.table(table) else {
            return Err(StoreError::TableNotFound {
                backup,
                table: table.to_owned(),
            });
        };
        // The manifest is data from the bucket: never let a table name in it build a key
        // outside the table's own.
        validate_table_name(table).map_err(|_| StoreError::Corrupt {
            backup: backup.clone(),
            detail: format!("manifest table name {table:?} is invalid"),
        })?;
        let dir = format!("{backup}/{TABLES_DIR}/{table}/");
        let mut segments = BTreeMap::new();
        for key in self.bucket.keys_under(&dir).await? {
            let Some(name) = key.strip_prefix(&dir) else {
                continue;
            };
            if let Some(position) = parse_segment_file_name(name) {
                segments.insert(position, key);
            }
        }
        check_sequence(&backup, &dir, segments.keys().copied())?;
        let state = ReadState {
            bucket: self.bucket.clone(),
            seal: self.seal.clone(),
            backup_dir: format!("{backup}/"),
            backup,
            table: table.to_owned(),
            keys: segments.into_values().collect::<Vec<_>>().into_iter(),
            rows_read: 0,
            expected_rows: entry.rows,
            finished: false,
        };
        Ok(Box::pin(stream::unfold(state, ReadState::next_batch)))
    }
}

struct ReadState {
    bucket: Bucket,
    seal: BackupSeal,
    /// `<id>/`: stripped from a key to name the object inside the backup.
    backup_dir: String,
    backup: String,
    table: String,
    keys: std::vec::IntoIter<String>,
    rows_read: u64,
    expected_rows: u64,
    finished: bool,
}

type Batch = Result<Vec<Row>, StoreError>;

impl ReadState {
    async fn next_batch(mut self) -> Option<(Batch, Self)> {
        if self.finished {
            return None;
        }
        let Some(key) = self.keys.next() else {
            self.finished = true;
            if self.rows_read == self.expected_rows {
                return None;
            }
            let error = self.corrupt(format!(
                "table {} has {} rows in its segments, the manifest says {}",
                self.table, self.rows_read, self.expected_rows
            ));
            return Some((Err(error), self));
        };
        let result = self.read_segment(&key).await;
        match &result {
            Ok(rows) => self.rows_read += rows.len() as u64,
            Err(_) => self.finished = true,
        }
        Some((result, self))
    }

    async fn read_segment(&self, key: &str) -> Batch {
        let stored = self
            .bucket
            .get(key)
            .await?
            .ok_or_else(|| self.corrupt(format!("{key} disappeared while reading")))?;
        let inner = key.strip_prefix(&self.backup_dir).unwrap_or(key);
        let bytes = self.seal.open(&self.backup, inner, stored.to_vec())?;
        let name = key.rsplit('/').next().unwrap_or_default().to_owned();
        let decoded = tokio::task::spawn_blocking(move || {
            parse_segment(&bytes, &name, |segment| segment.decode_rows())
        })
        .await
        .map_err(|e| StoreError::io("decoding a segment", std::io::Error::other(e)))?;
        decoded.map_err(|e| match e {
            SegmentError::Corrupt(detail) => self.corrupt(format!("{key}: {detail}")),
            SegmentError::Io(e) => StoreError::io(format!("reading {key}"), e),
        })
    }

    fn corrupt(&self, detail: String) -> StoreError {
        StoreError::Corrupt {
            backup: self.backup.clone(),
            detail,
        }
    }
}
