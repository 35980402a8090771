//! A store that fails writes for a while: transient errors are retried (for
//! `store_retry_seconds`) and the backup stays exact; permanent errors, a spent retry budget
//! and a cancel during the retries end the run and leave nothing behind.

use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;

use tablevault::config::EngineConfig;
use tablevault::emulator::EmulatorConfig;
use tablevault::engine::{run_backup, EngineError};
use tablevault::store::{BackupStore, StoreError};

use crate::failing_store::FailingStore;
use crate::support::emulator::start_emulator;
use crate::support::engine::*;
use crate::support::poll::{wait_until, WAIT_LIMIT};

fn unreachable() -> StoreError {
    StoreError::Unreachable("injected: connection refused".into())
}

/// One reader and one writer, so the failing range is written batch after batch.
fn config(store_retry_seconds: u64) -> EngineConfig {
    EngineConfig {
        readers: 1,
        writers: 1,
        batch_rows: 400,
        store_retry_seconds,
        ..engine_config()
    }
}

/// Four failed attempts in a row on one batch are retried; the backup completes with every
/// row exactly once (the archive replaces a retried segment, it never adds a second one).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn transient_write_errors_are_retried_and_the_backup_is_exact() {
    let emulator = start_emulator(EmulatorConfig::default()).await;
    let client = client(&emulator);
    load_big(&client).await;
    let (_dir, archive) = archive().await;
    let failing = Arc::new(FailingStore {
        failures: 4,
        ..FailingStore::once(archive.clone(), "big", 1, 2)
    });
    let attempts = failing.attempts.clone();
    let ctx = context(&client, failing);

    let outcome = run_backup(job(&emulator, &["big"], config(60)), &ctx)
        .await
        .expect("the retries ride out the failures");

    let batches_of_range_1 = attempts.load(Ordering::SeqCst);
    assert!(batches_of_range_1 >= 6, "{batches_of_range_1} attempts");
    let source = scan_source(&client, "big", true).await;
    let backed_up = read_backup(archive.as_ref(), &outcome.backup_id, "big").await;
    assert_same_rows(&backed_up, &source, "big");
    let entry = outcome.manifest.table("big").unwrap();
    assert_eq!(entry.rows, BIG_ROWS as u64);
    assert_eq!(entry.checksum, checksum(&source).digest());
    assert_eq!(
        outcome.progress.rows, BIG_ROWS as u64,
        "each batch counted once"
    );
}

/// A permanent error (corrupt data) is not retried: one attempt, the error names the table and
/// range, and the aborted backup leaves nothing.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn permanent_write_errors_fail_at_once() {
    let emulator = start_emulator(EmulatorConfig::default()).await;
    let client = client(&emulator);
    load_big(&client).await;
    let (_dir, archive) = archive().await;
    let failing = Arc::new(FailingStore {
        failures: u32::MAX / 2,
        error: || StoreError::Corrupt {
            backup: "b".into(),
            detail: "injected".into(),
        },
        ..FailingStore::once(archive.clone(), "big", 1, 2)
    });
    let attempts = failing.attempts.clone();
    let ctx = context(&client, failing);

    let error = run_backup(job(&emulator, &["big"], config(60)), &ctx)
        .await
        .expect_err("corrupt is permanent");

    assert!(
        error
            .to_string()
            .starts_with("writing table big range 1: backup b is corrupted"),
        "{error}"
    );
    assert_eq!(attempts.load(Ordering::SeqCst), 2, "no retry of batch 2");
    assert_store_empty(&archive).await;
}

/// A store still failing when `store_retry_seconds` is spent fails the run with the number of
/// attempts in the error; nothing is published and the staged data is removed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn transient_errors_fail_the_run_once_the_retry_time_is_spent() {
    let emulator = start_emulator(EmulatorConfig::default()).await;
    let client = client(&emulator);
    load_big(&client).await;
    let (_dir, archive) = archive().await;
    let failing = Arc::new(FailingStore {
        failures: u32::MAX / 2,
        error: unreachable,
        ..FailingStore::once(archive.clone(), "big", 1, 2)
    });
    let attempts = failing.attempts.clone();
    let ctx = context(&client, failing);

    let error = run_backup(job(&emulator, &["big"], config(1)), &ctx)
        .await
        .expect_err("the store never recovers");

    assert!(matches!(error, EngineError::Store { .. }), "{error:?}");
    let text = error.to_string();
    assert!(
        text.starts_with("writing table big range 1 (gave up after ")
            && text.contains(" attempts in "),
        "{text}"
    );
    assert!(
        text.ends_with("store is unreachable: injected: connection refused"),
        "{text}"
    );
    assert!(attempts.load(Ordering::SeqCst) >= 3, "batch 2 was retried");
    assert_store_empty(&archive).await;
}

/// Cancelling while a write is being retried ends the run at once (the retries would go on
/// for an hour) and removes the staged backup.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cancel_stops_the_retries() {
    let emulator = start_emulator(EmulatorConfig::default()).await;
    let client = client(&emulator);
    load_big(&client).await;
    let (_dir, archive) = archive().await;
    let failing = Arc::new(FailingStore {
        failures: u32::MAX / 2,
        error: unreachable,
        ..FailingStore::once(archive.clone(), "big", 1, 2)
    });
    let attempts = failing.attempts.clone();
    let ctx = context(&client, failing);
    let job = job(&emulator, &["big"], config(3600));
    let run = tokio::spawn({
        let ctx = ctx.clone();
        async move { run_backup(job, &ctx).await }
    });

    wait_until("batch 2 being retried", WAIT_LIMIT, || {
        attempts.load(Ordering::SeqCst) >= 4
    })
    .await;
    ctx.cancel.cancel();
    // A guard against a hang, not a timing assertion: without the cancel this runs an hour.
    let result = tokio::time::timeout(Duration::from_secs(60), run)
        .await
        .expect("the cancel ends the retries")
        .expect("run task");

    assert!(matches!(result, Err(EngineError::Cancelled)), "{result:?}");
    assert!(archive.list().await.unwrap().is_empty());
    assert_store_empty(&archive).await;
}
