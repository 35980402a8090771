//! Replaying captured changes over a base backup: the table as it was at an instant.
//!
//! Each record is "delete a set, then assign cells with their versions" (the reference's §8.6):
//! PUT replaces the whole row with its cells; UPDATE puts versions, deletes one version (op 03)
//! or a whole column (op 01); DELETE removes the row. Versions keep their timestamps exactly and
//! a column keeps at most `max_versions`, newest first, as the service does. Such steps are
//! idempotent and compose, so replaying every record up to T over a base whose scan started
//! after the capture position gives the table at T even though the scan saw some of those
//! changes already. Records are cut by their commit time (µs), never by cell versions.
//! TTL expiry is not replayed (the stream carries no records for it).

use std::cmp::Ordering;
use std::collections::{BTreeMap, HashMap};

use crate::tablestore::client::{RecordAction, StreamRecord};
use crate::tablestore::{Cell, CellOp, PkValue, PrimaryKey, Row, Value};

/// Versions of one column, newest first by timestamp.
type Versions = BTreeMap<std::cmp::Reverse<i64>, Value>;

/// A table being rebuilt.
#[derive(Debug, Default)]
pub struct ReplayTable {
    max_versions: usize,
    rows: HashMap<PrimaryKey, BTreeMap<String, Versions>>,
}

/// Tablestore's key order: column by column; integers numerically, strings and binaries
/// bytewise (a column's type is fixed by the schema).
pub fn compare_keys(a: &PrimaryKey, b: &PrimaryKey) -> Ordering {
    fn rank(v: &PkValue) -> u8 {
        match v {
            PkValue::InfMin => 0,
            PkValue::Integer(_)
            | PkValue::String(_)
            | PkValue::Binary(_)
            | PkValue::AutoIncrement => 1,
            PkValue::InfMax => 2,
        }
    }
    for (x, y) in a.columns().iter().zip(b.columns()) {
        let order = match (&x.value, &y.value) {
            (PkValue::Integer(p), PkValue::Integer(q)) => p.cmp(q),
            (PkValue::String(p), PkValue::String(q)) => p.as_bytes().cmp(q.as_bytes()),
            (PkValue::Binary(p), PkValue::Binary(q)) => p.cmp(q),
            (p, q) => rank(p).cmp(&rank(q)),
        };
        if order != Ordering::Equal {
            return order;
        }
    }
    a.columns().len().cmp(&b.columns().len())
}

impl ReplayTable {
    /// An empty table keeping `max_versions` versions per column.
    pub fn new(max_versions: usize) -> Self {
        ReplayTable {
            max_versions: max_versions.max(1),
            rows: HashMap::new(),
        }
    }

    /// Loads base-backup rows (every version a cell).
    pub fn load(&mut self, rows: impl IntoIterator<Item = Row>) {
        for row in rows {
            let columns = self.rows.entry(row.primary_key).or_default();
            for cell in row.cells {
                if let (Some(value), Some(ts)) = (cell.value, cell.timestamp) {
                    columns
                        .entry(cell.name)
                        .or_default()
                        .insert(std::cmp::Reverse(ts), value);
                }
            }
        }
    }

    fn put(&mut self, key: &PrimaryKey, name: &str, ts: i64, value: Value) {
        let max = self.max_versions;
        let versions = self
            .rows
            .entry(key.clone())
            .or_default()
            .entry(name.to_string())
            .or_default();
        versions.insert(std::cmp::Reverse(ts), value);
        while versions.len() > max {
            versions.pop_last();
        }
    }

    /// Applies one record.
    pub fn apply(&mut self, record: &StreamRecord) {
        let key = &record.row.primary_key;
        match record.action {
            RecordAction::Delete => {
                self.rows.remove(key);
            }
            RecordAction::Put => {
                self.rows.insert(key.clone(), BTreeMap::new());
                for cell in &record.row.cells {
                    if let (Some(value), Some(ts)) = (&cell.value, cell.timestamp) {
                        self.put(key, &cell.name, ts, value.clone());
                    }
                }
            }
            RecordAction::Update => {
                for cell in &record.row.cells {
                    self.apply_update_cell(key, cell);
                }
            }
        }
    }

    fn apply_update_cell(&mut self, key: &PrimaryKey, cell: &Cell) {
        match (cell.op, &cell.value, cell.timestamp) {
            (None, Some(value), Some(ts)) => self.put(key, &cell.name, ts, value.clone()),
            (Some(CellOp::DeleteAllVersions), _, _) => {
                if let Some(columns) = self.rows.get_mut(key) {
                    columns.remove(&cell.name);
                }
            }
            (Some(CellOp::DeleteOneVersion), _, Some(ts)) => {
                if let Some(columns) = self.rows.get_mut(key) {
                    if let Some(versions) = columns.get_mut(&cell.name) {
                        versions.remove(&std::cmp::Reverse(ts));
                        if versions.is_empty() {
                            columns.remove(&cell.name);
                        }
                    }
                }
            }
            // The client refuses every other cell shape when it decodes a record.
            _ => {}
        }
    }

    /// The rows in key order, cells by name, newest version first.
    pub fn into_rows(self) -> Vec<Row> {
        let mut rows: Vec<Row> = self
            .rows
            .into_iter()
            .map(|(key, columns)| {
                let cells = columns
                    .into_iter()
                    .flat_map(|(name, versions)| {
                        versions
                            .into_iter()
                            .map(move |(ts, value)| Cell::put_at(name.clone(), value, ts.0))
                    })
                    .collect();
                Row::new(key, cells)
            })
            .collect();
        rows.sort_by(|a, b| compare_keys(&a.primary_key, &b.primary_key));
        rows
    }
}

/// Base rows plus every record committed at or before `until_us`, per shard in log order.
/// `records` must hold each shard's records in log order with parents before children (the
/// order capture stores them in).
pub fn replay_until<'a>(
    base: Vec<Row>,
    records: impl IntoIterator<Item = &'a StreamRecord>,
    until_us: i64,
    max_versions: usize,
) -> Vec<Row> {
    let mut table = ReplayTable::new(max_versions);
    table.load(base);
    for record in records {
        if record.sequence.timestamp_us <= until_us {
            table.apply(record);
        }
    }
    table.into_rows()
}
