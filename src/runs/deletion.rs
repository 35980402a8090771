//! Deleting backup data: the one place that removes a backup from its store.
//!
//! Two operations, because the catalog tells two different stories:
//! - [`delete_backup`]: a catalogued backup (staged, completed or failed) is deleted for good.
//!   `deleting` in the catalog first, then the store, then `deleted`: a crash in between
//!   leaves a visible `deleting` backup, which start-up recovery carries on with
//!   [`finish_deletion`] (the second half of the same sequence). Retention
//!   (`retention_delete` runs), the API's `DELETE /backups/{id}` (under its held claim, via
//!   `RunExecutor::delete_claimed_backup`) and recovery (`interrupted_work`) all go
//!   through here.
//! - [`discard_staged`]: the staged data of a backup that never completed is removed; its
//!   catalog record is `failed` (or becomes so), never `deleting`, and the callers (a failed
//!   or cancelled backup run, start-up cleaning of interrupted backups, the staged sweep) each
//!   write that record themselves.
//!
//! Both treat "not in the store" as already gone. What follows a deletion (the
//! `BackupDeleted` event of retention and recovery, the API's recount of stored backups) and
//! how a failure is reported (a failed run, a 503, a log line) stay with the callers.

use super::crash_point::{crash_point, RETENTION_DELETE};
use super::{Resources, RunError};
use crate::catalog::{Backup, BackupStatus, Catalog, CatalogError};
use crate::store::{BackupStore, StoreError};

/// Why a deletion stopped. After a [`DeletionError::Store`] the backup stays `deleting`.
#[derive(Debug, thiserror::Error)]
pub enum DeletionError {
    /// The backup's store is not configured.
    #[error(transparent)]
    Run(#[from] RunError),
    #[error(transparent)]
    Catalog(#[from] CatalogError),
    /// The store refused the deletion.
    #[error("deleting backup {backup_id} from store {store}: {source}")]
    Store {
        store: String,
        backup_id: String,
        #[source]
        source: StoreError,
    },
}

/// Marks `backup` `deleting`, deletes it from its store and marks it `deleted`. The caller
/// holds the exclusive claim on it (a run's or a held one).
pub(crate) async fn delete_backup(
    catalog: &Catalog,
    resources: &Resources,
    backup: &Backup,
) -> Result<(), DeletionError> {
    let store = resources.store(&backup.store)?;
    catalog.mark_backup_deleting(&backup.id).await?;
    crash_point(RETENTION_DELETE);
    remove(catalog, store.as_ref(), backup).await
}

/// The second half of [`delete_backup`], for a backup already `deleting` (a dead process
/// started its deletion): deletes it from its store and marks it `deleted`.
pub(crate) async fn finish_deletion(
    catalog: &Catalog,
    resources: &Resources,
    backup: &Backup,
) -> Result<(), DeletionError> {
    let store = resources.store(&backup.store)?;
    remove(catalog, store.as_ref(), backup).await
}

async fn remove(
    catalog: &Catalog,
    store: &dyn BackupStore,
    backup: &Backup,
) -> Result<(), DeletionError> {
    // Nothing stored: a failed backup's staged data is removed when it fails.
    discard_staged(store, &backup.id)
        .await
        .map_err(|source| DeletionError::Store {
            store: backup.store.clone(),
            backup_id: backup.id.clone(),
            source,
        })?;
    catalog.mark_backup_deleted(&backup.id).await?;
    Ok(())
}

/// Deletes the data `store` holds for `backup_id` (staged or published); `Ok` if it holds
/// none. The catalog is the caller's to update.
pub(crate) async fn discard_staged(
    store: &dyn BackupStore,
    backup_id: &str,
) -> Result<(), StoreError> {
    match store.delete(backup_id).await {
        Ok(()) | Err(StoreError::NotFound(_)) => Ok(()),
        Err(e) => Err(e),
    }
}

/// What one `RunExecutor::sweep_abandoned_staged` did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SweepReport {
    /// Backups whose staged data was deleted.
    pub deleted: Vec<String>,
    /// Stores that could not be listed or refused a deletion (tried again next time).
    pub unreachable_stores: Vec<String>,
}

/// One pass of the staged sweep (`super::staged_sweep`): in every store, deletes the staged
/// data of backups the catalog has as `failed` or `deleted`.
pub(crate) async fn sweep_abandoned_staged(
    catalog: &Catalog,
    resources: &Resources,
) -> Result<SweepReport, CatalogError> {
    let mut report = SweepReport::default();
    for (name, store) in resources.stores() {
        let staged = match store.staged().await {
            Ok(staged) => staged,
            Err(e) => {
                tracing::debug!(store = %name, error = %e, "Staged sweep: store not listed.");
                report.unreachable_stores.push(name.to_string());
                continue;
            }
        };
        for backup_id in staged {
            let status = match catalog.get_backup(&backup_id).await {
                Ok(backup) => backup.status,
                Err(CatalogError::NotFound { .. }) => continue,
                Err(e) => return Err(e),
            };
            if !matches!(status, BackupStatus::Failed | BackupStatus::Deleted) {
                continue;
            }
            if delete_abandoned_staged(store.as_ref(), &backup_id).await {
                report.deleted.push(backup_id);
            } else if !report.unreachable_stores.iter().any(|s| s == name) {
                report.unreachable_stores.push(name.to_string());
            }
        }
    }
    Ok(report)
}

/// Deletes the staged data of a failed or deleted backup; `false` (logged) if the store
/// refused. Start-up recovery uses it for what reconciliation found.
pub async fn delete_abandoned_staged(store: &dyn BackupStore, backup_id: &str) -> bool {
    match discard_staged(store, backup_id).await {
        Ok(()) => {
            tracing::info!(%backup_id, "Deleted the staged data of a failed backup.");
            true
        }
        Err(e) => {
            tracing::warn!(
                %backup_id, error = %e,
                "Could not delete the staged data of a failed backup; trying again later."
            );
            false
        }
    }
}
