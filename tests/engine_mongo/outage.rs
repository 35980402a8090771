//! The MongoDB server dies in the middle of a backup. Killed and back a second later, the
//! writers' retries carry the backup through; down for longer than `store_retry_seconds`, the
//! backup fails, publishes nothing, and resumes once the server is back.

use std::time::Duration;

use tablevault::engine::{resume_backup, run_backup, EngineError};
use tablevault::store::BackupStore;

use crate::setup::*;
use crate::support::engine::{client, context, job};
use crate::support::mongo_server::MongoServer;

/// kill -9 after the first batches are durable, restart on the same storage a second later:
/// the backup completes, and the published backup holds every row exactly once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn backup_rides_out_a_mongodb_kill_and_restart() {
    let mut server = MongoServer::start();
    let emulator = slow_emulator().await;
    let client = client(&emulator);
    load_orders(&client).await;
    let store = mongo_store(&server).await;
    let ctx = context(&client, store.clone());
    let progress = ctx.progress.clone();
    let job = job(&emulator, &[TABLE], engine_config(60));
    let run = tokio::spawn({
        let ctx = ctx.clone();
        async move { run_backup(job, &ctx).await }
    });

    wait_for_rows(&progress, 2_000).await;
    tokio::task::block_in_place(|| server.kill());
    let written_before_kill = progress.snapshot().rows;
    tokio::time::sleep(Duration::from_secs(1)).await;
    tokio::task::block_in_place(|| server.restart());
    let outcome = tokio::time::timeout(HANG_GUARD, run)
        .await
        .expect("the backup ends")
        .expect("run task")
        .expect("the backup rides out the restart");

    assert!(
        written_before_kill < ROWS as u64,
        "the server died mid-backup ({written_before_kill} rows written)"
    );
    assert!(
        outcome.progress.store_retries >= 1,
        "writes failed and were retried"
    );
    assert_eq!(outcome.manifest.total_rows(), ROWS as u64);
    assert_backup_exact(&client, store.clone(), &outcome).await;
    assert_eq!(store.list().await.unwrap().len(), 1);
    assert!(store.staged().await.unwrap().is_empty());
}

/// With `store_retry_seconds = 2` and the server down until the backup gives up: the error
/// says which write gave up after how many attempts, nothing is published (the abort cannot
/// reach the server either, so the staged backup stays), and once the server is back the
/// staged backup is listed and `resume_backup` completes it exactly.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn backup_fails_while_mongodb_stays_down_and_resumes_after() {
    let mut server = MongoServer::start();
    let emulator = slow_emulator().await;
    let client = client(&emulator);
    load_orders(&client).await;
    let store = mongo_store(&server).await;
    let ctx = context(&client, store.clone());
    let progress = ctx.progress.clone();
    let job = job(&emulator, &[TABLE], engine_config(2));
    let id = job.backup_id.clone();
    let run = tokio::spawn({
        let ctx = ctx.clone();
        async move { run_backup(job, &ctx).await }
    });

    wait_for_rows(&progress, 2_000).await;
    tokio::task::block_in_place(|| server.kill());
    let error = tokio::time::timeout(HANG_GUARD, run)
        .await
        .expect("the backup ends")
        .expect("run task")
        .expect_err("the store stays unreachable");

    assert!(matches!(error, EngineError::Store { .. }), "{error:?}");
    let text = error.to_string();
    assert!(
        text.starts_with(&format!("writing table {TABLE} range "))
            && text.contains("gave up after"),
        "{text}"
    );
    assert!(progress.snapshot().store_retries >= 1, "{text}");
    let written = progress.snapshot().rows;
    assert!(written < ROWS as u64, "failed mid-backup");

    tokio::task::block_in_place(|| server.restart());
    wait_until_reachable(&store).await;
    assert!(store.list().await.unwrap().is_empty(), "nothing published");
    assert_eq!(store.staged().await.unwrap(), vec![id.clone()]);
    let resumed = context(&client, store.clone());
    let outcome = resume_backup(&id, &resumed)
        .await
        .expect("the resume completes");

    assert!(
        outcome.progress.rows < ROWS as u64,
        "the resume reads only what was not written ({} rows)",
        outcome.progress.rows
    );
    assert_backup_exact(&client, store.clone(), &outcome).await;
    assert!(store.staged().await.unwrap().is_empty());
    assert_eq!(store.list().await.unwrap().len(), 1);
}
