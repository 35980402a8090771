//! Copy runs: a completed backup copied into a second store (`POST /backups/{id}/copy`, and
//! the follow-up of a schedule's backup for each of its `copy_to` stores). The copy is a new
//! backup in the catalog, with `copy_of` naming the original and the original's schedule (so
//! it is listed, counted and retained with that schedule, per store); its catalog entry
//! follows the target store like a backup's: `staged`, then `completed` or `failed`.

use std::sync::Arc;

use chrono::Utc;

use super::backup::to_json;
use super::claims::Claim;
use super::deletion::discard_staged;
use super::events::RunLabels;
use super::executor::RunExecutor;
use super::job_context::{JobContext, Submission};
use super::resources::Resources;
use super::restore::run_controls;
use super::retention::{self, Cause};
use super::{CopyRequest, RunError};
use crate::catalog::{
    Backup, BackupStatus, Catalog, NewBackup, NewRun, RunKind, RunOutcome, RunStatus,
};
use crate::engine::{new_backup_id, run_copy, CopyJob, EngineError};
use crate::store::BackupStore;

pub(crate) struct CopySpec {
    request: CopyRequest,
    original: Backup,
    from: Arc<dyn BackupStore>,
    to: Arc<dyn BackupStore>,
}

/// A copy of a completed backup into another configured store. Refused before anything is
/// recorded when the backup is not completed, the store is unknown or is the backup's own.
pub(crate) async fn prepare(
    catalog: &Catalog,
    resources: &Resources,
    request: CopyRequest,
) -> Result<Submission<CopySpec>, RunError> {
    let original = catalog.get_backup(&request.backup_id).await?;
    if original.status != BackupStatus::Completed {
        return Err(RunError::Invalid(format!(
            "backup {} is {}; only completed backups can be copied",
            original.id, original.status
        )));
    }
    let to = resources.store(&request.store)?;
    if request.store == original.store {
        return Err(RunError::Invalid(format!(
            "backup {} is already in store {}; copy it to another store",
            original.id, original.store
        )));
    }
    let from = resources.store(&original.store)?;
    let mut new = NewRun::new(RunKind::Copy, request.trigger)
        .backup(original.id.clone())
        .request(to_json(&request));
    if let Some(schedule_id) = &original.schedule_id {
        new = new.schedule(schedule_id.clone());
    }
    let labels = RunLabels {
        schedule_name: request.schedule_name.clone(),
        source: Some(original.source.clone()),
        store: Some(request.store.clone()),
    };
    let claims = vec![Claim::ReadBackup(original.id.clone())];
    let spec = CopySpec {
        request,
        original,
        from,
        to,
    };
    Ok(Submission {
        new,
        labels,
        claims,
        spec,
    })
}

impl CopySpec {
    pub async fn run(self, ctx: &JobContext) -> RunOutcome {
        let catalog = ctx.catalog();
        let reader = match self.from.open(&self.original.id).await {
            Ok(reader) => reader,
            Err(e) => {
                return failed(format!(
                    "opening backup {} in store {}: {e}",
                    self.original.id, self.original.store
                ))
            }
        };
        let copy_id = new_backup_id();
        tracing::Span::current().record("backup_id", copy_id.as_str());
        let new = NewBackup {
            id: copy_id.clone(),
            schedule_id: self.original.schedule_id.clone(),
            source: self.original.source.clone(),
            store: self.request.store.clone(),
            started_at: Utc::now(),
        };
        if let Err(e) = catalog.create_backup_copy(new, &self.original.id).await {
            return failed(format!("could not record copy {copy_id}: {e}"));
        }
        // The run names the backup it writes, like a backup run: a deletion of the copy is
        // refused while it is written (the original is protected by the read claim).
        if let Err(e) = catalog.set_run_backup(&ctx.info.run_id, &copy_id).await {
            tracing::warn!(%copy_id, error = %e, "Could not link the copy to its run.");
        }
        let job = CopyJob {
            reader,
            target: self.to.clone(),
            copy_id: copy_id.clone(),
        };
        let manifest = match run_copy(job, &run_controls(ctx)).await {
            Ok(manifest) => manifest,
            Err(error) => return self.fail(ctx, &copy_id, &error).await,
        };
        if let Err(e) = catalog.complete_backup(&copy_id, &manifest, None).await {
            return failed(format!(
                "copy {copy_id} was published but could not be catalogued ({e}); \
                 start-up reconciliation will record it"
            ));
        }
        let report = serde_json::json!({
            "copy_of": self.original.id,
            "copy_id": copy_id,
            "from_store": self.original.store,
            "to_store": self.request.store,
            "tables": manifest.tables.len(),
            "rows": manifest.total_rows(),
            "bytes": manifest.total_bytes(),
        });
        if let Some(schedule_id) = &self.original.schedule_id {
            let cause = Cause {
                trigger: ctx.info.trigger,
                after_run: &ctx.info.run_id,
            };
            let store = &self.request.store;
            if let Err(e) =
                retention::apply_to_copies(&ctx.records, &ctx.resources, schedule_id, store, &cause)
                    .await
            {
                tracing::warn!(%schedule_id, %store, error = %e, "Retention of the copies failed.");
            }
        }
        RunOutcome::succeeded().with_report(report)
    }

    /// The engine aborted the staged copy; when the target refused even that (it is down),
    /// the staged data is removed again here, or left for the staged sweep once the copy is
    /// `failed`.
    async fn fail(&self, ctx: &JobContext, copy_id: &str, error: &EngineError) -> RunOutcome {
        if let Ok(staged) = self.to.staged().await {
            if staged.iter().any(|id| id == copy_id) {
                if let Err(e) = discard_staged(self.to.as_ref(), copy_id).await {
                    tracing::warn!(%copy_id, error = %e, "Staged copy left for the staged sweep.");
                }
            }
        }
        if let Err(e) = ctx.catalog().fail_backup(copy_id, &error.to_string()).await {
            tracing::warn!(%copy_id, error = %e, "Could not mark the copy failed.");
        }
        ctx.engine_failure(error)
    }
}

fn failed(message: String) -> RunOutcome {
    RunOutcome::with(RunStatus::Failed, message)
}

/// The copies that follow a schedule's backup run: none unless it succeeded, then one copy
/// run per `copy_to` store of the schedule (each with the backup's trigger).
pub(super) async fn submit_copies_after(executor: &RunExecutor, run_id: &str) {
    let catalog = executor.catalog();
    let run = match catalog.get_run(run_id).await {
        Ok(run) => run,
        Err(e) => {
            tracing::warn!(%run_id, error = %e, "Could not read the backup run to copy its backup.");
            return;
        }
    };
    let (RunStatus::Succeeded, Some(backup_id), Some(schedule_id)) =
        (run.status, &run.backup_id, &run.schedule_id)
    else {
        return;
    };
    let Ok(schedule) = catalog.get_schedule(schedule_id).await else {
        return; // deleted meanwhile: nothing says where to copy
    };
    for target in &schedule.copy_to {
        let request = CopyRequest {
            backup_id: backup_id.clone(),
            store: target.store.clone(),
            trigger: run.trigger,
            schedule_name: Some(schedule.name.clone()),
        };
        if let Err(e) = executor.submit_copy(request).await {
            tracing::warn!(%backup_id, store = %target.store, error = %e, "Could not start the copy of a scheduled backup.");
        }
    }
}
