//! A backup into MongoDB cancelled halfway leaves nothing: no database of the store's prefix.

use tablevault::engine::{run_backup, EngineError};
use tablevault::store::BackupStore;

use crate::setup::*;
use crate::support::engine::{client, context, job};
use crate::support::mongo_server::MongoServer;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cancelled_backup_leaves_no_database() {
    let server = MongoServer::start();
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
    assert_eq!(
        backup_databases(&store).await.len(),
        1,
        "the staged backup's database exists while it runs"
    );
    ctx.cancel.cancel();
    let result = tokio::time::timeout(HANG_GUARD, run)
        .await
        .expect("the backup ends")
        .expect("run task");

    assert!(matches!(result, Err(EngineError::Cancelled)), "{result:?}");
    assert!(progress.snapshot().rows < ROWS as u64, "cancelled midway");
    assert_eq!(backup_databases(&store).await, Vec::<String>::new());
    assert!(store.staged().await.unwrap().is_empty());
    assert!(store.list().await.unwrap().is_empty());
}
