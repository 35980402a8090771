//! Copies of backups to a second store (issue 13): how copy runs end, and when each schedule
//! last got a good copy into each target store (the off-site copy alert reads it).

use chrono::{DateTime, Utc};

use crate::catalog::RunStatus;
use crate::telemetry::labels::UNSCHEDULED;
use crate::telemetry::metrics::{timestamp, Metrics};

/// A copy run ended. Metrics only: the run's end is logged once, by the executor.
#[derive(Debug, Clone)]
pub struct CopyFinished<'a> {
    /// `None` for a copy made by hand of a backup without a schedule.
    pub schedule: Option<&'a str>,
    /// The store copied into.
    pub store: &'a str,
    pub result: RunStatus,
    pub finished_at: DateTime<Utc>,
}

impl CopyFinished<'_> {
    pub fn emit(&self, metrics: &Metrics) {
        let schedule = self.schedule.unwrap_or(UNSCHEDULED);
        let result = self.result.as_str();
        metrics
            .copy_runs
            .with_label_values(&[schedule, self.store, result])
            .inc();
        if self.result == RunStatus::Succeeded {
            metrics.track_store(schedule, self.store);
            metrics
                .copy_last_success
                .with_label_values(&[schedule, self.store])
                .set(timestamp(self.finished_at));
        }
    }
}

/// The newest completed copy of a schedule's backups in a store, read back from the catalog
/// at start-up so the off-site copy alert neither fires nor resolves on a restart.
#[derive(Debug, Clone)]
pub struct LastCopyRestored<'a> {
    pub schedule: &'a str,
    pub store: &'a str,
    pub finished_at: DateTime<Utc>,
}

impl LastCopyRestored<'_> {
    pub fn emit(&self, metrics: &Metrics) {
        metrics.track_store(self.schedule, self.store);
        metrics
            .copy_last_success
            .with_label_values(&[self.schedule, self.store])
            .set(timestamp(self.finished_at));
    }
}
