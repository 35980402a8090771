//! `tablevault_backups_stored{schedule,store}` follows the catalog: counted at start-up, and
//! recounted after each backup run of a schedule, each retention deletion and each deletion
//! through the API. Recounting (rather than adding and subtracting) cannot drift from the
//! catalog, whatever order runs end in. Ad-hoc backups belong to no schedule and have no series.

use std::sync::Arc;

use crate::catalog::{Catalog, CatalogError, Schedule, StoredCount};
use crate::telemetry::events::BackupsCounted;
use crate::telemetry::Metrics;

/// Completed backups of `schedule` in its store, counted by the catalog.
pub async fn count_completed(catalog: &Catalog, schedule: &Schedule) -> Result<u64, CatalogError> {
    let counts = catalog.completed_backup_counts(Some(&schedule.id)).await?;
    Ok(count_in(&counts, schedule))
}

/// `schedule`'s count among `counts`: those of its current store (0 if it has none there).
fn count_in(counts: &[StoredCount], schedule: &Schedule) -> u64 {
    counts
        .iter()
        .find(|c| c.schedule_id == schedule.id && c.store == schedule.store)
        .map_or(0, |c| c.count)
}

/// Sets the gauge of every one of `schedules` from one grouped count (start-up).
pub async fn recount_all(
    catalog: &Catalog,
    metrics: &Metrics,
    schedules: &[Schedule],
) -> Result<(), CatalogError> {
    let _serial = metrics.backup_recounts().lock().await;
    let counts = catalog.completed_backup_counts(None).await?;
    for schedule in schedules {
        BackupsCounted {
            schedule: &schedule.name,
            store: &schedule.store,
            count: count_in(&counts, schedule),
        }
        .emit(metrics);
    }
    Ok(())
}

/// After the catalog changed a backup of schedule `schedule_id`: recounts its gauge. A
/// schedule deleted meanwhile has no series left to update; a catalog error only costs the
/// gauge its accuracy until the next recount, so it is logged, not returned.
pub async fn recount_schedule(catalog: &Catalog, metrics: &Metrics, schedule_id: &str) {
    // Held across the lookup too, so the name and store used are as current as the count.
    let _serial = metrics.backup_recounts().lock().await;
    let result = match catalog.get_schedule(schedule_id).await {
        Ok(schedule) => set_count(catalog, metrics, &schedule).await,
        Err(CatalogError::NotFound { .. }) => Ok(()),
        Err(e) => Err(e),
    };
    if let Err(e) = result {
        tracing::warn!(%schedule_id, error = %e, "Could not recount the stored backups.");
    }
}

/// The count and the gauge; the caller holds [`Metrics::backup_recounts`].
async fn set_count(
    catalog: &Catalog,
    metrics: &Metrics,
    schedule: &Schedule,
) -> Result<(), CatalogError> {
    BackupsCounted {
        schedule: &schedule.name,
        store: &schedule.store,
        count: count_completed(catalog, schedule).await?,
    }
    .emit(metrics);
    Ok(())
}

/// [`recount_schedule`] on its own task, for callers that cannot wait (the run observer is
/// called synchronously on the executor's tasks). Outside a runtime there is nothing to do it.
pub fn spawn_recount(catalog: &Catalog, metrics: &Arc<Metrics>, schedule_id: &str) {
    let Ok(runtime) = tokio::runtime::Handle::try_current() else {
        tracing::debug!(%schedule_id, "No runtime to recount the stored backups on.");
        return;
    };
    let (catalog, metrics, schedule_id) =
        (catalog.clone(), metrics.clone(), schedule_id.to_string());
    runtime.spawn(async move { recount_schedule(&catalog, &metrics, &schedule_id).await });
}
