//! Listing runs: newest first, filtered, a page at a time.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sqlx::{QueryBuilder, Sqlite};

use super::{Run, RunKind, RunRow, RunStatus, RunTrigger};
use crate::catalog::page::{paginate, Cursor, Page, PageRequest};
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
        let mut query = QueryBuilder::<Sqlite>::new("SELECT * FROM runs WHERE 1 = 1");
        if let Some(id) = &filter.schedule_id {
            query.push(" AND schedule_id = ").push_bind(id.clone());
        }
        if let Some(id) = &filter.backup_id {
            query.push(" AND backup_id = ").push_bind(id.clone());
        }
        if let Some(kind) = filter.kind {
            query.push(" AND kind = ").push_bind(kind.as_str());
        }
        if !filter.statuses.is_empty() {
            query.push(" AND status IN (");
            let mut list = query.separated(", ");
            for status in &filter.statuses {
                list.push_bind(status.as_str());
            }
            query.push(")");
        }
        if let Some(trigger) = filter.trigger {
            query
                .push(" AND triggered_by = ")
                .push_bind(trigger.as_str());
        }
        if let Some(after) = filter.created_after {
            query.push(" AND created_at >= ").push_bind(after);
        }
        if let Some(before) = filter.created_before {
            query.push(" AND created_at < ").push_bind(before);
        }
        if let Some(cursor) = cursor {
            let at = cursor.at.ok_or(CatalogError::InvalidPageToken)?;
            query
                .push(" AND (created_at, id) < (")
                .push_bind(at)
                .push(", ")
                .push_bind(cursor.key)
                .push(")");
        }
        query
            .push(" ORDER BY created_at DESC, id DESC LIMIT ")
            .push_bind(i64::from(size) + 1);
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
