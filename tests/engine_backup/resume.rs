//! Interrupted backups: a failed write and a cancel without abort leave a staged backup that
//! `resume_backup` completes with every row exactly once and the right checksums.

use std::sync::Arc;

use tablevault::config::EngineConfig;
use tablevault::emulator::{EmulatorConfig, EmulatorHandle, FaultConfig};
use tablevault::engine::{resume_backup, run_backup, BackupPlan, EngineError, RangeState};
use tablevault::store::{ArchiveStore, BackupStore};
use tablevault::tablestore::client::Client;

use crate::failing_store::FailingStore;
use crate::support::emulator::start_emulator;
use crate::support::engine::*;
use crate::support::poll::{wait_until, WAIT_LIMIT};

/// What the staged backup holds per range: (has a checkpoint, is done).
async fn range_states(store: &ArchiveStore, id: &str) -> Vec<(bool, bool)> {
    let staged = store.resume(id).await.expect("staged backup is there");
    let plan = BackupPlan::from_json(id, &staged.load_plan().await.unwrap().unwrap()).unwrap();
    let mut states = Vec::new();
    for table in &plan.tables {
        for range in 0..table.ranges.len() as u32 {
            let checkpoint = staged
                .checkpoint(&table.description.name, range)
                .await
                .unwrap();
            let done = checkpoint
                .as_ref()
                .is_some_and(|c| RangeState::from_json(&c.state).unwrap().done);
            states.push((checkpoint.is_some(), done));
        }
    }
    states
}

/// Resumes `id` and checks the published backup against the source, row for row.
async fn resume_and_check(
    emulator: &EmulatorHandle,
    client: &Client,
    store: Arc<ArchiveStore>,
    id: &str,
) {
    emulator.set_faults(FaultConfig::default());
    let ctx = context(client, store.clone());
    let outcome = resume_backup(id, &ctx).await.expect("resume succeeds");
    assert!(outcome.ranges_skipped >= 1, "finished ranges are skipped");
    assert!(
        outcome.progress.rows < BIG_ROWS as u64,
        "only the rest was read again ({} rows)",
        outcome.progress.rows
    );
    assert_eq!(outcome.progress.ranges_done, outcome.progress.ranges_total);

    let source = scan_source(client, "big", true).await;
    let backed_up = read_backup(store.as_ref(), id, "big").await;
    assert_same_rows(&backed_up, &source, "big after resume");
    let entry = outcome.manifest.table("big").unwrap();
    let expected = checksum(&source);
    assert_eq!(entry.rows, BIG_ROWS as u64);
    assert_eq!((entry.cells, entry.bytes), (expected.cells, expected.bytes));
    assert_eq!(entry.checksum, expected.digest());
    assert!(store.staged().await.unwrap().is_empty());
}

/// A write that fails in the middle of range 2 (one reader, one writer: ranges go in order)
/// and is not retried stops the run with the table and range in the error. Kept staged, the backup has two finished
/// ranges and one half-written range; the resume finishes it exactly.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn resume_after_a_failed_write_writes_every_row_once() {
    let emulator = start_emulator(EmulatorConfig::default()).await;
    let client = client(&emulator);
    load_big(&client).await;
    let (_dir, archive) = archive().await;
    let failing = Arc::new(FailingStore::once(archive.clone(), "big", 2, 3));
    let mut ctx = context(&client, failing);
    ctx.keep_staged_on_failure = true;
    let config = EngineConfig {
        readers: 1,
        writers: 1,
        batch_rows: 150,
        store_retry_seconds: 0, // no retry: the first failure ends the run
        ..engine_config()
    };
    let job = job(&emulator, &["big"], config);
    let id = job.backup_id.clone();

    let error = run_backup(job, &ctx).await.expect_err("the write fails");

    assert!(matches!(error, EngineError::Store { .. }), "{error:?}");
    assert!(
        error
            .to_string()
            .starts_with("writing table big range 2 (gave up after 1 attempt in "),
        "{error}"
    );
    assert!(
        archive.list().await.unwrap().is_empty(),
        "nothing published"
    );
    let states = range_states(&archive, &id).await;
    assert_eq!(&states[..3], &[(true, true), (true, true), (true, false)]);
    assert!(states[3..].iter().all(|s| *s == (false, false)));

    resume_and_check(&emulator, &client, archive, &id).await;
}

/// A run cancelled while keeping its staged data (as a killed process would leave it), in the
/// middle of a range, resumes to an exact backup. One reader, so ranges are read in order and
/// the cancel lands a few hundred rows after two ranges finished: inside a range.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn resume_after_a_cancel_without_abort_writes_every_row_once() {
    let emulator = start_emulator(EmulatorConfig {
        page_row_limit: 100,
        ..EmulatorConfig::default()
    })
    .await;
    let client = client(&emulator);
    load_big(&client).await;
    emulator.set_faults(FaultConfig {
        latency_ms: 20,
        actions: vec!["GetRange".into()],
        ..FaultConfig::default()
    });
    let (_dir, archive) = archive().await;
    let mut ctx = context(&client, archive.clone());
    ctx.keep_staged_on_failure = true;
    let config = EngineConfig {
        readers: 1,
        batch_rows: 100,
        ..engine_config()
    };
    let job = job(&emulator, &["big"], config);
    let id = job.backup_id.clone();
    let progress = ctx.progress.clone();

    let run = tokio::spawn({
        let ctx = ctx.clone();
        async move { run_backup(job, &ctx).await }
    });
    wait_until("two finished ranges", WAIT_LIMIT, || {
        progress.snapshot().ranges_done >= 2
    })
    .await;
    let rows = progress.snapshot().rows;
    wait_until("rows of the next range", WAIT_LIMIT, || {
        progress.snapshot().rows >= rows + 200
    })
    .await;
    ctx.cancel.cancel();
    let result = run.await.expect("run task");

    assert!(matches!(result, Err(EngineError::Cancelled)), "{result:?}");
    assert_eq!(archive.staged().await.unwrap(), vec![id.clone()]);
    let states = range_states(&archive, &id).await;
    assert!(states.iter().any(|s| s.1), "some ranges finished");
    assert!(
        states.iter().any(|s| s.0 && !s.1),
        "a range was cancelled halfway: {states:?}"
    );
    assert!(states.iter().any(|s| !s.0), "some ranges not started");

    resume_and_check(&emulator, &client, archive, &id).await;
}
