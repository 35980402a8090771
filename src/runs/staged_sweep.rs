//! Deleting the staged data of backups that will never be finished. A failed backup's data is
//! removed when it fails, but not if the store is what failed: a MongoDB down for longer than
//! `engine.store_retry_seconds` cannot drop the staged database either. The catalog knows the
//! backup is `failed`, so its data is garbage; this removes it once the store answers again,
//! at start-up (recovery) and every [`SWEEP_INTERVAL`] while the daemon runs.
//!
//! Staged data the catalog does not know is never touched: it may belong to a `tablevault
//! backup` command writing to the same store right now.

use std::time::Duration;

use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

use super::deletion::discard_staged;
use super::RunExecutor;
use crate::catalog::{BackupStatus, CatalogError};
use crate::store::BackupStore;

/// How often the daemon looks for staged data of failed backups. A store outage long enough
/// to leave some is rare, and the data only costs space until then.
pub const SWEEP_INTERVAL: Duration = Duration::from_secs(10 * 60);

/// What one [`RunExecutor::sweep_abandoned_staged`] did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SweepReport {
    /// Backups whose staged data was deleted.
    pub deleted: Vec<String>,
    /// Stores that could not be listed or refused a deletion (tried again next time).
    pub unreachable_stores: Vec<String>,
}

impl RunExecutor {
    /// One pass: in every store, deletes the staged data of backups the catalog has as
    /// `failed` or `deleted`. The daemon calls it every [`SWEEP_INTERVAL`]
    /// ([`spawn_staged_sweeper`]); tests call it directly.
    pub async fn sweep_abandoned_staged(&self) -> Result<SweepReport, CatalogError> {
        let mut report = SweepReport::default();
        for (name, store) in self.resources().stores() {
            let staged = match store.staged().await {
                Ok(staged) => staged,
                Err(e) => {
                    tracing::debug!(store = %name, error = %e, "Staged sweep: store not listed.");
                    report.unreachable_stores.push(name.to_string());
                    continue;
                }
            };
            for backup_id in staged {
                let status = match self.catalog().get_backup(&backup_id).await {
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

/// Runs [`RunExecutor::sweep_abandoned_staged`] every `every` until `stop` is cancelled (the
/// daemon's shutdown token). The first pass is one interval after the start: recovery has
/// just done the same.
pub fn spawn_staged_sweeper(
    executor: RunExecutor,
    every: Duration,
    stop: CancellationToken,
) -> JoinHandle<()> {
    tokio::spawn(async move {
        let mut ticks = tokio::time::interval_at(tokio::time::Instant::now() + every, every);
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                () = stop.cancelled() => return,
                _ = ticks.tick() => {}
            }
            let swept = tokio::select! {
                () = stop.cancelled() => return,
                swept = executor.sweep_abandoned_staged() => swept,
            };
            if let Err(e) = swept {
                tracing::warn!(error = %e, "Staged sweep failed; trying again later.");
            }
        }
    })
}
