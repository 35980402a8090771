//! Runs of any kind (in progress), and restores.

use std::sync::Arc;
use std::time::Duration;

use crate::catalog::{RunKind, RunStatus};
use crate::telemetry::labels::UNSCHEDULED;
use crate::telemetry::metrics::Metrics;

/// A restore run ended, whatever the result. Metrics only: the run's end is logged once, by
/// the executor ("Run finished.").
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
        let result = self.result.as_str();
        metrics.restore_runs.with_label_values(&[result]).inc();
    }
}

/// A backup or restore was recorded `skipped` (another run held its schedule or tables): it
/// never ran, but it counts under `result="skipped"` so an alert on missed backups sees it.
#[derive(Debug, Clone)]
pub struct RunSkipped<'a> {
    pub kind: RunKind,
    /// `None` for a manual run.
    pub schedule: Option<&'a str>,
    pub run_id: &'a str,
    pub reason: &'a str,
}

impl RunSkipped<'_> {
    pub fn emit(&self, metrics: &Metrics) {
        let (run_id, reason) = (self.run_id, self.reason);
        let schedule = self.schedule.unwrap_or(UNSCHEDULED);
        let skipped = RunStatus::Skipped.as_str();
        match self.kind {
            RunKind::Backup => {
                tracing::warn!(schedule, run_id, reason, "Backup skipped.");
                metrics
                    .backup_runs
                    .with_label_values(&[schedule, skipped])
                    .inc();
            }
            RunKind::Restore => {
                tracing::warn!(run_id, reason, "Restore skipped.");
                metrics.restore_runs.with_label_values(&[skipped]).inc();
            }
            // Verifications and deletions have no run counter (the executor logs the skip).
            _ => {}
        }
    }
}

/// A run of any kind started; the returned guard marks it ended, also if the task panics.
/// Its log line is the run service's own (`runs::records`), logged whether or not metrics
/// observe the run.
#[derive(Debug, Clone)]
pub struct RunStarted<'a> {
    pub kind: RunKind,
    pub run_id: &'a str,
}

impl RunStarted<'_> {
    #[must_use = "dropping the guard ends the run at once"]
    pub fn emit(&self, metrics: &Arc<Metrics>) -> RunInProgress {
        let kind = self.kind.as_str();
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
