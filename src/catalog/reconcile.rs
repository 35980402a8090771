//! Making the catalog agree with what a store actually holds. The store is the source of truth
//! for data (as Velero's object storage is): the catalog is an index that a crash, a manual
//! deletion or a restored database can leave out of date.

use std::collections::{HashMap, HashSet};

use serde::Serialize;
use sqlx::SqliteConnection;

use super::backups::rows::replace_tables;
use super::columns::to_i64;
use super::{Catalog, CatalogError};
use crate::store::Manifest;

/// What [`Catalog::reconcile`] changed or found; every list is sorted.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ReconcileReport {
    /// Published backups the catalog did not know, inserted as `completed` from their manifest.
    pub inserted: Vec<String>,
    /// Catalogued as staged, failed or deleted but published in the store: now `completed`
    /// (e.g. the process died between publishing and recording it).
    pub completed: Vec<String>,
    /// Catalogued as completed but gone from the store: now `deleted`, with an error saying so.
    pub missing: Vec<String>,
    /// Catalogued as deleting and gone from the store: the deletion finished, now `deleted`.
    pub deleted: Vec<String>,
    /// Catalogued as staged with no data left in the store: now `failed`.
    pub failed: Vec<String>,
    /// Catalogued as staged with staged data in the store: can be resumed or cleaned up.
    pub resumable: Vec<String>,
    /// Staged data of backups catalogued as failed or deleted (their cleanup could not reach
    /// the store, e.g. MongoDB was down when the backup gave up): garbage to delete.
    pub abandoned_staged: Vec<String>,
    /// Staged data the catalog does not know at all: perhaps a `tablevault backup` command
    /// writing to the same store right now, so left alone.
    pub leftover_staged: Vec<String>,
    /// Published here but catalogued under another store: left alone (ids should be unique).
    pub foreign: Vec<String>,
}

impl ReconcileReport {
    pub fn changed_anything(&self) -> bool {
        !(self.inserted.is_empty()
            && self.completed.is_empty()
            && self.missing.is_empty()
            && self.deleted.is_empty()
            && self.failed.is_empty())
    }
}

impl Catalog {
    /// Brings the catalog entries of `store_name` in line with the store's own listing:
    /// `published` from `BackupStore::list` and `staged_ids` from `BackupStore::staged`.
    ///
    /// Pass only a *successful*, complete listing: an empty list after a failed one would mark
    /// every backup of the store missing. Runs in one write transaction.
    pub async fn reconcile(
        &self,
        store_name: &str,
        published: &[Manifest],
        staged_ids: &[String],
    ) -> Result<ReconcileReport, CatalogError> {
        let now = self.now();
        let published: HashMap<&str, &Manifest> = published
            .iter()
            .map(|m| (m.backup_id.as_str(), m))
            .collect();
        let staged: HashSet<&str> = staged_ids.iter().map(String::as_str).collect();
        let mut report = ReconcileReport::default();

        let mut tx = self.begin_write().await?;
        let known: Vec<(String, String, String)> =
            sqlx::query_as("SELECT id, store, status FROM backups")
                .fetch_all(&mut *tx)
                .await?;
        let mut here: HashMap<String, String> = HashMap::new();
        let mut elsewhere: HashSet<String> = HashSet::new();
        for (id, store, status) in known {
            if store == store_name {
                here.insert(id, status);
            } else {
                elsewhere.insert(id);
            }
        }

        for (id, status) in &here {
            let in_published = published.get(id.as_str());
            let in_staged = staged.contains(id.as_str());
            match (status.as_str(), in_published) {
                ("staged" | "failed" | "deleted", Some(manifest)) => {
                    mark_completed(&mut tx, manifest, now).await?;
                    report.completed.push(id.clone());
                }
                ("staged", None) if in_staged => report.resumable.push(id.clone()),
                ("staged", None) => {
                    set_status(
                        &mut tx,
                        id,
                        "failed",
                        "staged data missing from the store",
                        now,
                    )
                    .await?;
                    report.failed.push(id.clone());
                }
                ("completed", None) => {
                    let note = format!("missing from store {store_name} at reconciliation");
                    set_status(&mut tx, id, "deleted", &note, now).await?;
                    report.missing.push(id.clone());
                }
                ("deleting", None) if !in_staged => {
                    set_status(&mut tx, id, "deleted", "", now).await?;
                    report.deleted.push(id.clone());
                }
                _ => {}
            }
        }
        for (id, manifest) in &published {
            if here.contains_key(*id) {
                continue;
            }
            if elsewhere.contains(*id) {
                report.foreign.push(id.to_string());
                continue;
            }
            insert_completed(&mut tx, store_name, manifest, now).await?;
            report.inserted.push(id.to_string());
        }
        for id in &staged {
            if published.contains_key(id) {
                continue;
            }
            match here.get(*id).map(String::as_str) {
                // Resumable, or a deletion that start-up recovery finishes.
                Some("staged" | "deleting") => {}
                Some(_) => report.abandoned_staged.push(id.to_string()),
                None => report.leftover_staged.push(id.to_string()),
            }
        }
        tx.commit().await?;

        for list in [
            &mut report.inserted,
            &mut report.completed,
            &mut report.missing,
            &mut report.deleted,
            &mut report.failed,
            &mut report.resumable,
            &mut report.abandoned_staged,
            &mut report.leftover_staged,
            &mut report.foreign,
        ] {
            list.sort();
        }
        if report.changed_anything() {
            tracing::warn!(
                store = store_name,
                ?report,
                "Reconciled the catalog with the store."
            );
        }
        Ok(report)
    }
}

type Now = chrono::DateTime<chrono::Utc>;

async fn insert_completed(
    conn: &mut SqliteConnection,
    store: &str,
    manifest: &Manifest,
    now: Now,
) -> Result<(), CatalogError> {
    sqlx::query(
        "INSERT INTO backups (id, source, store, status, rows, bytes, started_at, finished_at, \
         created_at, updated_at) VALUES (?, ?, ?, 'completed', ?, ?, ?, ?, ?, ?)",
    )
    .bind(&manifest.backup_id)
    .bind(&manifest.source.name)
    .bind(store)
    .bind(to_i64("rows", manifest.total_rows())?)
    .bind(to_i64("bytes", manifest.total_bytes())?)
    .bind(manifest.started_at)
    .bind(manifest.finished_at)
    .bind(now)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    replace_tables(conn, &manifest.backup_id, &manifest.tables).await
}

async fn mark_completed(
    conn: &mut SqliteConnection,
    manifest: &Manifest,
    now: Now,
) -> Result<(), CatalogError> {
    sqlx::query(
        "UPDATE backups SET status = 'completed', rows = ?, bytes = ?, finished_at = ?, \
         error = NULL, deleted_at = NULL, updated_at = ? WHERE id = ?",
    )
    .bind(to_i64("rows", manifest.total_rows())?)
    .bind(to_i64("bytes", manifest.total_bytes())?)
    .bind(manifest.finished_at)
    .bind(now)
    .bind(&manifest.backup_id)
    .execute(&mut *conn)
    .await?;
    replace_tables(conn, &manifest.backup_id, &manifest.tables).await
}

/// Sets a status with a note in `error` (an empty note keeps the current error). Deleted
/// backups get `deleted_at`, failed ones `finished_at`.
async fn set_status(
    conn: &mut SqliteConnection,
    id: &str,
    status: &str,
    note: &str,
    now: Now,
) -> Result<(), CatalogError> {
    sqlx::query(
        "UPDATE backups SET status = ?1, error = COALESCE(NULLIF(?2, ''), error), \
         deleted_at = CASE WHEN ?1 = 'deleted' THEN ?3 ELSE deleted_at END, \
         finished_at = CASE WHEN ?1 = 'failed' THEN COALESCE(finished_at, ?3) ELSE finished_at END, \
         updated_at = ?3 WHERE id = ?4",
    )
    .bind(status)
    .bind(note)
    .bind(now)
    .bind(id)
    .execute(&mut *conn)
    .await?;
    Ok(())
}
