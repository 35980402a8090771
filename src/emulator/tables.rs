//! In-memory tables: descriptions plus rows ordered by [`SortKey`], each column keeping its
//! versions newest first. Rows rest packed ([`PackedRow`]: one allocation each) and are worked
//! on as [`StoredRow`]s.
//!
//! Locks are `std::sync` locks: every operation is synchronous and none is held across an
//! `.await`. The catalogue lock is only held to look a table up; each table has its own row
//! lock, so scans of one table run in parallel with writes to another.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, RwLock, RwLockReadGuard, RwLockWriteGuard};

use crate::tablestore::codes;
use crate::tablestore::row::Value;
use crate::tablestore::table::TableDescription;

use super::error::ServiceError;
use super::index_ops::IndexBehaviour;
use super::keys::SortKey;
use super::packed_row::PackedRow;
use super::stream::{self, StreamLog};
use super::table_rules::{TableOpLimiter, TableRules};

/// Most tables an instance may hold.
pub const MAX_TABLES: usize = 64;

/// Milliseconds since the Unix epoch: the server-assigned cell timestamp.
pub fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

/// Locks that survive a panic in another request: the data is still consistent per operation.
pub fn read<T>(lock: &RwLock<T>) -> RwLockReadGuard<'_, T> {
    lock.read().unwrap_or_else(|e| e.into_inner())
}

pub fn write<T>(lock: &RwLock<T>) -> RwLockWriteGuard<'_, T> {
    lock.write().unwrap_or_else(|e| e.into_inner())
}

pub fn lock<T>(lock: &Mutex<T>) -> MutexGuard<'_, T> {
    lock.lock().unwrap_or_else(|e| e.into_inner())
}

/// One version of a cell.
#[derive(Debug, Clone, PartialEq)]
pub struct Version {
    pub timestamp: i64,
    pub value: Value,
}

/// One attribute column and its versions, newest first.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredColumn {
    pub name: String,
    pub versions: Vec<Version>,
}

/// A row's attribute columns, sorted by name (the order the service returns them in).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct StoredRow {
    pub columns: Vec<StoredColumn>,
}

impl StoredRow {
    fn position(&self, name: &str) -> Result<usize, usize> {
        self.columns.binary_search_by(|c| c.name.as_str().cmp(name))
    }

    pub fn column(&self, name: &str) -> Option<&StoredColumn> {
        self.position(name).ok().map(|i| &self.columns[i])
    }

    /// Writes one version; an existing version with the same timestamp is replaced, and only
    /// the newest `max_versions` are kept.
    pub fn put(&mut self, name: &str, timestamp: i64, value: Value, max_versions: usize) {
        let index = match self.position(name) {
            Ok(i) => i,
            Err(i) => {
                self.columns.insert(
                    i,
                    StoredColumn {
                        name: name.to_string(),
                        versions: Vec::new(),
                    },
                );
                i
            }
        };
        let versions = &mut self.columns[index].versions;
        match versions.binary_search_by(|v| timestamp.cmp(&v.timestamp)) {
            Ok(at) => versions[at].value = value,
            Err(at) => versions.insert(at, Version { timestamp, value }),
        }
        versions.truncate(max_versions.max(1));
    }

    pub fn delete_column(&mut self, name: &str) {
        if let Ok(i) = self.position(name) {
            self.columns.remove(i);
        }
    }

    pub fn delete_version(&mut self, name: &str, timestamp: i64) {
        if let Ok(i) = self.position(name) {
            self.columns[i]
                .versions
                .retain(|v| v.timestamp != timestamp);
            if self.columns[i].versions.is_empty() {
                self.columns.remove(i);
            }
        }
    }

    /// Whether a read sees this row: it has a live cell, or it never had cells (a row written
    /// with its key only). A row whose every cell expired is gone.
    pub fn is_visible(&self, expired_before: i64) -> bool {
        self.columns.is_empty()
            || self
                .columns
                .iter()
                .any(|c| c.versions.iter().any(|v| v.timestamp >= expired_before))
    }

    /// Approximate stored size in bytes: names, values, timestamps.
    pub fn size(&self) -> usize {
        self.columns
            .iter()
            .map(|c| {
                c.versions
                    .iter()
                    .map(|v| c.name.len() + value_size(&v.value) + 8)
                    .sum::<usize>()
            })
            .sum()
    }
}

/// Bytes a value occupies (the size the limits and the page byte cap are measured in).
pub fn value_size(value: &Value) -> usize {
    match value {
        Value::Integer(_) | Value::Double(_) => 8,
        Value::Boolean(_) => 1,
        Value::String(s) => s.len(),
        Value::Binary(b) => b.len(),
    }
}

/// A table: its description (options change with UpdateTable) and its rows.
#[derive(Debug)]
pub struct Table {
    pub description: RwLock<TableDescription>,
    pub rows: RwLock<BTreeMap<SortKey, PackedRow>>,
    /// Seconds since the epoch; reported as the last throughput change.
    pub created_at_secs: i64,
    /// The table's stream while it is on. Lock order: `rows` before `stream`.
    pub stream: Mutex<Option<StreamLog>>,
    /// Search index definitions (they go with the table when it is deleted).
    pub search_indexes: Mutex<super::search_index_ops::SearchIndexes>,
    /// The instance's index behaviour (custom timestamps on indexed tables).
    pub index_behaviour: IndexBehaviour,
    /// Milliseconds since the epoch when the table starts accepting writes.
    pub writable_at_ms: i64,
    /// Whether writes are refused for cells older than the TTL ([`TableRules::ttl_window`]).
    pub ttl_window: bool,
    last_auto_increment: Mutex<i64>,
}

impl Table {
    /// A new table; its stream is on when the description has an expiration, with hours of
    /// `stream_hour_us` microseconds.
    pub fn new(description: TableDescription, stream_hour_us: i64) -> Self {
        let now = now_ms();
        let stream = description.stream_expiration_hours.map(|hours| {
            StreamLog::new(&description.name, hours, stream_hour_us, stream::now_us())
        });
        Table {
            description: RwLock::new(description),
            rows: RwLock::new(BTreeMap::new()),
            created_at_secs: now / 1000,
            stream: Mutex::new(stream),
            search_indexes: Mutex::default(),
            index_behaviour: IndexBehaviour::default(),
            writable_at_ms: now,
            ttl_window: TableRules::default().ttl_window,
            last_auto_increment: Mutex::new(0),
        }
    }

    /// A new table under `rules`: not writable until the not-ready window has passed.
    pub fn under_rules(
        description: TableDescription,
        rules: &TableRules,
        stream_hour_us: i64,
    ) -> Self {
        let mut table = Table::new(description, stream_hour_us);
        let window = i64::try_from(rules.not_ready_for.as_millis()).unwrap_or(i64::MAX);
        table.writable_at_ms = table.writable_at_ms.saturating_add(window);
        table.ttl_window = rules.ttl_window;
        table
    }

    pub fn description(&self) -> TableDescription {
        read(&self.description).clone()
    }

    /// A fresh auto-increment value: unique and increasing per table. Like the service's, the
    /// values are large (microseconds since the epoch, bumped when calls collide).
    pub fn next_auto_increment(&self) -> i64 {
        let mut last = lock(&self.last_auto_increment);
        let candidate = chrono::Utc::now().timestamp_micros();
        *last = candidate.max(*last + 1);
        *last
    }
}

/// Every table of the instance.
#[derive(Debug, Default)]
pub struct Tables {
    tables: RwLock<BTreeMap<String, Arc<Table>>>,
    /// Length of one hour of stream expiration in µs; 0 means a real hour.
    stream_hour_us: AtomicI64,
    pub index_behaviour: IndexBehaviour,
    pub rules: TableRules,
    pub table_ops: TableOpLimiter,
}

impl Tables {
    pub fn new(index_behaviour: IndexBehaviour, rules: TableRules) -> Self {
        Tables {
            index_behaviour,
            rules,
            ..Tables::default()
        }
    }

    /// Shortens (or restores) the hour that stream expiration times count in, so tests can
    /// watch records expire.
    pub fn set_stream_hour_us(&self, hour_us: i64) {
        self.stream_hour_us.store(hour_us, Ordering::Relaxed);
    }

    pub fn stream_hour_us(&self) -> i64 {
        match self.stream_hour_us.load(Ordering::Relaxed) {
            0 => stream::HOUR_US,
            hour => hour,
        }
    }

    pub fn table(&self, name: &str) -> Result<Arc<Table>, ServiceError> {
        read(&self.tables)
            .get(name)
            .cloned()
            .ok_or_else(ServiceError::table_not_exist)
    }

    pub fn create(&self, description: TableDescription) -> Result<(), ServiceError> {
        let mut tables = write(&self.tables);
        if tables.contains_key(&description.name) {
            return Err(ServiceError::table_already_exist());
        }
        if tables.len() >= MAX_TABLES {
            return Err(ServiceError::new(
                codes::QUOTA_EXHAUSTED,
                "Too many tables.",
            ));
        }
        let name = description.name.clone();
        let mut table = Table::under_rules(description, &self.rules, self.stream_hour_us());
        table.index_behaviour = self.index_behaviour;
        tables.insert(name, Arc::new(table));
        Ok(())
    }

    pub fn delete(&self, name: &str) -> Result<(), ServiceError> {
        write(&self.tables)
            .remove(name)
            .map(|_| ())
            .ok_or_else(ServiceError::table_not_exist)
    }

    /// Table names in lexicographic order.
    pub fn names(&self) -> Vec<String> {
        read(&self.tables).keys().cloned().collect()
    }

    /// Drops every table.
    pub fn reset(&self) {
        write(&self.tables).clear();
    }

    pub fn table_count(&self) -> usize {
        read(&self.tables).len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_stay_newest_first_and_capped() {
        let mut row = StoredRow::default();
        for ts in [5, 1, 9, 3] {
            row.put("c", ts, Value::Integer(ts), 3);
        }
        let ts: Vec<i64> = row
            .column("c")
            .unwrap()
            .versions
            .iter()
            .map(|v| v.timestamp)
            .collect();
        assert_eq!(ts, vec![9, 5, 3]);
        row.put("c", 5, Value::Integer(50), 3);
        assert_eq!(
            row.column("c").unwrap().versions[1].value,
            Value::Integer(50)
        );
    }

    #[test]
    fn columns_sorted_and_deletable() {
        let mut row = StoredRow::default();
        row.put("b", 1, Value::Boolean(true), 1);
        row.put("a", 1, Value::Boolean(false), 1);
        row.put("c", 1, Value::Integer(1), 1);
        let names: Vec<&str> = row.columns.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(names, ["a", "b", "c"]);
        row.delete_column("b");
        row.delete_version("c", 1);
        row.delete_version("a", 2);
        let names: Vec<&str> = row.columns.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(names, ["a"]);
    }

    #[test]
    fn expired_rows_are_invisible_but_key_only_rows_are_not() {
        let mut row = StoredRow::default();
        assert!(row.is_visible(100));
        row.put("c", 50, Value::Integer(1), 1);
        assert!(!row.is_visible(100));
        assert!(row.is_visible(50));
    }

    #[test]
    fn table_count_is_capped_and_names_unique() {
        use crate::tablestore::table::{PkSchema, PkType};
        let store = Tables::default();
        let desc = |n: usize| {
            TableDescription::new(
                format!("t{n:02}"),
                vec![PkSchema::new("k", PkType::Integer)],
            )
        };
        for n in 0..MAX_TABLES {
            store.create(desc(n)).unwrap();
        }
        assert_eq!(
            store.create(desc(0)).unwrap_err().code,
            codes::OBJECT_ALREADY_EXIST
        );
        assert_eq!(
            store.create(desc(99)).unwrap_err().code,
            codes::QUOTA_EXHAUSTED
        );
        store.delete("t00").unwrap();
        assert_eq!(
            store.delete("t00").unwrap_err().code,
            codes::OBJECT_NOT_EXIST
        );
        assert_eq!(store.table_count(), MAX_TABLES - 1);
    }

    #[test]
    fn auto_increment_values_increase() {
        use crate::tablestore::table::{PkSchema, PkType};
        let table = Table::new(
            TableDescription::new("t", vec![PkSchema::new("k", PkType::Integer)]),
            stream::HOUR_US,
        );
        let a = table.next_auto_increment();
        let b = table.next_auto_increment();
        assert!(b > a && a > 0);
    }
}
