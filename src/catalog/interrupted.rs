//! Start-up recovery: runs a dead process left `queued` or `running`.

use super::run_types::RunRow;
use super::{Catalog, CatalogError, Run};

impl Catalog {
    /// Marks every `queued` or `running` run `failed` with `reason` and returns them (as now
    /// stored), so the caller can clean up or resume their staged backups.
    ///
    /// Call once at start-up, before the scheduler starts anything: at that moment no run of
    /// this database can be alive, so every unfinished one belonged to a process that died
    /// (Velero marks InProgress backups Failed on start for the same reason; without it a
    /// crashed run blocks its schedule forever). Only one daemon may use a database file.
    pub async fn mark_interrupted_runs(&self, reason: &str) -> Result<Vec<Run>, CatalogError> {
        let now = self.now();
        let mut tx = self.begin_write().await?;
        let rows: Vec<RunRow> = sqlx::query_as(
            "UPDATE runs SET status = 'failed', error = ?, finished_at = ?, updated_at = ? \
             WHERE status IN ('queued', 'running') RETURNING *",
        )
        .bind(reason)
        .bind(now)
        .bind(now)
        .fetch_all(&mut *tx)
        .await?;
        tx.commit().await?;
        let mut runs = rows
            .into_iter()
            .map(Run::try_from)
            .collect::<Result<Vec<_>, _>>()?;
        runs.sort_by(|a, b| a.created_at.cmp(&b.created_at).then(a.id.cmp(&b.id)));
        if !runs.is_empty() {
            tracing::warn!(count = runs.len(), %reason, "Marked interrupted runs as failed.");
        }
        Ok(runs)
    }
}
