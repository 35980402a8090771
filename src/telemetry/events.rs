//! Telemetry events: one type per notable occurrence, whose `emit` both logs it (a capitalised
//! sentence, fields first) and updates the metrics. This is the only place where metric values
//! change, so logs and metrics cannot drift apart.

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};

use super::labels::{tablestore_code, UNSCHEDULED};
use super::metrics::{timestamp, Metrics};
use crate::catalog::{RunKind, RunStatus};
use crate::tablestore::client::{Observer, RequestOutcome, OUTCOME_OK};

/// A backup run ended, whatever the result.
#[derive(Debug, Clone)]
pub struct BackupFinished<'a> {
    /// `None` for a manual run.
    pub schedule: Option<&'a str>,
    pub store: &'a str,
    pub backup_id: &'a str,
    pub result: RunStatus,
    pub rows: u64,
    pub bytes: u64,
    pub duration: Duration,
    pub finished_at: DateTime<Utc>,
    /// Why it failed; must not contain secrets (engine errors never do).
    pub error: Option<&'a str>,
}

impl BackupFinished<'_> {
    pub fn emit(&self, metrics: &Metrics) {
        let schedule = self.schedule.unwrap_or(UNSCHEDULED);
        let (result, seconds) = (self.result.as_str(), self.duration.as_secs_f64());
        let error = self.error.unwrap_or("");
        let (backup_id, store, rows, bytes) = (self.backup_id, self.store, self.rows, self.bytes);
        match self.result {
            RunStatus::Succeeded => {
                tracing::info!(
                    schedule,
                    store,
                    backup_id,
                    rows,
                    bytes,
                    seconds,
                    "Backup finished."
                )
            }
            RunStatus::Failed => {
                tracing::error!(
                    schedule,
                    store,
                    backup_id,
                    rows,
                    seconds,
                    error,
                    "Backup failed."
                )
            }
            _ => tracing::warn!(
                schedule,
                store,
                backup_id,
                result,
                rows,
                seconds,
                error,
                "Backup ended without success."
            ),
        }
        metrics
            .backup_runs
            .with_label_values(&[schedule, result])
            .inc();
        metrics
            .backup_duration
            .with_label_values(&[schedule])
            .observe(seconds);
        metrics
            .backup_rows
            .with_label_values(&[schedule])
            .inc_by(self.rows);
        metrics
            .backup_bytes
            .with_label_values(&[schedule])
            .inc_by(self.bytes);
        if self.result == RunStatus::Succeeded {
            metrics
                .backup_last_success
                .with_label_values(&[schedule])
                .set(timestamp(self.finished_at));
        }
    }
}

/// A restore run ended, whatever the result.
#[derive(Debug, Clone)]
pub struct RestoreFinished<'a> {
    pub store: &'a str,
    pub backup_id: &'a str,
    pub source: &'a str,
    pub result: RunStatus,
    pub rows: u64,
    pub duration: Duration,
    pub error: Option<&'a str>,
}

impl RestoreFinished<'_> {
    pub fn emit(&self, metrics: &Metrics) {
        let (store, backup_id, source, rows) = (self.store, self.backup_id, self.source, self.rows);
        let (result, seconds) = (self.result.as_str(), self.duration.as_secs_f64());
        let error = self.error.unwrap_or("");
        match self.result {
            RunStatus::Succeeded => {
                tracing::info!(store, backup_id, source, rows, seconds, "Restore finished.")
            }
            RunStatus::Failed => {
                tracing::error!(
                    store,
                    backup_id,
                    source,
                    rows,
                    seconds,
                    error,
                    "Restore failed."
                )
            }
            _ => tracing::warn!(
                store,
                backup_id,
                source,
                result,
                rows,
                seconds,
                error,
                "Restore ended without success."
            ),
        }
        metrics.restore_runs.with_label_values(&[result]).inc();
    }
}

/// Retention deleted a backup.
#[derive(Debug, Clone)]
pub struct RetentionDeleted<'a> {
    pub schedule: &'a str,
    pub store: &'a str,
    pub backup_id: &'a str,
}

impl RetentionDeleted<'_> {
    pub fn emit(&self, metrics: &Metrics) {
        let (schedule, store, backup_id) = (self.schedule, self.store, self.backup_id);
        tracing::info!(schedule, store, backup_id, "Deleted a backup by retention.");
        metrics
            .retention_deletions
            .with_label_values(&[schedule])
            .inc();
    }
}

/// The number of completed backups a schedule has in a store was (re)counted.
#[derive(Debug, Clone)]
pub struct BackupsCounted<'a> {
    pub schedule: &'a str,
    pub store: &'a str,
    pub count: u64,
}

impl BackupsCounted<'_> {
    pub fn emit(&self, metrics: &Metrics) {
        let (schedule, store, count) = (self.schedule, self.store, self.count);
        tracing::debug!(schedule, store, count, "Counted stored backups.");
        metrics.track_store(schedule, store);
        let count = i64::try_from(count).unwrap_or(i64::MAX);
        metrics
            .backups_stored
            .with_label_values(&[schedule, store])
            .set(count);
    }
}

/// The last successful backup of a schedule, read back from the catalog at start-up so the
/// gauge survives restarts.
#[derive(Debug, Clone)]
pub struct LastSuccessRestored<'a> {
    pub schedule: &'a str,
    pub finished_at: DateTime<Utc>,
}

impl LastSuccessRestored<'_> {
    pub fn emit(&self, metrics: &Metrics) {
        let (schedule, finished_at) = (self.schedule, self.finished_at);
        tracing::debug!(schedule, %finished_at, "Restored the last success time.");
        metrics
            .backup_last_success
            .with_label_values(&[schedule])
            .set(timestamp(finished_at));
    }
}

/// The scheduler computed a schedule's next tick.
#[derive(Debug, Clone)]
pub struct NextRunPlanned<'a> {
    pub schedule: &'a str,
    pub at: DateTime<Utc>,
}

impl NextRunPlanned<'_> {
    pub fn emit(&self, metrics: &Metrics) {
        let (schedule, at) = (self.schedule, self.at);
        tracing::debug!(schedule, %at, "Planned the next run.");
        metrics
            .schedule_next_run
            .with_label_values(&[schedule])
            .set(timestamp(at));
    }
}

/// A run of any kind started; the returned guard marks it ended, also if the task panics.
#[derive(Debug, Clone)]
pub struct RunStarted<'a> {
    pub kind: RunKind,
    pub run_id: &'a str,
}

impl RunStarted<'_> {
    #[must_use = "dropping the guard ends the run at once"]
    pub fn emit(&self, metrics: &Arc<Metrics>) -> RunInProgress {
        let (kind, run_id) = (self.kind.as_str(), self.run_id);
        tracing::info!(kind, run_id, "Run started.");
        metrics.runs_in_progress.with_label_values(&[kind]).inc();
        RunInProgress {
            metrics: metrics.clone(),
            kind: self.kind,
            run_id: self.run_id.to_string(),
            ended: false,
        }
    }
}

/// A run counted in `tablevault_runs_in_progress` until [`RunInProgress::end`] or drop.
#[derive(Debug)]
pub struct RunInProgress {
    metrics: Arc<Metrics>,
    kind: RunKind,
    run_id: String,
    ended: bool,
}

impl RunInProgress {
    /// The run ended with `result` (details are in the kind-specific finished event).
    pub fn end(mut self, result: RunStatus) {
        self.finish(result.as_str());
    }

    fn finish(&mut self, result: &str) {
        if std::mem::replace(&mut self.ended, true) {
            return;
        }
        let (kind, run_id) = (self.kind.as_str(), self.run_id.as_str());
        tracing::debug!(kind, run_id, result, "Run ended.");
        self.metrics
            .runs_in_progress
            .with_label_values(&[kind])
            .dec();
    }
}

impl Drop for RunInProgress {
    fn drop(&mut self) {
        self.finish("dropped");
    }
}

/// One HTTP attempt to Tablestore (the client's observer).
#[derive(Debug, Clone)]
pub struct TablestoreRequest<'a>(pub &'a RequestOutcome);

impl TablestoreRequest<'_> {
    pub fn emit(&self, metrics: &Metrics) {
        let outcome = self.0;
        let code = tablestore_code(&outcome.code);
        if outcome.code != OUTCOME_OK {
            // The client logs retries and final failures itself; this is the per-attempt trace.
            let (operation, attempt) = (outcome.operation, outcome.attempt);
            let latency_ms = outcome.latency.as_millis() as u64;
            tracing::debug!(operation, code = %outcome.code, attempt, latency_ms, "Tablestore request failed.");
        }
        metrics
            .tablestore_requests
            .with_label_values(&[outcome.operation, code])
            .inc();
    }
}

/// An observer for [`crate::tablestore::client::Client::with_observer`] that emits
/// [`TablestoreRequest`] for every attempt.
pub fn tablestore_observer(metrics: Arc<Metrics>) -> Observer {
    Arc::new(move |outcome: &RequestOutcome| TablestoreRequest(outcome).emit(&metrics))
}

/// A store's health check ran.
#[derive(Debug, Clone)]
pub struct StoreChecked<'a> {
    pub store: &'a str,
    pub kind: &'a str,
    /// The failure, if any (a store error: paths and hosts, never credentials).
    pub error: Option<&'a str>,
}

impl StoreChecked<'_> {
    pub fn emit(&self, metrics: &Metrics) {
        let (store, kind) = (self.store, self.kind);
        let gauge = metrics.store_up.with_label_values(&[store]);
        match self.error {
            Some(error) => {
                tracing::warn!(store, kind, error, "Store health check failed.");
                gauge.set(0);
            }
            None => {
                tracing::debug!(store, kind, "Store is healthy.");
                gauge.set(1);
            }
        }
    }
}
