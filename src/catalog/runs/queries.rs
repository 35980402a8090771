//! Run lifecycle writes: queued → running → a final status, with live progress.

use super::{new_run_id, NewRun, Run, RunOutcome, RunProgress, RunRow, RunStatus};
use crate::catalog::columns::{to_i64, to_json};
use crate::catalog::schedules::missing_schedule;
use crate::catalog::write::state_error;
use crate::catalog::{Catalog, CatalogError};

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
        let mut tx = self.begin_write().await?;
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
        .fetch_one(&mut *tx)
        .await
        .map_err(|e| missing_schedule(e, new.schedule_id.as_deref()))?;
        tx.commit().await?;
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
        let mut tx = self.begin_write().await?;
        let row: Option<RunRow> = sqlx::query_as(
            "UPDATE runs SET status = 'running', started_at = ?, updated_at = ? \
             WHERE id = ? AND status = 'queued' RETURNING *",
        )
        .bind(now)
        .bind(now)
        .bind(id)
        .fetch_optional(&mut *tx)
        .await?;
        tx.commit_returning(row, "run", id, "start")
            .await?
            .try_into()
    }

    /// Stores the latest progress of a running run.
    pub async fn update_run_progress(
        &self,
        id: &str,
        progress: RunProgress,
    ) -> Result<(), CatalogError> {
        let mut tx = self.begin_write().await?;
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
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() == 0 {
            return Err(state_error(&mut tx, "run", id, "progress update").await);
        }
        tx.commit().await
    }

    /// Names the backup a run works on (known only once a backup run has created it).
    pub async fn set_run_backup(&self, id: &str, backup_id: &str) -> Result<(), CatalogError> {
        let mut tx = self.begin_write().await?;
        let done = sqlx::query("UPDATE runs SET backup_id = ?, updated_at = ? WHERE id = ?")
            .bind(backup_id)
            .bind(self.now())
            .bind(id)
            .execute(&mut *tx)
            .await?;
        if done.rows_affected() == 0 {
            return Err(CatalogError::not_found("run", id));
        }
        tx.commit().await
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
        let report = match &outcome.report {
            Some(report) => Some(to_json("report", report)?),
            None => None,
        };
        let now = self.now();
        let mut tx = self.begin_write().await?;
        let row: Option<RunRow> = sqlx::query_as(
            "UPDATE runs SET status = ?, error = ?, skip_reason = ?, report = ?, finished_at = ?, \
             updated_at = ? WHERE id = ? AND status IN ('queued', 'running') RETURNING *",
        )
        .bind(outcome.status.as_str())
        .bind(error)
        .bind(skip_reason)
        .bind(report)
        .bind(now)
        .bind(now)
        .bind(id)
        .fetch_optional(&mut *tx)
        .await?;
        tx.commit_returning(row, "run", id, "finish")
            .await?
            .try_into()
    }
}
