//! Backup runs: a new backup of a schedule (or ad hoc); resuming a staged one is `resume`. The catalog
//! entry follows the store: `staged` when started, `completed` with the manifest's figures
//! once published, `failed` otherwise (its staged data deleted, unless a shutdown keeps it
//! for a resume). After a schedule's backup succeeds, its retention policy is applied.

use std::sync::Arc;

use chrono::Utc;

use super::claims::Claim;
use super::crash_point::{crash_point, AFTER_PUBLISH};
use super::deletion::discard_staged;
use super::events::{Event, RunLabels};
use super::job_context::{JobContext, Submission};
use super::resources::{Resources, Source};
use super::retention::{self, Cause};
use super::{BackupRequest, RunError};
use crate::catalog::{NewBackup, NewRun, RunKind, RunOutcome};
use crate::config::InterruptedBackups;
use crate::engine::{new_backup_id, run_backup, BackupIo, BackupJob, BackupOutcome, EngineError};
use crate::store::BackupStore;

pub(crate) struct BackupSpec {
    request: BackupRequest,
    source: Source,
    store: Arc<dyn BackupStore>,
}

/// A backup (recorded `skipped` at submit if its schedule or one of its tables is busy).
pub(crate) fn prepare(
    resources: &Resources,
    request: BackupRequest,
) -> Result<Submission<BackupSpec>, RunError> {
    let source = resources.source(&request.source)?.clone();
    let store = resources.store(&request.store)?;
    let mut new = NewRun::new(RunKind::Backup, request.trigger).request(to_json(&request));
    // The schedule's claim first: "its previous run is still going" is the reason to give.
    let mut claims = Vec::new();
    if let Some(id) = &request.schedule_id {
        new = new.schedule(id.clone());
        claims.push(Claim::Schedule(id.clone()));
    }
    claims.push(Claim::tables(&request.source, &request.tables));
    let labels = RunLabels {
        schedule_name: request.schedule_name.clone(),
        source: Some(request.source.clone()),
        store: Some(request.store.clone()),
    };
    let spec = BackupSpec {
        request,
        source,
        store,
    };
    Ok(Submission {
        new,
        labels,
        claims,
        spec,
    })
}

impl BackupSpec {
    pub fn schedule_id(&self) -> Option<&str> {
        self.request.schedule_id.as_deref()
    }

    pub async fn run(self, ctx: &JobContext) -> RunOutcome {
        let catalog = ctx.catalog();
        let tables = if self.request.tables.is_empty() {
            match ctx.cancellable_list(&self.source).await {
                Ok(tables) if tables.is_empty() => {
                    return RunOutcome::with(
                        crate::catalog::RunStatus::Failed,
                        format!("source {} has no tables", self.request.source),
                    )
                }
                Ok(tables) => tables,
                Err(e) => return ctx.engine_failure(&e),
            }
        } else {
            self.request.tables.clone()
        };
        if let Err(e) = self.streams_on_if_continuous(catalog, &tables).await {
            return failed(e);
        }
        let backup_id = new_backup_id();
        tracing::Span::current().record("backup_id", backup_id.as_str());
        let new = NewBackup {
            id: backup_id.clone(),
            schedule_id: self.request.schedule_id.clone(),
            source: self.request.source.clone(),
            store: self.request.store.clone(),
            // Real time, like the manifest's stamps (the catalog clock only orders records).
            started_at: Utc::now(),
        };
        if let Err(e) = catalog.create_backup(new).await {
            return failed(format!("could not record backup {backup_id}: {e}"));
        }
        if let Err(e) = catalog.set_run_backup(&ctx.info.run_id, &backup_id).await {
            tracing::warn!(%backup_id, error = %e, "Could not link the backup to its run.");
        }
        let job = BackupJob {
            backup_id: backup_id.clone(),
            source: self.source.info.clone(),
            tables,
            config: ctx.options.engine.clone(),
        };
        let io = backup_io(ctx, &self.source, &self.store);
        let result = run_backup(job, &io).await;
        settle(
            ctx,
            &backup_id,
            &self.store,
            self.request.schedule_id,
            result,
        )
        .await
    }
}

impl BackupSpec {
    /// A continuous schedule's base: the tables' streams are on before the scan starts (and
    /// before `started_at` is taken), so its captured changes cover every later instant.
    async fn streams_on_if_continuous(
        &self,
        catalog: &crate::catalog::Catalog,
        tables: &[String],
    ) -> Result<(), String> {
        let Some(schedule_id) = &self.request.schedule_id else {
            return Ok(());
        };
        let schedule = match catalog.get_schedule(schedule_id).await {
            Ok(schedule) => schedule,
            // A schedule deleted since the run was queued: nothing to capture for.
            Err(_) => return Ok(()),
        };
        if schedule.mode != crate::catalog::ScheduleMode::Continuous {
            return Ok(());
        }
        let hours = crate::capture::CaptureSettings::default().stream_expiration_hours;
        for table in tables {
            crate::capture::ensure_stream(&self.source.client, table, hours)
                .await
                .map_err(|e| {
                    format!("could not turn the stream of '{table}' on for continuous capture: {e}")
                })?;
        }
        Ok(())
    }
}

/// The engine keeps staged data on every failure; [`settle`] decides what to do with it.
pub(super) fn backup_io(
    ctx: &JobContext,
    source: &Source,
    store: &Arc<dyn BackupStore>,
) -> BackupIo {
    BackupIo {
        client: source.client.clone(),
        store: store.clone(),
        progress: ctx.progress.clone(),
        cancel: ctx.cancel.clone(),
        keep_staged_on_failure: true,
    }
}

/// Records the engine's result in the catalog; applies retention after a schedule's success.
pub(super) async fn settle(
    ctx: &JobContext,
    backup_id: &str,
    store: &Arc<dyn BackupStore>,
    schedule_id: Option<String>,
    result: Result<BackupOutcome, EngineError>,
) -> RunOutcome {
    let catalog = ctx.catalog();
    let outcome = match result {
        Ok(outcome) => outcome,
        Err(error) => return discard(ctx, backup_id, store, &error).await,
    };
    crash_point(AFTER_PUBLISH);
    let backup = match catalog
        .complete_backup(backup_id, &outcome.manifest, None)
        .await
    {
        Ok(backup) => backup,
        Err(e) => {
            return failed(format!(
                "backup {backup_id} was published but could not be catalogued ({e}); \
                 start-up reconciliation will record it"
            ))
        }
    };
    ctx.emit(&Event::BackupCompleted {
        schedule_id: schedule_id.clone(),
        schedule_name: ctx.info.labels.schedule_name.clone(),
        backup_id: backup_id.to_string(),
        finished_at: backup.finished_at.unwrap_or(outcome.manifest.finished_at),
        rows: backup.rows,
        bytes: backup.bytes,
    });
    if let Some(schedule_id) = schedule_id {
        let cause = Cause {
            trigger: ctx.info.trigger,
            after_run: &ctx.info.run_id,
        };
        if let Err(e) = retention::apply(&ctx.records, &ctx.resources, &schedule_id, &cause).await {
            tracing::warn!(%schedule_id, error = %e, "Retention after the backup failed.");
        }
    }
    RunOutcome::succeeded()
}

/// A failed or cancelled backup: delete its staged data and mark it failed, except when the
/// daemon is shutting down with `interrupted_backups = resume` (then it stays staged).
async fn discard(
    ctx: &JobContext,
    backup_id: &str,
    store: &Arc<dyn BackupStore>,
    error: &EngineError,
) -> RunOutcome {
    let keep = error.is_cancelled()
        && ctx.records.shutting_down()
        && ctx.options.interrupted_backups == InterruptedBackups::Resume;
    if keep {
        tracing::warn!(%backup_id, "Backup stopped by shutdown; staged data kept for a resume.");
        return RunOutcome::with(
            crate::catalog::RunStatus::Cancelled,
            "cancelled: the daemon is shutting down; the staged backup is resumed at the next start",
        );
    }
    let stopped = if error.is_cancelled() {
        "cancelled"
    } else {
        "failed"
    };
    if let EngineError::Store { source, .. } = error {
        if source.is_transient() {
            // The store is what failed: a delete now would only wait out another timeout
            // after the retry budget is spent. The staged sweep removes the data once the
            // store answers again (`staged_sweep`).
            tracing::warn!(
                %backup_id, %error,
                "Backup failed; the store is unavailable, so its staged data is deleted once it is back."
            );
            return fail_backup(ctx, backup_id, error).await;
        }
    }
    match discard_staged(store.as_ref(), backup_id).await {
        Ok(()) => {
            tracing::warn!(%backup_id, %error, "Backup {stopped}; staged data removed.")
        }
        Err(e) => tracing::error!(
            %backup_id, %error, delete_error = %e,
            "Backup {stopped}; its staged data could not be removed."
        ),
    }
    fail_backup(ctx, backup_id, error).await
}

/// Marks the backup failed with the engine's error; the run's outcome says the same.
async fn fail_backup(ctx: &JobContext, backup_id: &str, error: &EngineError) -> RunOutcome {
    if let Err(e) = ctx
        .catalog()
        .fail_backup(backup_id, &error.to_string())
        .await
    {
        tracing::warn!(%backup_id, error = %e, "Could not mark the backup failed.");
    }
    ctx.engine_failure(error)
}

impl JobContext {
    /// Every table of the source, unless the run is cancelled first.
    async fn cancellable_list(&self, source: &Source) -> Result<Vec<String>, EngineError> {
        tokio::select! {
            biased;
            _ = self.cancel.cancelled() => Err(EngineError::Cancelled),
            listed = source.client.list_tables() => {
                let mut tables = listed
                    .map_err(|e| EngineError::tablestore("listing the tables of the source", e))?;
                tables.sort(); // the same order every run, whatever the service returns
                // ListTable may list index tables: they are backed up with their table.
                let indexes = source
                    .client
                    .index_table_names(&tables)
                    .await
                    .map_err(|e| EngineError::tablestore("describing the tables of the source", e))?;
                tables.retain(|t| !indexes.contains(t));
                Ok(tables)
            }
        }
    }
}

fn failed(message: String) -> RunOutcome {
    RunOutcome::with(crate::catalog::RunStatus::Failed, message)
}

pub(crate) fn to_json(value: &impl serde::Serialize) -> serde_json::Value {
    serde_json::to_value(value).unwrap_or(serde_json::Value::Null)
}
