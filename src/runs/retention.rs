//! Retention: after each successful backup of a schedule, evaluate its policy (restic `forget`
//! semantics, [`crate::retention`]) over the schedule's catalogued backups and delete what the
//! plan removes. Every deletion is a run of kind `retention_delete`, so it is visible, timed
//! and, when it fails, explained (Velero's `DeleteBackupRequest` lesson). The evaluator itself
//! guarantees the newest completed backup is never removed and failed or unfinished backups
//! never count as keepers. For a continuous schedule the pass then prunes the changes only
//! deleted bases could replay (`change_pruning`): retention applies to whole chains.
//!
//! Copies (issue 13) are retained per store: a schedule's copies in a `copy_to` store by that
//! target's policy, after each copy ([`apply_to_copies`]).
//!
//! Deletions run inside the backup's slot of the global limit (taking a second slot could
//! deadlock with a limit of 1) and claim the backup exclusively, so a restore or verification
//! reading it makes the deletion `skipped` until the next evaluation.

use std::time::Instant;

use tracing::Instrument;

use super::change_pruning::prune_changes;
use super::claims::Claim;
use super::deletion::{delete_backup, DeletionError};
use super::events::{Event, RunLabels};
use super::records::{run_info, RunRecords};
use super::{Resources, RunError};
use crate::catalog::{
    Catalog, CatalogError, NewRun, RunKind, RunOutcome, RunStatus, RunTrigger, Schedule,
};
use crate::retention::{evaluate, RetentionPlan, RetentionPolicy};

/// What set off a retention pass: recorded with each deletion run.
pub(crate) struct Cause<'a> {
    pub trigger: RunTrigger,
    /// The run the deletions follow (the backup run, or the interrupted one at start-up).
    pub after_run: &'a str,
}

/// What retention would keep and remove for the schedule now (nothing is deleted).
pub(crate) async fn plan(
    catalog: &Catalog,
    schedule: &Schedule,
) -> Result<RetentionPlan, CatalogError> {
    let candidates = catalog.retention_candidates(&schedule.id).await?;
    Ok(evaluate(
        &schedule.retention,
        schedule.timezone,
        catalog.now(),
        &candidates,
    ))
}

/// Applies the schedule's policy: stores why each kept backup is kept, deletes the rest.
pub(crate) async fn apply(
    records: &RunRecords,
    resources: &Resources,
    schedule_id: &str,
    cause: &Cause<'_>,
) -> Result<(), RunError> {
    let catalog = records.catalog();
    let schedule = match catalog.get_schedule(schedule_id).await {
        Ok(schedule) => schedule,
        // Deleted while its backup ran: its backups are kept (deleting a schedule never
        // deletes data).
        Err(CatalogError::NotFound { .. }) => return Ok(()),
        Err(e) => return Err(e.into()),
    };
    let plan = plan(catalog, &schedule).await?;
    carry_out(
        records,
        resources,
        cause,
        &schedule,
        &schedule.retention,
        plan,
    )
    .await
}

/// Applies retention to the schedule's copies in `store`, with the policy of the schedule's
/// `copy_to` target for that store (the schedule's own when it names none). Copies in a store
/// the schedule does not copy to (made by hand) are left alone.
pub(crate) async fn apply_to_copies(
    records: &RunRecords,
    resources: &Resources,
    schedule_id: &str,
    store: &str,
    cause: &Cause<'_>,
) -> Result<(), RunError> {
    let catalog = records.catalog();
    let schedule = match catalog.get_schedule(schedule_id).await {
        Ok(schedule) => schedule,
        Err(CatalogError::NotFound { .. }) => return Ok(()),
        Err(e) => return Err(e.into()),
    };
    let Some(target) = schedule.copy_to.iter().find(|t| t.store == store) else {
        return Ok(());
    };
    let policy = target.policy(&schedule.retention).clone();
    let candidates = catalog
        .copy_retention_candidates(&schedule.id, store)
        .await?;
    let plan = evaluate(&policy, schedule.timezone, catalog.now(), &candidates);
    carry_out(records, resources, cause, &schedule, &policy, plan).await
}

/// Stores why each kept backup is kept and deletes the rest, one run per deletion.
async fn carry_out(
    records: &RunRecords,
    resources: &Resources,
    cause: &Cause<'_>,
    schedule: &Schedule,
    policy: &RetentionPolicy,
    plan: RetentionPlan,
) -> Result<(), RunError> {
    let catalog = records.catalog();
    for kept in &plan.keep {
        catalog
            .set_retention_reasons(&kept.id, Some(&kept.reasons))
            .await?;
    }
    if !plan.remove.is_empty() {
        tracing::info!(
            schedule = %schedule.name,
            remove = ?plan.removed_ids(),
            "Retention removes backups."
        );
    }
    for removed in &plan.remove {
        delete_as_run(records, resources, cause, schedule, policy, &removed.id).await;
    }
    // The changes only the deleted bases could replay go with them; a failure only delays
    // that to the next pass (they are never needed, merely kept).
    if let Err(e) = prune_changes(catalog, resources, schedule).await {
        tracing::warn!(schedule = %schedule.name, error = %e, "Could not prune captured changes.");
    }
    Ok(())
}

/// One deletion, recorded as a `retention_delete` run (or `skipped` if the backup is in use).
async fn delete_as_run(
    records: &RunRecords,
    resources: &Resources,
    cause: &Cause<'_>,
    schedule: &Schedule,
    policy: &RetentionPolicy,
    backup_id: &str,
) {
    let new = NewRun::new(RunKind::RetentionDelete, cause.trigger)
        .schedule(schedule.id.clone())
        .backup(backup_id)
        .request(serde_json::json!({
            "retention": policy,
            "after_run": cause.after_run,
        }));
    let store = records
        .catalog()
        .get_backup(backup_id)
        .await
        .map(|b| b.store)
        .ok();
    let labels = RunLabels {
        schedule_name: Some(schedule.name.clone()),
        source: None,
        store,
    };
    let claims = vec![Claim::DeleteBackup(backup_id.to_string())];
    let slot = match records.reserve(RunKind::RetentionDelete, claims) {
        Ok((slot, _cancel)) => slot,
        Err(reason) => {
            if let Err(e) = records.record_skipped(new, labels, &reason).await {
                tracing::error!(%backup_id, error = %e, "Could not record a skipped deletion.");
            }
            return;
        }
    };
    let run = match records.record(slot, new).await {
        Ok(run) => run,
        Err(e) => {
            tracing::error!(%backup_id, error = %e, "Could not record a deletion run.");
            return;
        }
    };
    let info = run_info(&run, labels);
    let span = info.span(Some(backup_id));
    async {
        records.emit(&Event::RunQueued(info.clone()));
        let started = Instant::now();
        let outcome = match records.catalog().start_run(&run.id).await {
            Ok(_) => {
                records.started(slot, &info);
                delete(records, resources, schedule, backup_id).await
            }
            Err(e) => RunOutcome::with(RunStatus::Failed, format!("could not start: {e}")),
        };
        records.finish(&info, outcome, started.elapsed()).await;
        records.release(slot);
    }
    .instrument(span)
    .await;
}

/// Deletes the backup ([`super::deletion::delete_backup`]): a crash midway leaves a visible
/// `deleting` backup that start-up recovery finishes (`interrupted_work`).
async fn delete(
    records: &RunRecords,
    resources: &Resources,
    schedule: &Schedule,
    backup_id: &str,
) -> RunOutcome {
    let fail = |message: String| RunOutcome::with(RunStatus::Failed, message);
    let backup = match records.catalog().get_backup(backup_id).await {
        Ok(backup) => backup,
        Err(e) => return fail(e.to_string()),
    };
    match delete_backup(records.catalog(), resources, &backup).await {
        Ok(()) => {}
        Err(e @ DeletionError::Store { .. }) => {
            return fail(format!("{e} (the backup stays `deleting`)"))
        }
        Err(e) => return fail(e.to_string()),
    }
    records.emit(&Event::BackupDeleted {
        schedule_id: Some(schedule.id.clone()),
        schedule_name: Some(schedule.name.clone()),
        store: backup.store.clone(),
        backup_id: backup_id.to_string(),
    });
    RunOutcome::succeeded()
}
