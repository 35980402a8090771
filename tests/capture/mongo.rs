//! Captured changes in a MongoDB store (the real test server): stored as change records,
//! replayed in order to exactly the table that was written, and committed with the shard
//! checkpoint so a crash between records and checkpoint re-reads and duplicates nothing.

use std::sync::Arc;

use async_trait::async_trait;
use bson::{doc, Document};
use futures::TryStreamExt;

use crate::support::emulator::{client, default_emulator, read_table};
use crate::support::mongo_server::MongoServer;
use crate::{key, put, table};
use tablevault::capture::replay::replay_until;
use tablevault::capture::{
    CaptureSettings, CapturedRecord, ChangeSegment, ChangeStore, ChangeStoreError, Checkpoint,
    MongoChangeStore, TableCapture,
};
use tablevault::emulator::EmulatorHandle;
use tablevault::store::mongo::{MongoStore, MongoStoreConfig};
use tablevault::tablestore::client::{Client, RowExistence};
use tablevault::tablestore::{Cell, Row, Value};

async fn mongo_changes(server: &MongoServer) -> Arc<MongoChangeStore> {
    let store = MongoStore::connect(&MongoStoreConfig::new(server.uri(), "tv"))
        .await
        .expect("store");
    Arc::new(MongoChangeStore::new(&store, "sch_1", "t").expect("change store"))
}

/// An emulator holding table `t` (stream on, 24 h), a client of it, and `t`'s change store in
/// the MongoDB test server.
async fn table_and_changes(
    server: &MongoServer,
) -> (EmulatorHandle, Client, Arc<MongoChangeStore>) {
    let emulator = default_emulator().await;
    let client = client(&emulator);
    table(&client, "t", Some(24)).await;
    let changes = mongo_changes(server).await;
    (emulator, client, changes)
}

/// A capture of `t` into `store`, with default settings.
fn capture_into(client: &Client, store: Arc<dyn ChangeStore>) -> TableCapture {
    TableCapture::new(client.clone(), "t", store, CaptureSettings::default())
}

/// Every document of the table's change collection, as MongoDB holds it.
async fn documents(server: &MongoServer, changes: &MongoChangeStore) -> Vec<Document> {
    let client = mongodb::Client::with_uri_str(server.uri()).await.unwrap();
    client
        .database(changes.database_name())
        .collection::<Document>(changes.collection_name())
        .find(doc! {})
        .await
        .unwrap()
        .try_collect()
        .await
        .unwrap()
}

/// Puts, an update adding a version and deleting a column, and a delete.
async fn writes(client: &Client, from: i64) {
    for k in from..from + 3 {
        put(client, k, k * 10).await;
    }
    let update = Row::new(
        key(from),
        vec![
            Cell::put_at(
                "w",
                Value::String("second".into()),
                chrono::Utc::now().timestamp_millis() - 60_000,
            ),
            Cell::delete_all("v"),
        ],
    );
    client
        .update_row("t", &update, RowExistence::Ignore)
        .await
        .unwrap();
    client
        .delete_row("t", &key(from + 1), RowExistence::Ignore)
        .await
        .unwrap();
}

#[tokio::test]
async fn changes_stored_in_mongodb_replay_to_the_table_that_was_written() {
    let server = MongoServer::start();
    let (_emulator, client, changes) = table_and_changes(&server).await;
    let mut capture = capture_into(&client, changes.clone());
    writes(&client, 0).await;
    assert_eq!(capture.run_once().await.unwrap().records_stored, 5);
    writes(&client, 10).await;
    assert_eq!(capture.run_once().await.unwrap().records_stored, 5);
    assert_eq!(capture.run_once().await.unwrap().records_stored, 0);

    let records = changes.records().await.unwrap();
    assert_eq!(records.len(), 10);
    assert_eq!(documents(&server, &changes).await.len(), 10);
    let now = chrono::Utc::now().timestamp_micros();
    let replayed = replay_until(Vec::new(), records.iter().map(|r| &r.record), now, 10);
    assert_eq!(replayed, read_table(&client, "t").await);

    // A restarted capture continues from the checkpoint stored in MongoDB.
    let mut restarted = capture_into(&client, changes.clone());
    assert_eq!(restarted.run_once().await.unwrap().records_stored, 0);
    put(&client, 99, 1).await;
    assert_eq!(restarted.run_once().await.unwrap().records_stored, 1);
    assert_eq!(changes.records().await.unwrap().len(), 11);
}

/// Stores the records of a step and "crashes" before its checkpoint.
struct CrashBeforeCheckpoint(Arc<MongoChangeStore>);

#[async_trait]
impl ChangeStore for CrashBeforeCheckpoint {
    async fn latest_checkpoint(&self) -> Result<Option<Checkpoint>, ChangeStoreError> {
        self.0.latest_checkpoint().await
    }

    async fn append(&self, segment: ChangeSegment) -> Result<(), ChangeStoreError> {
        let step = self.0.next_step().await?;
        let chain = segment.checkpoint.gaps.len();
        self.0.write_records(step, chain, &segment.records).await?;
        Err(ChangeStoreError::Join(
            "crashed before the checkpoint".into(),
        ))
    }

    async fn records(&self) -> Result<Vec<CapturedRecord>, ChangeStoreError> {
        self.0.records().await
    }

    async fn chain_records(&self, chain: usize) -> Result<Vec<CapturedRecord>, ChangeStoreError> {
        self.0.chain_records(chain).await
    }

    async fn mark_captured_until(&self, until_us: i64) -> Result<(), ChangeStoreError> {
        self.0.mark_captured_until(until_us).await
    }

    async fn captured_until_us(&self) -> Result<Option<i64>, ChangeStoreError> {
        self.0.captured_until_us().await
    }

    async fn prune_before(&self, before_us: i64) -> Result<u64, ChangeStoreError> {
        self.0.prune_before(before_us).await
    }
}

#[tokio::test]
async fn a_crash_between_records_and_checkpoint_rereads_and_duplicates_nothing() {
    let server = MongoServer::start();
    let (_emulator, client, changes) = table_and_changes(&server).await;
    for k in 0..3 {
        put(&client, k, k).await;
    }
    let mut capture = capture_into(&client, changes.clone());
    assert_eq!(capture.run_once().await.unwrap().records_stored, 3);

    for k in 3..6 {
        put(&client, k, k).await;
    }
    let crashing = Arc::new(CrashBeforeCheckpoint(changes.clone()));
    let mut doomed = capture_into(&client, crashing);
    assert!(doomed.run_once().await.is_err());
    assert_eq!(
        documents(&server, &changes).await.len(),
        6,
        "the records reached MongoDB"
    );
    assert_eq!(
        changes.records().await.unwrap().len(),
        3,
        "records the checkpoint does not vouch for are not read"
    );

    // Restarted after the crash: the same records are read again and stored once.
    put(&client, 6, 6).await;
    let mut restarted = capture_into(&client, changes.clone());
    assert_eq!(restarted.run_once().await.unwrap().records_stored, 4);
    let records = changes.records().await.unwrap();
    let keys: Vec<_> = records
        .iter()
        .map(|r| r.record.row.primary_key.clone())
        .collect();
    assert_eq!(
        keys,
        (0..7).map(key).collect::<Vec<_>>(),
        "in order, once each"
    );
    assert_eq!(
        documents(&server, &changes).await.len(),
        7,
        "no duplicate documents"
    );
}

#[tokio::test]
async fn pruning_removes_only_records_older_than_the_cut_and_keeps_the_checkpoint() {
    let server = MongoServer::start();
    let (_emulator, client, changes) = table_and_changes(&server).await;
    let mut capture = capture_into(&client, changes.clone());
    for k in 0..3 {
        put(&client, k, k).await;
    }
    capture.run_once().await.unwrap();
    let cut = changes.records().await.unwrap()[2]
        .record
        .sequence
        .timestamp_us
        + 1;
    for k in 3..5 {
        put(&client, k, k).await;
    }
    capture.run_once().await.unwrap();

    assert_eq!(changes.prune_before(cut).await.unwrap(), 3);
    let keys = |records: Vec<CapturedRecord>| -> Vec<_> {
        records
            .into_iter()
            .map(|r| r.record.row.primary_key)
            .collect()
    };
    assert_eq!(keys(changes.records().await.unwrap()), [key(3), key(4)]);

    // Even a cut after everything leaves the checkpoint: capture goes on without re-reading.
    changes.prune_before(i64::MAX).await.unwrap();
    put(&client, 5, 5).await;
    let mut restarted = capture_into(&client, changes.clone());
    assert_eq!(restarted.run_once().await.unwrap().records_stored, 1);
    assert_eq!(keys(changes.records().await.unwrap()), [key(5)]);
}
