//! The backup catalog: what each store holds, with per-table figures, verification and the
//! reasons retention keeps it.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use serde::Serialize;
use sqlx::{QueryBuilder, Sqlite, SqliteConnection};

use super::columns::{from_json, to_i64, to_json, to_u64};
use super::enums::parse_column;
use super::error::is_unique_violation;
use super::runs::missing_schedule;
use super::{BackupStatus, Catalog, CatalogError, VerifyResult};
use crate::retention::{Candidate, KeepReason};
use crate::store::{Manifest, TableManifest};

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Backup {
    /// The id the store knows the backup by.
    pub id: String,
    pub schedule_id: Option<String>,
    pub source: String,
    pub store: String,
    pub status: BackupStatus,
    /// Per-table figures from the manifest; empty until completed.
    pub tables: Vec<BackupTable>,
    pub rows: u64,
    /// PlainBuffer size of the rows: comparable across stores.
    pub bytes: u64,
    /// What the store says the backup occupies, if it can tell.
    pub stored_bytes: Option<u64>,
    pub error: Option<String>,
    pub started_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
    pub deleted_at: Option<DateTime<Utc>>,
    pub verified_at: Option<DateTime<Utc>>,
    pub verify_result: Option<VerifyResult>,
    pub verify_message: Option<String>,
    /// Why the last retention evaluation kept it.
    pub retention_reasons: Option<Vec<KeepReason>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BackupTable {
    pub name: String,
    pub rows: u64,
    pub cells: u64,
    pub bytes: u64,
    pub checksum: String,
}

/// A backup that has just been started in a store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewBackup {
    pub id: String,
    pub schedule_id: Option<String>,
    pub source: String,
    pub store: String,
    pub started_at: DateTime<Utc>,
}

impl Backup {
    /// This backup as retention sees it; `None` once deleted. Unfinished backups are placed at
    /// their start time.
    pub fn retention_candidate(&self) -> Option<Candidate> {
        let status = self.status.retention_status()?;
        let at = self.finished_at.unwrap_or(self.started_at);
        Some(Candidate::new(self.id.clone(), at, status))
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct BackupRow {
    id: String,
    schedule_id: Option<String>,
    source: String,
    store: String,
    status: String,
    rows: i64,
    bytes: i64,
    stored_bytes: Option<i64>,
    error: Option<String>,
    started_at: DateTime<Utc>,
    finished_at: Option<DateTime<Utc>>,
    deleted_at: Option<DateTime<Utc>>,
    verified_at: Option<DateTime<Utc>>,
    verify_result: Option<String>,
    verify_message: Option<String>,
    retention_reasons: Option<String>,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

#[derive(sqlx::FromRow)]
struct TableRow {
    backup_id: String,
    table_name: String,
    rows: i64,
    cells: i64,
    bytes: i64,
    checksum: String,
}

impl BackupRow {
    pub(crate) fn id(&self) -> &str {
        &self.id
    }

    pub(crate) fn into_backup(self, tables: Vec<BackupTable>) -> Result<Backup, CatalogError> {
        Ok(Backup {
            status: parse_column("backups.status", &self.status)?,
            rows: to_u64("backups.rows", self.rows)?,
            bytes: to_u64("backups.bytes", self.bytes)?,
            stored_bytes: self
                .stored_bytes
                .map(|b| to_u64("backups.stored_bytes", b))
                .transpose()?,
            verify_result: self
                .verify_result
                .map(|v| parse_column("backups.verify_result", &v))
                .transpose()?,
            retention_reasons: self
                .retention_reasons
                .map(|r| from_json("backups.retention_reasons", &r))
                .transpose()?,
            tables,
            id: self.id,
            schedule_id: self.schedule_id,
            source: self.source,
            store: self.store,
            error: self.error,
            started_at: self.started_at,
            finished_at: self.finished_at,
            deleted_at: self.deleted_at,
            verified_at: self.verified_at,
            verify_message: self.verify_message,
            created_at: self.created_at,
            updated_at: self.updated_at,
        })
    }
}

impl Catalog {
    /// Records a backup the moment its store staged it, as `staged`.
    pub async fn create_backup(&self, new: NewBackup) -> Result<Backup, CatalogError> {
        let now = self.now();
        let row: BackupRow = sqlx::query_as(
            "INSERT INTO backups (id, schedule_id, source, store, status, started_at, \
             created_at, updated_at) VALUES (?, ?, ?, ?, 'staged', ?, ?, ?) RETURNING *",
        )
        .bind(&new.id)
        .bind(&new.schedule_id)
        .bind(&new.source)
        .bind(&new.store)
        .bind(new.started_at)
        .bind(now)
        .bind(now)
        .fetch_one(&self.writer)
        .await
        .map_err(|e| {
            if is_unique_violation(&e) {
                CatalogError::Conflict(format!("backup {} already exists", new.id))
            } else {
                missing_schedule(e, new.schedule_id.as_deref())
            }
        })?;
        row.into_backup(Vec::new())
    }

    pub async fn get_backup(&self, id: &str) -> Result<Backup, CatalogError> {
        let mut conn = self.reader.acquire().await?;
        fetch_backup(&mut conn, id)
            .await?
            .ok_or_else(|| CatalogError::not_found("backup", id))
    }

    /// `staged` → `completed` with the published manifest's figures and finish time.
    pub async fn complete_backup(
        &self,
        id: &str,
        manifest: &Manifest,
        stored_bytes: Option<u64>,
    ) -> Result<Backup, CatalogError> {
        let mut tx = self.writer.begin_with("BEGIN IMMEDIATE").await?;
        let done = sqlx::query(
            "UPDATE backups SET status = 'completed', rows = ?, bytes = ?, stored_bytes = ?, \
             finished_at = ?, error = NULL, updated_at = ? WHERE id = ? AND status = 'staged'",
        )
        .bind(to_i64("rows", manifest.total_rows())?)
        .bind(to_i64("bytes", manifest.total_bytes())?)
        .bind(
            stored_bytes
                .map(|b| to_i64("stored_bytes", b))
                .transpose()?,
        )
        .bind(manifest.finished_at)
        .bind(self.now())
        .bind(id)
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() == 0 {
            return Err(backup_state_error(&mut tx, id, "complete").await);
        }
        replace_tables(&mut tx, id, &manifest.tables).await?;
        let backup = fetch_backup(&mut tx, id).await?;
        tx.commit().await?;
        backup.ok_or_else(|| CatalogError::not_found("backup", id))
    }

    /// `staged` → `failed`.
    pub async fn fail_backup(&self, id: &str, error: &str) -> Result<Backup, CatalogError> {
        let now = self.now();
        self.transition(
            id,
            "fail",
            "status = 'failed', error = ?, finished_at = ?",
            "status = 'staged'",
            (Some(error.to_string()), Some(now)),
        )
        .await
    }

    /// `staged`/`completed`/`failed` → `deleting`: recorded *before* the store deletes, so a
    /// crash mid-delete leaves a visible, retryable state rather than a silent half-deletion.
    pub async fn mark_backup_deleting(&self, id: &str) -> Result<Backup, CatalogError> {
        self.transition(
            id,
            "delete",
            "status = 'deleting', error = COALESCE(?, error), deleted_at = ?",
            "status IN ('staged', 'completed', 'failed')",
            (None, None),
        )
        .await
    }

    /// `deleting` → `deleted` once the store has removed the data. The row stays as history.
    pub async fn mark_backup_deleted(&self, id: &str) -> Result<Backup, CatalogError> {
        let now = self.now();
        self.transition(
            id,
            "finish deleting",
            "status = 'deleted', error = COALESCE(?, error), deleted_at = ?",
            "status = 'deleting'",
            (None, Some(now)),
        )
        .await
    }

    /// Stores the verdict of a verification of a completed backup.
    pub async fn record_backup_verification(
        &self,
        id: &str,
        result: VerifyResult,
        message: Option<&str>,
    ) -> Result<Backup, CatalogError> {
        let now = self.now();
        let mut conn = self.writer.acquire().await?;
        let done = sqlx::query(
            "UPDATE backups SET verified_at = ?, verify_result = ?, verify_message = ?, \
             updated_at = ? WHERE id = ? AND status = 'completed'",
        )
        .bind(now)
        .bind(result.as_str())
        .bind(message)
        .bind(now)
        .bind(id)
        .execute(&mut *conn)
        .await?;
        if done.rows_affected() == 0 {
            return Err(backup_state_error(&mut conn, id, "verification").await);
        }
        fetch_backup(&mut conn, id)
            .await?
            .ok_or_else(|| CatalogError::not_found("backup", id))
    }

    /// Stores why retention keeps a backup (shown by the API; `None` clears it).
    pub async fn set_retention_reasons(
        &self,
        id: &str,
        reasons: Option<&[KeepReason]>,
    ) -> Result<(), CatalogError> {
        let json = reasons
            .map(|r| to_json("retention_reasons", &r))
            .transpose()?;
        let done =
            sqlx::query("UPDATE backups SET retention_reasons = ?, updated_at = ? WHERE id = ?")
                .bind(json)
                .bind(self.now())
                .bind(id)
                .execute(&self.writer)
                .await?;
        if done.rows_affected() == 0 {
            return Err(CatalogError::not_found("backup", id));
        }
        Ok(())
    }

    /// One guarded status change: `set` (two binds: error, a timestamp) applies only where
    /// `guard` holds.
    async fn transition(
        &self,
        id: &str,
        action: &'static str,
        set: &str,
        guard: &str,
        (error, at): (Option<String>, Option<DateTime<Utc>>),
    ) -> Result<Backup, CatalogError> {
        let mut conn = self.writer.acquire().await?;
        let sql = format!("UPDATE backups SET {set}, updated_at = ? WHERE id = ? AND {guard}");
        let done = sqlx::query(&sql)
            .bind(error)
            .bind(at)
            .bind(self.now())
            .bind(id)
            .execute(&mut *conn)
            .await?;
        if done.rows_affected() == 0 {
            return Err(backup_state_error(&mut conn, id, action).await);
        }
        fetch_backup(&mut conn, id)
            .await?
            .ok_or_else(|| CatalogError::not_found("backup", id))
    }
}

/// Reads one backup with its tables on a given connection (inside a transaction if need be).
pub(crate) async fn fetch_backup(
    conn: &mut SqliteConnection,
    id: &str,
) -> Result<Option<Backup>, CatalogError> {
    let row: Option<BackupRow> = sqlx::query_as("SELECT * FROM backups WHERE id = ?")
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?;
    let Some(row) = row else {
        return Ok(None);
    };
    let mut tables = fetch_tables(conn, &[id.to_string()]).await?;
    let tables = tables.remove(id).unwrap_or_default();
    row.into_backup(tables).map(Some)
}

/// The tables of several backups, by backup id, in table-name order.
pub(crate) async fn fetch_tables(
    conn: &mut SqliteConnection,
    ids: &[String],
) -> Result<HashMap<String, Vec<BackupTable>>, CatalogError> {
    let mut by_backup: HashMap<String, Vec<BackupTable>> = HashMap::new();
    if ids.is_empty() {
        return Ok(by_backup);
    }
    let mut query = QueryBuilder::<Sqlite>::new("SELECT * FROM backup_tables WHERE backup_id IN (");
    let mut list = query.separated(", ");
    for id in ids {
        list.push_bind(id.clone());
    }
    query.push(") ORDER BY backup_id, table_name");
    let rows: Vec<TableRow> = query.build_query_as().fetch_all(&mut *conn).await?;
    for row in rows {
        by_backup
            .entry(row.backup_id)
            .or_default()
            .push(BackupTable {
                rows: to_u64("backup_tables.rows", row.rows)?,
                cells: to_u64("backup_tables.cells", row.cells)?,
                bytes: to_u64("backup_tables.bytes", row.bytes)?,
                name: row.table_name,
                checksum: row.checksum,
            });
    }
    Ok(by_backup)
}

/// Writes a backup's per-table figures, replacing any earlier ones.
pub(crate) async fn replace_tables(
    conn: &mut SqliteConnection,
    id: &str,
    tables: &[TableManifest],
) -> Result<(), CatalogError> {
    sqlx::query("DELETE FROM backup_tables WHERE backup_id = ?")
        .bind(id)
        .execute(&mut *conn)
        .await?;
    for table in tables {
        sqlx::query(
            "INSERT INTO backup_tables (backup_id, table_name, rows, cells, bytes, checksum) \
             VALUES (?, ?, ?, ?, ?, ?)",
        )
        .bind(id)
        .bind(&table.description.name)
        .bind(to_i64("rows", table.rows)?)
        .bind(to_i64("cells", table.cells)?)
        .bind(to_i64("bytes", table.bytes)?)
        .bind(&table.checksum)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

async fn backup_state_error(
    conn: &mut SqliteConnection,
    id: &str,
    action: &'static str,
) -> CatalogError {
    let status: Result<Option<String>, _> =
        sqlx::query_scalar("SELECT status FROM backups WHERE id = ?")
            .bind(id)
            .fetch_optional(&mut *conn)
            .await;
    match status {
        Ok(Some(status)) => CatalogError::InvalidState {
            entity: "backup",
            id: id.to_string(),
            status,
            action,
        },
        Ok(None) => CatalogError::not_found("backup", id),
        Err(e) => e.into(),
    }
}
