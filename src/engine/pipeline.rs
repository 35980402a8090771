//! One execution of a plan: N reader tasks scan ranges from a shared queue and send batches
//! over bounded channels to M writer tasks. Every batch of a range goes to the same writer
//! (range number modulo M), so a range's batches are written in key order while different
//! ranges are written in parallel. The bounded channels are the back-pressure that keeps
//! memory flat: at most `channel_capacity` batches wait, plus one batch and one page per reader.
//!
//! The first error (or the caller's cancellation) stops every task: readers drop their scan at
//! once, writers finish the batch they are writing (a store write is never cut in half), then
//! the caller decides what happens to the staged backup.
//!
//! The tasks run in the caller's span, so their lines carry the run's id.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use tokio::sync::mpsc;
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;
use tracing::Instrument;

use super::backup_job::BackupIo;
use super::error::EngineError;
use super::plan::RangeState;
use super::progress::Progress;
use super::reader::run_reader;
use super::throttle::Throttle;
use super::writer::run_writer;
use crate::config::EngineConfig;
use crate::store::StagedBackup;
use crate::tablestore::client::{Client, ALL_VERSIONS};
use crate::tablestore::{PrimaryKey, Row};

/// Which range a batch belongs to.
#[derive(Debug)]
pub(super) struct RangeSlot {
    pub table: String,
    pub table_index: usize,
    /// The range number within its table (what the store's checkpoints are keyed by).
    pub range: u32,
    /// The range number across the whole backup (index into the state vector).
    pub global: usize,
}

/// A range still to scan.
#[derive(Debug)]
pub(super) struct RangeWork {
    pub slot: Arc<RangeSlot>,
    pub start: PrimaryKey,
    pub end: PrimaryKey,
    /// Resume: the checkpoint; scanning starts just after it.
    pub after: Option<PrimaryKey>,
}

/// Rows of one range on their way to a writer.
pub(super) struct Batch {
    pub slot: Arc<RangeSlot>,
    pub rows: Vec<Row>,
    /// The range's final batch: the writer marks the range done.
    pub last: bool,
}

/// What the tasks of one run share.
pub(super) struct Shared {
    pub client: Client,
    pub staged: Arc<dyn StagedBackup>,
    pub progress: Arc<Progress>,
    pub throttle: Throttle,
    pub max_versions: i32,
    pub batch_rows: usize,
    /// How long a failed store write is retried (`EngineConfig::store_retry_seconds`).
    pub store_retry: std::time::Duration,
    /// Cancelled on the first error or when the caller cancels.
    pub stop: CancellationToken,
    queue: Mutex<VecDeque<RangeWork>>,
    failure: Mutex<Option<EngineError>>,
    /// Ranges not yet done, per table.
    ranges_left: Vec<AtomicUsize>,
    /// The state every range starts from (empty, or from its checkpoint on resume).
    pub initial: Vec<RangeState>,
}

impl Shared {
    pub fn next_work(&self) -> Option<RangeWork> {
        lock(&self.queue).pop_front()
    }

    /// Records the first error and stops everyone; later errors are consequences.
    pub fn fail(&self, error: EngineError) {
        let mut failure = lock(&self.failure);
        if failure.is_none() {
            tracing::warn!(%error, "Backup run failed; stopping readers and writers.");
            *failure = Some(error);
        }
        self.stop.cancel();
    }

    pub fn range_finished(&self, slot: &RangeSlot) {
        self.progress.range_done();
        if self.ranges_left[slot.table_index].fetch_sub(1, Ordering::AcqRel) == 1 {
            self.progress.table_done();
        }
    }
}

/// Scans `work` into the staged backup. `initial` holds the starting state of every range of
/// the plan (done ranges are simply not in `work`); returns the final state of every range.
pub(super) async fn execute(
    ctx: &BackupIo,
    staged: Arc<dyn StagedBackup>,
    config: &EngineConfig,
    table_count: usize,
    work: Vec<RangeWork>,
    initial: Vec<RangeState>,
) -> Result<Vec<RangeState>, EngineError> {
    let mut ranges_left: Vec<usize> = vec![0; table_count];
    for w in &work {
        ranges_left[w.slot.table_index] += 1;
    }
    for _ in ranges_left.iter().filter(|n| **n == 0) {
        ctx.progress.table_done(); // every range already done (resume)
    }
    let readers = config.readers.min(work.len()).max(1);
    let writers = config.writers.max(1);
    let shared = Arc::new(Shared {
        client: ctx.client.clone(),
        staged,
        progress: ctx.progress.clone(),
        throttle: Throttle::new(config.max_rows_per_second, config.max_bytes_per_second),
        max_versions: if config.all_versions { ALL_VERSIONS } else { 1 },
        batch_rows: config.batch_rows.max(1),
        store_retry: config.store_retry(),
        stop: ctx.cancel.child_token(),
        queue: Mutex::new(work.into()),
        failure: Mutex::new(None),
        ranges_left: ranges_left.into_iter().map(AtomicUsize::new).collect(),
        initial,
    });

    let capacity = config.channel_capacity.div_ceil(writers).max(1);
    let mut senders = Vec::with_capacity(writers);
    let mut writer_tasks = JoinSet::new();
    for _ in 0..writers {
        let (tx, rx) = mpsc::channel::<Batch>(capacity);
        senders.push(tx);
        writer_tasks.spawn(run_writer(shared.clone(), rx).in_current_span());
    }
    let senders = Arc::new(senders);
    let mut reader_tasks = JoinSet::new();
    for _ in 0..readers {
        reader_tasks.spawn(run_reader(shared.clone(), senders.clone()).in_current_span());
    }
    drop(senders); // writers end when the last reader drops its senders

    while let Some(joined) = reader_tasks.join_next().await {
        if let Err(panic) = joined {
            shared.fail(EngineError::Internal(format!(
                "a reader task failed: {panic}"
            )));
        }
    }
    let mut states = shared.initial.clone();
    while let Some(joined) = writer_tasks.join_next().await {
        match joined {
            Ok(written) => {
                for (global, state) in written {
                    states[global] = state;
                }
            }
            Err(panic) => shared.fail(EngineError::Internal(format!(
                "a writer task failed: {panic}"
            ))),
        }
    }
    if let Some(error) = lock(&shared.failure).take() {
        return Err(error);
    }
    if ctx.cancel.is_cancelled() {
        return Err(EngineError::Cancelled);
    }
    if let Some(global) = states.iter().position(|s| !s.done) {
        return Err(EngineError::Internal(format!(
            "range {global} of the backup was never finished"
        )));
    }
    Ok(states)
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|p| p.into_inner())
}
