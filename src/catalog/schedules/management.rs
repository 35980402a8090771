//! Who owns a schedule's definition (issue 14): the config file's `[[schedules]]` or the API.
//! These writes leave the definition and `next_run_at` alone; the scheduler changes those.

use super::ManagedBy;
use crate::catalog::{Catalog, CatalogError};

impl Catalog {
    /// Marks the schedule as declared in the config file with `entry` (the file's entry as
    /// applied, JSON) and clears a "removed from the file" flag.
    pub async fn mark_schedule_from_config(
        &self,
        id: &str,
        entry: &str,
    ) -> Result<(), CatalogError> {
        let mut tx = self.begin_write().await?;
        let done = sqlx::query(
            "UPDATE schedules SET managed_by = ?, config_entry = ?, \
             removed_from_config_at = NULL WHERE id = ?",
        )
        .bind(ManagedBy::Config.as_str())
        .bind(entry)
        .bind(id)
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() == 0 {
            return Err(CatalogError::not_found("schedule", id));
        }
        tx.commit().await
    }

    /// Flags a config-managed schedule whose entry left the file (now).
    pub async fn mark_schedule_removed_from_config(&self, id: &str) -> Result<(), CatalogError> {
        let now = self.now();
        let mut tx = self.begin_write().await?;
        let done = sqlx::query("UPDATE schedules SET removed_from_config_at = ? WHERE id = ?")
            .bind(now)
            .bind(id)
            .execute(&mut *tx)
            .await?;
        if done.rows_affected() == 0 {
            return Err(CatalogError::not_found("schedule", id));
        }
        tx.commit().await
    }
}
