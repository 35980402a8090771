//! Deleting backup data: the one place that removes a backup from its store.
//!
//! Two operations, because the catalog tells two different stories:
//! - [`delete_backup`]: a catalogued backup (staged, completed or failed) is deleted for good.
//!   `deleting` in the catalog first, then the store, then `deleted`: a crash in between
//!   leaves a visible `deleting` backup, which start-up recovery carries on with
//!   [`finish_deletion`] (the second half of the same sequence). Retention
//!   (`retention_delete` runs), the API's `DELETE /backups/{id}` (under its held claim, via
//!   [`RunExecutor::delete_claimed_backup`]) and recovery (`interrupted_work`) all go
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
use super::executor::Inner;
use super::{HeldClaims, RunError, RunExecutor};
use crate::catalog::{Backup, CatalogError};
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

impl RunExecutor {
    /// Deletes `backup` (see [`delete_backup`]) while the caller holds the exclusive claim on
    /// it (`hold_backup_deletion`), as the API's deletion does.
    pub async fn delete_claimed_backup(
        &self,
        backup: &Backup,
        _claim: &HeldClaims,
    ) -> Result<(), DeletionError> {
        delete_backup(&self.inner, backup).await
    }
}

/// Marks `backup` `deleting`, deletes it from its store and marks it `deleted`. The caller
/// holds the exclusive claim on it (a run's or a held one).
pub(crate) async fn delete_backup(inner: &Inner, backup: &Backup) -> Result<(), DeletionError> {
    let store = inner.resources.store(&backup.store)?;
    inner.catalog.mark_backup_deleting(&backup.id).await?;
    crash_point(RETENTION_DELETE);
    remove(inner, store.as_ref(), backup).await
}

/// The second half of [`delete_backup`], for a backup already `deleting` (a dead process
/// started its deletion): deletes it from its store and marks it `deleted`.
pub(crate) async fn finish_deletion(inner: &Inner, backup: &Backup) -> Result<(), DeletionError> {
    let store = inner.resources.store(&backup.store)?;
    remove(inner, store.as_ref(), backup).await
}

async fn remove(
    inner: &Inner,
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
    inner.catalog.mark_backup_deleted(&backup.id).await?;
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
