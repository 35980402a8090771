//! Start-up recovery: what a dead process left behind (runs stuck `running`, staged backups)
//! and reconciliation of the catalog with what the store actually holds.

use tablevault::catalog::{BackupStatus, NewBackup, NewRun, RunKind, RunStatus, RunTrigger};
use tablevault::config::InterruptedBackups;
use tablevault::emulator::FaultConfig;
use tablevault::engine::{run_backup, BackupIo, BackupJob, BackupOutcome};
use tablevault::runs::{BackupRequest, ExecutorOptions, INTERRUPTED_REASON};
use tablevault::store::{BackupStore, SourceInfo};
use tablevault::tablestore::client::{Client, RetryPolicy};

use super::helpers::{engine_config, Harness, Setup, ORDERS_ROWS};
use crate::support::emulator::client;

fn source(h: &Harness) -> SourceInfo {
    SourceInfo {
        name: "prod".into(),
        endpoint: h.emulator.endpoint(),
        instance: h.emulator.config().instance.clone(),
    }
}

/// A backup taken by the engine directly into the archive (no catalog involved).
async fn engine_backup(
    h: &Harness,
    client: &Client,
    keep_staged: bool,
) -> (String, Option<BackupOutcome>) {
    let job = BackupJob::new(source(h), vec!["orders".into()], engine_config());
    let id = job.backup_id.clone();
    let mut ctx = BackupIo::new(client.clone(), h.archive.clone());
    ctx.keep_staged_on_failure = keep_staged;
    (id, run_backup(job, &ctx).await.ok())
}

/// A staged backup of `orders` that stopped after saving its plan: the first scan request
/// fails and the client does not retry. Returns its id.
async fn stopped_after_its_plan(h: &Harness) -> String {
    h.emulator.set_faults(FaultConfig {
        fail_next: 1,
        actions: vec!["GetRange".into()],
        ..FaultConfig::default()
    });
    let no_retry = client(&h.emulator).with_retry_policy(RetryPolicy::never());
    let (backup_id, outcome) = engine_backup(h, &no_retry, true).await;
    assert!(outcome.is_none(), "the first attempt fails");
    backup_id
}

fn resume_policy() -> Setup {
    Setup {
        executor: ExecutorOptions {
            interrupted_backups: InterruptedBackups::Resume,
            ..ExecutorOptions::default()
        },
        ..Setup::default()
    }
}

/// Records what a process that died mid-backup leaves in the catalog: the run `running`,
/// the backup `staged`.
async fn leave_running(h: &Harness, schedule_id: &str, backup_id: &str) -> String {
    let new = NewRun::new(RunKind::Backup, RunTrigger::Schedule).schedule(schedule_id);
    let run = h.catalog.create_run(new).await.expect("run");
    h.catalog.start_run(&run.id).await.expect("running");
    h.catalog
        .create_backup(NewBackup {
            id: backup_id.to_string(),
            schedule_id: Some(schedule_id.to_string()),
            source: "prod".into(),
            store: "local".into(),
            started_at: chrono::Utc::now(),
        })
        .await
        .expect("staged backup");
    h.catalog
        .set_run_backup(&run.id, backup_id)
        .await
        .expect("linked");
    run.id
}

#[tokio::test]
async fn a_run_left_running_fails_and_its_staged_data_is_cleaned() {
    let mut h = Harness::new(Setup::default()).await;
    let schedule = h.schedule("nightly", "0 3 * * *", &["orders"]).await;
    let backup_id = "20300101T030000Z-abcdef";
    let staged = h
        .archive
        .create(backup_id)
        .await
        .expect("staged in the store");
    staged.save_plan("{}").await.expect("plan");
    let run_id = leave_running(&h, &schedule.id, backup_id).await;

    h.rebuild(Setup::default());
    let report = h.scheduler.start().await.expect("starts").recovery;
    assert_eq!(report.interrupted_runs, std::slice::from_ref(&run_id));
    assert_eq!(report.cleaned, [backup_id.to_string()]);
    let run = h.catalog.get_run(&run_id).await.expect("run");
    assert_eq!(run.status, RunStatus::Failed);
    assert_eq!(run.error.as_deref(), Some(INTERRUPTED_REASON));
    let backup = h.catalog.get_backup(backup_id).await.expect("backup");
    assert_eq!(backup.status, BackupStatus::Failed);
    assert!(h.archive.staged().await.expect("staged").is_empty());
    h.scheduler
        .shutdown(std::time::Duration::from_secs(5))
        .await;
}

#[tokio::test]
async fn with_the_resume_policy_an_interrupted_backup_is_finished() {
    let mut h = Harness::new(Setup::default()).await;
    let schedule = h.schedule("nightly", "0 3 * * *", &["orders"]).await;
    let backup_id = stopped_after_its_plan(&h).await;
    assert_eq!(
        h.archive.staged().await.expect("staged"),
        std::slice::from_ref(&backup_id)
    );
    let run_id = leave_running(&h, &schedule.id, &backup_id).await;

    h.rebuild(resume_policy());
    let report = h.scheduler.start().await.expect("starts").recovery;
    assert_eq!(report.interrupted_runs, [run_id]);
    assert_eq!(report.resume_runs.len(), 1);
    let resumed = h.wait_finished(&report.resume_runs[0]).await;
    assert_eq!(resumed.status, RunStatus::Succeeded, "{:?}", resumed.error);
    assert_eq!(resumed.trigger, RunTrigger::CatchUp);
    let backup = h.catalog.get_backup(&backup_id).await.expect("backup");
    assert_eq!(backup.status, BackupStatus::Completed);
    assert_eq!(backup.rows, ORDERS_ROWS);
    h.scheduler
        .shutdown(std::time::Duration::from_secs(5))
        .await;
}

#[tokio::test]
async fn start_reconciles_the_catalog_with_the_store() {
    let mut h = Harness::new(Setup::default()).await;
    let client = h.client.clone();
    // Published in the store, unknown to the catalog (e.g. the database was restored).
    let (unknown, outcome) = engine_backup(&h, &client, false).await;
    assert!(outcome.is_some());
    // Completed in the catalog, gone from the store (deleted by hand).
    let (gone, outcome) = engine_backup(&h, &client, false).await;
    let manifest = outcome.expect("published").manifest;
    h.catalog
        .create_backup(NewBackup {
            id: gone.clone(),
            schedule_id: None,
            source: "prod".into(),
            store: "local".into(),
            started_at: manifest.started_at,
        })
        .await
        .expect("catalogued");
    h.catalog
        .complete_backup(&gone, &manifest, None)
        .await
        .expect("completed");
    h.archive.delete(&gone).await.expect("deleted by hand");

    h.rebuild(Setup::default());
    let report = h.scheduler.start().await.expect("starts").recovery;
    let local = &report.reconciled["local"];
    assert_eq!(local.inserted, std::slice::from_ref(&unknown));
    assert_eq!(local.missing, std::slice::from_ref(&gone));
    let inserted = h.catalog.get_backup(&unknown).await.expect("inserted");
    assert_eq!(inserted.status, BackupStatus::Completed);
    assert_eq!(inserted.rows, ORDERS_ROWS);
    let missing = h.catalog.get_backup(&gone).await.expect("missing");
    assert_eq!(missing.status, BackupStatus::Deleted);
    assert!(report.unreachable_stores.is_empty());
    h.scheduler
        .shutdown(std::time::Duration::from_secs(5))
        .await;
}

/// A resumed backup claims the tables of its plan, not the whole source: while it runs, a
/// backup of another table of the same source starts, and one of its own table is skipped
/// naming it. (It used to be recorded as `{"resume": id}` claiming every table.)
#[tokio::test]
async fn a_resumed_backup_claims_exactly_its_tables() {
    let mut h = Harness::new(Setup::default()).await;
    let schedule = h.schedule("nightly", "0 3 * * *", &["orders"]).await;
    let backup_id = stopped_after_its_plan(&h).await;
    leave_running(&h, &schedule.id, &backup_id).await;
    // Every scan now takes a minute: the resume is still running while the test submits.
    h.emulator.set_faults(FaultConfig {
        latency_ms: 60_000,
        actions: vec!["GetRange".into()],
        ..FaultConfig::default()
    });

    h.rebuild(resume_policy());
    let report = h.scheduler.start().await.expect("starts").recovery;
    assert_eq!(report.resume_runs.len(), 1);
    let resume = h.catalog.get_run(&report.resume_runs[0]).await.unwrap();
    assert_eq!(
        resume.request,
        serde_json::json!({"resume": backup_id, "tables": ["orders"]})
    );
    let executor = h.scheduler.executor();
    let request = |table: &str| BackupRequest {
        schedule_id: None,
        schedule_name: None,
        source: "prod".into(),
        store: "local".into(),
        tables: vec![table.to_string()],
        trigger: RunTrigger::Manual,
        scheduled_at: None,
    };
    let other = executor.submit_backup(request("users")).await.unwrap();
    assert_ne!(other.status, RunStatus::Skipped, "{:?}", other.skip_reason);
    let same = executor.submit_backup(request("orders")).await.unwrap();
    assert_eq!(same.status, RunStatus::Skipped);
    let reason = same.skip_reason.unwrap_or_default();
    assert!(
        reason.contains("table orders of source prod is in use by run"),
        "{reason}"
    );
    let status = h.catalog.get_run(&resume.id).await.unwrap().status;
    assert!(
        matches!(status, RunStatus::Queued | RunStatus::Running),
        "the resume was active the whole time: {status}"
    );
    h.emulator.set_faults(FaultConfig::default());
    h.scheduler
        .shutdown(std::time::Duration::from_secs(5))
        .await;
}
