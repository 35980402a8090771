//! Writing one table's stored rows into its target: store batches → row writes → BatchWriteRow
//! requests (≤200 rows, ≤4 MB), as many at once as the table's adaptive write rate allows
//! ([`super::write_rate`]) and the restore's `engine.writers` budget, shared by the tables
//! restored at once (`writers`), leaves free. A request takes its slot of both only while it
//! is sent, so a throttled table waiting for its rate holds none of the shared budget. The
//! client resends only the failed rows of a batch; rows still throttled are sent again after a
//! pause; what still fails after that fails the restore, except condition failures under
//! `--if-exists skip`, which are rows the target already had.

use std::sync::Mutex;
use std::time::Duration;

use futures::{stream, Stream, TryStreamExt};
use tokio::sync::Semaphore;

use super::expiry::{drop_expired, oldest_writable_ms, Expired};
use super::report::IfExists;
use super::split::{row_writes, RowWrites};
use super::write_rate::{WriteRate, WriteRateReport, THROTTLED_WAIT};
use crate::engine::{EngineError, RunControls};
use crate::tablestore::client::{chunk_writes, Client, RowExistence, RowResult, RowWrite};
use crate::tablestore::{codes, plainbuffer};

/// The first pause before rows the client gave up on for throttling are sent again; it
/// doubles up to [`MAX_THROTTLE_PAUSE`].
const FIRST_THROTTLE_PAUSE: Duration = Duration::from_millis(200);
const MAX_THROTTLE_PAUSE: Duration = Duration::from_secs(10);

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
    /// What the adaptive write rate did.
    pub write_rate: WriteRateReport,
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
    let rate = WriteRate::new(target, ctx.engine.writers, ctx.progress.clone());
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
        let (counts, rate) = (&counts, &rate);
        async move {
            let done = run_job(client, (rate, writers), target, job, if_exists).await?;
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
    let written = ctx.cancellable(work).await;
    ctx.progress.set_write_rate(0);
    written?;
    let counts = *counts.lock().unwrap_or_else(|e| e.into_inner());
    Ok(WriteCounts {
        write_rate: rate.report(),
        ..counts
    })
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
    rate: (&WriteRate, &Semaphore),
    target: &str,
    job: Job,
    if_exists: IfExists,
) -> Result<WriteCounts, EngineError> {
    let mut done = WriteCounts::default();
    let mut failed = Vec::new();
    match job {
        Job::Batch(writes, sizes) => {
            let results = send(client, rate, target, &writes).await?;
            for (result, (cells, bytes)) in results.into_iter().zip(sizes) {
                done.count(result, cells, bytes, if_exists, &mut failed);
            }
        }
        Job::Split(parts, (cells, bytes)) => {
            done.split = 1;
            for (i, part) in parts.iter().enumerate() {
                let result = send(client, rate, target, std::slice::from_ref(part))
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

/// Sends `writes` under the table's write rate. Rows (or a whole request) still refused for
/// throttling after the client's own retries are sent again after a pause, within
/// [`THROTTLED_WAIT`]: they were not applied, and every restore write may be repeated.
async fn send(
    client: &Client,
    (rate, writers): (&WriteRate, &Semaphore),
    target: &str,
    writes: &[RowWrite],
) -> Result<Vec<RowResult>, EngineError> {
    let started = tokio::time::Instant::now();
    let mut results: Vec<RowResult> = vec![Ok(()); writes.len()];
    let mut pending: Vec<usize> = (0..writes.len()).collect();
    let mut pause = FIRST_THROTTLE_PAUSE;
    loop {
        let resent: Vec<RowWrite>;
        let batch = if pending.len() == writes.len() {
            writes
        } else {
            resent = pending.iter().map(|&i| writes[i].clone()).collect();
            &resent
        };
        let slot = rate.acquire().await;
        // Never closed: a failed acquire can only mean the restore is ending.
        let writer = writers
            .acquire()
            .await
            .map_err(|_| EngineError::Cancelled)?;
        let answer = slot.client(client).batch_write(batch).await;
        drop(writer);
        rate.finish(slot);
        let may_wait = started.elapsed() < THROTTLED_WAIT;
        match answer {
            Err(e) if may_wait && e.code().is_some_and(codes::is_throttling) => {}
            Err(e) => {
                return Err(EngineError::tablestore(
                    format!("writing rows to table {target}"),
                    e,
                ))
            }
            Ok(answers) => {
                let mut again = Vec::new();
                for (&i, answer) in pending.iter().zip(answers) {
                    if let Err(e) = &answer {
                        if may_wait && codes::is_throttling(&e.code) {
                            again.push(i);
                        }
                    }
                    results[i] = answer;
                }
                if again.is_empty() {
                    return Ok(results);
                }
                pending = again;
            }
        }
        tracing::info!(table = %target, rows = pending.len(), pause_ms = pause.as_millis() as u64, "Rows still throttled; sending them again after a pause.");
        tokio::time::sleep(pause).await;
        pause = (pause * 2).min(MAX_THROTTLE_PAUSE);
    }
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
