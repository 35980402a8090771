//! A backup under trouble: cancelled halfway, and throttled by the service.

use tablevault::emulator::{EmulatorConfig, FaultConfig};
use tablevault::engine::{run_backup, EngineError};

use crate::support::emulator::start_emulator;
use crate::support::engine::*;
use crate::support::poll::{wait_until, WAIT_LIMIT};

/// Cancelling after the first batches stops the run: nothing published, nothing left behind.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cancelling_midway_publishes_nothing_and_leaves_nothing() {
    let emulator = start_emulator(EmulatorConfig {
        page_row_limit: 100,
        ..EmulatorConfig::default()
    })
    .await;
    let client = client(&emulator);
    load_big(&client).await;
    // Slow pages: the backup would take several seconds, so the cancel lands in the middle.
    emulator.set_faults(FaultConfig {
        latency_ms: 40,
        actions: vec!["GetRange".into()],
        ..FaultConfig::default()
    });
    let (_dir, store) = archive().await;
    let ctx = context(&client, store.clone());
    let progress = ctx.progress.clone();

    let job = job(&emulator, &["big"], engine_config());
    let run = tokio::spawn({
        let ctx = ctx.clone();
        async move { run_backup(job, &ctx).await }
    });
    wait_until("the first batches", WAIT_LIMIT, || {
        progress.snapshot().rows >= 1000
    })
    .await;
    ctx.cancel.cancel();
    let result = run.await.expect("run task");

    assert!(matches!(result, Err(EngineError::Cancelled)), "{result:?}");
    assert!(
        progress.snapshot().rows < BIG_ROWS as u64,
        "cancelled before the end"
    );
    assert_store_empty(&store).await;
}

/// OTSServerBusy on a third of the reads is retried by the client: the backup completes and is
/// exact.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn service_throttling_is_retried_and_the_backup_is_exact() {
    let emulator = start_emulator(EmulatorConfig {
        page_row_limit: 500,
        ..EmulatorConfig::default()
    })
    .await;
    let client = client(&emulator);
    load_everything(&client).await;
    load_big(&client).await;
    emulator.set_faults(FaultConfig {
        error_rate: 0.3,
        error_codes: vec!["OTSServerBusy".into()],
        actions: vec![
            "DescribeTable".into(),
            "ComputeSplitPointsBySize".into(),
            "GetRange".into(),
        ],
        seed: Some(7),
        ..FaultConfig::default()
    });
    let (_dir, store) = archive().await;
    let ctx = context(&client, store.clone());

    let outcome = run_backup(
        job(&emulator, &["everything", "big"], engine_config()),
        &ctx,
    )
    .await
    .expect("backup succeeds despite throttling");

    assert!(
        emulator.stats().injected_errors >= 5,
        "throttling was injected"
    );
    emulator.set_faults(FaultConfig::default());
    for table in ["everything", "big"] {
        let source = scan_source(&client, table, true).await;
        let backed_up = read_backup(store.as_ref(), &outcome.backup_id, table).await;
        assert_same_rows(&backed_up, &source, table);
        let entry = outcome.manifest.table(table).unwrap();
        assert_eq!(entry.checksum, checksum(&source).digest(), "{table}");
    }
}
