//! A base backup seen at an instant: a [`BackupReader`] whose tables are the base's rows with
//! the captured changes of the base's chain replayed up to the instant ([`super::replay`]), so
//! the restore engine writes the table as it was then — every row, every version with its
//! timestamp — with no change of its own (if-exists policies, renames and dry runs as usual).
//!
//! It streams: memory grows with the changes up to the instant, never with the base.
//! - Opening groups each table's changes by row ([`RowChanges`]) and reads the base once,
//!   keeping only the base rows that have changes, rebuilt at the instant. The manifest entry
//!   is the base's own checksum with those base rows taken out and their rebuilt rows (and
//!   the rows only the changes hold) added in: the sum is order-free, so this is exactly the
//!   checksum of the rows at the instant, and the engine's check still holds every untouched
//!   base row to the base's manifest.
//! - Reading streams the base again: an untouched row passes as it is, a changed row is
//!   replaced by its rebuilt row (or dropped if the changes removed it), and the rows only in
//!   the changes are merged in before the first base row with a greater key, the rest at the
//!   end. Archive bases are read in key order (ranges in order, each in key order), so their
//!   restore sees every row in key order; a base in another order (MongoDB's natural order)
//!   still gets every row exactly once.

use std::cmp::Ordering;
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use async_trait::async_trait;
use futures::{stream, StreamExt, TryStreamExt};

use super::pitr::chain_records;
use super::replay::compare_keys;
use super::row_changes::RowChanges;
use super::store::ChangeStore;
use crate::store::{BackupReader, Manifest, RowBatches, StoreError, TableChecksum};
use crate::tablestore::client::StreamRecord;
use crate::tablestore::{PrimaryKey, Row};

/// The change store of each table to restore, by table name.
pub type TableChanges = BTreeMap<String, Arc<dyn ChangeStore>>;

/// Rows handed to the engine per batch of rows only the changes hold.
const BATCH_ROWS: usize = 1000;

pub struct PointInTimeReader {
    base: Arc<dyn BackupReader>,
    /// The base's manifest with each replayed table's counts and checksum, so the engine's
    /// check of the data against the manifest holds for the rows at the instant.
    manifest: Manifest,
    tables: BTreeMap<String, Arc<ChangedRows>>,
}

/// A table's rows that differ from its base at the instant.
#[derive(Debug, Default)]
struct ChangedRows {
    /// Base rows with changes → the row at the instant (`None`: removed).
    replaced: HashMap<PrimaryKey, Option<Row>>,
    /// Rows no base row holds, in key order.
    added: Vec<Row>,
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
        let base_started_us = base.manifest().started_at.timestamp_micros();
        let backup = base.manifest().backup_id.clone();
        let mut records = BTreeMap::new();
        for (table, store) in changes {
            let chain = chain_records(store.as_ref(), base_started_us, until_us)
                .await
                .map_err(|e| corrupt(&backup, format!("changes of table '{table}': {e}")))?;
            records.insert(table, chain.into_iter().map(|r| r.record));
        }
        Self::replaying(base, records, until_us).await
    }

    /// [`Self::open`] given each table's records in capture order.
    pub async fn replaying<R>(
        base: Arc<dyn BackupReader>,
        records: BTreeMap<String, R>,
        until_us: i64,
    ) -> Result<Self, StoreError>
    where
        R: IntoIterator<Item = StreamRecord>,
    {
        let mut manifest = base.manifest().clone();
        let backup = manifest.backup_id.clone();
        let mut tables = BTreeMap::new();
        let mut described = Vec::new();
        for (table, records) in records {
            let mut entry =
                manifest
                    .table(&table)
                    .cloned()
                    .ok_or_else(|| StoreError::TableNotFound {
                        backup: backup.clone(),
                        table: table.clone(),
                    })?;
            let max_versions = usize::try_from(entry.description.options.max_versions).unwrap_or(1);
            let mut sum =
                TableChecksum::stated(entry.rows, entry.cells, entry.bytes, &entry.checksum)
                    .ok_or_else(|| {
                        corrupt(
                            &backup,
                            format!(
                                "table '{table}' has checksum {:?}, not a v1 digest",
                                entry.checksum
                            ),
                        )
                    })?;
            let changes = RowChanges::group(records, until_us, max_versions);
            let changed = replay_changed_rows(base.as_ref(), &table, changes, &mut sum).await?;
            entry.rows = sum.rows;
            entry.cells = sum.cells;
            entry.bytes = sum.bytes;
            entry.checksum = sum.digest();
            described.push(entry);
            tables.insert(table, Arc::new(changed));
        }
        manifest.tables = described;
        Ok(PointInTimeReader {
            base,
            manifest,
            tables,
        })
    }
}

/// The first pass over a base table: its rows with changes rebuilt at the instant, and the
/// rows only the changes hold; `sum` (the base's checksum) becomes the checksum at the instant.
/// Reading stops once every changed row was met.
async fn replay_changed_rows(
    base: &dyn BackupReader,
    table: &str,
    mut changes: RowChanges,
    sum: &mut TableChecksum,
) -> Result<ChangedRows, StoreError> {
    let mut replaced = HashMap::new();
    if !changes.is_empty() {
        let mut batches = base.read_table(table).await?;
        while let Some(batch) = batches.try_next().await? {
            for row in &batch {
                if let Some(at) = changes.replay_base_row(row) {
                    sum.remove(row);
                    if let Some(at) = &at {
                        sum.add(at);
                    }
                    replaced.insert(row.primary_key.clone(), at);
                }
            }
            if changes.is_empty() {
                break;
            }
        }
    }
    let added = changes.into_new_rows();
    for row in &added {
        sum.add(row);
    }
    Ok(ChangedRows { replaced, added })
}

#[async_trait]
impl BackupReader for PointInTimeReader {
    fn manifest(&self) -> &Manifest {
        &self.manifest
    }

    async fn read_table(&self, table: &str) -> Result<RowBatches, StoreError> {
        let changed = self
            .tables
            .get(table)
            .cloned()
            .ok_or_else(|| StoreError::TableNotFound {
                backup: self.manifest.backup_id.clone(),
                table: table.to_string(),
            })?;
        let state = Merge {
            base: Some(self.base.read_table(table).await?),
            changed,
            next_added: 0,
        };
        Ok(stream::unfold(state, Merge::next_batch).boxed())
    }
}

/// The second pass: the base's batches with the changed rows in place.
struct Merge {
    /// `None` once the base is read to its end (or failed).
    base: Option<RowBatches>,
    changed: Arc<ChangedRows>,
    /// The first row of `changed.added` not handed out yet.
    next_added: usize,
}

type Batch = Result<Vec<Row>, StoreError>;

impl Merge {
    async fn next_batch(mut self) -> Option<(Batch, Self)> {
        while let Some(base) = self.base.as_mut() {
            match base.next().await {
                Some(Ok(batch)) => {
                    let merged = self.merge(batch);
                    if !merged.is_empty() {
                        return Some((Ok(merged), self));
                    }
                }
                Some(Err(e)) => {
                    self.base = None;
                    self.next_added = self.changed.added.len(); // one error ends the stream
                    return Some((Err(e), self));
                }
                None => self.base = None,
            }
        }
        let added = &self.changed.added;
        if self.next_added == added.len() {
            return None;
        }
        let end = added.len().min(self.next_added + BATCH_ROWS);
        let rest = added[self.next_added..end].to_vec();
        self.next_added = end;
        Some((Ok(rest), self))
    }

    /// One base batch with its changed rows replaced and the added rows with smaller keys
    /// merged in before them.
    fn merge(&mut self, batch: Vec<Row>) -> Vec<Row> {
        let changed = Arc::clone(&self.changed);
        let mut merged = Vec::with_capacity(batch.len());
        for row in batch {
            while let Some(added) = changed.added.get(self.next_added) {
                if compare_keys(&added.primary_key, &row.primary_key) != Ordering::Less {
                    break;
                }
                merged.push(added.clone());
                self.next_added += 1;
            }
            match changed.replaced.get(&row.primary_key) {
                Some(at) => merged.extend(at.iter().cloned()),
                None => merged.push(row),
            }
        }
        merged
    }
}

#[cfg(test)]
#[path = "pitr_reader_tests.rs"]
mod tests;
