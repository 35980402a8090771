//! `tablevault_backups_stored{schedule,store}` follows the catalog: counted at start-up, and
//! recounted after each backup run of a schedule, each retention deletion and each deletion
//! through the API. Recounting (rather than adding and subtracting) cannot drift from the
//! catalog, whatever order runs end in. Ad-hoc backups belong to no schedule and have no series.

use std::sync::Arc;

use crate::catalog::{
    BackupFilter, BackupStatus, Catalog, CatalogError, PageRequest, Schedule, MAX_PAGE_SIZE,
};
use crate::telemetry::events::BackupsCounted;
use crate::telemetry::Metrics;

/// Completed backups of `schedule` in its store, according to the catalog.
pub async fn count_completed(catalog: &Catalog, schedule: &Schedule) -> Result<u64, CatalogError> {
    let filter = BackupFilter {
        schedule_id: Some(schedule.id.clone()),
        store: Some(schedule.store.clone()),
        statuses: vec![BackupStatus::Completed],
        ..BackupFilter::default()
    };
    let mut count = 0;
    let mut page = PageRequest::first(MAX_PAGE_SIZE);
    loop {
        let backups = catalog.list_backups(&filter, &page).await?;
        count += backups.items.len() as u64;
        match backups.next_page_token {
            Some(token) => page = PageRequest::next(MAX_PAGE_SIZE, token),
            None => return Ok(count),
        }
    }
}

/// Counts `schedule`'s completed backups and sets its gauge.
pub async fn recount(
    catalog: &Catalog,
    metrics: &Metrics,
    schedule: &Schedule,
) -> Result<(), CatalogError> {
    let _serial = metrics.backup_recounts().lock().await;
    set_count(catalog, metrics, schedule).await
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
