//! Pruning captured changes: the one place that removes a continuous schedule's change
//! records (retention applies to chains, issue 12).
//!
//! A chain is a base backup plus the changes captured after its start. Retention deletes base
//! backups through `deletion::delete_backup`; the changes only a deleted base could replay are
//! those committed before the start of the oldest base still kept (less a clock-skew margin),
//! and this removes those. The newest completed base is never deleted (the evaluator keeps it whatever
//! `keep_last` says), so the newest complete chain always survives. The restorable window
//! (`GET /schedules/{id}` → `capture.restorable_from`) is the oldest kept base's start, so it
//! moves forward with the same pass.

use super::Resources;
use crate::capture::{open_change_store, ChangeStoreError};
use crate::catalog::{
    Backup, BackupFilter, BackupStatus, Catalog, CatalogError, PageRequest, Schedule, ScheduleMode,
    MAX_PAGE_SIZE,
};

/// Changes are cut this long before the base's start: `started_at` is the daemon's clock,
/// record times are the service's, and a record the base's scan did not see must never go.
/// Keeping a few older records costs nothing: replaying them before the rest is idempotent.
pub const CLOCK_SKEW_MARGIN_US: i64 = 60_000_000;

#[derive(Debug, thiserror::Error)]
pub enum PruneError {
    #[error(transparent)]
    Catalog(#[from] CatalogError),
    #[error("pruning the changes of table '{table}': {source}")]
    Changes {
        table: String,
        #[source]
        source: ChangeStoreError,
    },
}

/// The schedule's oldest completed base backup (backups are listed newest first): where its
/// restorable window starts and before which its changes are pruned.
pub async fn oldest_kept_base(
    catalog: &Catalog,
    schedule_id: &str,
) -> Result<Option<Backup>, CatalogError> {
    let filter = BackupFilter {
        schedule_id: Some(schedule_id.to_string()),
        statuses: vec![BackupStatus::Completed],
        ..BackupFilter::default()
    };
    let mut page = PageRequest::first(MAX_PAGE_SIZE);
    let mut oldest = None;
    loop {
        let got = catalog.list_backups(&filter, &page).await?;
        if let Some(last) = got.items.into_iter().last() {
            oldest = Some(last);
        }
        match got.next_page_token {
            Some(token) => page = PageRequest::next(MAX_PAGE_SIZE, token),
            None => return Ok(oldest),
        }
    }
}

/// Removes the continuous schedule's changes committed before its oldest kept base started;
/// returns how many records went. Nothing is removed while no base is completed.
pub(crate) async fn prune_changes(
    catalog: &Catalog,
    resources: &Resources,
    schedule: &Schedule,
) -> Result<u64, PruneError> {
    if schedule.mode != ScheduleMode::Continuous {
        return Ok(0);
    }
    let Some(base) = oldest_kept_base(catalog, &schedule.id).await? else {
        return Ok(0);
    };
    let Some(config) = resources.store_config(&schedule.store) else {
        tracing::debug!(store = %schedule.store, "No store config: changes not pruned.");
        return Ok(0);
    };
    let cut_us = base.started_at.timestamp_micros() - CLOCK_SKEW_MARGIN_US;
    // Every table captured for the schedule: named ones, or (all tables of the source) the
    // ones the kept base holds.
    let tables: Vec<String> = if schedule.tables.is_empty() {
        base.tables.iter().map(|t| t.name.clone()).collect()
    } else {
        schedule.tables.clone()
    };
    let mut removed = 0;
    for table in tables {
        let pruned = async {
            let changes = open_change_store(&schedule.store, config, &schedule.id, &table).await?;
            changes.prune_before(cut_us).await
        }
        .await
        .map_err(|source| PruneError::Changes {
            table: table.clone(),
            source,
        })?;
        removed += pruned;
    }
    if removed > 0 {
        tracing::info!(
            schedule = %schedule.name,
            before = %base.started_at,
            records = removed,
            "Retention removed the changes only deleted base backups could replay."
        );
    }
    Ok(removed)
}
