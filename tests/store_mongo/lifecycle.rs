//! Staged vs published, abort, list/open/delete, idempotent retries and resume.

use bson::doc;
use futures::TryStreamExt;
use tablevault::store::{BackupStore, StoreError};
use tablevault::tablestore::{Cell, PkValue, PrimaryKey, Value};

use crate::fixtures::{
    by_key, int_row, int_rows, int_table, manifest, publish_and_read_t, read_all, store, store_at,
    stored_rows,
};
use crate::support::mongo_server::MongoServer;

#[tokio::test]
async fn staged_backup_is_invisible_until_published() {
    let server = MongoServer::start();
    let store = store(&server).await;
    let staged = store.create("b1").await.unwrap();
    staged
        .write_rows("t", 0, &int_rows(0..10), "")
        .await
        .unwrap();

    assert!(store.list().await.unwrap().is_empty());
    assert!(matches!(
        store.open("b1").await,
        Err(StoreError::NotFound(_))
    ));
    assert_eq!(store.staged().await.unwrap(), vec!["b1".to_owned()]);

    // `empty` had no rows, so it has no collection.
    let manifest = manifest("b1", 0, &[(int_table("t"), 10), (int_table("empty"), 0)]);
    staged.publish(&manifest).await.unwrap();
    assert_eq!(store.list().await.unwrap(), vec![manifest.clone()]);
    assert!(store.staged().await.unwrap().is_empty());
    let reader = store.open("b1").await.unwrap();
    assert_eq!(reader.manifest(), &manifest);
    assert_eq!(
        read_all(reader.as_ref(), "t").await,
        by_key(&int_rows(0..10))
    );
    assert!(matches!(
        store.resume("b1").await,
        Err(StoreError::AlreadyExists(_))
    ));
}

#[tokio::test]
async fn abort_drops_the_database() {
    let server = MongoServer::start();
    let store = store(&server).await;
    let staged = store.create("gone").await.unwrap();
    staged
        .write_rows("t", 0, &int_rows(0..5), "")
        .await
        .unwrap();
    let databases = store.client().list_database_names().await.unwrap();
    assert!(databases.contains(&"tvtest_gone".to_owned()));

    staged.abort().await.unwrap();
    let databases = store.client().list_database_names().await.unwrap();
    assert!(
        !databases.contains(&"tvtest_gone".to_owned()),
        "{databases:?}"
    );
    assert!(store.staged().await.unwrap().is_empty());
    assert!(matches!(
        store.delete("gone").await,
        Err(StoreError::NotFound(_))
    ));
}

#[tokio::test]
async fn ids_are_claimed_once_and_validated() {
    let server = MongoServer::start();
    let store = store(&server).await;
    store.create("once").await.unwrap();
    assert!(matches!(
        store.create("once").await,
        Err(StoreError::AlreadyExists(_))
    ));
    for bad in ["a.b", "with space", "x/y", &"l".repeat(60)] {
        match store.create(bad).await {
            Err(StoreError::InvalidId(id)) => assert_eq!(id, bad),
            other => panic!("{bad:?}: {:?}", other.map(|_| ())),
        }
    }
}

#[tokio::test]
async fn retried_batches_create_no_duplicates() {
    let server = MongoServer::start();
    let store = store(&server).await;
    let staged = store.create("retry").await.unwrap();
    let batch = int_rows(0..100);
    staged.write_rows("t", 0, &batch, "").await.unwrap();
    staged.write_rows("t", 0, &batch, "").await.unwrap();
    // A retry that overlaps and carries a newer read of row 50: the newest read wins.
    let mut changed = int_rows(50..150);
    changed[0]
        .cells
        .push(Cell::put_at("late", Value::Boolean(true), 9));
    staged.write_rows("t", 0, &changed, "").await.unwrap();

    assert_eq!(stored_rows(&store, "retry", "t").await, 150);
    let read = publish_and_read_t(&store, staged.as_ref(), "retry", 150).await;
    let mut expected = by_key(&int_rows(0..150));
    expected.insert(changed[0].primary_key.clone(), changed[0].clone());
    assert_eq!(read, expected);
}

/// The store inserts a batch 1000 rows at a time: a batch of several groups is written whole,
/// and duplicates found in its later groups are replaced, each the right row.
#[tokio::test]
async fn a_batch_larger_than_one_insert_is_written_whole_and_retried_without_duplicates() {
    let server = MongoServer::start();
    let store = store(&server).await;
    let staged = store.create("large").await.unwrap();
    staged
        .write_rows("t", 0, &int_rows(1000..2500), "")
        .await
        .unwrap();
    // Its first group is new, its second and third are already stored; row 2400 is read anew.
    let mut retry = int_rows(0..2500);
    retry[2400]
        .cells
        .push(Cell::put_at("late", Value::Boolean(true), 9));
    staged.write_rows("t", 0, &retry, "").await.unwrap();

    assert_eq!(stored_rows(&store, "large", "t").await, 2500);
    let read = publish_and_read_t(&store, staged.as_ref(), "large", 2500).await;
    assert_eq!(read, by_key(&retry));
    assert!(read[&retry[2400].primary_key].cells.len() > int_row(2400).cells.len());
}

#[tokio::test]
async fn publish_refuses_a_manifest_that_miscounts() {
    let server = MongoServer::start();
    let store = store(&server).await;
    let staged = store.create("count").await.unwrap();
    staged
        .write_rows("t", 0, &int_rows(0..3), "")
        .await
        .unwrap();
    let wrong = manifest("count", 0, &[(int_table("t"), 4)]);
    assert!(matches!(
        staged.publish(&wrong).await,
        Err(StoreError::Corrupt { .. })
    ));
    assert!(store.list().await.unwrap().is_empty());
}

#[tokio::test]
async fn resume_continues_after_the_checkpoints() {
    let server = MongoServer::start();
    let first = store(&server).await;
    let staged = first.create("res").await.unwrap();
    staged
        .write_rows("t", 0, &int_rows(0..100), "")
        .await
        .unwrap();
    staged
        .write_rows("t", 1, &int_rows(1000..1050), "state-1")
        .await
        .unwrap();
    staged.save_plan("the plan").await.unwrap();
    drop((staged, first)); // the process "crashes"

    let store = store(&server).await;
    assert_eq!(store.staged().await.unwrap(), vec!["res".to_owned()]);
    let staged = store.resume("res").await.unwrap();
    let key = |i| Some(PrimaryKey::new([("id", PkValue::Integer(i))]));
    assert_eq!(
        staged.checkpoint("t", 0).await.unwrap().map(|c| c.last_key),
        key(99)
    );
    assert_eq!(
        staged.checkpoint("t", 1).await.unwrap().map(|c| c.last_key),
        key(1049)
    );
    assert_eq!(
        staged.checkpoint("t", 2).await.unwrap().map(|c| c.last_key),
        None
    );
    assert_eq!(
        staged
            .checkpoint("other", 0)
            .await
            .unwrap()
            .map(|c| c.last_key),
        None
    );
    // The engine state rides with the checkpoint, and the plan survives the crash.
    let checkpoint = staged.checkpoint("t", 1).await.unwrap().unwrap();
    assert_eq!(checkpoint.state, "state-1");
    assert_eq!(
        staged.load_plan().await.unwrap().as_deref(),
        Some("the plan")
    );
    staged
        .write_rows("t", 0, &int_rows(100..200), "")
        .await
        .unwrap();
    staged
        .write_rows("t", 1, &int_rows(1050..1100), "")
        .await
        .unwrap();
    assert_eq!(
        staged.checkpoint("t", 0).await.unwrap().map(|c| c.last_key),
        key(199)
    );
    let read = publish_and_read_t(&store, staged.as_ref(), "res", 300).await;
    let mut expected = by_key(&int_rows(0..200));
    expected.extend(by_key(&int_rows(1000..1100)));
    assert_eq!(read, expected);
    assert!(matches!(
        store.resume("missing").await,
        Err(StoreError::NotFound(_))
    ));
}

#[tokio::test]
async fn list_open_and_delete() {
    let server = MongoServer::start();
    let store = store(&server).await;
    // Published out of order: list sorts by start time.
    for (id, minute) in [("newer", 30), ("older", 10)] {
        let staged = store.create(id).await.unwrap();
        staged.write_rows("t", 0, &[int_row(1)], "").await.unwrap();
        staged
            .publish(&manifest(id, minute, &[(int_table("t"), 1)]))
            .await
            .unwrap();
    }
    store.create("pending").await.unwrap();
    // A store whose prefix extends ours owns `tvtest_x_*`; we must not list its backups.
    let neighbour = store_at(&server.uri(), "tvtest_x").await;
    neighbour.create("b").await.unwrap();

    let ids = |list: Vec<tablevault::store::Manifest>| -> Vec<String> {
        list.into_iter().map(|m| m.backup_id).collect()
    };
    assert_eq!(ids(store.list().await.unwrap()), ["older", "newer"]);
    assert_eq!(store.staged().await.unwrap(), ["pending"]);
    assert_eq!(neighbour.staged().await.unwrap(), ["b"]);

    let reader = store.open("older").await.unwrap();
    assert!(matches!(
        reader.read_table("absent").await.map(|_| ()),
        Err(StoreError::TableNotFound { .. })
    ));
    store.delete("older").await.unwrap();
    store.delete("pending").await.unwrap();
    assert_eq!(ids(store.list().await.unwrap()), ["newer"]);
    assert!(store.staged().await.unwrap().is_empty());
    assert!(matches!(
        store.open("older").await,
        Err(StoreError::NotFound(_))
    ));
    assert!(matches!(
        store.delete("older").await,
        Err(StoreError::NotFound(_))
    ));
    assert!(matches!(
        store.delete("x_b").await,
        Err(StoreError::NotFound(_))
    ));
}

#[tokio::test]
async fn read_table_streams_in_bounded_batches() {
    let server = MongoServer::start();
    let store = store(&server).await;
    let staged = store.create("big").await.unwrap();
    for start in (0..2500).step_by(500) {
        staged
            .write_rows("t", 0, &int_rows(start..start + 500), "")
            .await
            .unwrap();
    }
    staged
        .publish(&manifest("big", 0, &[(int_table("t"), 2500)]))
        .await
        .unwrap();
    let reader = store.open("big").await.unwrap();
    let sizes: Vec<usize> = reader
        .read_table("t")
        .await
        .unwrap()
        .map_ok(|batch| batch.len())
        .try_collect()
        .await
        .unwrap();
    assert_eq!(sizes.iter().sum::<usize>(), 2500);
    assert!(
        sizes
            .iter()
            .all(|&n| n <= tablevault::store::mongo::READ_BATCH_ROWS),
        "{sizes:?}"
    );
}
