//! Runs: one execution of a backup, restore, verification or retention deletion, from queued
//! to a final status, with live progress. This file holds the types and their row; `queries`
//! the lifecycle writes, `list` the reads in bulk, `interrupted` start-up recovery.

mod interrupted;
mod list;
mod queries;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::columns::{from_json, new_id, parse_column, text_enum, to_u64};
use super::CatalogError;
use crate::engine::ProgressSnapshot;

pub use list::{LastFailure, RunFilter};

/// The prefix of run ids.
const RUN_PREFIX: &str = "run";

/// `run_0190b6f3c2a47d8e9f0a1b2c3d4e5f60`.
pub fn new_run_id() -> String {
    new_id(RUN_PREFIX)
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Run {
    /// `run_…`.
    pub id: String,
    pub kind: RunKind,
    pub status: RunStatus,
    /// `None` for manual runs, and once the schedule is deleted.
    pub schedule_id: Option<String>,
    /// The backup written (backup runs) or read (restore, verify, retention_delete).
    pub backup_id: Option<String>,
    pub trigger: RunTrigger,
    /// The request as the API received it, for display and re-runs.
    pub request: serde_json::Value,
    pub progress: RunProgress,
    pub error: Option<String>,
    pub skip_reason: Option<String>,
    /// What a finished restore did (or, for a dry run, would do): the report the CLI prints.
    pub report: Option<serde_json::Value>,
    pub started_at: Option<DateTime<Utc>>,
    pub finished_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// The progress figures kept with a run (a subset of the engine's live counters).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RunProgress {
    pub rows: u64,
    pub bytes: u64,
    pub tables_done: u64,
    pub tables_total: u64,
}

impl From<ProgressSnapshot> for RunProgress {
    fn from(s: ProgressSnapshot) -> Self {
        RunProgress {
            rows: s.rows,
            bytes: s.bytes,
            tables_done: s.tables_done,
            tables_total: s.tables_total,
        }
    }
}

/// A run to record.
#[derive(Debug, Clone, PartialEq)]
pub struct NewRun {
    pub kind: RunKind,
    pub trigger: RunTrigger,
    pub schedule_id: Option<String>,
    pub backup_id: Option<String>,
    pub request: serde_json::Value,
}

impl NewRun {
    pub fn new(kind: RunKind, trigger: RunTrigger) -> Self {
        NewRun {
            kind,
            trigger,
            schedule_id: None,
            backup_id: None,
            request: serde_json::Value::Object(Default::default()),
        }
    }

    pub fn schedule(mut self, schedule_id: impl Into<String>) -> Self {
        self.schedule_id = Some(schedule_id.into());
        self
    }

    pub fn backup(mut self, backup_id: impl Into<String>) -> Self {
        self.backup_id = Some(backup_id.into());
        self
    }

    pub fn request(mut self, request: serde_json::Value) -> Self {
        self.request = request;
        self
    }
}

/// How a run ended. The message becomes `skip_reason` for `skipped`, `error` otherwise.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunOutcome {
    pub status: RunStatus,
    pub message: Option<String>,
    /// Stored as the run's `report`.
    pub report: Option<serde_json::Value>,
}

impl RunOutcome {
    pub fn succeeded() -> Self {
        RunOutcome {
            status: RunStatus::Succeeded,
            message: None,
            report: None,
        }
    }

    pub fn with(status: RunStatus, message: impl Into<String>) -> Self {
        RunOutcome {
            status,
            message: Some(message.into()),
            report: None,
        }
    }

    pub fn with_report(mut self, report: serde_json::Value) -> Self {
        self.report = Some(report);
        self
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct RunRow {
    id: String,
    kind: String,
    status: String,
    schedule_id: Option<String>,
    backup_id: Option<String>,
    triggered_by: String,
    request: String,
    rows: i64,
    bytes: i64,
    tables_done: i64,
    tables_total: i64,
    error: Option<String>,
    skip_reason: Option<String>,
    report: Option<String>,
    started_at: Option<DateTime<Utc>>,
    finished_at: Option<DateTime<Utc>>,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

impl TryFrom<RunRow> for Run {
    type Error = CatalogError;

    fn try_from(row: RunRow) -> Result<Self, CatalogError> {
        Ok(Run {
            kind: parse_column("runs.kind", &row.kind)?,
            status: parse_column("runs.status", &row.status)?,
            trigger: parse_column("runs.triggered_by", &row.triggered_by)?,
            request: from_json("runs.request", &row.request)?,
            report: row
                .report
                .as_deref()
                .map(|text| from_json("runs.report", text))
                .transpose()?,
            progress: RunProgress {
                rows: to_u64("runs.rows", row.rows)?,
                bytes: to_u64("runs.bytes", row.bytes)?,
                tables_done: to_u64("runs.tables_done", row.tables_done)?,
                tables_total: to_u64("runs.tables_total", row.tables_total)?,
            },
            id: row.id,
            schedule_id: row.schedule_id,
            backup_id: row.backup_id,
            error: row.error,
            skip_reason: row.skip_reason,
            started_at: row.started_at,
            finished_at: row.finished_at,
            created_at: row.created_at,
            updated_at: row.updated_at,
        })
    }
}

text_enum!(
    /// What a run does.
    RunKind {
        Backup => "backup",
        Restore => "restore",
        Verify => "verify",
        /// Deleting backups a retention plan removed.
        RetentionDelete => "retention_delete",
        /// Copying a completed backup to a second store.
        Copy => "copy",
    }
);

text_enum!(
    /// Where a run is in its life. `queued` and `running` are the only unfinished states.
    RunStatus {
        Queued => "queued",
        Running => "running",
        Succeeded => "succeeded",
        /// Finished, but some tables failed (Velero's PartiallyFailed).
        PartiallyFailed => "partially_failed",
        Failed => "failed",
        Cancelled => "cancelled",
        /// Never started, e.g. its schedule's previous run was still going (see `skip_reason`).
        Skipped => "skipped",
    }
);

impl RunStatus {
    pub fn is_finished(self) -> bool {
        !matches!(self, RunStatus::Queued | RunStatus::Running)
    }
}

text_enum!(
    /// Why a run exists.
    RunTrigger {
        Schedule => "schedule",
        Manual => "manual",
        /// The one make-up run for ticks missed while the daemon was down.
        CatchUp => "catch_up",
    }
);
