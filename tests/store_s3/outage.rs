//! The S3 server dies in the middle of a backup. Back within the engine's store retry time,
//! the backup completes exactly; down for longer, the backup fails with the retry budget in its
//! message, publishes nothing, and once the server is back nothing of it is left after the
//! staged backup is removed (what the daemon's staged sweep does).

use std::time::Duration;

use tablevault::config::EngineConfig;
use tablevault::emulator::{EmulatorConfig, EmulatorHandle, FaultConfig};
use tablevault::engine::{run_backup, EngineError};
use tablevault::store::BackupStore;

use crate::lifecycle::store;
use crate::support::emulator::start_emulator;
use crate::support::engine::{
    assert_same_rows, client, context, job, load_big, read_backup, scan_source,
};
use crate::support::poll::{poll_until, wait_until, WAIT_LIMIT};
use crate::support::s3_server::{S3Server, BUCKET};

const HANG_GUARD: Duration = Duration::from_secs(180);

/// Reads slowed down so the 12,000-row backup takes seconds and the test can act meanwhile.
async fn slow_emulator() -> EmulatorHandle {
    let emulator = start_emulator(EmulatorConfig {
        page_row_limit: 200,
        ..EmulatorConfig::default()
    })
    .await;
    emulator.set_faults(FaultConfig {
        latency_ms: 15,
        actions: vec!["GetRange".into()],
        ..FaultConfig::default()
    });
    emulator
}

fn engine_config(store_retry_seconds: u64) -> EngineConfig {
    EngineConfig {
        readers: 2,
        writers: 2,
        channel_capacity: 4,
        batch_rows: 500,
        split_size_bytes: 64 * 1024,
        store_retry_seconds,
        ..EngineConfig::default()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn backup_rides_out_an_s3_server_kill_and_restart() {
    let mut server = S3Server::start();
    let emulator = slow_emulator().await;
    let client = client(&emulator);
    load_big(&client).await;
    let store = store(&server, "");
    let ctx = context(&client, store.clone());
    let progress = ctx.progress.clone();
    let job = job(&emulator, &["big"], engine_config(60));
    let run = tokio::spawn({
        let ctx = ctx.clone();
        async move { run_backup(job, &ctx).await }
    });

    wait_until("2,000 rows written", WAIT_LIMIT, || {
        progress.snapshot().rows >= 2_000
    })
    .await;
    tokio::task::block_in_place(|| server.kill());
    let written_before_kill = progress.snapshot().rows;
    tokio::time::sleep(Duration::from_secs(1)).await;
    tokio::task::block_in_place(|| server.restart());
    let outcome = tokio::time::timeout(HANG_GUARD, run)
        .await
        .expect("the backup ends")
        .expect("run task")
        .expect("the backup rides out the restart");

    assert!(written_before_kill < 12_000, "died mid-backup");
    assert!(
        outcome.progress.store_retries >= 1,
        "writes failed and were retried"
    );
    let source = scan_source(&client, "big", true).await;
    let backed_up = read_backup(store.as_ref(), &outcome.backup_id, "big").await;
    assert_same_rows(&backed_up, &source, "big");
    assert!(store.staged().await.unwrap().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn backup_fails_while_the_s3_server_stays_down_and_leaves_nothing() {
    let mut server = S3Server::start();
    let emulator = slow_emulator().await;
    let client = client(&emulator);
    load_big(&client).await;
    let store = store(&server, "");
    let ctx = context(&client, store.clone());
    let progress = ctx.progress.clone();
    let job = job(&emulator, &["big"], engine_config(2));
    let id = job.backup_id.clone();
    let run = tokio::spawn({
        let ctx = ctx.clone();
        async move { run_backup(job, &ctx).await }
    });

    wait_until("2,000 rows written", WAIT_LIMIT, || {
        progress.snapshot().rows >= 2_000
    })
    .await;
    tokio::task::block_in_place(|| server.kill());
    let error = tokio::time::timeout(HANG_GUARD, run)
        .await
        .expect("the backup ends")
        .expect("run task")
        .expect_err("the store stays unreachable");

    assert!(matches!(error, EngineError::Store { .. }), "{error:?}");
    let text = error.to_string();
    assert!(text.contains("gave up after"), "{text}");
    assert!(text.contains(BUCKET), "names the bucket: {text}");
    assert!(progress.snapshot().store_retries >= 1, "{text}");

    tokio::task::block_in_place(|| server.restart());
    poll_until("the S3 server answers again", WAIT_LIMIT, || async {
        store.healthcheck().await.map_err(|e| e.to_string())
    })
    .await;
    assert!(store.list().await.unwrap().is_empty(), "nothing published");
    // The engine's abort could not reach the server; the staged backup is listed for the
    // start-up sweep, which deletes it.
    for staged in store.staged().await.unwrap() {
        assert_eq!(staged, id);
        store.delete(&staged).await.unwrap();
    }
    let left: Vec<String> = server
        .stored_files()
        .into_iter()
        .filter(|f| f.starts_with(&format!("{BUCKET}/")) || f.contains(".upload"))
        .collect();
    assert!(left.is_empty(), "left behind: {left:?}");
}
