//! How the service treats tables around their creation and their settings, beyond the plain
//! limits: each rule is switchable so tests can meet it (or not) on purpose.
//!
//! - Not ready after CreateTable: the service loads a new table's partition for "about one
//!   minute" (CreateTable API docs; the Python SDK's own tests sleep 60 s). Writes in that
//!   window fail with `OTSTableNotReady`. Off by default here (tests create tables and write at
//!   once); `tablevault emulator --table-not-ready-ms` and [`TableRules::not_ready_for`] turn
//!   it on.
//! - Table operations are rate-limited: CreateTable, UpdateTable and DeleteTable on a table
//!   less than [`TableRules::table_op_interval`] after the previous one answer
//!   `OTSQuotaExhausted` "Too frequent table operations." (the code and text every SDK's retry
//!   strategy matches). Off by default.
//! - The TTL window: a cell with its own timestamp is writable only inside
//!   [max(now − max_version_offset, now − TTL), now + max_version_offset) (docs "Data versions
//!   and TTL", TableOptions). The offset is checked by [`super::limits::check_cells`]; the TTL
//!   bound is checked here, on by default because the service always does so.
//! - `partitions` in CreateTable (initial split points) are accepted where the instance allows
//!   them; [`TableRules::accept_partitions`] off makes CreateTable refuse them.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::tablestore::codes;
use crate::tablestore::row::Cell;

use super::error::ServiceError;
use super::tables::lock;

/// Message of the table-operation throttle, as the SDKs' retry strategies match it.
pub const TOO_FREQUENT: &str = "Too frequent table operations.";

/// The switchable table rules of an emulator.
#[derive(Debug, Clone, PartialEq)]
pub struct TableRules {
    /// How long a new table refuses writes with `OTSTableNotReady`.
    pub not_ready_for: Duration,
    /// Least time between two table operations on one table; zero does not limit.
    pub table_op_interval: Duration,
    /// Refuse cells whose timestamp is older than the table's TTL.
    pub ttl_window: bool,
    /// Accept initial split points (`partitions`) in CreateTable.
    pub accept_partitions: bool,
}

impl Default for TableRules {
    fn default() -> Self {
        TableRules {
            not_ready_for: Duration::ZERO,
            table_op_interval: Duration::ZERO,
            ttl_window: true,
            accept_partitions: true,
        }
    }
}

/// Refuses a write to a table still in its not-ready window (`writable_at_ms` is when the
/// window ends).
pub fn check_ready(writable_at_ms: i64, now_ms: i64) -> Result<(), ServiceError> {
    if now_ms < writable_at_ms {
        return Err(ServiceError::new(
            codes::TABLE_NOT_READY,
            "The table is not ready.",
        ));
    }
    Ok(())
}

/// Refuses a cell written with a timestamp the TTL has already expired (`ttl_secs` -1 keeps
/// data forever). Version deletes and increments carry no written timestamp and pass.
pub fn check_ttl_window(cells: &[Cell], ttl_secs: i32, now_ms: i64) -> Result<(), ServiceError> {
    if ttl_secs < 0 {
        return Ok(());
    }
    let oldest = now_ms.saturating_sub(i64::from(ttl_secs) * 1000);
    for cell in cells {
        if let (Some(ts), None) = (cell.timestamp, cell.op) {
            if ts < oldest {
                return Err(ServiceError::invalid(format!(
                    "The timestamp {ts} of column '{}' is out of the allowed range: it is older than the table's time to live of {ttl_secs} seconds.",
                    cell.name
                )));
            }
        }
    }
    Ok(())
}

/// When each table last saw a table operation, to throttle the next ones.
#[derive(Debug, Default)]
pub struct TableOpLimiter {
    last: Mutex<HashMap<String, Instant>>,
}

impl TableOpLimiter {
    /// Admits a table operation on `table`, or answers the service's throttling error.
    pub fn admit(&self, table: &str, interval: Duration) -> Result<(), ServiceError> {
        if interval.is_zero() {
            return Ok(());
        }
        let now = Instant::now();
        let mut last = lock(&self.last);
        if let Some(previous) = last.get(table) {
            if now.duration_since(*previous) < interval {
                return Err(ServiceError::new(codes::QUOTA_EXHAUSTED, TOO_FREQUENT));
            }
        }
        last.insert(table.to_string(), now);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tablestore::row::Value;

    #[test]
    fn a_table_refuses_writes_until_its_window_ends() {
        let err = check_ready(1_000, 999).unwrap_err();
        assert_eq!(err.code, codes::TABLE_NOT_READY);
        assert!(check_ready(1_000, 1_000).is_ok());
    }

    #[test]
    fn cells_older_than_the_ttl_are_refused_deletes_are_not() {
        let now = 10_000_000_000;
        let day = 86_400;
        let fresh = Cell::put_at("c", Value::Integer(1), now - 1000 * day + 1);
        let expired = Cell::put_at("c", Value::Integer(1), now - 1000 * day - 1);
        assert!(check_ttl_window(&[fresh], day as i32, now).is_ok());
        let err = check_ttl_window(std::slice::from_ref(&expired), day as i32, now).unwrap_err();
        assert_eq!(err.code, codes::PARAMETER_INVALID);
        assert!(check_ttl_window(&[expired], -1, now).is_ok());
        let delete = Cell::delete_one("c", 1);
        assert!(check_ttl_window(&[delete], day as i32, now).is_ok());
    }

    #[test]
    fn table_operations_closer_than_the_interval_are_throttled() {
        let limiter = TableOpLimiter::default();
        let interval = Duration::from_secs(60);
        limiter.admit("t", interval).unwrap();
        let err = limiter.admit("t", interval).unwrap_err();
        assert_eq!(
            (err.code.as_str(), err.message.as_str()),
            (codes::QUOTA_EXHAUSTED, TOO_FREQUENT)
        );
        assert!(limiter.admit("other", interval).is_ok());
        assert!(limiter.admit("t", Duration::ZERO).is_ok());
    }
}
