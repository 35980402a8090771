//! The catalog on a real full filesystem (a small tmpfs filled to the last byte): every write
//! path fails with `Storage`, changes nothing, and works again on the same handle once space
//! is back. Skipped, with a printed reason, where a tmpfs cannot be mounted.

use std::fmt::Debug;
use std::time::Duration;

use serde_json::json;
use tablevault::catalog::{
    BackupStatus, Catalog, CatalogError, IdempotencyClaim, IdempotencyRequest, NewBackup, NewRun,
    NewSchedule, PageRequest, RunFilter, RunKind, RunOutcome, RunStatus, RunTrigger,
    ScheduleUpdate, StoredResponse,
};

use crate::support::small_disk::SmallDisk;
use crate::test_catalog::{manifest, t0, TestClock};

const TTL: Duration = Duration::from_secs(3600);

/// What exists before the disk fills: one record in every state a write path starts from.
struct Before {
    schedule_id: String,
    run_id: String,
}

async fn open_on(disk: &SmallDisk) -> Catalog {
    let clock = TestClock::new(t0());
    Catalog::open(disk.path().join("state/tablevault.db"))
        .await
        .expect("catalog opens")
        .with_clock(move || clock.now())
}

async fn records(catalog: &Catalog) -> Before {
    let schedule = catalog
        .create_schedule(NewSchedule::new("nightly", "@daily", "prod", "local"))
        .await
        .unwrap();
    let run = catalog
        .create_run(NewRun::new(RunKind::Backup, RunTrigger::Manual))
        .await
        .unwrap();
    catalog.start_run(&run.id).await.unwrap();
    for id in ["bk_staged", "bk_done"] {
        catalog.create_backup(new_backup(id)).await.unwrap();
    }
    let m = manifest("bk_done", "prod", t0(), &[("orders", 3)]);
    catalog.complete_backup("bk_done", &m, None).await.unwrap();
    let claimed = catalog
        .claim_idempotency_key(&key_request("k-claimed"), TTL)
        .await
        .unwrap();
    assert_eq!(claimed, IdempotencyClaim::Claimed);
    Before {
        schedule_id: schedule.id,
        run_id: run.id,
    }
}

fn new_backup(id: &str) -> NewBackup {
    NewBackup {
        id: id.into(),
        schedule_id: None,
        source: "prod".into(),
        store: "local".into(),
        started_at: t0(),
    }
}

fn key_request(key: &str) -> IdempotencyRequest {
    IdempotencyRequest {
        key: key.into(),
        method: "POST".into(),
        path: "/api/v1/backups".into(),
        request_hash: "h".into(),
    }
}

fn accepted() -> StoredResponse {
    StoredResponse {
        status: 202,
        headers: vec![],
        body: b"{}".to_vec(),
    }
}

/// A catalog on a fresh small disk holding [`records`], the disk then filled to the last
/// byte; `None` (after printing why) where no tmpfs can be mounted.
async fn on_full_disk() -> Option<(SmallDisk, Catalog, Before)> {
    let disk = SmallDisk::mount("4m")?;
    let catalog = open_on(&disk).await;
    let before = records(&catalog).await;
    disk.fill();
    Some((disk, catalog, before))
}

#[track_caller]
fn assert_storage<T: Debug>(what: &str, result: Result<T, CatalogError>) {
    match result {
        Err(CatalogError::Storage(_)) => {}
        other => panic!("{what} on a full disk: expected a Storage error, got {other:?}"),
    }
}

/// Every write path, each expected to be refused.
async fn refused_writes(catalog: &Catalog, before: &Before) {
    let weekly = NewSchedule::new("weekly", "@weekly", "prod", "local");
    assert_storage("create_schedule", catalog.create_schedule(weekly).await);
    let pause = ScheduleUpdate {
        paused: Some(true),
        ..ScheduleUpdate::default()
    };
    let update = catalog.update_schedule(&before.schedule_id, pause).await;
    assert_storage("update_schedule", update);
    let delete = catalog.delete_schedule(&before.schedule_id).await;
    assert_storage("delete_schedule", delete);
    let run = NewRun::new(RunKind::Backup, RunTrigger::Manual).request(json!({"n": 2}));
    assert_storage("create_run", catalog.create_run(run).await);
    let finish = catalog
        .finish_run(&before.run_id, RunOutcome::succeeded())
        .await;
    assert_storage("finish_run", finish);
    assert_storage(
        "create_backup",
        catalog.create_backup(new_backup("bk_new")).await,
    );
    let m = manifest("bk_staged", "prod", t0(), &[("orders", 3)]);
    let complete = catalog.complete_backup("bk_staged", &m, None).await;
    assert_storage("complete_backup", complete);
    assert_storage(
        "mark_backup_deleting",
        catalog.mark_backup_deleting("bk_done").await,
    );
    let claim = catalog
        .claim_idempotency_key(&key_request("k-new"), TTL)
        .await;
    assert_storage("claim_idempotency_key", claim);
    assert_storage("check_writable", catalog.check_writable().await);
}

/// Reads back what [`refused_writes`] tried to change: all of it as before.
async fn assert_unchanged(catalog: &Catalog, before: &Before) {
    let schedules = catalog
        .list_schedules(&PageRequest::first(10))
        .await
        .unwrap();
    let names: Vec<(&str, bool)> = schedules
        .items
        .iter()
        .map(|s| (s.name.as_str(), s.paused))
        .collect();
    assert_eq!(names, [("nightly", false)]);
    let runs = catalog
        .list_runs(&RunFilter::default(), &PageRequest::first(10))
        .await
        .unwrap();
    assert_eq!(runs.items.len(), 1, "{:?}", runs.items);
    let run = catalog.get_run(&before.run_id).await.unwrap();
    assert_eq!(run.status, RunStatus::Running);
    assert!(matches!(
        catalog.get_backup("bk_new").await,
        Err(CatalogError::NotFound { .. })
    ));
    let staged = catalog.get_backup("bk_staged").await.unwrap();
    assert_eq!(
        (staged.status, staged.tables.len()),
        (BackupStatus::Staged, 0)
    );
    let done = catalog.get_backup("bk_done").await.unwrap();
    assert_eq!(done.status, BackupStatus::Completed);
}

#[tokio::test]
async fn on_a_full_disk_every_write_fails_whole_and_works_again_once_space_is_back() {
    let Some((disk, catalog, before)) = on_full_disk().await else {
        return;
    };
    refused_writes(&catalog, &before).await;
    assert!(catalog.writes_failing());
    assert_unchanged(&catalog, &before).await;

    disk.free();
    catalog.check_writable().await.unwrap();
    assert!(!catalog.writes_failing());
    let weekly = NewSchedule::new("weekly", "@weekly", "prod", "local");
    let weekly = catalog.create_schedule(weekly).await.unwrap();
    assert_eq!(
        catalog.get_schedule(&weekly.id).await.unwrap().name,
        "weekly"
    );
    let finished = catalog
        .finish_run(&before.run_id, RunOutcome::succeeded())
        .await
        .unwrap();
    assert_eq!(finished.status, RunStatus::Succeeded);
    let m = manifest("bk_staged", "prod", t0(), &[("orders", 3)]);
    catalog
        .complete_backup("bk_staged", &m, None)
        .await
        .unwrap();
    let deleting = catalog.mark_backup_deleting("bk_done").await.unwrap();
    assert_eq!(deleting.status, BackupStatus::Deleting);
    catalog.delete_schedule(&before.schedule_id).await.unwrap();
    assert_eq!(
        catalog.get_backup("bk_staged").await.unwrap().status,
        BackupStatus::Completed
    );
}

#[tokio::test]
async fn a_key_response_the_disk_refused_is_replayed_and_stored_once_space_is_back() {
    let Some((disk, catalog, _)) = on_full_disk().await else {
        return;
    };
    let claimed = key_request("k-claimed");
    let completed = catalog
        .complete_idempotency_key("k-claimed", &accepted())
        .await;
    assert_storage("complete_idempotency_key", completed);
    assert_eq!(
        catalog.lookup_idempotency_key("k-claimed").await.unwrap(),
        None,
        "not stored"
    );
    let retry = catalog.claim_idempotency_key(&claimed, TTL).await.unwrap();
    assert_eq!(retry, IdempotencyClaim::Replay(accepted()), "from memory");
    let other_body = IdempotencyRequest {
        request_hash: "other".into(),
        ..claimed.clone()
    };
    let mismatch = catalog.claim_idempotency_key(&other_body, TTL).await;
    assert_eq!(mismatch.unwrap(), IdempotencyClaim::Mismatch);

    disk.free();
    catalog.check_writable().await.unwrap();
    let stored = catalog.lookup_idempotency_key("k-claimed").await.unwrap();
    assert_eq!(stored, Some(accepted()), "stored once writes work again");
}

#[tokio::test]
async fn a_release_the_disk_refused_answers_storage_until_it_is_written() {
    let Some((disk, catalog, _)) = on_full_disk().await else {
        return;
    };
    let claimed = key_request("k-claimed");
    let released = catalog.release_idempotency_key("k-claimed").await;
    assert_storage("release_idempotency_key", released);
    let retry = catalog.claim_idempotency_key(&claimed, TTL).await;
    assert_storage("a retry while the release waits", retry);

    disk.free();
    let retry = catalog.claim_idempotency_key(&claimed, TTL).await.unwrap();
    assert_eq!(
        retry,
        IdempotencyClaim::Claimed,
        "released, so it runs afresh"
    );
}
