//! Reading the backup catalog in bulk: filtered pages, retention candidates, the last success
//! and the count of completed backups per schedule.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::rows::{fetch_tables, BackupRow};
use super::{Backup, BackupStatus};
use crate::catalog::columns::parse_column;
use crate::catalog::page::{paginate, Cursor, NewestFirst, Page, PageRequest};
use crate::catalog::{Catalog, CatalogError};
use crate::retention::Candidate;

/// Which backups to list. Empty fields do not filter; `statuses` matches any of its values.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct BackupFilter {
    pub schedule_id: Option<String>,
    pub store: Option<String>,
    pub source: Option<String>,
    pub statuses: Vec<BackupStatus>,
    /// Only backups holding this table.
    pub table: Option<String>,
    /// Started at or after.
    pub started_after: Option<DateTime<Utc>>,
    /// Started strictly before.
    pub started_before: Option<DateTime<Utc>>,
}

/// The newest completed backup of a schedule: what the `last_success_timestamp` gauges are
/// rebuilt from at start-up, so they survive restarts (Velero #6809).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct LastSuccess {
    pub schedule_id: String,
    pub backup_id: String,
    pub finished_at: DateTime<Utc>,
    #[sqlx(try_from = "i64")]
    pub rows: u64,
    #[sqlx(try_from = "i64")]
    pub bytes: u64,
}

/// The newest completed copy of a schedule's backups in one store: what the
/// `copy_last_success_timestamp` gauges are rebuilt from at start-up.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct LastCopy {
    pub schedule_id: String,
    pub store: String,
    pub finished_at: DateTime<Utc>,
}

/// How many completed backups a schedule has in one store: what the `backups_stored` gauges
/// show.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct StoredCount {
    pub schedule_id: String,
    pub store: String,
    #[sqlx(try_from = "i64")]
    pub count: u64,
}

/// id, status, started_at, finished_at.
type CandidateRow = (String, String, DateTime<Utc>, Option<DateTime<Utc>>);

impl Catalog {
    /// Backups matching `filter`, newest first (`started_at`, then id), with their tables.
    pub async fn list_backups(
        &self,
        filter: &BackupFilter,
        page: &PageRequest,
    ) -> Result<Page<Backup>, CatalogError> {
        let cursor = Cursor::decode(page, filter)?;
        let size = page.size();
        let statuses: Vec<_> = filter.statuses.iter().map(|s| s.as_str()).collect();
        let mut query = NewestFirst::select("backups", "started_at");
        query
            .equal("schedule_id", filter.schedule_id.clone())
            .equal("store", filter.store.clone())
            .equal("source", filter.source.clone())
            .any_of("status", &statuses)
            .clause(
                (
                    "EXISTS (SELECT 1 FROM backup_tables t \
                     WHERE t.backup_id = backups.id AND t.table_name = ",
                    ")",
                ),
                filter.table.clone(),
            )
            .between(filter.started_after, filter.started_before);
        let mut query = query.page(cursor, size)?;

        let mut conn = self.reader.acquire().await?;
        let rows: Vec<BackupRow> = query.build_query_as().fetch_all(&mut *conn).await?;
        let ids: Vec<String> = rows.iter().map(|r| r.id().to_string()).collect();
        let mut tables = fetch_tables(&mut conn, &ids).await?;
        let items = rows
            .into_iter()
            .map(|row| {
                let t = tables.remove(row.id()).unwrap_or_default();
                row.into_backup(t)
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(paginate(items, size, |b| {
            Cursor::new(Some(b.started_at), b.id.clone(), filter)
        }))
    }

    /// Every not-deleted backup a schedule took (copies excluded: they are retained per
    /// store), as retention candidates (no paging: a schedule's live backups are what
    /// retention keeps small).
    pub async fn retention_candidates(
        &self,
        schedule_id: &str,
    ) -> Result<Vec<Candidate>, CatalogError> {
        let rows: Vec<CandidateRow> = sqlx::query_as(
            "SELECT id, status, started_at, finished_at FROM backups \
             WHERE schedule_id = ? AND copy_of IS NULL AND status <> 'deleted'",
        )
        .bind(schedule_id)
        .fetch_all(&self.reader)
        .await?;
        into_candidates(rows)
    }

    /// Every not-deleted copy of a schedule's backups in `store`, as retention candidates.
    pub async fn copy_retention_candidates(
        &self,
        schedule_id: &str,
        store: &str,
    ) -> Result<Vec<Candidate>, CatalogError> {
        let rows: Vec<CandidateRow> = sqlx::query_as(
            "SELECT id, status, started_at, finished_at FROM backups \
             WHERE schedule_id = ? AND store = ? AND copy_of IS NOT NULL AND status <> 'deleted'",
        )
        .bind(schedule_id)
        .bind(store)
        .fetch_all(&self.reader)
        .await?;
        into_candidates(rows)
    }
    /// The newest completed backup of every schedule that has one, by schedule id (copies
    /// are not the schedule's own backups).
    pub async fn last_successful_backups(&self) -> Result<Vec<LastSuccess>, CatalogError> {
        let rows: Vec<LastSuccess> = sqlx::query_as(
            "SELECT schedule_id, backup_id, finished_at, rows, bytes FROM ( \
               SELECT schedule_id, id AS backup_id, finished_at, rows, bytes, \
                 ROW_NUMBER() OVER (PARTITION BY schedule_id ORDER BY finished_at DESC, id DESC) AS n \
               FROM backups \
               WHERE status = 'completed' AND schedule_id IS NOT NULL AND finished_at IS NOT NULL \
                 AND copy_of IS NULL) \
             WHERE n = 1 ORDER BY schedule_id",
        )
        .fetch_all(&self.reader)
        .await?;
        Ok(rows)
    }

    /// The newest completed copy of every schedule's backups in every store it was copied to.
    pub async fn last_successful_copies(&self) -> Result<Vec<LastCopy>, CatalogError> {
        let rows: Vec<LastCopy> = sqlx::query_as(
            "SELECT schedule_id, store, MAX(finished_at) AS finished_at FROM backups \
             WHERE status = 'completed' AND schedule_id IS NOT NULL AND finished_at IS NOT NULL \
               AND copy_of IS NOT NULL \
             GROUP BY schedule_id, store ORDER BY schedule_id, store",
        )
        .fetch_all(&self.reader)
        .await?;
        Ok(rows)
    }

    /// Completed backups counted by SQLite per schedule and store, ordered by both; only
    /// `schedule_id`'s when given. Ad-hoc backups (no schedule) are not counted.
    pub async fn completed_backup_counts(
        &self,
        schedule_id: Option<&str>,
    ) -> Result<Vec<StoredCount>, CatalogError> {
        let counts: Vec<StoredCount> = sqlx::query_as(
            "SELECT schedule_id, store, COUNT(*) AS count FROM backups \
             WHERE status = 'completed' AND schedule_id IS NOT NULL \
               AND (? IS NULL OR schedule_id = ?) \
             GROUP BY schedule_id, store ORDER BY schedule_id, store",
        )
        .bind(schedule_id)
        .bind(schedule_id)
        .fetch_all(&self.reader)
        .await?;
        Ok(counts)
    }
}

/// Rows of (id, status, started_at, finished_at) as candidates; deleted backups are none.
fn into_candidates(rows: Vec<CandidateRow>) -> Result<Vec<Candidate>, CatalogError> {
    let mut candidates = Vec::with_capacity(rows.len());
    for (id, status, started_at, finished_at) in rows {
        let status: BackupStatus = parse_column("backups.status", &status)?;
        if let Some(status) = status.retention_status() {
            candidates.push(Candidate::new(
                id,
                finished_at.unwrap_or(started_at),
                status,
            ));
        }
    }
    Ok(candidates)
}
