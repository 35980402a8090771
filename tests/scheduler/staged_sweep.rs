//! The staged sweep: while the daemon runs, staged data of backups the catalog has as
//! `failed` (left when the store was down as they failed) is deleted once the store answers;
//! staged data of a backup in progress, or one the catalog does not know, is left alone.

use std::time::Duration;

use tablevault::catalog::NewBackup;
use tablevault::runs::spawn_staged_sweeper;
use tablevault::store::BackupStore;
use tokio_util::sync::CancellationToken;

use super::helpers::{Harness, Setup};

/// A backup the catalog knows, with staged data in the archive; `failed` if asked.
async fn staged_backup(h: &Harness, id: &str, failed: bool) {
    h.catalog
        .create_backup(NewBackup {
            id: id.to_string(),
            schedule_id: None,
            source: "prod".into(),
            store: "local".into(),
            started_at: chrono::Utc::now(),
        })
        .await
        .expect("catalogued");
    h.archive.create(id).await.expect("staged in the store");
    if failed {
        h.catalog
            .fail_backup(id, "store unreachable")
            .await
            .expect("failed");
    }
}

async fn staged(h: &Harness) -> Vec<String> {
    let mut ids = h.archive.staged().await.expect("listed");
    ids.sort();
    ids
}

#[tokio::test]
async fn one_pass_deletes_only_the_staged_data_of_failed_backups() {
    let h = Harness::new(Setup::default()).await;
    staged_backup(&h, "20300101T000000Z-failed", true).await;
    staged_backup(&h, "20300101T000001Z-running", false).await;
    h.archive
        .create("20300101T000002Z-unknown")
        .await
        .expect("staged by someone else");

    let report = h
        .scheduler
        .executor()
        .sweep_abandoned_staged()
        .await
        .expect("swept");

    assert_eq!(report.deleted, ["20300101T000000Z-failed"]);
    assert!(report.unreachable_stores.is_empty());
    assert_eq!(
        staged(&h).await,
        ["20300101T000001Z-running", "20300101T000002Z-unknown"]
    );
}

/// The background step runs the pass on its interval and ends when the daemon's shutdown
/// token is cancelled.
#[tokio::test]
async fn the_sweeper_runs_until_the_shutdown_token_is_cancelled() {
    let h = Harness::new(Setup::default()).await;
    let stop = CancellationToken::new();
    let sweeper = spawn_staged_sweeper(
        h.scheduler.executor().clone(),
        Duration::from_millis(20),
        stop.clone(),
    );
    staged_backup(&h, "20300101T000000Z-failed", true).await;
    crate::support::poll::eventually(
        "the sweeper deletes it",
        Duration::from_secs(30),
        || async { staged(&h).await.is_empty().then_some(()) },
    )
    .await;

    stop.cancel();
    tokio::time::timeout(Duration::from_secs(10), sweeper)
        .await
        .expect("the sweeper stops")
        .expect("it did not panic");
}
