//! Telemetry hook: what the executor and the scheduler report as it happens, so the daemon's
//! metrics module can count runs, durations and rows without this layer depending on
//! Prometheus (and tests can wait for a run to end without polling).

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use tokio::sync::mpsc;

use crate::catalog::{RunKind, RunStatus, RunTrigger};

/// What metrics label a run by, known when it is submitted.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RunLabels {
    /// The schedule's name, when the run belongs to one.
    pub schedule_name: Option<String>,
    /// The Tablestore source read (backup, verify against source) or written (restore).
    pub source: Option<String>,
    /// The store written (backup) or read (restore, verify, retention deletion).
    pub store: Option<String>,
}

/// Who a run is, in every run event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunInfo {
    pub run_id: String,
    pub kind: RunKind,
    pub trigger: RunTrigger,
    pub schedule_id: Option<String>,
    pub labels: RunLabels,
}

impl RunInfo {
    /// The span a run executes in, engine and store work included, so every line it logs
    /// carries its `run_id` (`grep run_id` follows one run through every layer). A root span:
    /// a run outlives the request or the tick that submitted it. A backup records its
    /// `backup_id` once it has made one.
    pub fn span(&self, backup_id: Option<&str>) -> tracing::Span {
        tracing::info_span!(
            parent: None,
            "run",
            run_id = %self.run_id,
            kind = %self.kind,
            schedule = self.labels.schedule_name.as_deref(),
            backup_id,
        )
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    /// Recorded as `queued`; waits for a slot of the global limit.
    RunQueued(RunInfo),
    /// Recorded as `skipped` (overlap, table in use, catch-up off); never ran.
    RunSkipped { run: RunInfo, reason: String },
    /// `queued` → `running`.
    RunStarted(RunInfo),
    /// Reached a final status.
    RunFinished {
        run: RunInfo,
        status: RunStatus,
        /// The backup written or read, if any.
        backup_id: Option<String>,
        finished_at: DateTime<Utc>,
        /// From start to finish (zero for a run cancelled while queued).
        duration: Duration,
        rows: u64,
        bytes: u64,
        error: Option<String>,
    },
    /// A backup was published and catalogued as completed (the "last success" signal).
    BackupCompleted {
        schedule_id: Option<String>,
        schedule_name: Option<String>,
        backup_id: String,
        finished_at: DateTime<Utc>,
        rows: u64,
        bytes: u64,
    },
    /// Retention deleted a backup from its store.
    BackupDeleted {
        schedule_id: Option<String>,
        schedule_name: Option<String>,
        store: String,
        backup_id: String,
    },
    /// Store writes of a run failed for a transient reason and were retried `retries` more
    /// times since the last report (reported while the run goes, and at its end).
    StoreRetried { store: String, retries: u64 },
    /// A running restore's adaptive write rate into `source` changed: the batch writes it may
    /// have in flight (it halves on throttling and climbs back when throttling stops; 0 once
    /// its tables are written).
    RestoreWriteRate {
        source: String,
        batches_allowed: u64,
    },
    /// A verification reached a verdict.
    BackupVerified { backup_id: String, passed: bool },
    /// A schedule's timing changed: created, updated, paused, resumed, or it fired.
    ScheduleTiming {
        schedule_id: String,
        schedule_name: String,
        store: String,
        next_run_at: Option<DateTime<Utc>>,
        expected_interval: Option<Duration>,
        paused: bool,
        /// When the definition last changed (creation, edit, pause, resume).
        updated_at: DateTime<Utc>,
    },
    /// A schedule was deleted: its metric label sets should go too.
    ScheduleDeleted {
        schedule_id: String,
        schedule_name: String,
    },
}

/// Receives every [`Event`]. Called inline on the executor's tasks: keep it quick and
/// non-blocking (update counters, or forward to a channel).
pub trait Observer: Send + Sync + 'static {
    fn event(&self, event: &Event);
}

/// Drops every event (the default).
#[derive(Debug, Default)]
pub struct NoObserver;

impl Observer for NoObserver {
    fn event(&self, _event: &Event) {}
}

/// Forwards every event to an unbounded channel (tests, or a daemon task that fans them out).
#[derive(Debug, Clone)]
pub struct ChannelObserver {
    tx: mpsc::UnboundedSender<Event>,
}

impl ChannelObserver {
    pub fn new() -> (Arc<Self>, mpsc::UnboundedReceiver<Event>) {
        let (tx, rx) = mpsc::unbounded_channel();
        (Arc::new(ChannelObserver { tx }), rx)
    }
}

impl Observer for ChannelObserver {
    fn event(&self, event: &Event) {
        // A closed receiver only means nobody listens any more.
        let _ = self.tx.send(event.clone());
    }
}
