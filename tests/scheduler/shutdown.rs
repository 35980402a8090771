//! Graceful shutdown: stop firing, let runs finish within the grace period, cancel the rest
//! at a batch boundary, record their state; and what the next start does with it.

use std::time::Duration;

use tablevault::catalog::{BackupStatus, RunStatus};
use tablevault::config::InterruptedBackups;
use tablevault::emulator::FaultConfig;
use tablevault::runs::{Event, ExecutorOptions, RunError};
use tablevault::scheduler::SchedulerError;
use tablevault::store::BackupStore;

use super::helpers::{Harness, Setup, ORDERS_ROWS};

/// Every scan request takes a minute: a backup started now is still scanning when a short
/// grace period ends, whatever the machine's speed.
fn slow_scans() -> FaultConfig {
    FaultConfig {
        latency_ms: 60_000,
        actions: vec!["GetRange".into()],
        ..FaultConfig::default()
    }
}

fn resume_setup() -> Setup {
    Setup {
        executor: ExecutorOptions {
            interrupted_backups: InterruptedBackups::Resume,
            ..ExecutorOptions::default()
        },
        ..Setup::default()
    }
}

/// Starts a run-now backup of a fresh schedule and waits until it is running.
async fn start_slow_backup(h: &mut Harness) -> String {
    let schedule = h.schedule("nightly", "0 3 * * *", &["orders"]).await;
    h.scheduler.start().await.expect("starts");
    h.emulator.set_faults(slow_scans());
    let run = h.scheduler.run_now(&schedule.id).await.expect("run now");
    h.events_until(|e| matches!(e, Event::RunStarted(r) if r.run_id == run.id))
        .await;
    run.id
}

#[tokio::test]
async fn a_run_that_outlives_the_grace_period_is_cancelled_and_cleaned() {
    let mut h = Harness::new(Setup::default()).await;
    let run_id = start_slow_backup(&mut h).await;

    let report = h.scheduler.shutdown(Duration::from_millis(300)).await;
    assert_eq!(report.cancelled, std::slice::from_ref(&run_id));
    assert!(report.abandoned.is_empty());
    let run = h.catalog.get_run(&run_id).await.expect("run");
    assert_eq!(run.status, RunStatus::Cancelled);
    assert_eq!(
        run.error.as_deref(),
        Some("cancelled: the daemon is shutting down")
    );
    let backup = h
        .catalog
        .get_backup(run.backup_id.as_deref().expect("backup id"))
        .await
        .expect("backup");
    assert_eq!(backup.status, BackupStatus::Failed);
    assert!(h.archive.staged().await.expect("staged").is_empty());

    let after = h
        .scheduler
        .run_now(&run.schedule_id.expect("schedule"))
        .await;
    assert!(
        matches!(after, Err(SchedulerError::Run(RunError::ShuttingDown))),
        "{after:?}"
    );
}

#[tokio::test]
async fn with_the_resume_policy_a_stopped_backup_is_resumed_at_the_next_start() {
    let mut h = Harness::new(resume_setup()).await;
    let run_id = start_slow_backup(&mut h).await;
    let report = h.scheduler.shutdown(Duration::from_millis(300)).await;
    assert_eq!(report.cancelled, std::slice::from_ref(&run_id));
    let run = h.catalog.get_run(&run_id).await.expect("run");
    assert_eq!(run.status, RunStatus::Cancelled);
    let backup_id = run.backup_id.expect("backup id");
    let backup = h.catalog.get_backup(&backup_id).await.expect("backup");
    assert_eq!(backup.status, BackupStatus::Staged, "kept for the resume");
    assert_eq!(
        h.archive.staged().await.expect("staged"),
        std::slice::from_ref(&backup_id)
    );

    // The next start: scans are fast again.
    h.emulator.set_faults(FaultConfig::default());
    h.rebuild(resume_setup());
    let recovery = h.scheduler.start().await.expect("starts").recovery;
    assert_eq!(
        recovery.reconciled["local"].resumable,
        std::slice::from_ref(&backup_id)
    );
    assert_eq!(recovery.resume_runs.len(), 1);
    let resumed = h.wait_finished(&recovery.resume_runs[0]).await;
    assert_eq!(resumed.status, RunStatus::Succeeded, "{:?}", resumed.error);
    let backup = h.catalog.get_backup(&backup_id).await.expect("backup");
    assert_eq!(backup.status, BackupStatus::Completed);
    assert_eq!(backup.rows, ORDERS_ROWS);
    h.scheduler.shutdown(Duration::from_secs(5)).await;
}

#[tokio::test]
async fn queued_runs_are_cancelled_at_once_and_running_ones_may_finish() {
    let setup = Setup {
        executor: ExecutorOptions {
            max_concurrent_runs: 1,
            ..ExecutorOptions::default()
        },
        ..Setup::default()
    };
    let mut h = Harness::new(setup).await;
    let orders = h.schedule("a-orders", "0 3 * * *", &["orders"]).await;
    let users = h.schedule("b-users", "0 3 * * *", &["users"]).await;
    h.gate.close();
    let running = h.scheduler.run_now(&orders.id).await.expect("run now");
    h.events_until(|e| matches!(e, Event::RunStarted(r) if r.run_id == running.id))
        .await;
    let queued = h.scheduler.run_now(&users.id).await.expect("run now");
    assert_eq!(queued.status, RunStatus::Queued);

    let scheduler = h.scheduler.clone();
    let shutdown = tokio::spawn(async move { scheduler.shutdown(Duration::from_secs(60)).await });
    // The queued run ends first, without ever starting; then the running one may finish.
    let cancelled = h.wait_finished(&queued.id).await;
    assert_eq!(cancelled.status, RunStatus::Cancelled);
    assert_eq!(
        cancelled.error.as_deref(),
        Some("cancelled while queued: the daemon is shutting down")
    );
    assert_eq!(cancelled.started_at, None);
    h.gate.open();
    let report = shutdown.await.expect("shutdown task");
    assert!(report.cancelled.is_empty(), "{report:?}");
    let finished = h.catalog.get_run(&running.id).await.expect("run");
    assert_eq!(finished.status, RunStatus::Succeeded);
}
