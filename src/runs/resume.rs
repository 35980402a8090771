//! Resuming a staged backup a dead process left (start-up recovery with
//! [`crate::config::InterruptedBackups::Resume`]): a run that continues it from its checkpoints.
//!
//! The run claims exactly the tables of the backup's plan, read from the staged data: a
//! resume reads those and nothing else, so claiming the whole source would make every other
//! backup or restore of that source `skipped` while it runs.

use std::sync::Arc;

use super::backup::{backup_io, settle};
use super::claims::Claim;
use super::events::RunLabels;
use super::job_context::{JobContext, Submission};
use super::resources::{Resources, Source};
use super::RunError;
use crate::catalog::{BackupStatus, Catalog, NewRun, RunKind, RunOutcome, RunTrigger};
use crate::engine::{resume_backup, BackupPlan};
use crate::store::BackupStore;

pub(crate) struct ResumeSpec {
    backup_id: String,
    schedule_id: Option<String>,
    source: Source,
    store: Arc<dyn BackupStore>,
}

/// A run that continues a `staged` backup from its checkpoints. Recorded with trigger
/// `catch_up` and the request `{"resume": ID, "tables": [...]}`.
pub(crate) async fn prepare(
    catalog: &Catalog,
    resources: &Resources,
    backup_id: &str,
) -> Result<Submission<ResumeSpec>, RunError> {
    let backup = catalog.get_backup(backup_id).await?;
    if backup.status != BackupStatus::Staged {
        return Err(RunError::Invalid(format!(
            "backup {backup_id} is {}; only a staged backup can be resumed",
            backup.status
        )));
    }
    if backup.copy_of.is_some() {
        // A copy has no scan plan to continue from: it is cleaned and copied again.
        return Err(RunError::Invalid(format!(
            "backup {backup_id} is an interrupted copy; copies are not resumed"
        )));
    }
    let source = resources.source(&backup.source)?.clone();
    let store = resources.store(&backup.store)?;
    let tables = planned_tables(store.as_ref(), &backup.store, backup_id).await?;
    let mut new = NewRun::new(RunKind::Backup, RunTrigger::CatchUp)
        .backup(backup_id)
        .request(serde_json::json!({ "resume": backup_id, "tables": tables }));
    let mut claims = vec![Claim::tables(&backup.source, &tables)];
    let mut labels = RunLabels {
        schedule_name: None,
        source: Some(backup.source.clone()),
        store: Some(backup.store.clone()),
    };
    if let Some(id) = &backup.schedule_id {
        new = new.schedule(id.clone());
        claims.insert(0, Claim::Schedule(id.clone()));
        let schedule = catalog.get_schedule(id).await.ok();
        labels.schedule_name = schedule.map(|s| s.name);
    }
    let spec = ResumeSpec {
        backup_id: backup_id.to_string(),
        schedule_id: backup.schedule_id.clone(),
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

/// The tables of a staged backup's plan. A backup without a plan (it stopped before its
/// first write) cannot be resumed: [`RunError::Invalid`], and recovery cleans it instead.
async fn planned_tables(
    store: &dyn BackupStore,
    store_name: &str,
    backup_id: &str,
) -> Result<Vec<String>, RunError> {
    let store_error = |source| RunError::Store {
        name: store_name.to_string(),
        source,
    };
    let staged = store.resume(backup_id).await.map_err(store_error)?;
    let text = staged
        .load_plan()
        .await
        .map_err(store_error)?
        .ok_or_else(|| {
            RunError::Invalid(format!(
                "backup {backup_id} has no plan (it stopped before its first write)"
            ))
        })?;
    let plan = BackupPlan::from_json(backup_id, &text)
        .map_err(|e| RunError::Invalid(format!("backup {backup_id}: {e}")))?;
    let tables: Vec<String> = plan
        .tables
        .iter()
        .map(|t| t.description.name.clone())
        .collect();
    if tables.is_empty() {
        return Err(RunError::Invalid(format!(
            "backup {backup_id} plans no table"
        )));
    }
    Ok(tables)
}

impl ResumeSpec {
    pub async fn run(self, ctx: &JobContext) -> RunOutcome {
        let io = backup_io(ctx, &self.source, &self.store);
        let result = resume_backup(&self.backup_id, &io).await;
        settle(ctx, &self.backup_id, &self.store, self.schedule_id, result).await
    }
}
