//! Live statistics of a running backup or restore, shared between the engine's tasks and
//! whoever watches (the CLI's progress bar, later the daemon's run records and metrics).
//! Plain atomics: tasks update them on every batch without locking.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use serde::Serialize;

#[derive(Debug)]
pub struct Progress {
    started: Instant,
    rows: AtomicU64,
    cells: AtomicU64,
    bytes: AtomicU64,
    ranges_done: AtomicU64,
    ranges_total: AtomicU64,
    tables_done: AtomicU64,
    tables_total: AtomicU64,
    store_retries: AtomicU64,
    waiting_for_table_ms: AtomicU64,
    write_batches_allowed: AtomicU64,
}

/// A consistent-enough copy of the counters at one moment.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct ProgressSnapshot {
    pub rows: u64,
    pub cells: u64,
    pub bytes: u64,
    pub ranges_done: u64,
    pub ranges_total: u64,
    pub tables_done: u64,
    pub tables_total: u64,
    /// Store writes that failed and were retried (a store briefly unreachable).
    pub store_retries: u64,
    /// How long the restore has been waiting for a created table to accept writes (0 when it
    /// is not waiting).
    pub waiting_for_table_seconds: f64,
    /// A restore's current write rate: the batches its writers may have in flight, lowered
    /// while the service throttles (0: not restoring).
    pub write_batches_allowed: u64,
    pub elapsed_seconds: f64,
    pub rows_per_second: f64,
    pub bytes_per_second: f64,
}

impl Default for Progress {
    fn default() -> Self {
        Progress::new()
    }
}

impl Progress {
    pub fn new() -> Self {
        Progress {
            started: Instant::now(),
            rows: AtomicU64::new(0),
            cells: AtomicU64::new(0),
            bytes: AtomicU64::new(0),
            ranges_done: AtomicU64::new(0),
            ranges_total: AtomicU64::new(0),
            tables_done: AtomicU64::new(0),
            tables_total: AtomicU64::new(0),
            store_retries: AtomicU64::new(0),
            waiting_for_table_ms: AtomicU64::new(0),
            write_batches_allowed: AtomicU64::new(0),
        }
    }

    pub fn add_rows(&self, rows: u64, cells: u64, bytes: u64) {
        self.rows.fetch_add(rows, Ordering::Relaxed);
        self.cells.fetch_add(cells, Ordering::Relaxed);
        self.bytes.fetch_add(bytes, Ordering::Relaxed);
    }

    pub fn add_ranges_total(&self, n: u64) {
        self.ranges_total.fetch_add(n, Ordering::Relaxed);
    }

    pub fn range_done(&self) {
        self.ranges_done.fetch_add(1, Ordering::Relaxed);
    }

    pub fn set_tables_total(&self, n: u64) {
        self.tables_total.store(n, Ordering::Relaxed);
    }

    pub fn table_done(&self) {
        self.tables_done.fetch_add(1, Ordering::Relaxed);
    }

    pub fn store_retry(&self) {
        self.store_retries.fetch_add(1, Ordering::Relaxed);
    }

    /// Shows how long a restore has waited so far for a new table (zero: not waiting).
    pub fn set_waiting_for_table(&self, waited: std::time::Duration) {
        let ms = u64::try_from(waited.as_millis()).unwrap_or(u64::MAX);
        self.waiting_for_table_ms.store(ms, Ordering::Relaxed);
    }

    /// Shows the batches a restore's writers may have in flight (its adaptive write rate).
    pub fn set_write_rate(&self, batches: u32) {
        self.write_batches_allowed
            .store(u64::from(batches), Ordering::Relaxed);
    }

    pub fn snapshot(&self) -> ProgressSnapshot {
        let elapsed = self.started.elapsed().as_secs_f64();
        let rows = self.rows.load(Ordering::Relaxed);
        let bytes = self.bytes.load(Ordering::Relaxed);
        let per_second = |n: u64| {
            if elapsed > 0.0 {
                n as f64 / elapsed
            } else {
                0.0
            }
        };
        ProgressSnapshot {
            rows,
            cells: self.cells.load(Ordering::Relaxed),
            bytes,
            ranges_done: self.ranges_done.load(Ordering::Relaxed),
            ranges_total: self.ranges_total.load(Ordering::Relaxed),
            tables_done: self.tables_done.load(Ordering::Relaxed),
            tables_total: self.tables_total.load(Ordering::Relaxed),
            store_retries: self.store_retries.load(Ordering::Relaxed),
            waiting_for_table_seconds: self.waiting_for_table_ms.load(Ordering::Relaxed) as f64
                / 1000.0,
            write_batches_allowed: self.write_batches_allowed.load(Ordering::Relaxed),
            elapsed_seconds: elapsed,
            rows_per_second: per_second(rows),
            bytes_per_second: per_second(bytes),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counters_add_up() {
        let p = Progress::new();
        p.set_tables_total(2);
        p.add_ranges_total(3);
        p.add_rows(10, 20, 300);
        p.add_rows(1, 2, 30);
        p.range_done();
        p.table_done();
        p.store_retry();
        let s = p.snapshot();
        assert_eq!((s.rows, s.cells, s.bytes), (11, 22, 330));
        assert_eq!((s.ranges_done, s.ranges_total), (1, 3));
        assert_eq!((s.tables_done, s.tables_total), (1, 2));
        assert_eq!(s.store_retries, 1);
    }
}
