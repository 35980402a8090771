//! The demo's schedule `demo-every-minute`: created on the first start, brought back to the
//! demo's definition on every later one (so a restart never duplicates it), and run once at
//! start so the first backup does not wait for the next minute.

use super::{sample, settings, DemoError};
use crate::catalog::{NewSchedule, Run, Schedule, ScheduleUpdate};
use crate::config::DEFAULT_STORE;
use crate::retention::RetentionPolicy;
use crate::scheduler::Scheduler;

pub const NAME: &str = "demo-every-minute";
pub const CRON: &str = "* * * * *";
/// Backups kept: enough to browse and restore, few enough that the demo never fills a disk.
pub const KEEP_LAST: u32 = 10;

fn retention() -> RetentionPolicy {
    RetentionPolicy {
        keep_last: KEEP_LAST,
        ..RetentionPolicy::default()
    }
}

/// Creates or updates the schedule, then starts a backup of it now. The returned run may be
/// `skipped` when a catch-up run of the schedule is already going (that one completes first).
pub async fn ensure(scheduler: &Scheduler) -> Result<(Schedule, Run), DemoError> {
    let catalog = scheduler.executor().catalog();
    let schedule = match catalog.find_schedule_by_name(NAME).await? {
        Some(existing) => {
            let update = ScheduleUpdate {
                cron: Some(CRON.to_string()),
                timezone: Some(chrono_tz::Tz::UTC),
                source: Some(settings::SOURCE.to_string()),
                store: Some(DEFAULT_STORE.to_string()),
                tables: Some(vec![sample::TABLE.to_string()]),
                retention: Some(retention()),
                paused: Some(false),
                ..ScheduleUpdate::default()
            };
            scheduler.update_schedule(&existing.id, update).await?
        }
        None => {
            let mut new = NewSchedule::new(NAME, CRON, settings::SOURCE, DEFAULT_STORE);
            new.tables = vec![sample::TABLE.to_string()];
            new.retention = retention();
            scheduler.create_schedule(new).await?
        }
    };
    let run = scheduler.run_now(&schedule.id).await?;
    tracing::info!(
        schedule = %schedule.name,
        schedule_id = %schedule.id,
        run_id = %run.id,
        "Demo schedule ready; first backup started."
    );
    Ok((schedule, run))
}
