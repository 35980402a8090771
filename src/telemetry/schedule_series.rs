//! The life cycle of a schedule's series: created (counters at 0) when the daemon learns of the
//! schedule, refreshed whenever its definition or timing changes, dropped when it is deleted.
//! A schedule's label sets exist exactly as long as the schedule, so alerts never see a
//! deleted schedule as overdue and a new one is `rate()`-able from its first scrape.

use std::time::Duration;

use chrono::{DateTime, Utc};

use super::labels::run_results;
use super::metrics::{timestamp, Metrics};

/// What a schedule's series start from.
#[derive(Debug, Clone)]
pub struct ScheduleSeries<'a> {
    pub name: &'a str,
    pub store: &'a str,
    /// The time between two ticks of its cron expression, for "no success in 2 intervals" alerts.
    pub expected_interval: Option<Duration>,
    pub next_run: Option<DateTime<Utc>>,
    /// A paused schedule does not fire: the overdue alert leaves it alone.
    pub paused: bool,
    /// When the schedule was created or last changed. The overdue alert counts from here for a
    /// schedule with no success since (new, or just resumed).
    pub updated_at: Option<DateTime<Utc>>,
}

impl Metrics {
    /// Creates every series of a schedule (counters at 0), or refreshes the gauges of one that
    /// exists. `last_success` is left unset until a backup succeeds, so a new schedule does not
    /// look 55 years overdue. A paused schedule has no `next_run` series (it has no next run).
    pub fn init_schedule(&self, schedule: &ScheduleSeries<'_>) {
        let name = schedule.name;
        for result in run_results() {
            self.backup_runs.with_label_values(&[name, result.as_str()]);
        }
        self.backup_duration.with_label_values(&[name]);
        self.backup_rows.with_label_values(&[name]);
        self.backup_bytes.with_label_values(&[name]);
        self.retention_deletions.with_label_values(&[name]);
        self.track_store(name, schedule.store);
        self.schedule_paused
            .with_label_values(&[name])
            .set(i64::from(schedule.paused));
        if let Some(updated) = schedule.updated_at {
            self.schedule_updated
                .with_label_values(&[name])
                .set(timestamp(updated));
        }
        if let Some(interval) = schedule.expected_interval {
            self.schedule_expected_interval
                .with_label_values(&[name])
                .set(interval.as_secs_f64());
        }
        if schedule.paused {
            let _ = self.schedule_next_run.remove_label_values(&[name]);
        } else if let Some(next) = schedule.next_run {
            self.schedule_next_run
                .with_label_values(&[name])
                .set(timestamp(next));
        }
    }

    /// Drops every series of a schedule (deleted, or renamed: init the new name after).
    pub fn remove_schedule(&self, name: &str) {
        for result in run_results() {
            let _ = self
                .backup_runs
                .remove_label_values(&[name, result.as_str()]);
        }
        for single in [
            &self.backup_rows,
            &self.backup_bytes,
            &self.retention_deletions,
        ] {
            let _ = single.remove_label_values(&[name]);
        }
        for single in [
            &self.backup_last_success,
            &self.backup_last_failure,
            &self.schedule_next_run,
            &self.schedule_expected_interval,
            &self.schedule_updated,
        ] {
            let _ = single.remove_label_values(&[name]);
        }
        let _ = self.schedule_paused.remove_label_values(&[name]);
        let _ = self.backup_duration.remove_label_values(&[name]);
        let stores = self
            .schedule_stores
            .lock()
            .expect("metrics lock")
            .remove(name)
            .unwrap_or_default();
        for store in stores {
            let _ = self.backups_stored.remove_label_values(&[name, &store]);
            let _ = self.copy_last_success.remove_label_values(&[name, &store]);
            for result in run_results() {
                let _ = self
                    .copy_runs
                    .remove_label_values(&[name, &store, result.as_str()]);
            }
        }
    }

    /// Creates a store's `store_up` series (0 until its first health check succeeds).
    pub fn init_store(&self, store: &str) {
        self.store_up.with_label_values(&[store]);
    }

    /// Remembers (and creates at 0) the `backups_stored{schedule,store}` series.
    pub(super) fn track_store(&self, schedule: &str, store: &str) {
        self.backups_stored.with_label_values(&[schedule, store]);
        self.schedule_stores
            .lock()
            .expect("metrics lock")
            .entry(schedule.to_string())
            .or_default()
            .insert(store.to_string());
    }
}
