//! Scheduled backups end to end against the emulator and the archive store: the catalog
//! follows the store, retention deletes as recorded runs, verify and restore runs read the
//! result, cancellation cleans up.

use futures::StreamExt;
use tablevault::catalog::{BackupStatus, RunKind, RunStatus, RunTrigger, VerifyResult};
use tablevault::engine::IfExists;
use tablevault::retention::RetentionPolicy;
use tablevault::runs::{BackupRef, Event, RestoreRequest, VerifyRequest};
use tablevault::store::BackupStore;
use tablevault::tablestore::client::{Direction, RangeRequest};

use super::helpers::{at, Harness, Setup, ORDERS_ROWS, USERS_ROWS};

fn keep_last(n: u32) -> RetentionPolicy {
    RetentionPolicy {
        keep_last: n,
        ..RetentionPolicy::default()
    }
}

#[tokio::test]
async fn scheduled_backups_are_catalogued_and_retention_deletes_the_oldest() {
    let mut h = Harness::new(Setup::default()).await;
    let schedule = h
        .schedule_with("nightly", "0 3 * * *", &["orders", "users"], keep_last(2))
        .await;
    let mut backup_ids = Vec::new();
    for day in ["2030-01-01", "2030-01-02", "2030-01-03"] {
        let tick = at(&format!("{day}T03:00:00Z"));
        let report = h.scheduler.tick_once(tick).await.expect("tick");
        let run = h.wait_finished(&report.runs[0].id).await;
        assert_eq!(run.status, RunStatus::Succeeded, "{:?}", run.error);
        assert_eq!(run.progress.rows, ORDERS_ROWS + USERS_ROWS);
        assert_eq!(run.progress.tables_done, 2);
        let backup_id = run.backup_id.clone().expect("the run names its backup");
        let backup = h.catalog.get_backup(&backup_id).await.expect("backup");
        assert_eq!(backup.status, BackupStatus::Completed);
        assert_eq!(backup.schedule_id.as_deref(), Some(schedule.id.as_str()));
        let figures: Vec<(&str, u64)> = backup
            .tables
            .iter()
            .map(|t| (t.name.as_str(), t.rows))
            .collect();
        assert_eq!(figures, [("orders", ORDERS_ROWS), ("users", USERS_ROWS)]);
        assert_eq!(backup.rows, ORDERS_ROWS + USERS_ROWS);
        backup_ids.push(backup_id);
    }

    // The third backup's retention removed the first, as a run of its own.
    let first = h.catalog.get_backup(&backup_ids[0]).await.expect("first");
    assert_eq!(first.status, BackupStatus::Deleted);
    let published: Vec<String> = h
        .archive
        .list()
        .await
        .expect("listing")
        .into_iter()
        .map(|m| m.backup_id)
        .collect();
    assert_eq!(published, backup_ids[1..]);
    let runs = h.runs(Some(&schedule.id)).await;
    let deletions: Vec<_> = runs
        .iter()
        .filter(|r| r.kind == RunKind::RetentionDelete)
        .collect();
    assert_eq!(deletions.len(), 1, "{runs:#?}");
    assert_eq!(deletions[0].status, RunStatus::Succeeded);
    assert_eq!(
        deletions[0].backup_id.as_deref(),
        Some(backup_ids[0].as_str())
    );
    assert_eq!(deletions[0].trigger, RunTrigger::Schedule);

    // The newest is kept with its reasons; the dry run now removes nothing.
    let newest = h.catalog.get_backup(&backup_ids[2]).await.expect("newest");
    assert_eq!(newest.status, BackupStatus::Completed);
    assert!(newest.retention_reasons.is_some_and(|r| !r.is_empty()));
    let plan = h
        .scheduler
        .executor()
        .retention_plan(&schedule.id)
        .await
        .expect("dry run");
    assert_eq!(plan.kept_ids(), [&backup_ids[2], &backup_ids[1]]);
    assert!(plan.remove.is_empty());
}

#[tokio::test]
async fn a_policy_of_one_never_deletes_the_newest_backup() {
    let mut h = Harness::new(Setup::default()).await;
    let schedule = h
        .schedule_with("nightly", "0 3 * * *", &["users"], keep_last(1))
        .await;
    let mut last = None;
    for day in ["2030-01-01", "2030-01-02"] {
        let report = h
            .scheduler
            .tick_once(at(&format!("{day}T03:00:00Z")))
            .await
            .expect("tick");
        let run = h.wait_finished(&report.runs[0].id).await;
        last = run.backup_id;
    }
    let newest = last.expect("a backup");
    let live = h
        .catalog
        .retention_candidates(&schedule.id)
        .await
        .expect("candidates");
    assert_eq!(live.len(), 1);
    assert_eq!(live[0].id, newest);
}

#[tokio::test]
async fn verify_and_restore_read_the_latest_backup_of_a_schedule() {
    let mut h = Harness::new(Setup::default()).await;
    let schedule = h.schedule("nightly", "0 3 * * *", &["users"]).await;
    let run = h.scheduler.run_now(&schedule.id).await.expect("run now");
    let backup_id = h.wait_finished(&run.id).await.backup_id.expect("backup");
    let executor = h.scheduler.executor().clone();

    let verify = executor
        .submit_verify(VerifyRequest {
            backup: BackupRef::LatestOfSchedule(schedule.id.clone()),
            compare_with_source: true,
            tables: vec![],
        })
        .await
        .expect("verify queued");
    assert_eq!(verify.backup_id.as_deref(), Some(backup_id.as_str()));
    assert_eq!(
        h.wait_finished(&verify.id).await.status,
        RunStatus::Succeeded
    );
    let verified = h.catalog.get_backup(&backup_id).await.expect("backup");
    assert_eq!(verified.verify_result, Some(VerifyResult::Passed));

    let restore = executor
        .submit_restore(RestoreRequest {
            backup: BackupRef::BackupId(backup_id.clone()),
            target_source: "prod".into(),
            tables: vec![],
            renames: [("users".to_string(), "users_restored".to_string())].into(),
            if_exists: IfExists::Fail,
            dry_run: false,
            settings: Default::default(),
            point_in_time: None,
        })
        .await
        .expect("restore queued");
    let done = h.wait_finished(&restore.id).await;
    assert_eq!(done.status, RunStatus::Succeeded, "{:?}", done.error);
    let request = RangeRequest::whole_table("users_restored", ["id"], Direction::Forward);
    let pages: Vec<_> = h.client.scan(request).collect().await;
    let rows: usize = pages
        .into_iter()
        .map(|page| page.expect("scan page").len())
        .sum();
    assert_eq!(rows as u64, USERS_ROWS);
}

#[tokio::test]
async fn a_cancelled_run_removes_its_staged_data() {
    let mut h = Harness::new(Setup::default()).await;
    let schedule = h.schedule("nightly", "0 3 * * *", &["orders"]).await;
    h.gate.close();
    let run = h.scheduler.run_now(&schedule.id).await.expect("run now");
    h.events_until(|e| matches!(e, Event::RunStarted(r) if r.run_id == run.id))
        .await;
    assert!(h.scheduler.executor().cancel(&run.id));
    h.gate.open();
    let done = h.wait_finished(&run.id).await;
    assert_eq!(done.status, RunStatus::Cancelled);
    assert_eq!(done.error.as_deref(), Some("cancelled on request"));
    let backup = h
        .catalog
        .get_backup(done.backup_id.as_deref().expect("backup id"))
        .await
        .expect("backup");
    assert_eq!(backup.status, BackupStatus::Failed);
    assert!(h.archive.staged().await.expect("staged").is_empty());
    assert!(h.archive.list().await.expect("list").is_empty());
    assert!(
        !h.scheduler.executor().cancel(&run.id),
        "finished runs are not active"
    );
}

#[tokio::test]
async fn run_events_carry_what_metrics_label_by() {
    let mut h = Harness::new(Setup::default()).await;
    let schedule = h.schedule("nightly", "0 3 * * *", &["orders"]).await;
    let run = h.scheduler.run_now(&schedule.id).await.expect("run now");
    let events = h
        .events_until(|e| matches!(e, Event::RunFinished { run: r, .. } if r.run_id == run.id))
        .await;
    let completed = events.iter().find_map(|e| match e {
        Event::BackupCompleted {
            schedule_name,
            backup_id,
            rows,
            ..
        } => Some((schedule_name.clone(), backup_id.clone(), *rows)),
        _ => None,
    });
    let (name, completed_id, rows) = completed.expect("a BackupCompleted event");
    assert_eq!(name.as_deref(), Some("nightly"));
    assert_eq!(rows, ORDERS_ROWS);
    let Some(Event::RunFinished {
        run: info,
        status,
        backup_id,
        rows,
        ..
    }) = events.last()
    else {
        panic!("the last event is the run's end: {events:#?}");
    };
    assert_eq!(*status, RunStatus::Succeeded);
    assert_eq!(backup_id.as_deref(), Some(completed_id.as_str()));
    assert_eq!(*rows, ORDERS_ROWS);
    assert_eq!(info.kind, RunKind::Backup);
    assert_eq!(info.trigger, RunTrigger::Manual);
    assert_eq!(info.labels.schedule_name.as_deref(), Some("nightly"));
    assert_eq!(info.labels.source.as_deref(), Some("prod"));
    assert_eq!(info.labels.store.as_deref(), Some("local"));
}
