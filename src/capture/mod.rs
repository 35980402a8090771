//! Continuous capture (issue 12): every change of a table, read from its Tablestore Stream and
//! stored as change segments next to the base backups in the archive store (sealed with its
//! keys when it encrypts) or as change records in a MongoDB store.
//!
//! - `checkpoint`: shard positions and the lineage rule (parents before children).
//! - `gap`: spans whose changes were lost; kept in every later checkpoint.
//! - `follow`: one read step over every ready shard.
//! - `segment`: the change-segment file (records + checkpoint, zstd, SHA-256).
//! - `replay`: base rows + changes up to an instant → the table as it was then.
//! - `pitr`: which base and which changes restore an instant, or why none can.
//! - `pitr_reader`: a base backup as a reader of the tables at that instant.
//! - `status`: what each running capture last did (the API's `capture` view).
//! - `store`: where changes are kept ([`ChangeStore`]): change segments in an archive store,
//!   change records in a MongoDB store.
//! - this file: [`TableCapture`] — [`TableCapture::run_once`] (one step, stored atomically)
//!   and [`TableCapture::run`] (steps until the daemon's shutdown token fires).
//!
//! Records and the checkpoint after them are committed together (one atomically written
//! segment, or records then checkpoint in MongoDB), so a crash at any point keeps both or
//! neither: capture resumes exactly after the last stored record.
//!
//! A gap (unread records expired, the stream disabled or replaced) does not stop capture: the
//! step records the gap, stores a fresh position (the stream's oldest retained records, the
//! stream turned on first) and reports the gap, so the daemon takes a new base backup — which
//! starts after that fresh position, so the new base and the changes after it form a chain.

pub mod checkpoint;
mod follow;
pub mod gap;
pub mod pitr;
pub mod pitr_reader;
pub mod replay;
mod row_changes;
pub mod segment;
pub mod status;
pub mod store;

use std::sync::Arc;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use tokio_util::sync::CancellationToken;

use crate::tablestore::client::{Client, StreamChange, StreamRecord, TableUpdate, TablestoreError};

pub use checkpoint::{Checkpoint, ShardPosition};
pub use gap::CaptureGap;
pub use segment::{ChangeSegment, ChangeSegmentError};
pub use status::{CaptureStatuses, TableCaptureStatus};
pub use store::{
    open_change_store, ArchiveChangeStore, ChangeStore, ChangeStoreError, MongoChangeStore,
    SEALED_MAGIC,
};

/// One captured record and the shard it came from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CapturedRecord {
    pub shard_id: String,
    pub record: StreamRecord,
}

#[derive(Debug, thiserror::Error)]
pub enum CaptureError {
    /// Changes were lost to capture: a new base backup is needed.
    #[error("capture gap on table '{table}': {reason}")]
    Gap { table: String, reason: String },
    #[error(transparent)]
    Tablestore(#[from] TablestoreError),
    #[error(transparent)]
    Store(#[from] ChangeStoreError),
}

/// Settings of one table's capture.
#[derive(Debug, Clone)]
pub struct CaptureSettings {
    /// Retention to enable the stream with when it is off (hours).
    pub stream_expiration_hours: i32,
    /// Most records stored per segment.
    pub max_records_per_segment: usize,
    /// Pause between steps that found nothing new.
    pub idle_pause: Duration,
}

impl Default for CaptureSettings {
    fn default() -> Self {
        CaptureSettings {
            stream_expiration_hours: 24,
            max_records_per_segment: 10_000,
            idle_pause: Duration::from_millis(500),
        }
    }
}

/// Turns the table's stream on (`hours` retention) when it is off, and returns its details.
/// A continuous schedule's base backup calls this before it scans: every change after the
/// scan starts is then in the stream, which capture reads from its oldest record, so base +
/// captured changes cover every instant after the base's `started_at` (unless a gap is logged).
pub async fn ensure_stream(
    client: &Client,
    table: &str,
    hours: i32,
) -> Result<crate::tablestore::client::StreamDetails, CaptureError> {
    let details = client.stream_details(table).await?;
    if details.enabled {
        return Ok(details);
    }
    tracing::warn!(
        table,
        hours,
        "The table's stream is off; turning it on for continuous capture."
    );
    let update = TableUpdate {
        stream: Some(StreamChange::Enable {
            expiration_hours: hours,
        }),
        ..TableUpdate::default()
    };
    client.update_table(table, &update).await?;
    Ok(client.stream_details(table).await?)
}

/// What one [`TableCapture::run_once`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StepOutcome {
    pub records_stored: usize,
    /// Every change committed before this instant (µs) is stored, when known.
    pub captured_until_us: Option<i64>,
    /// The step found its position lost: this gap is stored and capture continues from a
    /// fresh position. A new base backup is needed to restore past it.
    pub gap: Option<CaptureGap>,
}

/// The capture of one table into one [`ChangeStore`].
pub struct TableCapture {
    client: Client,
    table: String,
    store: Arc<dyn ChangeStore>,
    settings: CaptureSettings,
    checkpoint: Option<Checkpoint>,
    /// The checkpoint in memory is not stored yet (a fresh start): the next step stores it
    /// even if nothing moved, so a restart continues from it and sees what expired meanwhile.
    unsaved: bool,
    /// The last idle captured-until mark stored (µs).
    marked_us: i64,
    /// Every change before this instant (µs) is in the store: what a step reports, so the
    /// API's `captured_until` never runs ahead of what a point-in-time restore accepts.
    stored_until_us: Option<i64>,
}

impl TableCapture {
    pub fn new(
        client: Client,
        table: &str,
        store: Arc<dyn ChangeStore>,
        settings: CaptureSettings,
    ) -> Self {
        TableCapture {
            client,
            table: table.to_string(),
            store,
            settings,
            checkpoint: None,
            unsaved: false,
            marked_us: 0,
            stored_until_us: None,
        }
    }

    /// The stored checkpoint, or a fresh one at the oldest retained records of the table's
    /// stream, turning the stream on when it is off.
    async fn start_checkpoint(&mut self) -> Result<Checkpoint, CaptureError> {
        if let Some(checkpoint) = self.store.latest_checkpoint().await? {
            return Ok(checkpoint);
        }
        self.unsaved = true;
        let details = ensure_stream(
            &self.client,
            &self.table,
            self.settings.stream_expiration_hours,
        )
        .await?;
        let stream_id = details.stream_id.ok_or_else(|| CaptureError::Gap {
            table: self.table.clone(),
            reason: "the stream reports no id".into(),
        })?;
        Ok(Checkpoint::new(stream_id))
    }

    /// One step: read what is readable now and store it with its checkpoint (committed
    /// together). Nothing is stored when nothing moved.
    pub async fn run_once(&mut self) -> Result<StepOutcome, CaptureError> {
        let start = match self.checkpoint.take() {
            Some(c) => c,
            None => self.start_checkpoint().await?,
        };
        let result = follow::step(
            &self.client,
            &self.table,
            &start,
            self.settings.max_records_per_segment,
        )
        .await;
        let step = match result {
            Ok(step) => step,
            Err(CaptureError::Gap { reason, .. }) => {
                return self.restart_after_gap(start, reason).await;
            }
            Err(e) => {
                self.checkpoint = Some(start);
                return Err(e);
            }
        };
        let records_stored = step.records.len();
        if step.moved || self.unsaved {
            let segment = ChangeSegment {
                records: step.records,
                checkpoint: step.checkpoint.clone(),
            };
            if let Err(e) = self.store.append(segment).await {
                self.checkpoint = Some(start);
                return Err(e.into());
            }
            self.unsaved = false;
            self.stored_until(step.checkpoint.captured_until_us);
        } else if let Some(until) = step.checkpoint.captured_until_us {
            self.mark_idle(until).await;
        }
        self.checkpoint = Some(step.checkpoint);
        Ok(StepOutcome {
            records_stored,
            captured_until_us: self.stored_until_us,
            gap: None,
        })
    }

    /// Moves the stored captured-until mark on after an idle step, at most once a second.
    async fn mark_idle(&mut self, until_us: i64) {
        if until_us - self.marked_us < 1_000_000 {
            return;
        }
        self.marked_us = until_us;
        match self.store.mark_captured_until(until_us).await {
            Ok(()) => self.stored_until(Some(until_us)),
            Err(_) => {
                tracing::warn!(table = %self.table, "Could not store the captured-until mark; restores may see a shorter window.")
            }
        }
    }

    fn stored_until(&mut self, until_us: Option<i64>) {
        self.stored_until_us = self.stored_until_us.max(until_us);
    }

    /// Records the gap after `stale` and stores a fresh position: the stream's oldest retained
    /// records, the stream turned on first. The gap ends when the stream is known to be on, so
    /// every change after its end is read by the following steps. On failure the stale
    /// checkpoint is kept and the next step finds the gap again.
    async fn restart_after_gap(
        &mut self,
        stale: Checkpoint,
        reason: String,
    ) -> Result<StepOutcome, CaptureError> {
        let fresh = match self.fresh_checkpoint_after(&stale, reason).await {
            Ok(fresh) => fresh,
            Err(e) => {
                self.checkpoint = Some(stale);
                return Err(e);
            }
        };
        let gap = fresh.gaps.last().cloned();
        self.checkpoint = Some(fresh);
        Ok(StepOutcome {
            records_stored: 0,
            captured_until_us: None,
            gap,
        })
    }

    async fn fresh_checkpoint_after(
        &self,
        stale: &Checkpoint,
        reason: String,
    ) -> Result<Checkpoint, CaptureError> {
        // Where the gap starts: what the stale position knew, or the idle mark stored after it.
        let marked = self.store.captured_until_us().await?;
        let from_us = stale.known_until_us().max(marked.unwrap_or(0));
        let details = ensure_stream(
            &self.client,
            &self.table,
            self.settings.stream_expiration_hours,
        )
        .await?;
        let stream_id = details.stream_id.ok_or_else(|| CaptureError::Gap {
            table: self.table.clone(),
            reason: "the stream reports no id".into(),
        })?;
        let mut fresh = Checkpoint::new(stream_id);
        fresh.gaps = stale.gaps.clone();
        fresh.gaps.push(CaptureGap {
            from_us,
            until_us: chrono::Utc::now().timestamp_micros(),
            reason,
        });
        let segment = ChangeSegment {
            records: Vec::new(),
            checkpoint: fresh.clone(),
        };
        self.store.append(segment).await?;
        Ok(fresh)
    }

    /// Steps until `shutdown` fires or a step fails; pauses only when a step stored nothing.
    pub async fn run(&mut self, shutdown: CancellationToken) -> Result<(), CaptureError> {
        while !shutdown.is_cancelled() {
            let outcome = tokio::select! {
                _ = shutdown.cancelled() => break,
                outcome = self.run_once() => outcome?,
            };
            if outcome.records_stored == 0 {
                tokio::select! {
                    _ = shutdown.cancelled() => break,
                    _ = tokio::time::sleep(self.settings.idle_pause) => {}
                }
            }
        }
        Ok(())
    }
}
