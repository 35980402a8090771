//! Copies that must not publish: rows that do not match the source manifest, and a target
//! that dies in the middle of the copy.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use futures::StreamExt;
use tablevault::config::EngineConfig;
use tablevault::emulator::EmulatorConfig;
use tablevault::engine::{new_backup_id, run_backup, run_copy, CopyJob, EngineError, RunControls};
use tablevault::store::{BackupReader, BackupStore, Manifest, RowBatches, StoreError};
use tokio::sync::Notify;

use crate::stores::s3_store;
use crate::support::emulator::start_emulator;
use crate::support::engine::{archive, client, context, job, load_big};
use crate::support::poll::{wait_until, WAIT_LIMIT};
use crate::support::s3_server::{S3Server, BUCKET};

/// A reader of a real backup with its own manifest, and a gate: after the first batch of each
/// table it waits until the test opens the gate.
struct TestReader {
    inner: Arc<dyn BackupReader>,
    manifest: Manifest,
    gate: Option<Arc<Notify>>,
}

#[async_trait]
impl BackupReader for TestReader {
    fn manifest(&self) -> &Manifest {
        &self.manifest
    }

    async fn read_table(&self, table: &str) -> Result<RowBatches, StoreError> {
        let batches = self.inner.read_table(table).await?;
        let gate = self.gate.clone();
        Ok(batches
            .enumerate()
            .then(move |(i, batch)| {
                let gate = gate.clone();
                async move {
                    if let (1, Some(gate)) = (i, gate) {
                        gate.notified().await;
                    }
                    batch
                }
            })
            .boxed())
    }
}

/// Small writes so the copy of 12,000 rows takes many store requests.
fn small_batches(store_retry_seconds: u64) -> EngineConfig {
    EngineConfig {
        batch_rows: 100,
        store_retry_seconds,
        ..crate::support::engine::engine_config()
    }
}

/// No object in the bucket and no multipart upload state (the server's own metadata files
/// aside).
fn assert_no_objects(server: &S3Server) {
    let left: Vec<String> = server
        .stored_files()
        .into_iter()
        .filter(|f| f.starts_with(&format!("{BUCKET}/")) || f.contains(".upload"))
        .collect();
    assert!(left.is_empty(), "left behind: {left:?}");
}

/// A published 12,000-row backup of table `big` in an archive store.
async fn big_backup() -> (tempfile::TempDir, Arc<dyn BackupReader>) {
    let emulator = start_emulator(EmulatorConfig::default()).await;
    let client = client(&emulator);
    load_big(&client).await;
    let (dir, archive) = archive().await;
    let store: Arc<dyn BackupStore> = archive;
    let job = job(&emulator, &["big"], crate::support::engine::engine_config());
    let id = run_backup(job, &context(&client, store.clone()))
        .await
        .expect("backup")
        .manifest
        .backup_id;
    (dir, store.open(&id).await.expect("published"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rows_that_do_not_match_the_source_manifest_are_not_published() {
    let (_dir, reader) = big_backup().await;
    let mut manifest = reader.manifest().clone();
    manifest.tables[0].rows += 1;
    let server = S3Server::start();
    let target = s3_store(&server);
    let copy = CopyJob {
        reader: Arc::new(TestReader {
            inner: reader,
            manifest,
            gate: None,
        }),
        target: target.clone(),
        copy_id: new_backup_id(),
    };
    let error = run_copy(copy, &RunControls::new(small_batches(0)))
        .await
        .expect_err("a copy that differs from its manifest fails");
    let message = error.to_string();
    assert!(matches!(error, EngineError::Mismatch { .. }), "{message}");
    assert!(
        message.contains("rows: manifest 12001, found 12000"),
        "{message}"
    );
    assert!(target.list().await.unwrap().is_empty(), "nothing published");
    assert!(
        target.staged().await.unwrap().is_empty(),
        "staged copy aborted"
    );
    assert_no_objects(&server);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_target_down_mid_copy_fails_clearly_and_publishes_nothing() {
    let (_dir, reader) = big_backup().await;
    let mut server = S3Server::start();
    let target = s3_store(&server);
    let gate = Arc::new(Notify::new());
    let copy = CopyJob {
        reader: Arc::new(TestReader {
            manifest: reader.manifest().clone(),
            inner: reader,
            gate: Some(gate.clone()),
        }),
        target: target.clone(),
        copy_id: new_backup_id(),
    };
    let ctx = RunControls::new(small_batches(1));
    let running = tokio::spawn({
        let ctx = ctx.clone();
        async move { run_copy(copy, &ctx).await }
    });
    // The first batch is in the target; the rest waits behind the gate.
    wait_until("the first batch is copied", WAIT_LIMIT, || {
        ctx.progress.snapshot().rows > 0
    })
    .await;
    server.kill();
    gate.notify_one();
    let error = tokio::time::timeout(Duration::from_secs(120), running)
        .await
        .expect("the copy ends")
        .expect("no panic")
        .expect_err("the copy fails");
    let message = error.to_string();
    assert!(matches!(error, EngineError::Store { .. }), "{message}");
    assert!(
        message.contains("writing table big to the copy"),
        "{message}"
    );
    assert!(
        message.contains("engine.store_retry_seconds = 1"),
        "{message}"
    );

    server.restart();
    assert!(target.list().await.unwrap().is_empty(), "nothing published");
    // The abort could not reach the server: the staged data is what the staged sweep removes.
    for id in target.staged().await.unwrap() {
        target.delete(&id).await.expect("staged copy deleted");
    }
    assert_no_objects(&server);
}
