//! Controlling schedules: pause/resume, run-now, catch-up after downtime, changes that take
//! effect at once, and refused definitions.

use std::time::Duration;

use tablevault::catalog::{NewSchedule, RunStatus, RunTrigger, ScheduleUpdate};
use tablevault::scheduler::SchedulerOptions;

use super::helpers::{at, scheduled_at, Harness, Setup, START};

#[tokio::test]
async fn pause_stops_firing_and_resume_waits_for_the_next_tick() {
    let h = Harness::new(Setup::default()).await;
    let schedule = h.schedule("hourly", "0 * * * *", &["orders"]).await;
    assert_eq!(schedule.next_run_at, Some(at("2030-01-01T01:00:00Z")));

    let paused = h.scheduler.pause(&schedule.id).await.expect("paused");
    assert!(paused.paused);
    assert_eq!(paused.next_run_at, None);
    let report = h
        .scheduler
        .tick_once(at("2030-01-01T03:30:00Z"))
        .await
        .expect("tick");
    assert!(report.runs.is_empty());

    h.clock.set(at("2030-01-01T03:30:00Z"));
    let resumed = h.scheduler.resume(&schedule.id).await.expect("resumed");
    assert!(!resumed.paused);
    assert_eq!(resumed.next_run_at, Some(at("2030-01-01T04:00:00Z")));
    let report = h
        .scheduler
        .tick_once(at("2030-01-01T03:30:00Z"))
        .await
        .expect("tick");
    assert!(report.runs.is_empty(), "resuming does not fire at once");
    assert!(h.runs(Some(&schedule.id)).await.is_empty());
}

#[tokio::test]
async fn run_now_runs_at_once_and_leaves_next_run_at_alone() {
    let mut h = Harness::new(Setup::default()).await;
    let schedule = h.schedule("daily", "0 3 * * *", &["orders"]).await;
    let before = schedule.next_run_at;
    let run = h.scheduler.run_now(&schedule.id).await.expect("run now");
    assert_eq!(run.trigger, RunTrigger::Manual);
    assert_eq!(run.schedule_id.as_deref(), Some(schedule.id.as_str()));
    let done = h.wait_finished(&run.id).await;
    assert_eq!(done.status, RunStatus::Succeeded, "{:?}", done.error);
    let after = h
        .catalog
        .get_schedule(&schedule.id)
        .await
        .expect("schedule");
    assert_eq!(after.next_run_at, before);
}

#[tokio::test]
async fn a_downtime_gets_exactly_one_catch_up_run() {
    let mut h = Harness::new(Setup::default()).await;
    let schedule = h.schedule("ten-minutes", "*/10 * * * *", &["orders"]).await;
    assert_eq!(schedule.next_run_at, Some(at("2030-01-01T00:10:00Z")));
    // The daemon was down from 00:05 to 03:35: twenty ticks missed.
    h.clock.set(at("2030-01-01T03:35:00Z"));
    let started = h.scheduler.start().await.expect("starts");
    assert_eq!(started.catch_up.runs.len(), 1);
    let catch_up = &started.catch_up.runs[0];
    assert_eq!(catch_up.trigger, RunTrigger::CatchUp);
    assert_eq!(scheduled_at(catch_up), Some(at("2030-01-01T00:10:00Z")));
    assert_eq!(
        h.wait_finished(&catch_up.id).await.status,
        RunStatus::Succeeded
    );
    let stored = h
        .catalog
        .get_schedule(&schedule.id)
        .await
        .expect("schedule");
    assert_eq!(stored.next_run_at, Some(at("2030-01-01T03:40:00Z")));
    assert_eq!(h.runs(Some(&schedule.id)).await.len(), 1);
    h.scheduler.shutdown(Duration::from_secs(5)).await;
}

#[tokio::test]
async fn with_catch_up_off_the_missed_tick_is_recorded_as_skipped() {
    let setup = Setup {
        scheduler: SchedulerOptions {
            catch_up: false,
            ..SchedulerOptions::default()
        },
        ..Setup::default()
    };
    let h = Harness::new(setup).await;
    let schedule = h.schedule("ten-minutes", "*/10 * * * *", &["orders"]).await;
    let report = h
        .scheduler
        .catch_up(at("2030-01-01T03:35:00Z"))
        .await
        .expect("catch-up step");
    assert_eq!(report.runs.len(), 1);
    assert_eq!(report.runs[0].status, RunStatus::Skipped);
    let reason = report.runs[0].skip_reason.as_deref().unwrap_or_default();
    assert!(reason.contains("catch-up is off"), "{reason}");
    let stored = h
        .catalog
        .get_schedule(&schedule.id)
        .await
        .expect("schedule");
    assert_eq!(stored.next_run_at, Some(at("2030-01-01T03:40:00Z")));
}

#[tokio::test]
async fn a_changed_schedule_takes_effect_without_waiting_for_the_old_tick() {
    let mut h = Harness::new(Setup::default()).await;
    let schedule = h.schedule("daily", "0 3 * * *", &["orders"]).await;
    h.scheduler.start().await.expect("starts");
    h.wait_tick(at(START)).await;
    // The loop now sleeps until 03:00. Make the schedule minutely; 00:01 must fire.
    let update = ScheduleUpdate {
        cron: Some("* * * * *".into()),
        ..ScheduleUpdate::default()
    };
    let updated = h
        .scheduler
        .update_schedule(&schedule.id, update)
        .await
        .expect("updated");
    assert_eq!(updated.next_run_at, Some(at("2030-01-01T00:01:00Z")));
    h.clock.set(at("2030-01-01T00:01:00Z"));
    h.wait_tick(at("2030-01-01T00:01:00Z")).await;
    let runs = h.runs(Some(&schedule.id)).await;
    assert_eq!(runs.len(), 1);
    assert_eq!(scheduled_at(&runs[0]), Some(at("2030-01-01T00:01:00Z")));
    h.wait_finished(&runs[0].id).await;
    h.scheduler.shutdown(Duration::from_secs(5)).await;
}

#[tokio::test]
async fn invalid_schedules_and_unknown_names_are_refused() {
    let h = Harness::new(Setup::default()).await;
    let mut bad = NewSchedule::new("bad", "* * *", "prod", "local");
    let error = h
        .scheduler
        .create_schedule(bad.clone())
        .await
        .expect_err("cron");
    assert!(error.to_string().contains("expected 5"), "{error}");
    bad.cron = "* * * * *".into();
    bad.source = "nowhere".into();
    let error = h.scheduler.create_schedule(bad).await.expect_err("source");
    assert!(
        error.to_string().contains("unknown source \"nowhere\""),
        "{error}"
    );
}
