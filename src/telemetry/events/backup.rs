//! Backups and the schedules that take them.

use std::time::Duration;

use chrono::{DateTime, Utc};

use crate::catalog::RunStatus;
use crate::telemetry::labels::UNSCHEDULED;
use crate::telemetry::metrics::{timestamp, Metrics};

/// A backup run ended, whatever the result. Metrics only: the run's end is logged once, by the
/// executor ("Run finished."), with these figures and the run's span.
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
        let last = match self.result {
            RunStatus::Succeeded => Some(&metrics.backup_last_success),
            // A partial backup lacks tables: as much a failure for "is this schedule healthy".
            RunStatus::Failed | RunStatus::PartiallyFailed => Some(&metrics.backup_last_failure),
            _ => None,
        };
        if let Some(gauge) = last {
            gauge
                .with_label_values(&[schedule])
                .set(timestamp(self.finished_at));
        }
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

/// The last failed backup of a schedule, read back from the catalog at start-up so the failing
/// alert does not resolve on a restart.
#[derive(Debug, Clone)]
pub struct LastFailureRestored<'a> {
    pub schedule: &'a str,
    pub finished_at: DateTime<Utc>,
}

impl LastFailureRestored<'_> {
    pub fn emit(&self, metrics: &Metrics) {
        let (schedule, finished_at) = (self.schedule, self.finished_at);
        tracing::debug!(schedule, %finished_at, "Restored the last failure time.");
        metrics
            .backup_last_failure
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
