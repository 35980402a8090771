//! [`Scheduler`]: the handle the daemon and the REST layer hold. Schedule changes made through
//! it are validated (cron, zone, source, store), get a fresh `next_run_at`, and wake the timer
//! loop at once, so a new or edited schedule never waits for an old sleep to end.

use std::sync::{Arc, Mutex};

use chrono::{DateTime, Utc};
use tokio::sync::{watch, Notify};
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

use super::{Clock, CronSchedule, SchedulerError, SchedulerOptions};
use crate::catalog::{Catalog, NewSchedule, Run, RunTrigger, Schedule, ScheduleUpdate};
use crate::runs::{BackupRequest, Event, RunExecutor};

/// Fires schedules kept in the catalog. Cheap to clone.
#[derive(Clone)]
pub struct Scheduler {
    pub(super) inner: Arc<Inner>,
}

pub(super) struct Inner {
    pub executor: RunExecutor,
    pub clock: Arc<dyn Clock>,
    pub options: SchedulerOptions,
    /// Held by a tick and by every schedule change, so a tick never stores a `next_run_at`
    /// computed from a definition that was just replaced.
    pub edit: tokio::sync::Mutex<()>,
    /// Wakes the timer loop (a permit is kept if it is busy, so no change is missed).
    pub wake: Notify,
    /// The `now` of the last completed tick.
    pub ticks: watch::Sender<Option<DateTime<Utc>>>,
    /// The daemon's one shutdown token, the executor's: the timer loop ends when it is
    /// cancelled.
    pub stop: CancellationToken,
    pub task: Mutex<Option<JoinHandle<()>>>,
}

/// When a schedule fires next, and how far apart its ticks are (for display and metrics).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct ScheduleTiming {
    pub next_run_at: Option<DateTime<Utc>>,
    pub expected_interval_seconds: Option<u64>,
}

impl Scheduler {
    /// A scheduler submitting to `executor` (a handle the daemon shares with the API) and
    /// stopping with its shutdown token. Give the catalog the same clock
    /// ([`super::catalog_clock`]) so run stamps and ticks agree.
    pub fn new(executor: RunExecutor, clock: Arc<dyn Clock>, options: SchedulerOptions) -> Self {
        let stop = executor.shutdown_token().clone();
        Scheduler {
            inner: Arc::new(Inner {
                executor,
                clock,
                options,
                edit: tokio::sync::Mutex::new(()),
                wake: Notify::new(),
                ticks: watch::Sender::new(None),
                stop,
                task: Mutex::new(None),
            }),
        }
    }

    pub fn executor(&self) -> &RunExecutor {
        &self.inner.executor
    }

    pub(super) fn catalog(&self) -> &Catalog {
        self.inner.executor.catalog()
    }

    pub fn now(&self) -> DateTime<Utc> {
        self.inner.clock.now()
    }

    /// Wakes the timer loop to re-read the schedules (done by every change method here; for
    /// callers that write the catalog directly).
    pub fn notify(&self) {
        self.inner.wake.notify_one();
    }

    /// Follows the `now` of each completed tick (tests wait on it; a health check can too).
    pub fn subscribe_ticks(&self) -> watch::Receiver<Option<DateTime<Utc>>> {
        self.inner.ticks.subscribe()
    }

    /// Next fire time and expected interval, computed from the definition.
    pub fn timing(&self, schedule: &Schedule) -> Result<ScheduleTiming, SchedulerError> {
        let cron = CronSchedule::parse(&schedule.cron, schedule.timezone)?;
        Ok(ScheduleTiming {
            next_run_at: schedule.next_run_at,
            expected_interval_seconds: cron.expected_interval(self.now()).map(|d| d.as_secs()),
        })
    }

    pub async fn create_schedule(&self, mut new: NewSchedule) -> Result<Schedule, SchedulerError> {
        let cron = CronSchedule::parse(&new.cron, new.timezone)?;
        self.check_resources(&new.source, &new.store)?;
        let _edit = self.inner.edit.lock().await;
        new.next_run_at = if new.paused {
            None
        } else {
            cron.next_after(self.now())
        };
        let schedule = self.catalog().create_schedule(new).await?;
        self.announce(&schedule, &cron);
        self.notify();
        Ok(schedule)
    }

    /// Applies a partial change. `next_run_at` is the scheduler's: a caller's value is ignored,
    /// and it is recomputed from now when the cron, the zone or `paused` change (resuming
    /// waits for the next tick; it never fires at once, Velero #6517).
    pub async fn update_schedule(
        &self,
        id: &str,
        mut update: ScheduleUpdate,
    ) -> Result<Schedule, SchedulerError> {
        let _edit = self.inner.edit.lock().await;
        let current = self.catalog().get_schedule(id).await?;
        let expression = update.cron.as_deref().unwrap_or(&current.cron);
        let cron = CronSchedule::parse(expression, update.timezone.unwrap_or(current.timezone))?;
        self.check_resources(
            update.source.as_deref().unwrap_or(&current.source),
            update.store.as_deref().unwrap_or(&current.store),
        )?;
        let paused = update.paused.unwrap_or(current.paused);
        let retimed = update.cron.as_ref().is_some_and(|c| *c != current.cron)
            || update.timezone.is_some_and(|tz| tz != current.timezone)
            || paused != current.paused;
        update.next_run_at = if paused {
            Some(None)
        } else if retimed || current.next_run_at.is_none() {
            Some(cron.next_after(self.now()))
        } else {
            None
        };
        let schedule = self.catalog().update_schedule(id, update).await?;
        if schedule.name != current.name {
            // Metrics are labelled by name: the old name's series would otherwise linger and
            // page as an overdue schedule that no longer exists.
            self.inner.executor.emit(&Event::ScheduleDeleted {
                schedule_id: current.id.clone(),
                schedule_name: current.name.clone(),
            });
        }
        self.announce(&schedule, &cron);
        self.notify();
        Ok(schedule)
    }

    /// Deletes the schedule. Its runs and backups stay (with no schedule).
    pub async fn delete_schedule(&self, id: &str) -> Result<(), SchedulerError> {
        let _edit = self.inner.edit.lock().await;
        let schedule = self.catalog().get_schedule(id).await?;
        self.catalog().delete_schedule(id).await?;
        self.inner.executor.emit(&Event::ScheduleDeleted {
            schedule_id: schedule.id,
            schedule_name: schedule.name,
        });
        self.notify();
        Ok(())
    }

    /// Stops firing; `next_run_at` is cleared.
    pub async fn pause(&self, id: &str) -> Result<Schedule, SchedulerError> {
        let update = ScheduleUpdate {
            paused: Some(true),
            ..ScheduleUpdate::default()
        };
        self.update_schedule(id, update).await
    }

    /// Fires again from the next tick after now.
    pub async fn resume(&self, id: &str) -> Result<Schedule, SchedulerError> {
        let update = ScheduleUpdate {
            paused: Some(false),
            ..ScheduleUpdate::default()
        };
        self.update_schedule(id, update).await
    }

    /// A backup of the schedule now (trigger `manual`), with its retention afterwards.
    /// `next_run_at` does not move. Works on a paused schedule too. Returns the run as recorded:
    /// `queued`, or `skipped` if the schedule or one of its tables is busy.
    pub async fn run_now(&self, id: &str) -> Result<Run, SchedulerError> {
        let schedule = self.catalog().get_schedule(id).await?;
        let request = BackupRequest::for_schedule(&schedule, RunTrigger::Manual, None);
        Ok(self.inner.executor.submit_backup(request).await?)
    }

    fn check_resources(&self, source: &str, store: &str) -> Result<(), SchedulerError> {
        let resources = self.inner.executor.resources();
        resources.source(source)?;
        resources.store(store)?;
        Ok(())
    }

    /// Reports a schedule's (new) timing to the observer.
    pub(super) fn announce(&self, schedule: &Schedule, cron: &CronSchedule) {
        self.inner.executor.emit(&Event::ScheduleTiming {
            schedule_id: schedule.id.clone(),
            schedule_name: schedule.name.clone(),
            store: schedule.store.clone(),
            next_run_at: schedule.next_run_at,
            expected_interval: cron.expected_interval(self.now()),
            paused: schedule.paused,
            updated_at: schedule.updated_at,
        });
    }
}
