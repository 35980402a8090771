//! What every segment-file store (archive, s3) keeps per range while a backup is staged, and
//! the staged backup's phase. One lock per range: batches of a range are written one at a
//! time, ranges in parallel; a range's state is loaded from its latest segment on first use.
//!
//! The two rules (see `archive/staged.rs`): a range's checkpoint is the last key of its
//! highest-numbered segment, and a batch whose first key equals the first key of the range's
//! latest segment is a retry that replaces that segment (same sequence number), so a retried
//! batch never duplicates rows. Keys are compared for equality only.

use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, Mutex};

use tokio::sync::{Mutex as AsyncMutex, MutexGuard as AsyncMutexGuard, OwnedMutexGuard};

use super::archive::layout::validate_table_name;
use super::{RangeCheckpoint, StoreError};
use crate::tablestore::PrimaryKey;

/// A range of a table: (table name, range number).
pub(crate) type RangeKey = (String, u32);
type RangeLock = Arc<AsyncMutex<Option<RangeState>>>;
/// A locked range. Handed out by [`StagedRanges::loaded`] with its state loaded; it can move
/// into the task that writes the segment, so a caller that gives up never leaves the state
/// behind the stored data.
pub(crate) type RangeGuard = OwnedMutexGuard<Option<RangeState>>;

/// Where a range stands: the next sequence number and the latest segment's keys.
pub(crate) struct RangeState {
    next_seq: u64,
    latest: Option<LatestSegment>,
}

/// The latest segment of a range, as far as checkpoints and retries need it.
pub(crate) struct LatestSegment {
    pub seq: u64,
    pub first_key: PrimaryKey,
    pub last_key: PrimaryKey,
    /// The engine's state for the range, stored inside the segment.
    pub state: String,
}

impl RangeState {
    /// A range with no segment yet.
    pub fn empty() -> Self {
        RangeState {
            next_seq: 1,
            latest: None,
        }
    }

    /// A range whose highest-numbered segment is `latest`.
    pub fn after(latest: LatestSegment) -> Self {
        RangeState {
            next_seq: latest.seq + 1,
            latest: Some(latest),
        }
    }

    /// The sequence number of a batch starting at `first_key`: the latest segment's when the
    /// batch is its retry, the next one otherwise.
    pub fn seq_for(&self, first_key: &PrimaryKey) -> u64 {
        match &self.latest {
            Some(latest) if latest.first_key == *first_key => {
                tracing::debug!(seq = latest.seq, "Replacing retried batch.");
                latest.seq
            }
            _ => self.next_seq,
        }
    }

    /// Records a segment that is now stored complete.
    pub fn record(&mut self, latest: LatestSegment) {
        self.next_seq = self.next_seq.max(latest.seq + 1);
        self.latest = Some(latest);
    }

    pub fn checkpoint(&self) -> Option<RangeCheckpoint> {
        self.latest.as_ref().map(|l| RangeCheckpoint {
            last_key: l.last_key.clone(),
            state: l.state.clone(),
        })
    }
}

/// A staged backup's life: written to while open; publish and abort each end it once.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Phase {
    Open,
    Published,
    Aborted,
}

/// The ranges of one staged backup and its phase.
pub(crate) struct StagedRanges {
    phase: AsyncMutex<Phase>,
    /// Highest segment number per range found in storage when resumed (empty for a new
    /// backup), so loading a range's state never lists the table again.
    found: HashMap<RangeKey, u64>,
    ranges: Mutex<HashMap<RangeKey, RangeLock>>,
}

impl StagedRanges {
    pub fn new(found: HashMap<RangeKey, u64>) -> Self {
        StagedRanges {
            phase: AsyncMutex::new(Phase::Open),
            found,
            ranges: Mutex::new(HashMap::new()),
        }
    }

    /// The highest segment number of the range found when resumed.
    pub fn found(&self, table: &str, range: u32) -> Option<u64> {
        self.found.get(&(table.to_owned(), range)).copied()
    }

    /// Refuses every use of a backup that is published or aborted.
    pub async fn ensure_open(&self, backup_id: &str) -> Result<(), StoreError> {
        match *self.phase.lock().await {
            Phase::Open => Ok(()),
            Phase::Published | Phase::Aborted => Err(StoreError::NotFound(backup_id.to_owned())),
        }
    }

    /// The phase, locked for the whole of a publish or an abort.
    pub async fn phase(&self) -> AsyncMutexGuard<'_, Phase> {
        self.phase.lock().await
    }

    /// Locks the range (waiting for a write in progress) and loads its state with `load` the
    /// first time.
    pub async fn loaded<F, Fut>(
        &self,
        table: &str,
        range: u32,
        load: F,
    ) -> Result<RangeGuard, StoreError>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<RangeState, StoreError>>,
    {
        let lock = {
            let mut ranges = self.ranges.lock().unwrap_or_else(|p| p.into_inner());
            ranges.entry((table.to_owned(), range)).or_default().clone()
        };
        let mut guard = lock.lock_owned().await;
        if guard.is_none() {
            *guard = Some(load().await?);
        }
        Ok(guard)
    }

    /// The range's checkpoint: the last key and engine state of its latest segment.
    pub async fn checkpoint<F, Fut>(
        &self,
        backup_id: &str,
        table: &str,
        range: u32,
        load: F,
    ) -> Result<Option<RangeCheckpoint>, StoreError>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<RangeState, StoreError>>,
    {
        validate_table_name(table)?;
        self.ensure_open(backup_id).await?;
        let mut guard = self.loaded(table, range, load).await?;
        Ok(loaded_state(&mut guard).checkpoint())
    }

    /// Waits until no range has a write in progress (writes whose callers gave up included).
    pub async fn wait_for_writes(&self) {
        let locks: Vec<RangeLock> = {
            let ranges = self.ranges.lock().unwrap_or_else(|p| p.into_inner());
            ranges.values().cloned().collect()
        };
        for lock in locks {
            drop(lock.lock().await);
        }
    }
}

/// The loaded state behind a guard from [`StagedRanges::loaded`].
pub(crate) fn loaded_state(guard: &mut RangeGuard) -> &mut RangeState {
    guard
        .as_mut()
        .expect("StagedRanges::loaded loads the state")
}
