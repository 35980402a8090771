//! One scheduling step: fire every schedule that is due at `now`, and the start-up catch-up.
//!
//! A due schedule fires **once** however many ticks passed since `next_run_at` (Velero: "don't
//! attempt to catch up"), then `next_run_at` becomes the first tick after `now`. The run is
//! recorded before `next_run_at` moves: if the process dies in between, the restart sees a
//! past `next_run_at` and makes up for it, instead of silently losing the tick.

use chrono::{DateTime, Utc};

use super::{CronSchedule, Scheduler, SchedulerError};
use crate::catalog::{NewRun, PageRequest, Run, RunKind, RunTrigger, Schedule, MAX_PAGE_SIZE};
use crate::runs::{BackupRequest, RunError, RunLabels};

/// What one step did.
#[derive(Debug, Clone, Default)]
pub struct TickReport {
    /// Runs recorded by this step: `queued`, `skipped` (overlap, catch-up off) or `failed`
    /// (the schedule cannot run, e.g. its source is no longer configured).
    pub runs: Vec<Run>,
    /// The earliest `next_run_at` of the active schedules after this step.
    pub next_wake: Option<DateTime<Utc>>,
}

impl Scheduler {
    /// Fires everything due at `now` (trigger `schedule`) and moves each fired schedule's
    /// `next_run_at` past `now`. The timer loop calls this; tests call it directly.
    pub async fn tick_once(&self, now: DateTime<Utc>) -> Result<TickReport, SchedulerError> {
        let report = self.step(now, RunTrigger::Schedule).await?;
        self.inner.ticks.send_replace(Some(now));
        Ok(report)
    }

    /// The start-up step: a schedule whose `next_run_at` passed while the daemon was down gets
    /// at most one catch-up run (or a `skipped` record, per [`super::SchedulerOptions`]).
    pub async fn catch_up(&self, now: DateTime<Utc>) -> Result<TickReport, SchedulerError> {
        self.step(now, RunTrigger::CatchUp).await
    }

    async fn step(
        &self,
        now: DateTime<Utc>,
        trigger: RunTrigger,
    ) -> Result<TickReport, SchedulerError> {
        let _edit = self.inner.edit.lock().await;
        let mut report = TickReport::default();
        for schedule in self.all_schedules().await? {
            if schedule.paused {
                continue;
            }
            let cron = match CronSchedule::parse(&schedule.cron, schedule.timezone) {
                Ok(cron) => cron,
                Err(e) => {
                    // Only a hand-edited database gets here: every write path validates.
                    tracing::error!(schedule = %schedule.name, error = %e, "Unusable schedule.");
                    continue;
                }
            };
            let mut next = schedule.next_run_at;
            match schedule.next_run_at {
                Some(due) if due <= now => {
                    report
                        .runs
                        .push(self.fire(&schedule, trigger, due, now).await?);
                    next = cron.next_after(now);
                }
                Some(_) => {}
                None => next = cron.next_after(now),
            }
            if next != schedule.next_run_at {
                self.catalog()
                    .set_schedule_next_run(&schedule.id, next)
                    .await?;
                let updated = Schedule {
                    next_run_at: next,
                    ..schedule
                };
                self.announce(&updated, &cron);
            }
            if let Some(next) = next {
                report.next_wake = Some(report.next_wake.map_or(next, |w| w.min(next)));
            }
        }
        Ok(report)
    }

    /// Records the tick's run: queued, skipped (overlap, or a catch-up that is not allowed) or
    /// failed (the schedule cannot run).
    async fn fire(
        &self,
        schedule: &Schedule,
        trigger: RunTrigger,
        due: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<Run, SchedulerError> {
        let executor = &self.inner.executor;
        let request = BackupRequest::for_schedule(schedule, trigger, Some(due));
        let labels = || RunLabels {
            schedule_name: Some(schedule.name.clone()),
            source: Some(schedule.source.clone()),
            store: Some(schedule.store.clone()),
        };
        let new = || {
            NewRun::new(RunKind::Backup, trigger)
                .schedule(schedule.id.clone())
                .request(serde_json::to_value(&request).unwrap_or_default())
        };
        if trigger == RunTrigger::CatchUp {
            if let Some(reason) = self.refuse_catch_up(due, now) {
                return Ok(executor.record_skipped(new(), labels(), &reason).await?);
            }
            tracing::info!(schedule = %schedule.name, missed = %due, "Catching up a missed tick.");
        }
        match executor.submit_backup(request.clone()).await {
            Ok(run) => Ok(run),
            Err(e @ (RunError::UnknownSource(_) | RunError::UnknownStore(_))) => {
                let message = format!("the schedule cannot run: {e}");
                Ok(executor.record_failed(new(), labels(), &message).await?)
            }
            Err(e) => Err(e.into()),
        }
    }

    fn refuse_catch_up(&self, due: DateTime<Utc>, now: DateTime<Utc>) -> Option<String> {
        let options = &self.inner.options;
        if !options.catch_up {
            return Some(format!(
                "the tick at {due} was missed while the daemon was down and catch-up is off"
            ));
        }
        let age = (now - due).to_std().unwrap_or_default();
        match options.catch_up_max_age {
            Some(max) if age > max => Some(format!(
                "the tick at {due} was missed while the daemon was down, {}s ago, more than \
                 catch_up_max_age ({}s)",
                age.as_secs(),
                max.as_secs()
            )),
            _ => None,
        }
    }

    /// Every schedule, all pages (schedules are few; the catalog pages them for the API).
    pub(super) async fn all_schedules(&self) -> Result<Vec<Schedule>, SchedulerError> {
        let mut all = Vec::new();
        let mut page = PageRequest::first(MAX_PAGE_SIZE);
        loop {
            let got = self.catalog().list_schedules(&page).await?;
            all.extend(got.items);
            match got.next_page_token {
                Some(token) => page = PageRequest::next(MAX_PAGE_SIZE, token),
                None => return Ok(all),
            }
        }
    }
}
