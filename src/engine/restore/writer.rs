//! Writing one table's stored rows into its target: store batches → row writes → BatchWriteRow
//! requests (≤200 rows, ≤4 MB) sent by at most `engine.writers` concurrent tasks — a budget
//! shared by the tables restored at once (`writers`). The client resends
//! only the failed rows of a batch; what still fails after that fails the restore, except
//! condition failures under `--if-exists skip`, which are rows the target already had.

use std::sync::Mutex;

use futures::{stream, Stream, TryStreamExt};
use tokio::sync::Semaphore;

use super::expiry::{drop_expired, oldest_writable_ms, Expired};
use super::report::IfExists;
use super::split::{row_writes, RowWrites};
use crate::engine::{EngineError, RunControls};
use crate::tablestore::client::{chunk_writes, Client, RowExistence, RowResult, RowWrite};
use crate::tablestore::{codes, plainbuffer};

/// What was written to one table.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct WriteCounts {
    pub rows: u64,
    pub cells: u64,
    pub bytes: u64,
    pub skipped: u64,
    pub split: u64,
    /// Cells (and rows whose every cell) the target's TTL had expired: dropped, not written.
    pub cells_expired: u64,
    pub rows_expired: u64,
    /// How long the created target took to accept writes.
    pub ready_after_ms: Option<u64>,
}

/// One unit of work for a writer task.
enum Job {
    /// Rows that share one BatchWriteRow, with each row's (cells, bytes).
    Batch(Vec<RowWrite>, Vec<(u64, u64)>),
    /// The parts of one oversized row, sent in order.
    Split(Vec<RowWrite>, (u64, u64)),
}

pub async fn write_table(
    client: &Client,
    target: &str,
    rows: impl Stream<Item = Result<Vec<crate::tablestore::Row>, EngineError>>,
    if_exists: IfExists,
    ttl_secs: i32,
    ctx: &RunControls,
    writers: &Semaphore,
) -> Result<WriteCounts, EngineError> {
    let condition = match if_exists {
        IfExists::Skip => RowExistence::ExpectNotExist,
        IfExists::Fail | IfExists::Overwrite => RowExistence::Ignore,
    };
    let counts = Mutex::new(WriteCounts::default());
    let jobs = rows
        .map_ok(|batch| {
            let oldest = oldest_writable_ms(ttl_secs, chrono::Utc::now().timestamp_millis());
            let mut expired = Expired::default();
            let batch: Vec<_> = batch
                .into_iter()
                .filter_map(|row| drop_expired(row, oldest, &mut expired))
                .collect();
            if expired != Expired::default() {
                let mut total = counts.lock().unwrap_or_else(|e| e.into_inner());
                total.cells_expired += expired.cells;
                total.rows_expired += expired.rows;
            }
            stream::iter(plan_jobs(target, batch, condition))
        })
        .try_flatten();
    let work = jobs.try_for_each_concurrent(ctx.engine.writers, |job| {
        let counts = &counts;
        async move {
            // Never closed: a failed acquire can only mean the restore is ending.
            let _writer = writers
                .acquire()
                .await
                .map_err(|_| EngineError::Cancelled)?;
            let done = run_job(client, target, job, if_exists).await?;
            ctx.progress.add_rows(done.rows, done.cells, done.bytes);
            let mut total = counts.lock().unwrap_or_else(|e| e.into_inner());
            total.rows += done.rows;
            total.cells += done.cells;
            total.bytes += done.bytes;
            total.skipped += done.skipped;
            total.split += done.split;
            Ok(())
        }
    });
    ctx.cancellable(work).await?;
    let counts = *counts.lock().unwrap_or_else(|e| e.into_inner());
    Ok(counts)
}

fn plan_jobs(
    target: &str,
    rows: Vec<crate::tablestore::Row>,
    condition: RowExistence,
) -> Vec<Result<Job, EngineError>> {
    let mut singles = Vec::new();
    let mut sizes = Vec::new();
    let mut jobs = Vec::new();
    for row in rows {
        let size = (
            row.cells.len() as u64,
            plainbuffer::encode_row(&row).len() as u64,
        );
        match row_writes(target, row, condition) {
            RowWrites::Single(write) => {
                // Under skip the put carries ExpectNotExist with the backup's content: a
                // resend after a timeout is refused or writes the same row (issue 11).
                singles.push(match condition {
                    RowExistence::ExpectNotExist => write.resend_safe(),
                    _ => write,
                });
                sizes.push(size);
            }
            RowWrites::Split(parts) => jobs.push(Ok(Job::Split(parts, size))),
        }
    }
    match chunk_writes(singles) {
        Ok(chunks) => {
            let mut sizes = sizes.into_iter();
            for chunk in chunks {
                let chunk_sizes = sizes.by_ref().take(chunk.len()).collect();
                jobs.push(Ok(Job::Batch(chunk, chunk_sizes)));
            }
        }
        Err(e) => jobs.push(Err(EngineError::tablestore(
            format!("batching rows for table {target}"),
            e,
        ))),
    }
    jobs
}

async fn run_job(
    client: &Client,
    target: &str,
    job: Job,
    if_exists: IfExists,
) -> Result<WriteCounts, EngineError> {
    let mut done = WriteCounts::default();
    let mut failed = Vec::new();
    match job {
        Job::Batch(writes, sizes) => {
            let results = send(client, target, &writes).await?;
            for (result, (cells, bytes)) in results.into_iter().zip(sizes) {
                done.count(result, cells, bytes, if_exists, &mut failed);
            }
        }
        Job::Split(parts, (cells, bytes)) => {
            done.split = 1;
            for (i, part) in parts.iter().enumerate() {
                let result = send(client, target, std::slice::from_ref(part))
                    .await?
                    .pop()
                    .unwrap_or(Ok(()));
                if result.is_err() || i + 1 == parts.len() {
                    // A refused first part (skip) or a failure ends the row here.
                    done.count(result, cells, bytes, if_exists, &mut failed);
                    break;
                }
            }
        }
    }
    match failed.first() {
        None => Ok(done),
        Some(first_error) => Err(EngineError::RowsFailed {
            table: target.to_string(),
            failed: failed.len() as u64,
            first_error: first_error.clone(),
        }),
    }
}

async fn send(
    client: &Client,
    target: &str,
    writes: &[RowWrite],
) -> Result<Vec<RowResult>, EngineError> {
    client
        .batch_write(writes)
        .await
        .map_err(|e| EngineError::tablestore(format!("writing rows to table {target}"), e))
}

impl WriteCounts {
    fn count(
        &mut self,
        result: RowResult,
        cells: u64,
        bytes: u64,
        if_exists: IfExists,
        failed: &mut Vec<String>,
    ) {
        match result {
            Ok(()) => {
                self.rows += 1;
                self.cells += cells;
                self.bytes += bytes;
            }
            Err(e) if if_exists == IfExists::Skip && e.code == codes::CONDITION_CHECK_FAIL => {
                self.skipped += 1;
            }
            Err(e) => failed.push(e.to_string()),
        }
    }
}
