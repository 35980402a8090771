//! Rate limits for the readers: rows per second and bytes per second, shared by every reader
//! of a run.
//!
//! A token bucket that may go into debt: a reader takes what a page cost *after* reading it
//! (the size is only known then) and, when the bucket is negative, sleeps until it is paid
//! back. Over any stretch longer than a second the rate holds; a burst is at most one second
//! of budget plus one page.

use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::tablestore::{Cell, PkValue, Row, Value};

/// The limits of one run; `None` limits nothing.
#[derive(Debug)]
pub struct Throttle {
    rows: Option<Mutex<Bucket>>,
    bytes: Option<Mutex<Bucket>>,
}

#[derive(Debug)]
struct Bucket {
    per_second: f64,
    tokens: f64,
    refilled: Instant,
}

impl Bucket {
    fn new(per_second: u64) -> Self {
        Bucket {
            per_second: per_second as f64,
            tokens: per_second as f64,
            refilled: Instant::now(),
        }
    }

    /// Takes `amount` at `now` and returns how long to wait before the bucket is no longer in
    /// debt.
    fn take(&mut self, amount: u64, now: Instant) -> Duration {
        let earned = now.duration_since(self.refilled).as_secs_f64() * self.per_second;
        self.tokens = (self.tokens + earned).min(self.per_second) - amount as f64;
        self.refilled = now;
        if self.tokens >= 0.0 {
            Duration::ZERO
        } else {
            Duration::from_secs_f64(-self.tokens / self.per_second)
        }
    }
}

impl Throttle {
    /// 0 means unlimited, as in the config.
    pub fn new(max_rows_per_second: u64, max_bytes_per_second: u64) -> Self {
        let bucket = |limit: u64| (limit > 0).then(|| Mutex::new(Bucket::new(limit)));
        Throttle {
            rows: bucket(max_rows_per_second),
            bytes: bucket(max_bytes_per_second),
        }
    }

    pub fn is_unlimited(&self) -> bool {
        self.rows.is_none() && self.bytes.is_none()
    }

    /// Charges one page of rows and waits as long as the limits require.
    pub async fn charge(&self, rows: &[Row]) {
        let now = Instant::now();
        let mut wait = Duration::ZERO;
        if let Some(bucket) = &self.rows {
            wait = wait.max(lock(bucket).take(rows.len() as u64, now));
        }
        if let Some(bucket) = &self.bytes {
            let bytes = rows.iter().map(approximate_size).sum();
            wait = wait.max(lock(bucket).take(bytes, now));
        }
        if !wait.is_zero() {
            tokio::time::sleep(wait).await;
        }
    }
}

fn lock(bucket: &Mutex<Bucket>) -> std::sync::MutexGuard<'_, Bucket> {
    bucket.lock().unwrap_or_else(|p| p.into_inner())
}

/// About the row's size on the wire (names, values, timestamps), without encoding it: the
/// limit is a budget, not an invoice, and encoding every row twice would cost more than it is
/// worth.
pub fn approximate_size(row: &Row) -> u64 {
    let key: usize = row
        .primary_key
        .columns()
        .iter()
        .map(|c| c.name.len() + pk_value_size(&c.value))
        .sum();
    let cells: usize = row.cells.iter().map(cell_size).sum();
    (key + cells) as u64
}

fn pk_value_size(value: &PkValue) -> usize {
    match value {
        PkValue::String(s) => s.len(),
        PkValue::Binary(b) => b.len(),
        _ => 8,
    }
}

fn cell_size(cell: &Cell) -> usize {
    let value = match &cell.value {
        Some(Value::String(s)) => s.len(),
        Some(Value::Binary(b)) => b.len(),
        Some(Value::Boolean(_)) => 1,
        Some(_) => 8,
        None => 0,
    };
    cell.name.len() + value + if cell.timestamp.is_some() { 8 } else { 0 }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bucket_allows_one_second_of_budget_then_asks_to_wait() {
        let mut bucket = Bucket::new(100);
        let t0 = bucket.refilled;
        assert_eq!(bucket.take(60, t0), Duration::ZERO);
        assert_eq!(bucket.take(40, t0), Duration::ZERO);
        // 50 tokens of debt at 100/s: half a second.
        assert_eq!(bucket.take(50, t0), Duration::from_millis(500));
        // A quarter second later 25 tokens are earned back; 25 more in debt → half a second.
        let t1 = t0 + Duration::from_millis(250);
        assert_eq!(bucket.take(25, t1), Duration::from_millis(500));
    }

    #[test]
    fn an_idle_bucket_saves_at_most_one_second() {
        let mut bucket = Bucket::new(10);
        let later = bucket.refilled + Duration::from_secs(60);
        assert_eq!(bucket.take(10, later), Duration::ZERO);
        assert_eq!(bucket.take(1, later), Duration::from_millis(100));
    }

    #[test]
    fn zero_limits_are_unlimited() {
        assert!(Throttle::new(0, 0).is_unlimited());
        assert!(!Throttle::new(0, 10).is_unlimited());
    }
}
