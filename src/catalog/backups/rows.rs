//! How backups are stored: the row structs and the SQL shared by the catalog's backup code
//! (single reads, table figures, guarded-transition errors).

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sqlx::{QueryBuilder, Sqlite, SqliteConnection};

use super::{Backup, BackupTable};
use crate::catalog::columns::{from_json, parse_column, to_i64, to_u64};
use crate::catalog::CatalogError;
use crate::store::TableManifest;

#[derive(sqlx::FromRow)]
pub(crate) struct BackupRow {
    id: String,
    schedule_id: Option<String>,
    source: String,
    store: String,
    copy_of: Option<String>,
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
            copy_of: self.copy_of,
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
