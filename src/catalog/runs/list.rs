//! Listing runs: newest first, filtered, a page at a time.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::{Run, RunKind, RunRow, RunStatus, RunTrigger};
use crate::catalog::page::{paginate, Cursor, NewestFirst, Page, PageRequest};
use crate::catalog::{Catalog, CatalogError};

/// Which runs to list. Empty fields do not filter; `statuses` matches any of its values.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RunFilter {
    pub schedule_id: Option<String>,
    pub backup_id: Option<String>,
    pub kind: Option<RunKind>,
    pub statuses: Vec<RunStatus>,
    pub trigger: Option<RunTrigger>,
    /// Created at or after.
    pub created_after: Option<DateTime<Utc>>,
    /// Created strictly before.
    pub created_before: Option<DateTime<Utc>>,
}

/// The newest failed (or partially failed) backup run of a schedule.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct LastFailure {
    pub schedule_id: String,
    pub run_id: String,
    pub finished_at: DateTime<Utc>,
}

impl Catalog {
    /// The newest failed or partially failed backup run of every schedule that has one, by
    /// schedule id (the metrics restore `tablevault_backup_last_failure_timestamp_seconds`).
    pub async fn last_failed_backup_runs(&self) -> Result<Vec<LastFailure>, CatalogError> {
        let rows: Vec<LastFailure> = sqlx::query_as(
            "SELECT schedule_id, run_id, finished_at FROM ( \
               SELECT schedule_id, id AS run_id, finished_at, \
                 ROW_NUMBER() OVER (PARTITION BY schedule_id ORDER BY finished_at DESC, id DESC) AS n \
               FROM runs \
               WHERE kind = 'backup' AND status IN ('failed', 'partially_failed') \
                 AND schedule_id IS NOT NULL AND finished_at IS NOT NULL) \
             WHERE n = 1 ORDER BY schedule_id",
        )
        .fetch_all(&self.reader)
        .await?;
        Ok(rows)
    }

    /// Runs matching `filter`, newest first (`created_at`, then id).
    pub async fn list_runs(
        &self,
        filter: &RunFilter,
        page: &PageRequest,
    ) -> Result<Page<Run>, CatalogError> {
        let cursor = Cursor::decode(page, filter)?;
        let size = page.size();
        let statuses: Vec<_> = filter.statuses.iter().map(|s| s.as_str()).collect();
        let mut query = NewestFirst::select("runs", "created_at");
        query
            .equal("schedule_id", filter.schedule_id.clone())
            .equal("backup_id", filter.backup_id.clone())
            .equal("kind", filter.kind.map(RunKind::as_str))
            .any_of("status", &statuses)
            .equal("triggered_by", filter.trigger.map(RunTrigger::as_str))
            .between(filter.created_after, filter.created_before);
        let mut query = query.page(cursor, size)?;
        let rows: Vec<RunRow> = query.build_query_as().fetch_all(&self.reader).await?;
        let items = rows
            .into_iter()
            .map(Run::try_from)
            .collect::<Result<Vec<_>, _>>()?;
        Ok(paginate(items, size, |run| {
            Cursor::new(Some(run.created_at), run.id.clone(), filter)
        }))
    }
}
