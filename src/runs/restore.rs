//! Restore and verify runs. Both read a completed backup, chosen by id or as the newest
//! completed backup of a schedule; a restore also claims the target tables it writes.

use std::sync::Arc;

use super::backup::to_json;
use super::claims::Claim;
use super::events::{Event, RunLabels};
use super::job_context::{JobContext, Submission};
use super::resources::{Resources, Source};
use super::{BackupRef, RestoreRequest, RunError, VerifyRequest};
use crate::catalog::{
    Backup, BackupFilter, BackupStatus, Catalog, NewRun, PageRequest, RunKind, RunOutcome,
    RunStatus, RunTrigger, VerifyResult,
};
use crate::engine::{run_restore, run_verify, EngineError, RestoreJob, RunControls, VerifyJob};
use crate::store::BackupStore;

pub(crate) struct RestoreSpec {
    request: RestoreRequest,
    backup_id: String,
    store: Arc<dyn BackupStore>,
    target: Source,
}

pub(crate) struct VerifySpec {
    request: VerifyRequest,
    backup_id: String,
    store: Arc<dyn BackupStore>,
    source: Option<Source>,
}

/// A restore into `target_source` (recorded `skipped` at submit if a target table is in use
/// or the backup is being deleted).
pub(crate) async fn prepare_restore(
    catalog: &Catalog,
    resources: &Resources,
    request: RestoreRequest,
) -> Result<Submission<RestoreSpec>, RunError> {
    let backup = resolve(catalog, &request.backup).await?;
    let target = resources.source(&request.target_source)?.clone();
    let store = resources.store(&backup.store)?;
    let selected: Vec<String> = if request.tables.is_empty() {
        backup.tables.iter().map(|t| t.name.clone()).collect()
    } else {
        request.tables.clone()
    };
    let written: Vec<String> = selected
        .iter()
        .map(|t| request.renames.get(t).cloned().unwrap_or_else(|| t.clone()))
        .collect();
    // A dry run writes nothing: it only reads the targets, alongside other readers.
    let targets = if request.dry_run {
        Claim::inspected_tables(&request.target_source, &written)
    } else {
        Claim::tables(&request.target_source, &written)
    };
    let claims = vec![Claim::ReadBackup(backup.id.clone()), targets];
    let new = NewRun::new(RunKind::Restore, RunTrigger::Manual)
        .backup(backup.id.clone())
        .request(to_json(&request));
    let labels = RunLabels {
        schedule_name: None,
        source: Some(request.target_source.clone()),
        store: Some(backup.store.clone()),
    };
    let spec = RestoreSpec {
        request,
        backup_id: backup.id,
        store,
        target,
    };
    Ok(Submission {
        new,
        labels,
        claims,
        spec,
    })
}

/// A verification; its verdict is stored on the backup.
pub(crate) async fn prepare_verify(
    catalog: &Catalog,
    resources: &Resources,
    request: VerifyRequest,
) -> Result<Submission<VerifySpec>, RunError> {
    let backup = resolve(catalog, &request.backup).await?;
    let store = resources.store(&backup.store)?;
    let source = if request.compare_with_source {
        Some(resources.source(&backup.source)?.clone())
    } else {
        None
    };
    let new = NewRun::new(RunKind::Verify, RunTrigger::Manual)
        .backup(backup.id.clone())
        .request(to_json(&request));
    let claims = vec![Claim::ReadBackup(backup.id.clone())];
    let labels = RunLabels {
        schedule_name: None,
        source: source.as_ref().map(|s| s.info.name.clone()),
        store: Some(backup.store.clone()),
    };
    let spec = VerifySpec {
        request,
        backup_id: backup.id,
        store,
        source,
    };
    Ok(Submission {
        new,
        labels,
        claims,
        spec,
    })
}

/// The completed backup a request refers to.
async fn resolve(catalog: &Catalog, reference: &BackupRef) -> Result<Backup, RunError> {
    let backup = match reference {
        BackupRef::BackupId(id) => catalog.get_backup(id).await?,
        BackupRef::LatestOfSchedule(schedule_id) => {
            catalog.get_schedule(schedule_id).await?;
            let filter = BackupFilter {
                schedule_id: Some(schedule_id.clone()),
                statuses: vec![BackupStatus::Completed],
                ..BackupFilter::default()
            };
            let page = catalog
                .list_backups(&filter, &PageRequest::first(1))
                .await?;
            page.items.into_iter().next().ok_or_else(|| {
                RunError::Invalid(format!("schedule {schedule_id} has no completed backup"))
            })?
        }
    };
    if backup.status != BackupStatus::Completed {
        return Err(RunError::Invalid(format!(
            "backup {} is {}; only completed backups can be read",
            backup.id, backup.status
        )));
    }
    Ok(backup)
}

pub(super) fn run_controls(ctx: &JobContext) -> RunControls {
    RunControls {
        engine: ctx.options.engine.clone(),
        progress: ctx.progress.clone(),
        cancel: ctx.cancel.clone(),
    }
}

impl RestoreSpec {
    pub async fn run(self, ctx: &JobContext) -> RunOutcome {
        let reader = match self.store.open(&self.backup_id).await {
            Ok(reader) => reader,
            Err(e) => return RunOutcome::with(RunStatus::Failed, e.to_string()),
        };
        let job = RestoreJob {
            reader,
            client: self.target.client.clone(),
            tables: self.request.tables,
            renames: self.request.renames,
            if_exists: self.request.if_exists,
            dry_run: self.request.dry_run,
            settings: self.request.settings,
        };
        match run_restore(job, &run_controls(ctx)).await {
            Ok(report) => RunOutcome::succeeded().with_report(to_json(&report)),
            // Runs are requested through the API: name its field, not the CLI's flag.
            Err(EngineError::TargetNotEmpty { table }) => RunOutcome::with(
                RunStatus::Failed,
                format!("target table {table} is not empty (set if_exists to skip or overwrite)"),
            ),
            Err(e) => ctx.engine_failure(&e),
        }
    }
}

impl VerifySpec {
    pub async fn run(self, ctx: &JobContext) -> RunOutcome {
        let id = self.backup_id.as_str();
        let reader = match self.store.open(id).await {
            Ok(reader) => reader,
            Err(e) => return self.verdict(ctx, Err(e.to_string())).await,
        };
        let job = VerifyJob {
            reader,
            source: self.source.as_ref().map(|s| s.client.clone()),
            tables: self.request.tables.clone(),
        };
        match run_verify(job, &run_controls(ctx)).await {
            Ok(report) if report.ok => self.verdict(ctx, Ok(())).await,
            Ok(report) => self.verdict(ctx, Err(report.problems().join("; "))).await,
            Err(e) if e.is_cancelled() => ctx.engine_failure(&e),
            Err(e) => self.verdict(ctx, Err(e.to_string())).await,
        }
    }

    /// Stores the verdict on the backup and turns it into the run's outcome: a verification
    /// that finds problems is a failed run (it is what alerts should fire on).
    async fn verdict(&self, ctx: &JobContext, verdict: Result<(), String>) -> RunOutcome {
        let (result, message) = match &verdict {
            Ok(()) => (VerifyResult::Passed, None),
            Err(problems) => (VerifyResult::Failed, Some(problems.as_str())),
        };
        let catalog = ctx.catalog();
        if let Err(e) = catalog
            .record_backup_verification(&self.backup_id, result, message)
            .await
        {
            tracing::warn!(backup_id = %self.backup_id, error = %e, "Could not store the verdict.");
        }
        ctx.emit(&Event::BackupVerified {
            backup_id: self.backup_id.clone(),
            passed: verdict.is_ok(),
        });
        match verdict {
            Ok(()) => RunOutcome::succeeded(),
            Err(problems) => RunOutcome::with(
                RunStatus::Failed,
                format!("verification failed: {problems}"),
            ),
        }
    }
}
