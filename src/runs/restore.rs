//! Restore and verify runs. Both read a completed backup, chosen by id or as the newest
//! completed backup of a schedule; a restore also claims the target tables it writes.
//! A point-in-time restore reads the base [`crate::capture::pitr::plan`] picks, with its
//! captured changes replayed up to the instant ([`PointInTimeReader`]).

use std::sync::Arc;

use chrono::{DateTime, Utc};

use super::backup::to_json;
use super::claims::Claim;
use super::events::{Event, RunLabels};
use super::job_context::{JobContext, Submission};
use super::resources::{Resources, Source};
use super::{BackupRef, RestoreRequest, RunError, VerifyRequest};
use crate::capture::pitr::{self, BaseBackup, PitrError};
use crate::capture::pitr_reader::{PointInTimeReader, TableChanges};
use crate::catalog::{
    Backup, BackupFilter, BackupStatus, Catalog, NewRun, PageRequest, RunKind, RunOutcome,
    RunStatus, RunTrigger, VerifyResult,
};
use crate::engine::{run_restore, run_verify, EngineError, RestoreJob, RunControls, VerifyJob};
use crate::store::{BackupReader, BackupStore};

pub(crate) struct RestoreSpec {
    request: RestoreRequest,
    backup_id: String,
    store: Arc<dyn BackupStore>,
    target: Source,
    /// Point in time: each table's change store, and the instant (µs) to replay up to.
    replay: Option<(TableChanges, i64)>,
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
    let (backup, replay) = match request.point_in_time {
        None => (resolve(catalog, &request.backup).await?, None),
        Some(at) => {
            let (backup, changes, until_us) =
                resolve_point_in_time(catalog, resources, &request, at).await?;
            (backup, Some((changes, until_us)))
        }
    };
    let target = resources.source(&request.target_source)?.clone();
    let store = resources.store(&backup.store)?;
    let selected = selected_tables(&request, &backup);
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
        replay,
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

fn selected_tables(request: &RestoreRequest, backup: &Backup) -> Vec<String> {
    if request.tables.is_empty() {
        backup.tables.iter().map(|t| t.name.clone()).collect()
    } else {
        request.tables.clone()
    }
}

/// The base backup for a point-in-time restore, each selected table's change store, and the
/// instant (µs) to replay to; an instant that cannot be restored is `Invalid` naming why.
async fn resolve_point_in_time(
    catalog: &Catalog,
    resources: &Resources,
    request: &RestoreRequest,
    at: DateTime<Utc>,
) -> Result<(Backup, TableChanges, i64), RunError> {
    let candidates = match &request.backup {
        BackupRef::LatestOfSchedule(schedule_id) => {
            catalog.get_schedule(schedule_id).await?;
            completed_backups(catalog, schedule_id).await?
        }
        BackupRef::BackupId(id) => {
            let backup = resolve(catalog, &request.backup).await?;
            if backup.schedule_id.is_none() {
                return Err(RunError::Invalid(format!(
                    "backup {id} belongs to no schedule, so no changes were captured for it"
                )));
            }
            vec![backup]
        }
    };
    let Some(newest) = candidates.first() else {
        return Err(RunError::Invalid(
            "nothing is restorable yet: the schedule has no completed base backup".into(),
        ));
    };
    let schedule_id = newest.schedule_id.clone().unwrap_or_default();
    let bases: Vec<BaseBackup> = candidates
        .iter()
        .map(|b| BaseBackup {
            id: b.id.clone(),
            started_at: b.started_at,
            finished_at: b.finished_at.unwrap_or(b.updated_at),
        })
        .collect();
    // Plan for the tables asked (or the newest base's), then again for the chosen base's.
    let mut tables = selected_tables(request, newest);
    loop {
        let mut stores = Vec::new();
        for table in &tables {
            let store = resources
                .change_store(&newest.store, &schedule_id, table)
                .await?;
            stores.push((table.clone(), store));
        }
        let plan = pitr::plan(&bases, &stores, at).await.map_err(|e| match e {
            PitrError::NotRestorable(message) => RunError::Invalid(message),
            other => RunError::Invalid(format!("the captured changes cannot be read: {other}")),
        })?;
        let base = candidates
            .iter()
            .find(|b| b.id == plan.base.id)
            .cloned()
            .expect("the plan picks one of the candidates");
        let base_tables = selected_tables(request, &base);
        if base_tables == tables {
            return Ok((base, stores.into_iter().collect(), plan.until_us));
        }
        tables = base_tables;
    }
}

/// Every completed backup of the schedule, newest first.
async fn completed_backups(catalog: &Catalog, schedule_id: &str) -> Result<Vec<Backup>, RunError> {
    let filter = BackupFilter {
        schedule_id: Some(schedule_id.to_string()),
        statuses: vec![BackupStatus::Completed],
        ..BackupFilter::default()
    };
    let mut page = PageRequest::first(crate::catalog::MAX_PAGE_SIZE);
    let mut all = Vec::new();
    loop {
        let got = catalog.list_backups(&filter, &page).await?;
        all.extend(got.items);
        match got.next_page_token {
            Some(token) => page = PageRequest::next(crate::catalog::MAX_PAGE_SIZE, token),
            None => return Ok(all),
        }
    }
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
        let reader: Arc<dyn BackupReader> = match self.replay {
            Some((changes, until_us)) => {
                match PointInTimeReader::open(reader, changes, until_us).await {
                    Ok(at) => Arc::new(at),
                    Err(e) => return RunOutcome::with(RunStatus::Failed, e.to_string()),
                }
            }
            None => reader,
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
