//! The captured changes of one table grouped by row: what a point-in-time restore keeps in
//! memory instead of the table ([`super::pitr_reader`]), so its memory grows with the changes
//! up to the instant, not with the base backup.
//!
//! Every record touches exactly one row, so replaying a row's own records in capture order
//! over its base version gives the same row as replaying the whole log over the whole table
//! ([`super::replay::replay_until`]): the grouping keeps each row's records in their stored
//! order, and each row is rebuilt by the same [`ReplayTable`] (PutRow replaces, UpdateRow puts
//! and deletes versions, DeleteRow removes, at most `max_versions` per column).

use std::collections::HashMap;

use super::replay::{compare_keys, ReplayTable};
use crate::tablestore::client::StreamRecord;
use crate::tablestore::{PrimaryKey, Row};

/// Each changed row's records committed at or before the instant.
#[derive(Debug)]
pub struct RowChanges {
    max_versions: usize,
    by_key: HashMap<PrimaryKey, Vec<StreamRecord>>,
}

impl RowChanges {
    /// Groups `records` (in capture order) by row, keeping those committed at or before
    /// `until_us`; the others are dropped here, so they take no memory.
    pub fn group(
        records: impl IntoIterator<Item = StreamRecord>,
        until_us: i64,
        max_versions: usize,
    ) -> Self {
        let mut by_key: HashMap<PrimaryKey, Vec<StreamRecord>> = HashMap::new();
        for record in records {
            if record.sequence.timestamp_us <= until_us {
                by_key
                    .entry(record.row.primary_key.clone())
                    .or_default()
                    .push(record);
            }
        }
        RowChanges {
            max_versions,
            by_key,
        }
    }

    /// Whether every changed row's changes were taken.
    pub fn is_empty(&self) -> bool {
        self.by_key.is_empty()
    }

    /// Rebuilds the base row `base` at the instant if it has changes (taking them out):
    /// `Some(None)` when the changes removed it, `None` when it has no changes.
    pub fn replay_base_row(&mut self, base: &Row) -> Option<Option<Row>> {
        let records = self.by_key.remove(&base.primary_key)?;
        Some(replay_row(Some(base.clone()), &records, self.max_versions))
    }

    /// The rows whose changes were not taken (rows no base row holds) as they are at the
    /// instant, in key order; rows the changes removed again are left out.
    pub fn into_new_rows(self) -> Vec<Row> {
        let max_versions = self.max_versions;
        let mut rows: Vec<Row> = self
            .by_key
            .into_values()
            .filter_map(|records| replay_row(None, &records, max_versions))
            .collect();
        rows.sort_by(|a, b| compare_keys(&a.primary_key, &b.primary_key));
        rows
    }
}

/// One row (`None`: absent) with its records applied; `None` if it does not exist after them.
fn replay_row(base: Option<Row>, records: &[StreamRecord], max_versions: usize) -> Option<Row> {
    let mut table = ReplayTable::new(max_versions);
    table.load(base);
    for record in records {
        table.apply(record);
    }
    table.into_rows().pop()
}
