//! One capture step for one table: read every ready shard of the table's stream to its current
//! end, in lineage order, and return the records with the checkpoint that holds after them.
//!
//! A shard is ready when its parents are read to their end (or expired before capture saw
//! them); a pass that ends a parent makes its children ready, so passes repeat until nothing
//! moves. Pages are read with the iterator the checkpoint holds, so a step that fails midway
//! changes nothing: the caller stores records and checkpoint together or not at all.

use crate::tablestore::client::{Client, StreamRecord, TablestoreError};

use super::checkpoint::{Checkpoint, ShardPosition};
use super::{CaptureError, CapturedRecord};

/// Records per GetStreamRecord call.
const PAGE_LIMIT: i32 = 1000;

/// What one step read.
#[derive(Debug)]
pub struct StepResult {
    pub records: Vec<CapturedRecord>,
    pub checkpoint: Checkpoint,
    /// Whether the checkpoint differs from the one the step started from.
    pub moved: bool,
}

fn trimmed(table: &str, e: TablestoreError) -> CaptureError {
    if e.is_trimmed() {
        CaptureError::Gap {
            table: table.to_string(),
            reason: "unread stream records expired (or the stream was re-enabled)".into(),
        }
    } else {
        CaptureError::Tablestore(e)
    }
}

/// Reads everything readable now, at most `max_records` (the rest waits for the next step).
pub async fn step(
    client: &Client,
    table: &str,
    start: &Checkpoint,
    max_records: usize,
) -> Result<StepResult, CaptureError> {
    let started_us = chrono::Utc::now().timestamp_micros();
    let described = client
        .describe_stream(&start.stream_id)
        .await
        .map_err(|e| {
            if e.is_not_found() {
                CaptureError::Gap {
                    table: table.to_string(),
                    reason: format!("stream '{}' no longer exists", start.stream_id),
                }
            } else {
                CaptureError::Tablestore(e)
            }
        })?;
    // A shard we were reading that is gone was trimmed before we finished it.
    for (id, position) in &start.shards {
        if matches!(position, ShardPosition::Reading { .. })
            && !described.shards.iter().any(|s| &s.shard_id == id)
        {
            return Err(CaptureError::Gap {
                table: table.to_string(),
                reason: format!("shard '{id}' expired before it was read to its end"),
            });
        }
    }
    let mut checkpoint = start.clone();
    let mut records = Vec::new();
    let mut all_at_tip = true;
    loop {
        let mut progressed = false;
        for shard in &described.shards {
            if checkpoint.is_ended(&shard.shard_id)
                || !checkpoint.is_ready(shard, &described.shards)
            {
                continue;
            }
            let (mut iterator, mut last) = match checkpoint.shards.get(&shard.shard_id) {
                Some(ShardPosition::Reading { iterator, last }) => (iterator.clone(), *last),
                _ => {
                    let it = client
                        .shard_iterator(&start.stream_id, &shard.shard_id)
                        .await
                        .map_err(|e| trimmed(table, e))?;
                    (it, None)
                }
            };
            loop {
                if records.len() >= max_records {
                    all_at_tip = false;
                    break;
                }
                let room = i32::try_from(max_records - records.len()).unwrap_or(PAGE_LIMIT);
                let page = client
                    .stream_records(&iterator, Some(room.min(PAGE_LIMIT)))
                    .await
                    .map_err(|e| trimmed(table, e))?;
                let got = page.records.len();
                last = page
                    .records
                    .last()
                    .map(|r: &StreamRecord| r.sequence)
                    .or(last);
                records.extend(page.records.into_iter().map(|record| CapturedRecord {
                    shard_id: shard.shard_id.clone(),
                    record,
                }));
                match page.next_iterator {
                    None => {
                        checkpoint
                            .shards
                            .insert(shard.shard_id.clone(), ShardPosition::Ended { last });
                        progressed = true;
                        break;
                    }
                    Some(next) => {
                        let at_tip = got == 0 && next == iterator;
                        iterator = next;
                        if got > 0 {
                            progressed = true;
                        }
                        if at_tip {
                            break;
                        }
                    }
                }
            }
            if !checkpoint.is_ended(&shard.shard_id) {
                checkpoint.shards.insert(
                    shard.shard_id.clone(),
                    ShardPosition::Reading { iterator, last },
                );
            }
        }
        if !progressed || records.len() >= max_records {
            break;
        }
    }
    // Shards still waiting on a parent are behind too.
    let waiting = described
        .shards
        .iter()
        .any(|s| !checkpoint.shards.contains_key(&s.shard_id));
    if all_at_tip && !waiting {
        checkpoint.captured_until_us = Some(started_us);
    }
    let moved = !records.is_empty()
        || checkpoint
            .shards
            .iter()
            .any(|(id, p)| matches!(p, ShardPosition::Ended { .. }) && !start.is_ended(id));
    Ok(StepResult {
        records,
        checkpoint,
        moved,
    })
}
