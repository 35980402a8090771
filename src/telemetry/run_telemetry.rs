//! The executor's and scheduler's [`Event`]s as telemetry events: the one bridge between the
//! run layer (which knows nothing of Prometheus) and the daemon's metrics and logs.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use super::backups_stored::spawn_recount;
use crate::catalog::{Catalog, RunKind};
use crate::runs::{Event, Observer};
use crate::telemetry::events::{
    BackupFinished, CopyFinished, NextRunPlanned, RestoreFinished, RestoreWriteRate,
    RetentionDeleted, RunInProgress, RunSkipped, RunStarted, StoreRetried,
};
use crate::telemetry::labels::UNSCHEDULED;
use crate::telemetry::{Metrics, ScheduleSeries};

/// Counts runs, backups, restores and retention deletions; keeps schedule series current.
pub struct RunTelemetry {
    metrics: Arc<Metrics>,
    /// Where `backups_stored` is recounted from when a run changed a schedule's backups.
    catalog: Catalog,
    /// Runs counted in `runs_in_progress`, ended when their `RunFinished` arrives.
    in_progress: Mutex<HashMap<String, RunInProgress>>,
}

impl RunTelemetry {
    pub fn new(metrics: Arc<Metrics>, catalog: Catalog) -> Arc<Self> {
        Arc::new(RunTelemetry {
            metrics,
            catalog,
            in_progress: Mutex::new(HashMap::new()),
        })
    }

    fn running(&self) -> std::sync::MutexGuard<'_, HashMap<String, RunInProgress>> {
        // A poisoned map only means a panic elsewhere; the guards in it are still valid.
        self.in_progress
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

impl Observer for RunTelemetry {
    fn event(&self, event: &Event) {
        match event {
            Event::RunStarted(run) => {
                let guard = RunStarted {
                    kind: run.kind,
                    run_id: &run.run_id,
                }
                .emit(&self.metrics);
                self.running().insert(run.run_id.clone(), guard);
            }
            Event::RunFinished {
                run,
                status,
                backup_id,
                finished_at,
                duration,
                rows,
                bytes,
                error,
            } => {
                if let Some(guard) = self.running().remove(&run.run_id) {
                    guard.end(*status);
                }
                let store = run.labels.store.as_deref().unwrap_or("");
                let backup_id = backup_id.as_deref().unwrap_or("");
                if let (RunKind::Backup, Some(schedule_id)) = (run.kind, &run.schedule_id) {
                    spawn_recount(&self.catalog, &self.metrics, schedule_id);
                }
                match run.kind {
                    RunKind::Backup => BackupFinished {
                        schedule: run.labels.schedule_name.as_deref(),
                        store,
                        backup_id,
                        result: *status,
                        rows: *rows,
                        bytes: *bytes,
                        duration: *duration,
                        finished_at: *finished_at,
                        error: error.as_deref(),
                    }
                    .emit(&self.metrics),
                    RunKind::Copy => CopyFinished {
                        schedule: run.labels.schedule_name.as_deref(),
                        store,
                        result: *status,
                        finished_at: *finished_at,
                    }
                    .emit(&self.metrics),
                    RunKind::Restore => RestoreFinished {
                        store,
                        backup_id,
                        source: run.labels.source.as_deref().unwrap_or(""),
                        result: *status,
                        rows: *rows,
                        duration: *duration,
                        error: error.as_deref(),
                    }
                    .emit(&self.metrics),
                    _ => {}
                }
            }
            Event::BackupDeleted {
                schedule_id,
                schedule_name,
                store,
                backup_id,
            } => {
                RetentionDeleted {
                    schedule: schedule_name.as_deref().unwrap_or(UNSCHEDULED),
                    store,
                    backup_id,
                }
                .emit(&self.metrics);
                if let Some(schedule_id) = schedule_id {
                    spawn_recount(&self.catalog, &self.metrics, schedule_id);
                }
            }
            Event::ScheduleTiming {
                schedule_name,
                store,
                next_run_at,
                expected_interval,
                paused,
                updated_at,
                ..
            } => {
                self.metrics.init_schedule(&ScheduleSeries {
                    name: schedule_name,
                    store,
                    expected_interval: *expected_interval,
                    next_run: None,
                    paused: *paused,
                    updated_at: Some(*updated_at),
                });
                if let Some(at) = next_run_at {
                    NextRunPlanned {
                        schedule: schedule_name,
                        at: *at,
                    }
                    .emit(&self.metrics);
                }
            }
            Event::StoreRetried { store, retries } => StoreRetried {
                store,
                retries: *retries,
            }
            .emit(&self.metrics),
            Event::RestoreWriteRate {
                source,
                batches_allowed,
            } => RestoreWriteRate {
                source,
                batches_allowed: *batches_allowed,
            }
            .emit(&self.metrics),
            Event::ScheduleDeleted { schedule_name, .. } => {
                self.metrics.remove_schedule(schedule_name);
            }
            Event::RunSkipped { run, reason } => RunSkipped {
                kind: run.kind,
                schedule: run.labels.schedule_name.as_deref(),
                run_id: &run.run_id,
                reason,
            }
            .emit(&self.metrics),
            Event::RunQueued(_) | Event::BackupCompleted { .. } | Event::BackupVerified { .. } => {}
        }
    }
}
