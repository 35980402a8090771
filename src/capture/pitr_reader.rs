//! A base backup seen at an instant: a [`BackupReader`] whose tables are the base's rows with
//! the captured changes of the base's chain replayed up to the instant ([`super::replay`]), so
//! the restore engine writes the table as it was then — every row, every version with its
//! timestamp — with no change of its own (if-exists policies, renames and dry runs as usual).
//!
//! Every table is rebuilt in memory when the reader opens (the replay needs the whole base to
//! apply a change to, and the manifest must carry the rebuilt table's counts and checksum,
//! which the engine checks the rows against); memory grows with the tables and their changes.

use std::collections::BTreeMap;
use std::sync::Arc;

use async_trait::async_trait;
use futures::{stream, StreamExt, TryStreamExt};

use super::pitr::chain_records;
use super::replay::replay_until;
use super::store::ChangeStore;
use crate::store::{BackupReader, Manifest, RowBatches, StoreError, TableChecksum};

/// The change store of each table to restore, by table name.
pub type TableChanges = BTreeMap<String, Arc<dyn ChangeStore>>;
use crate::tablestore::Row;

/// Rows handed to the engine per batch.
const BATCH_ROWS: usize = 1000;

pub struct PointInTimeReader {
    /// The base's manifest with each replayed table's counts and checksum, so the engine's
    /// check of the data against the manifest holds for the rows at the instant.
    manifest: Manifest,
    tables: BTreeMap<String, Arc<Vec<Row>>>,
}

fn corrupt(backup: &str, detail: String) -> StoreError {
    StoreError::Corrupt {
        backup: backup.to_string(),
        detail,
    }
}

impl PointInTimeReader {
    /// Replays each table of `changes` (table → its change store) onto `base` up to
    /// `until_us`; the reader holds those tables only.
    pub async fn open(
        base: Arc<dyn BackupReader>,
        changes: TableChanges,
        until_us: i64,
    ) -> Result<Self, StoreError> {
        let mut manifest = base.manifest().clone();
        let base_started_us = manifest.started_at.timestamp_micros();
        let backup = manifest.backup_id.clone();
        let mut tables = BTreeMap::new();
        let mut described = Vec::new();
        for (table, store) in changes {
            let mut entry =
                manifest
                    .table(&table)
                    .cloned()
                    .ok_or_else(|| StoreError::TableNotFound {
                        backup: backup.clone(),
                        table: table.clone(),
                    })?;
            let max_versions = usize::try_from(entry.description.options.max_versions).unwrap_or(1);
            let records = chain_records(store.as_ref(), base_started_us)
                .await
                .map_err(|e| corrupt(&backup, format!("changes of table '{table}': {e}")))?;
            let base_rows: Vec<Row> = base
                .read_table(&table)
                .await?
                .try_collect::<Vec<_>>()
                .await?
                .into_iter()
                .flatten()
                .collect();
            let rows = replay_until(
                base_rows,
                records.iter().map(|r| &r.record),
                until_us,
                max_versions,
            );
            let mut sum = TableChecksum::default();
            for row in &rows {
                sum.add(row);
            }
            entry.rows = sum.rows;
            entry.cells = sum.cells;
            entry.bytes = sum.bytes;
            entry.checksum = sum.digest();
            described.push(entry);
            tables.insert(table, Arc::new(rows));
        }
        manifest.tables = described;
        Ok(PointInTimeReader { manifest, tables })
    }
}

#[async_trait]
impl BackupReader for PointInTimeReader {
    fn manifest(&self) -> &Manifest {
        &self.manifest
    }

    async fn read_table(&self, table: &str) -> Result<RowBatches, StoreError> {
        let rows = self
            .tables
            .get(table)
            .cloned()
            .ok_or_else(|| StoreError::TableNotFound {
                backup: self.manifest.backup_id.clone(),
                table: table.to_string(),
            })?;
        let batches: Vec<Result<Vec<Row>, StoreError>> = rows
            .chunks(BATCH_ROWS)
            .map(|chunk| Ok(chunk.to_vec()))
            .collect();
        Ok(stream::iter(batches).boxed())
    }
}
