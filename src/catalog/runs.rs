//! Runs: one execution of a backup, restore, verification or retention deletion, from queued
//! to a final status, with live progress.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::columns::{from_json, to_i64, to_json, to_u64};
use super::enums::parse_column;
use super::ids::new_run_id;
use super::{Catalog, CatalogError, RunKind, RunStatus, RunTrigger};
use crate::engine::ProgressSnapshot;

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
}

impl RunOutcome {
    pub fn succeeded() -> Self {
        RunOutcome {
            status: RunStatus::Succeeded,
            message: None,
        }
    }

    pub fn with(status: RunStatus, message: impl Into<String>) -> Self {
        RunOutcome {
            status,
            message: Some(message.into()),
        }
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

impl Catalog {
    /// Records a new run as `queued`.
    pub async fn create_run(&self, new: NewRun) -> Result<Run, CatalogError> {
        self.insert_run(new, RunStatus::Queued, None).await
    }

    /// Records a run that will not happen (overlap, paused schedule) as `skipped`, so missed
    /// ticks are visible in the history instead of silently absent.
    pub async fn record_skipped_run(&self, new: NewRun, reason: &str) -> Result<Run, CatalogError> {
        self.insert_run(new, RunStatus::Skipped, Some(reason)).await
    }

    async fn insert_run(
        &self,
        new: NewRun,
        status: RunStatus,
        skip_reason: Option<&str>,
    ) -> Result<Run, CatalogError> {
        let now = self.now();
        let finished_at = status.is_finished().then_some(now);
        let row: RunRow = sqlx::query_as(
            "INSERT INTO runs (id, kind, status, schedule_id, backup_id, triggered_by, request, \
             skip_reason, finished_at, created_at, updated_at) \
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING *",
        )
        .bind(new_run_id())
        .bind(new.kind.as_str())
        .bind(status.as_str())
        .bind(&new.schedule_id)
        .bind(&new.backup_id)
        .bind(new.trigger.as_str())
        .bind(to_json("request", &new.request)?)
        .bind(skip_reason)
        .bind(finished_at)
        .bind(now)
        .bind(now)
        .fetch_one(&self.writer)
        .await
        .map_err(|e| missing_schedule(e, new.schedule_id.as_deref()))?;
        row.try_into()
    }

    pub async fn get_run(&self, id: &str) -> Result<Run, CatalogError> {
        sqlx::query_as::<_, RunRow>("SELECT * FROM runs WHERE id = ?")
            .bind(id)
            .fetch_optional(&self.reader)
            .await?
            .ok_or_else(|| CatalogError::not_found("run", id))?
            .try_into()
    }

    /// `queued` → `running`, stamping `started_at`.
    pub async fn start_run(&self, id: &str) -> Result<Run, CatalogError> {
        let now = self.now();
        let row: Option<RunRow> = sqlx::query_as(
            "UPDATE runs SET status = 'running', started_at = ?, updated_at = ? \
             WHERE id = ? AND status = 'queued' RETURNING *",
        )
        .bind(now)
        .bind(now)
        .bind(id)
        .fetch_optional(&self.writer)
        .await?;
        match row {
            Some(row) => row.try_into(),
            None => Err(self.run_state_error(id, "start").await),
        }
    }

    /// Stores the latest progress of a running run.
    pub async fn update_run_progress(
        &self,
        id: &str,
        progress: RunProgress,
    ) -> Result<(), CatalogError> {
        let done = sqlx::query(
            "UPDATE runs SET rows = ?, bytes = ?, tables_done = ?, tables_total = ?, \
             updated_at = ? WHERE id = ? AND status = 'running'",
        )
        .bind(to_i64("rows", progress.rows)?)
        .bind(to_i64("bytes", progress.bytes)?)
        .bind(to_i64("tables_done", progress.tables_done)?)
        .bind(to_i64("tables_total", progress.tables_total)?)
        .bind(self.now())
        .bind(id)
        .execute(&self.writer)
        .await?;
        if done.rows_affected() == 0 {
            return Err(self.run_state_error(id, "progress update").await);
        }
        Ok(())
    }

    /// Names the backup a run works on (known only once a backup run has created it).
    pub async fn set_run_backup(&self, id: &str, backup_id: &str) -> Result<(), CatalogError> {
        let done = sqlx::query("UPDATE runs SET backup_id = ?, updated_at = ? WHERE id = ?")
            .bind(backup_id)
            .bind(self.now())
            .bind(id)
            .execute(&self.writer)
            .await?;
        if done.rows_affected() == 0 {
            return Err(CatalogError::not_found("run", id));
        }
        Ok(())
    }

    /// `queued`/`running` → a final status, stamping `finished_at`. Finishing twice is an
    /// error, so two parties can never both decide how a run ended.
    pub async fn finish_run(&self, id: &str, outcome: RunOutcome) -> Result<Run, CatalogError> {
        if !outcome.status.is_finished() {
            return Err(CatalogError::InvalidInput(format!(
                "{} is not a final run status",
                outcome.status
            )));
        }
        let (error, skip_reason) = match outcome.status {
            RunStatus::Skipped => (None, outcome.message),
            _ => (outcome.message, None),
        };
        let now = self.now();
        let row: Option<RunRow> = sqlx::query_as(
            "UPDATE runs SET status = ?, error = ?, skip_reason = ?, finished_at = ?, \
             updated_at = ? WHERE id = ? AND status IN ('queued', 'running') RETURNING *",
        )
        .bind(outcome.status.as_str())
        .bind(error)
        .bind(skip_reason)
        .bind(now)
        .bind(now)
        .bind(id)
        .fetch_optional(&self.writer)
        .await?;
        match row {
            Some(row) => row.try_into(),
            None => Err(self.run_state_error(id, "finish").await),
        }
    }

    /// Explains why a guarded update matched nothing: no such run, or a run in another state.
    async fn run_state_error(&self, id: &str, action: &'static str) -> CatalogError {
        let status: Result<Option<String>, _> =
            sqlx::query_scalar("SELECT status FROM runs WHERE id = ?")
                .bind(id)
                .fetch_optional(&self.writer)
                .await;
        match status {
            Ok(Some(status)) => CatalogError::InvalidState {
                entity: "run",
                id: id.to_string(),
                status,
                action,
            },
            Ok(None) => CatalogError::not_found("run", id),
            Err(e) => e.into(),
        }
    }
}

/// A foreign-key failure on insert means the schedule does not exist.
pub(crate) fn missing_schedule(error: sqlx::Error, schedule_id: Option<&str>) -> CatalogError {
    match (&error, schedule_id) {
        (sqlx::Error::Database(db), Some(id)) if db.is_foreign_key_violation() => {
            CatalogError::not_found("schedule", id)
        }
        _ => error.into(),
    }
}
