//! BatchWriteRow limits, and splitting any number of writes into batches within them.

use std::collections::HashSet;

use super::batch::RowWrite;
use super::error::{Result, TablestoreError};
use crate::tablestore::row::PrimaryKey;

/// Row operations per BatchWriteRow request.
pub const MAX_BATCH_ROWS: usize = 200;
/// Encoded size of a BatchWriteRow request.
pub const MAX_BATCH_BYTES: usize = 4 * 1024 * 1024;

/// Protobuf framing per row, rounded up: operation type, condition, two length prefixes, and
/// a share of the per-table header. Overestimating keeps every chunk under the limit.
const ROW_FRAMING_BYTES: usize = 24;

/// An upper bound of what `write` adds to a BatchWriteRow request.
pub fn encoded_write_size(write: &RowWrite) -> usize {
    write.encoded_row().len() + write.table.len() + ROW_FRAMING_BYTES
}

/// Splits writes, in order, into batches that BatchWriteRow accepts: at most
/// [`MAX_BATCH_ROWS`] rows, at most [`MAX_BATCH_BYTES`], and no key twice in one batch (the
/// service refuses duplicates, so a repeated key starts a new batch and order is kept).
///
/// Fails only for a single write larger than [`MAX_BATCH_BYTES`].
pub fn chunk_writes(writes: Vec<RowWrite>) -> Result<Vec<Vec<RowWrite>>> {
    let mut batches = Vec::new();
    let mut current: Vec<RowWrite> = Vec::new();
    let mut current_bytes = 0;
    let mut keys: HashSet<(String, PrimaryKey)> = HashSet::new();
    for write in writes {
        let size = encoded_write_size(&write);
        if size > MAX_BATCH_BYTES {
            return Err(TablestoreError::InvalidRequest(format!(
                "a row write to table {} is {size} bytes encoded, over the {MAX_BATCH_BYTES}-byte batch limit",
                write.table
            )));
        }
        let key = (write.table.clone(), write.row.primary_key.clone());
        let full = current.len() == MAX_BATCH_ROWS
            || current_bytes + size > MAX_BATCH_BYTES
            || keys.contains(&key);
        if full {
            batches.push(std::mem::take(&mut current));
            current_bytes = 0;
            keys.clear();
        }
        current_bytes += size;
        keys.insert(key);
        current.push(write);
    }
    if !current.is_empty() {
        batches.push(current);
    }
    Ok(batches)
}

/// Refuses a batch the service would refuse, before sending it.
pub(crate) fn validate_batch(writes: &[RowWrite]) -> Result<()> {
    if writes.len() > MAX_BATCH_ROWS {
        return Err(TablestoreError::InvalidRequest(format!(
            "BatchWriteRow takes at most {MAX_BATCH_ROWS} rows, got {}",
            writes.len()
        )));
    }
    let bytes: usize = writes.iter().map(encoded_write_size).sum();
    if bytes > MAX_BATCH_BYTES {
        return Err(TablestoreError::InvalidRequest(format!(
            "BatchWriteRow takes at most {MAX_BATCH_BYTES} bytes, got about {bytes}"
        )));
    }
    let mut keys = HashSet::new();
    for write in writes {
        if !keys.insert((&write.table, &write.row.primary_key)) {
            return Err(TablestoreError::InvalidRequest(format!(
                "BatchWriteRow got the same primary key twice for table {}",
                write.table
            )));
        }
    }
    Ok(())
}
