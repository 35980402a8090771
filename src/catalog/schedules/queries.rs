//! Schedule CRUD.

use chrono::{DateTime, Utc};

use super::{new_schedule_id, NewSchedule, Schedule, ScheduleListKey, ScheduleRow, ScheduleUpdate};
use crate::catalog::columns::to_json;
use crate::catalog::error::is_unique_violation;
use crate::catalog::page::{paginate, Cursor, Page, PageRequest};
use crate::catalog::{Catalog, CatalogError};

impl Catalog {
    pub async fn create_schedule(&self, new: NewSchedule) -> Result<Schedule, CatalogError> {
        validate(&new.name, &new.cron, &new.source, &new.store, &new.tables)?;
        let now = self.now();
        let mut tx = self.begin_write().await?;
        let row: ScheduleRow = sqlx::query_as(
            "INSERT INTO schedules (id, name, cron, timezone, source, store, tables, retention, \
             paused, mode, copy_to, next_run_at, created_at, updated_at) \
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING *",
        )
        .bind(new_schedule_id())
        .bind(&new.name)
        .bind(&new.cron)
        .bind(new.timezone.name())
        .bind(&new.source)
        .bind(&new.store)
        .bind(to_json("tables", &new.tables)?)
        .bind(to_json("retention", &new.retention)?)
        .bind(new.paused)
        .bind(new.mode.as_str())
        .bind(to_json("copy_to", &new.copy_to)?)
        .bind(new.next_run_at)
        .bind(now)
        .bind(now)
        .fetch_one(&mut *tx)
        .await
        .map_err(|e| name_conflict(e, &new.name))?;
        tx.commit().await?;
        row.try_into()
    }

    pub async fn get_schedule(&self, id: &str) -> Result<Schedule, CatalogError> {
        sqlx::query_as::<_, ScheduleRow>("SELECT * FROM schedules WHERE id = ?")
            .bind(id)
            .fetch_optional(&self.reader)
            .await?
            .ok_or_else(|| CatalogError::not_found("schedule", id))?
            .try_into()
    }

    pub async fn find_schedule_by_name(
        &self,
        name: &str,
    ) -> Result<Option<Schedule>, CatalogError> {
        sqlx::query_as::<_, ScheduleRow>("SELECT * FROM schedules WHERE name = ?")
            .bind(name)
            .fetch_optional(&self.reader)
            .await?
            .map(Schedule::try_from)
            .transpose()
    }

    /// All schedules in name order, a page at a time.
    pub async fn list_schedules(&self, page: &PageRequest) -> Result<Page<Schedule>, CatalogError> {
        let cursor = Cursor::decode(page, &ScheduleListKey)?;
        let size = page.size();
        let rows: Vec<ScheduleRow> =
            sqlx::query_as("SELECT * FROM schedules WHERE name > ? ORDER BY name LIMIT ?")
                .bind(cursor.map(|c| c.key).unwrap_or_default())
                .bind(i64::from(size) + 1)
                .fetch_all(&self.reader)
                .await?;
        let items = rows
            .into_iter()
            .map(Schedule::try_from)
            .collect::<Result<Vec<_>, _>>()?;
        Ok(paginate(items, size, |s| {
            Cursor::new(None, s.name.clone(), &ScheduleListKey)
        }))
    }

    /// Applies a partial change in one write transaction and returns the result.
    pub async fn update_schedule(
        &self,
        id: &str,
        update: ScheduleUpdate,
    ) -> Result<Schedule, CatalogError> {
        let mut tx = self.begin_write().await?;
        let current: Schedule =
            sqlx::query_as::<_, ScheduleRow>("SELECT * FROM schedules WHERE id = ?")
                .bind(id)
                .fetch_optional(&mut *tx)
                .await?
                .ok_or_else(|| CatalogError::not_found("schedule", id))?
                .try_into()?;
        let next = Schedule {
            name: update.name.unwrap_or(current.name),
            cron: update.cron.unwrap_or(current.cron),
            timezone: update.timezone.unwrap_or(current.timezone),
            source: update.source.unwrap_or(current.source),
            store: update.store.unwrap_or(current.store),
            tables: update.tables.unwrap_or(current.tables),
            retention: update.retention.unwrap_or(current.retention),
            paused: update.paused.unwrap_or(current.paused),
            mode: update.mode.unwrap_or(current.mode),
            copy_to: update.copy_to.unwrap_or(current.copy_to),
            next_run_at: update.next_run_at.unwrap_or(current.next_run_at),
            updated_at: self.now(),
            ..current
        };
        validate(
            &next.name,
            &next.cron,
            &next.source,
            &next.store,
            &next.tables,
        )?;
        let row: ScheduleRow = sqlx::query_as(
            "UPDATE schedules SET name = ?, cron = ?, timezone = ?, source = ?, store = ?, \
             tables = ?, retention = ?, paused = ?, mode = ?, copy_to = ?, next_run_at = ?, \
             updated_at = ? \
             WHERE id = ? RETURNING *",
        )
        .bind(&next.name)
        .bind(&next.cron)
        .bind(next.timezone.name())
        .bind(&next.source)
        .bind(&next.store)
        .bind(to_json("tables", &next.tables)?)
        .bind(to_json("retention", &next.retention)?)
        .bind(next.paused)
        .bind(next.mode.as_str())
        .bind(to_json("copy_to", &next.copy_to)?)
        .bind(next.next_run_at)
        .bind(next.updated_at)
        .bind(id)
        .fetch_one(&mut *tx)
        .await
        .map_err(|e| name_conflict(e, &next.name))?;
        tx.commit().await?;
        row.try_into()
    }

    /// Records the next tick. The scheduler's hot path: leaves `updated_at` alone.
    pub async fn set_schedule_next_run(
        &self,
        id: &str,
        next_run_at: Option<DateTime<Utc>>,
    ) -> Result<(), CatalogError> {
        let mut tx = self.begin_write().await?;
        let done = sqlx::query("UPDATE schedules SET next_run_at = ? WHERE id = ?")
            .bind(next_run_at)
            .bind(id)
            .execute(&mut *tx)
            .await?;
        if done.rows_affected() == 0 {
            return Err(CatalogError::not_found("schedule", id));
        }
        tx.commit().await
    }

    /// Deletes a schedule. Its runs and backups stay, with `schedule_id` set to NULL.
    pub async fn delete_schedule(&self, id: &str) -> Result<(), CatalogError> {
        let mut tx = self.begin_write().await?;
        let done = sqlx::query("DELETE FROM schedules WHERE id = ?")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        if done.rows_affected() == 0 {
            return Err(CatalogError::not_found("schedule", id));
        }
        tx.commit().await
    }
}

fn validate(
    name: &str,
    cron: &str,
    source: &str,
    store: &str,
    tables: &[String],
) -> Result<(), CatalogError> {
    for (field, value) in [
        ("name", name),
        ("cron", cron),
        ("source", source),
        ("store", store),
    ] {
        if value.trim().is_empty() {
            return Err(CatalogError::InvalidInput(format!(
                "schedule {field} is empty"
            )));
        }
    }
    if tables.iter().any(|t| t.is_empty()) {
        return Err(CatalogError::InvalidInput("a table name is empty".into()));
    }
    Ok(())
}

fn name_conflict(error: sqlx::Error, name: &str) -> CatalogError {
    if is_unique_violation(&error) {
        CatalogError::Conflict(format!("a schedule named {name:?} already exists"))
    } else {
        error.into()
    }
}
