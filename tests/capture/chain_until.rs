//! A point-in-time restore reads only the records it replays: `chain_records_until` of both
//! change stores gives exactly the chain's records committed at or before the instant, in
//! capture order, and leaves the later ones unread.

use std::sync::Arc;

use crate::support::emulator::{client, default_emulator};
use crate::support::mongo_server::MongoServer;
use crate::{put, table};
use tablevault::capture::{
    ArchiveChangeStore, CaptureSettings, ChangeStore, MongoChangeStore, TableCapture,
};
use tablevault::store::mongo::{MongoStore, MongoStoreConfig};

/// Two captured waves of puts into `store` with an instant between them; checks the read
/// up to that instant.
async fn reads_only_up_to_the_instant(store: Arc<dyn ChangeStore>) {
    let emulator = default_emulator().await;
    let client = client(&emulator);
    table(&client, "t", Some(24)).await;
    let mut capture = TableCapture::new(
        client.clone(),
        "t",
        store.clone(),
        CaptureSettings::default(),
    );
    for k in 0..4 {
        put(&client, k, k).await;
    }
    assert_eq!(capture.run_once().await.unwrap().records_stored, 4);
    let instant = chrono::Utc::now().timestamp_micros();
    for k in 10..13 {
        put(&client, k, k).await;
    }
    assert_eq!(capture.run_once().await.unwrap().records_stored, 3);

    let all = store.chain_records(0).await.unwrap();
    assert_eq!(all.len(), 7);
    let until = store.chain_records_until(0, instant).await.unwrap();
    let expected: Vec<_> = all
        .into_iter()
        .filter(|r| r.record.sequence.timestamp_us <= instant)
        .collect();
    assert_eq!(until.len(), 4);
    assert_eq!(until, expected);
    assert!(store
        .chain_records_until(1, i64::MAX)
        .await
        .unwrap()
        .is_empty());
}

#[tokio::test]
async fn an_archive_change_store_reads_only_up_to_the_instant() {
    let dir = tempfile::tempdir().unwrap();
    let store = ArchiveChangeStore::new(dir.path(), "sched-1", "t").unwrap();
    reads_only_up_to_the_instant(Arc::new(store)).await;
}

#[tokio::test]
async fn a_mongodb_change_store_reads_only_up_to_the_instant() {
    let server = MongoServer::start();
    let store = MongoStore::connect(&MongoStoreConfig::new(server.uri(), "tv"))
        .await
        .expect("store");
    let changes = MongoChangeStore::new(&store, "sch_1", "t").expect("change store");
    reads_only_up_to_the_instant(Arc::new(changes)).await;
}
