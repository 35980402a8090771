//! Start-up recovery, before anything fires:
//! 1. runs left `queued`/`running` by a dead process become `failed` with the reason (a stuck
//!    `running` row would otherwise block its schedule forever: Velero #4503, #2877);
//! 2. every store is listed, and only after a *successful* listing the catalog is reconciled
//!    with it (a failed listing must not read as "every backup is gone");
//! 3. backups left staged (in the catalog and in the store) are resumed or cleaned, per
//!    [`InterruptedBackups`]; staged data of backups already `failed` is deleted;
//! 4. the interrupted runs are settled against what became of their backups, deletions left
//!    half done are finished, and the retention they were part of is applied again
//!    ([`super::interrupted_work`]).
//!
//! Staged data the catalog does not know is reported, not deleted: it may belong to a
//! `tablevault backup` command running against the same store right now.

use std::collections::HashSet;

use super::deletion::{delete_abandoned_staged, discard_staged};
use super::interrupted_work::{finish_interrupted_work, StoreFindings};
use super::recovery_report::{RecoveryReport, INTERRUPTED_REASON};
use super::RunError;
use super::RunExecutor;
use crate::config::InterruptedBackups;
use crate::store::{BackupStore, StoreError};

pub async fn recover(executor: &RunExecutor) -> Result<RecoveryReport, RunError> {
    let catalog = executor.catalog();
    let mut report = RecoveryReport::default();
    let interrupted = catalog.mark_interrupted_runs(INTERRUPTED_REASON).await?;
    report.interrupted_runs = interrupted.iter().map(|r| r.id.clone()).collect();
    let mut found = StoreFindings {
        reachable: HashSet::new(),
        published: HashSet::new(),
    };

    let stores: Vec<(String, std::sync::Arc<dyn BackupStore>)> = executor
        .resources()
        .stores()
        .map(|(name, store)| (name.to_string(), store.clone()))
        .collect();
    for (name, store) in stores {
        let listing = async { Ok::<_, StoreError>((store.list().await?, store.staged().await?)) };
        let (published, staged) = match listing.await {
            Ok(listing) => listing,
            Err(e) => {
                tracing::warn!(store = %name, error = %e, "Store not reconciled: listing failed.");
                report.unreachable_stores.push((name, e.to_string()));
                continue;
            }
        };
        let reconciled = catalog.reconcile(&name, &published, &staged).await?;
        found.reachable.insert(name.clone());
        found
            .published
            .extend(published.iter().map(|m| m.backup_id.clone()));
        for backup_id in &reconciled.resumable {
            if executor.options().interrupted_backups == InterruptedBackups::Resume {
                match executor.submit_resume(backup_id).await {
                    Ok(run) => {
                        report.resume_runs.push(run.id);
                        continue;
                    }
                    Err(e) => {
                        tracing::warn!(%backup_id, error = %e, "Cannot resume; cleaning instead.")
                    }
                }
            }
            if clean(executor, store.as_ref(), backup_id).await? {
                report.cleaned.push(backup_id.clone());
            }
        }
        for backup_id in &reconciled.abandoned_staged {
            if delete_abandoned_staged(store.as_ref(), backup_id).await {
                report.abandoned_staged_deleted.push(backup_id.clone());
            }
        }
        if !reconciled.leftover_staged.is_empty() {
            tracing::warn!(
                store = %name,
                backups = ?reconciled.leftover_staged,
                "Staged data of backups the catalog does not know; left in place."
            );
        }
        report.reconciled.insert(name, reconciled);
    }
    finish_interrupted_work(executor, &interrupted, &found, &mut report).await?;
    Ok(report)
}

/// Deletes a staged backup's data and marks it failed; `false` if the store refused (the
/// backup stays staged and the next start tries again).
async fn clean(
    executor: &RunExecutor,
    store: &dyn BackupStore,
    backup_id: &str,
) -> Result<bool, RunError> {
    if let Err(e) = discard_staged(store, backup_id).await {
        tracing::error!(%backup_id, error = %e, "Could not delete interrupted staged data.");
        return Ok(false);
    }
    executor
        .catalog()
        .fail_backup(
            backup_id,
            "interrupted; its staged data was deleted at start-up",
        )
        .await?;
    tracing::info!(%backup_id, "Deleted the staged data of an interrupted backup.");
    Ok(true)
}
