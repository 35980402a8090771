//! The last step of start-up recovery, once every reachable store is reconciled: each run a
//! dead process left unfinished is made to agree with what became of its backup, deletions it
//! started are finished, and the rest of its retention plan is carried out.
//!
//! - A backup run whose backup is published (its manifest listed by the store, so it is now
//!   `completed`) succeeded: the process died after the data was safe, between publishing and
//!   cataloguing it or during the retention that follows. Reporting it failed would be a
//!   false alert, and would count against the schedule's success metrics.
//! - A backup left `deleting` (retention or the API had decided to delete it) is deleted from
//!   its store now and marked `deleted`; the interrupted deletion run succeeded.
//! - The schedules of those runs get their retention applied again: the deletions the dead
//!   process had planned but not started happen now, not after the schedule's next backup.

use std::collections::{BTreeMap, HashSet};

use super::deletion::{self, DeletionError};
use super::recovery_report::{RecoveryReport, INTERRUPTED_REASON};
use super::RunError;
use super::{Event, RunExecutor};
use crate::catalog::{
    Backup, BackupFilter, BackupStatus, CatalogError, PageRequest, Run, RunKind, RunOutcome,
};

/// What recovery learnt from the stores it could list.
pub(super) struct StoreFindings {
    /// Stores listed successfully: only their backups are touched.
    pub reachable: HashSet<String>,
    /// Ids of the backups those stores hold published (with a manifest).
    pub published: HashSet<String>,
}

pub(super) async fn finish_interrupted_work(
    executor: &RunExecutor,
    interrupted: &[Run],
    found: &StoreFindings,
    report: &mut RecoveryReport,
) -> Result<(), RunError> {
    for backup in deleting_backups(executor).await? {
        if found.reachable.contains(&backup.store) && finish_deletion(executor, &backup).await? {
            report.finished_deletions.push(backup.id);
        }
    }
    // Schedule → the interrupted run its new retention pass follows.
    let mut retain: BTreeMap<String, String> = BTreeMap::new();
    for run in interrupted {
        let Some(backup_id) = &run.backup_id else {
            continue;
        };
        let settled = settle(executor, run, backup_id, found).await?;
        if settled {
            report.settled_runs.push(run.id.clone());
        }
        // A deletion run's plan is redone even if its own backup is not deleted yet: the
        // new pass deletes it, and the backups after it.
        if let Some(schedule_id) = &run.schedule_id {
            if settled || run.kind == RunKind::RetentionDelete {
                retain.insert(schedule_id.clone(), run.id.clone());
            }
        }
    }
    for (schedule_id, after_run) in retain {
        if let Err(e) = executor.reapply_retention(&schedule_id, &after_run).await {
            tracing::warn!(%schedule_id, error = %e, "Retention at start-up failed.");
        }
    }
    Ok(())
}

/// Marks `run` succeeded if its work is done (a backup run's backup is published, a
/// deletion run's backup is deleted); `true` if it did.
async fn settle(
    executor: &RunExecutor,
    run: &Run,
    backup_id: &str,
    found: &StoreFindings,
) -> Result<bool, RunError> {
    let catalog = executor.catalog();
    let backup = match catalog.get_backup(backup_id).await {
        Ok(backup) => backup,
        Err(CatalogError::NotFound { .. }) => return Ok(false),
        Err(e) => return Err(e.into()),
    };
    let done = match run.kind {
        RunKind::Backup => {
            backup.status == BackupStatus::Completed && found.published.contains(backup_id)
        }
        // Until the copy is catalogued the run names the original, which is no sign of a
        // finished copy.
        RunKind::Copy => {
            backup.copy_of.is_some()
                && backup.status == BackupStatus::Completed
                && found.published.contains(backup_id)
        }
        RunKind::RetentionDelete => backup.status == BackupStatus::Deleted,
        RunKind::Restore | RunKind::Verify => false,
    };
    if !done {
        return Ok(false);
    }
    catalog
        .settle_interrupted_run(&run.id, INTERRUPTED_REASON, RunOutcome::succeeded())
        .await?;
    tracing::info!(
        run_id = %run.id, kind = %run.kind, %backup_id,
        "An interrupted run had finished its work; recorded as succeeded."
    );
    if run.kind == RunKind::Backup {
        // The success the dead process never reported (the last-success metrics).
        executor.emit(&Event::BackupCompleted {
            schedule_id: backup.schedule_id.clone(),
            schedule_name: schedule_name(executor, backup.schedule_id.as_deref()).await,
            backup_id: backup.id.clone(),
            finished_at: backup.finished_at.unwrap_or(backup.updated_at),
            rows: backup.rows,
            bytes: backup.bytes,
        });
    }
    Ok(true)
}

/// Every backup the catalog has as `deleting`.
async fn deleting_backups(executor: &RunExecutor) -> Result<Vec<Backup>, RunError> {
    const PAGE: u32 = 100;
    let filter = BackupFilter {
        statuses: vec![BackupStatus::Deleting],
        ..BackupFilter::default()
    };
    let mut backups = Vec::new();
    let mut page = PageRequest::first(PAGE);
    loop {
        let listed = executor.catalog().list_backups(&filter, &page).await?;
        backups.extend(listed.items);
        match listed.next_page_token {
            Some(token) => page = PageRequest::next(PAGE, token),
            None => return Ok(backups),
        }
    }
}

/// Deletes a `deleting` backup's data and marks it `deleted`; `false` if the store refused
/// (it stays `deleting`, and the next start tries again).
async fn finish_deletion(executor: &RunExecutor, backup: &Backup) -> Result<bool, RunError> {
    match deletion::finish_deletion(executor.catalog(), executor.resources(), backup).await {
        Ok(()) => {}
        Err(DeletionError::Store { source: e, .. }) => {
            tracing::error!(backup_id = %backup.id, error = %e, "Could not finish deleting a backup.");
            return Ok(false);
        }
        Err(DeletionError::Run(e)) => return Err(e),
        Err(DeletionError::Catalog(e)) => return Err(e.into()),
    }
    tracing::info!(backup_id = %backup.id, "Finished the deletion of a backup interrupted by a crash.");
    executor.emit(&Event::BackupDeleted {
        schedule_id: backup.schedule_id.clone(),
        schedule_name: schedule_name(executor, backup.schedule_id.as_deref()).await,
        store: backup.store.clone(),
        backup_id: backup.id.clone(),
    });
    Ok(true)
}

/// The name of a schedule, for metrics labels; `None` without one (or if it is gone).
async fn schedule_name(executor: &RunExecutor, schedule_id: Option<&str>) -> Option<String> {
    let id = schedule_id?;
    executor
        .catalog()
        .get_schedule(id)
        .await
        .ok()
        .map(|s| s.name)
}
