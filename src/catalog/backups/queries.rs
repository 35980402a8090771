//! Backup writes: staged → completed | failed, then deleting → deleted, with verification
//! results and retention reasons.

use super::rows::{fetch_backup, replace_tables, BackupRow};
use chrono::{DateTime, Utc};

use super::{Backup, NewBackup, VerifyResult};
use crate::catalog::columns::{to_i64, to_json};
use crate::catalog::error::is_unique_violation;
use crate::catalog::schedules::missing_schedule;
use crate::catalog::write::state_error;
use crate::catalog::{Catalog, CatalogError};
use crate::retention::KeepReason;
use crate::store::Manifest;

impl Catalog {
    /// Records a backup the moment its store staged it, as `staged`.
    pub async fn create_backup(&self, new: NewBackup) -> Result<Backup, CatalogError> {
        self.insert_backup(new, None).await
    }

    /// Records a copy of backup `copy_of` the moment the target store staged it, as `staged`
    /// (it completes like any backup, with the manifest it was published with).
    pub async fn create_backup_copy(
        &self,
        new: NewBackup,
        copy_of: &str,
    ) -> Result<Backup, CatalogError> {
        self.insert_backup(new, Some(copy_of)).await
    }

    async fn insert_backup(
        &self,
        new: NewBackup,
        copy_of: Option<&str>,
    ) -> Result<Backup, CatalogError> {
        let now = self.now();
        let mut tx = self.begin_write().await?;
        let row: BackupRow = sqlx::query_as(
            "INSERT INTO backups (id, schedule_id, source, store, copy_of, status, started_at, \
             created_at, updated_at) VALUES (?, ?, ?, ?, ?, 'staged', ?, ?, ?) RETURNING *",
        )
        .bind(&new.id)
        .bind(&new.schedule_id)
        .bind(&new.source)
        .bind(&new.store)
        .bind(copy_of)
        .bind(new.started_at)
        .bind(now)
        .bind(now)
        .fetch_one(&mut *tx)
        .await
        .map_err(|e| {
            if is_unique_violation(&e) {
                CatalogError::Conflict(format!("backup {} already exists", new.id))
            } else {
                missing_schedule(e, new.schedule_id.as_deref())
            }
        })?;
        tx.commit().await?;
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
        let mut tx = self.begin_write().await?;
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
            return Err(state_error(&mut tx, "backup", id, "complete").await);
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
        let mut tx = self.begin_write().await?;
        let done = sqlx::query(
            "UPDATE backups SET verified_at = ?, verify_result = ?, verify_message = ?, \
             updated_at = ? WHERE id = ? AND status = 'completed'",
        )
        .bind(now)
        .bind(result.as_str())
        .bind(message)
        .bind(now)
        .bind(id)
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() == 0 {
            return Err(state_error(&mut tx, "backup", id, "verification").await);
        }
        let backup = fetch_backup(&mut tx, id).await?;
        tx.commit().await?;
        backup.ok_or_else(|| CatalogError::not_found("backup", id))
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
        let mut tx = self.begin_write().await?;
        let done =
            sqlx::query("UPDATE backups SET retention_reasons = ?, updated_at = ? WHERE id = ?")
                .bind(json)
                .bind(self.now())
                .bind(id)
                .execute(&mut *tx)
                .await?;
        if done.rows_affected() == 0 {
            return Err(CatalogError::not_found("backup", id));
        }
        tx.commit().await
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
        let mut tx = self.begin_write().await?;
        let sql = format!("UPDATE backups SET {set}, updated_at = ? WHERE id = ? AND {guard}");
        let done = sqlx::query(&sql)
            .bind(error)
            .bind(at)
            .bind(self.now())
            .bind(id)
            .execute(&mut *tx)
            .await?;
        if done.rows_affected() == 0 {
            return Err(state_error(&mut tx, "backup", id, action).await);
        }
        let backup = fetch_backup(&mut tx, id).await?;
        tx.commit().await?;
        backup.ok_or_else(|| CatalogError::not_found("backup", id))
    }
}
