//! The Stream API of the emulator: every committed write of a table whose stream is on becomes a
//! stream record, readable through ListStream, DescribeStream, GetShardIterator and
//! GetStreamRecord until it expires after the stream's expiration time.
//!
//! - `log`: a table's shards and records, trimming, splits (lineage).
//! - `ops`: the four actions.
//! - this file: what the write path and the table operations call (record a write, enable or
//!   disable a stream, split a shard).
//!
//! Record content follows the Java SDK's rules (docs/stream-api.md): PUT_ROW carries every
//! written column with its version (server-assigned ones included), UPDATE_ROW the updated
//! columns (puts with versions, delete-one-version with op 03 and the version, delete-all with
//! op 01; an increment appears as a put of the resulting value), DELETE_ROW the key and the
//! delete marker. Sequence info: epoch 0, commit time in µs, and a row index counting records
//! of one shard that share a commit time.

mod log;
mod ops;

use std::hash::{Hash, Hasher};

pub use log::StreamLog;
pub use ops::{describe_stream, get_shard_iterator, get_stream_record, list_stream};

use crate::tablestore::proto::ActionType;
use crate::tablestore::row::{PrimaryKey, Row};

use super::keys::KeyPart;
use super::tables::{lock, Table, Tables};

/// Default length of one hour of stream expiration, in µs.
pub const HOUR_US: i64 = 3_600_000_000;

/// Microseconds since the Unix epoch: a record's commit time.
pub fn now_us() -> i64 {
    chrono::Utc::now().timestamp_micros()
}

/// The hash that decides a row's shard: of its partition key (first PK column), so every row
/// of a partition stays in one shard. `DefaultHasher::new()` has fixed keys: stable per build.
fn partition_hash(key: &PrimaryKey) -> u64 {
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    key.columns()
        .first()
        .and_then(|c| KeyPart::from_value(&c.value))
        .hash(&mut hasher);
    hasher.finish()
}

/// Appends the record of a committed write (`row`: resolved key, record cells, delete marker)
/// when the table's stream is on. Called with the table's row lock held, so records of one
/// shard are in commit order.
pub fn record_write(table: &Table, action: ActionType, row: &Row) {
    if let Some(log) = lock(&table.stream).as_mut() {
        log.append(partition_hash(&row.primary_key), action, row, now_us());
    }
}

/// Turns the stream of `table` on (a new stream unless it is already on; the expiration is
/// updated) or off (its records become unreadable at once).
pub fn set_stream(store: &Tables, table: &Table, name: &str, hours: Option<i32>) {
    let mut stream = lock(&table.stream);
    match (hours, stream.as_mut()) {
        (Some(hours), Some(log)) => log.expiration_hours = hours,
        (Some(hours), None) => {
            *stream = Some(StreamLog::new(
                name,
                hours,
                store.stream_hour_us(),
                now_us(),
            ))
        }
        (None, _) => *stream = None,
    }
}

/// Splits the open shard `shard_id` (or the oldest open one) of `table`'s stream; returns the
/// two child shard ids.
pub fn split_shard(
    store: &Tables,
    table: &str,
    shard_id: Option<&str>,
) -> Result<[String; 2], String> {
    let table = store
        .table(table)
        .map_err(|_| format!("no table '{table}'"))?;
    let mut stream = lock(&table.stream);
    let log = stream
        .as_mut()
        .ok_or_else(|| "the table's stream is off".to_string())?;
    let children = log.split(shard_id, now_us())?;
    tracing::info!(stream = %log.stream_id, ?children, "Stream shard split.");
    Ok(children)
}

#[cfg(test)]
mod tests;
