//! Create, write, publish, list, open, delete, abort and resume, with the objects in the bucket
//! checked directly: the archive format under the prefix, nothing left behind.

use std::sync::Arc;

use futures::TryStreamExt;
use tablevault::store::s3::S3Store;
use tablevault::store::{BackupStore, Manifest, SourceInfo, StoreError, TableManifest};
use tablevault::tablestore::{
    Cell, PkSchema, PkType, PkValue, PrimaryKey, Row, TableDescription, Value,
};

use crate::support::s3_server::{S3Server, BUCKET};

pub fn store(server: &S3Server, prefix: &str) -> Arc<S3Store> {
    Arc::new(S3Store::new(&server.store_config(prefix)).expect("store config"))
}

pub fn rows(range: std::ops::Range<i64>) -> Vec<Row> {
    range
        .map(|i| {
            Row::new(
                PrimaryKey::new([("id", PkValue::Integer(i))]),
                vec![Cell::put_at("v", Value::String(format!("value {i}")), 1)],
            )
        })
        .collect()
}

pub fn manifest(id: &str, table: &str, rows: u64) -> Manifest {
    let now = chrono::Utc::now();
    Manifest {
        format_version: tablevault::store::FORMAT_VERSION,
        tablevault_version: "test".into(),
        backup_id: id.into(),
        source: SourceInfo {
            name: "s".into(),
            endpoint: "e".into(),
            instance: "i".into(),
        },
        started_at: now,
        finished_at: now,
        all_versions: true,
        tables: vec![TableManifest {
            description: TableDescription::new(table, vec![PkSchema::new("id", PkType::Integer)]),
            rows,
            cells: rows,
            bytes: 0,
            checksum: String::new(),
        }],
    }
}

pub async fn read_all(
    store: &dyn BackupStore,
    id: &str,
    table: &str,
) -> Result<Vec<Row>, StoreError> {
    let reader = store.open(id).await?;
    let batches: Vec<Vec<Row>> = reader.read_table(table).await?.try_collect().await?;
    Ok(batches.into_iter().flatten().collect())
}

/// Objects of the bucket (relative to the bucket), without the server's metadata files.
fn objects(server: &S3Server) -> Vec<String> {
    let bucket = format!("{BUCKET}/");
    server
        .stored_files()
        .into_iter()
        .filter_map(|f| f.strip_prefix(&bucket).map(str::to_owned))
        .collect()
}

#[tokio::test]
async fn a_published_backup_is_the_archive_layout_under_the_prefix_and_delete_removes_it() {
    let server = S3Server::start();
    let store = store(&server, "prod/");
    store.healthcheck().await.expect("reachable");

    let staged = store.create("b1").await.unwrap();
    staged.save_plan("{\"plan\":1}").await.unwrap();
    staged.write_rows("t", 0, &rows(0..10), "s1").await.unwrap();
    staged
        .write_rows("t", 1, &rows(10..15), "s2")
        .await
        .unwrap();
    staged
        .write_rows("t", 0, &rows(20..25), "s3")
        .await
        .unwrap();
    assert!(
        store.list().await.unwrap().is_empty(),
        "staged is not listed"
    );
    assert_eq!(store.staged().await.unwrap(), ["b1"]);
    assert!(matches!(
        store.open("b1").await,
        Err(StoreError::NotFound(_))
    ));
    assert!(matches!(
        store.create("b1").await,
        Err(StoreError::AlreadyExists(_))
    ));

    staged.publish(&manifest("b1", "t", 20)).await.unwrap();
    assert_eq!(
        objects(&server),
        [
            "prod/b1/manifest.json",
            "prod/b1/plan.json",
            "prod/b1/tables/t/r00000-00000001.tvseg",
            "prod/b1/tables/t/r00000-00000002.tvseg",
            "prod/b1/tables/t/r00001-00000001.tvseg",
        ]
    );
    let listed = store.list().await.unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].backup_id, "b1");
    assert!(store.staged().await.unwrap().is_empty());
    let mut back = read_all(store.as_ref(), "b1", "t").await.unwrap();
    back.sort_by_key(|r| format!("{:?}", r.primary_key));
    let mut expected = [rows(0..10), rows(10..15), rows(20..25)].concat();
    expected.sort_by_key(|r| format!("{:?}", r.primary_key));
    assert_eq!(back, expected);

    // A store on another prefix of the same bucket sees nothing of it.
    assert!(store_other(&server).list().await.unwrap().is_empty());

    store.delete("b1").await.unwrap();
    assert!(objects(&server).is_empty(), "{:?}", objects(&server));
    assert!(matches!(
        store.delete("b1").await,
        Err(StoreError::NotFound(_))
    ));
}

fn store_other(server: &S3Server) -> Arc<S3Store> {
    store(server, "other")
}

#[tokio::test]
async fn an_aborted_backup_leaves_no_object() {
    let server = S3Server::start();
    let store = store(&server, "");
    let staged = store.create("gone").await.unwrap();
    staged.save_plan("{}").await.unwrap();
    staged.write_rows("t", 0, &rows(0..100), "").await.unwrap();
    assert!(!objects(&server).is_empty());
    staged.abort().await.unwrap();
    assert!(objects(&server).is_empty(), "{:?}", objects(&server));
    assert!(store.staged().await.unwrap().is_empty());
    assert!(staged
        .write_rows("t", 0, &rows(100..101), "")
        .await
        .is_err());
}

#[tokio::test]
async fn a_resumed_backup_continues_after_its_checkpoint_and_a_retry_replaces_its_segment() {
    let server = S3Server::start();
    let store = store(&server, "p");
    let staged = store.create("r").await.unwrap();
    staged.save_plan("the plan").await.unwrap();
    staged
        .write_rows("t", 0, &rows(0..10), "after 10")
        .await
        .unwrap();
    staged
        .write_rows("t", 0, &rows(10..20), "after 20")
        .await
        .unwrap();
    drop(staged);

    let resumed = store.resume("r").await.unwrap();
    assert_eq!(
        resumed.load_plan().await.unwrap().as_deref(),
        Some("the plan")
    );
    let checkpoint = resumed
        .checkpoint("t", 0)
        .await
        .unwrap()
        .expect("checkpoint");
    assert_eq!(checkpoint.last_key, rows(19..20)[0].primary_key);
    assert_eq!(checkpoint.state, "after 20");
    assert_eq!(resumed.checkpoint("t", 1).await.unwrap(), None);
    // The last batch again (its acknowledgement was lost), with one row more: replaced.
    resumed
        .write_rows("t", 0, &rows(10..21), "after 21")
        .await
        .unwrap();
    resumed
        .write_rows("t", 0, &rows(21..30), "after 30")
        .await
        .unwrap();
    resumed.publish(&manifest("r", "t", 30)).await.unwrap();

    assert_eq!(read_all(store.as_ref(), "r", "t").await.unwrap().len(), 30);
    assert!(matches!(
        store.resume("r").await,
        Err(StoreError::NotFound(_))
    ));
}

/// 12 MiB of incompressible bytes in one batch: above the 5 MiB part size, so the segment goes
/// up as a multipart upload of three parts, and comes back exactly.
#[tokio::test]
async fn a_segment_larger_than_the_part_size_uploads_in_parts_and_reads_back() {
    let server = S3Server::start();
    let mut config = server.store_config("");
    config.multipart_part_size = tablevault::store::s3::MIN_PART_SIZE;
    config.request_timeout_seconds = 30;
    let store = S3Store::new(&config).unwrap();
    let mut seed = 0x9e37_79b9_7f4a_7c15u64;
    let big: Vec<Row> = (0..12)
        .map(|i| {
            let noise: Vec<u8> = (0..1024 * 1024)
                .map(|_| {
                    seed ^= seed << 13;
                    seed ^= seed >> 7;
                    seed ^= seed << 17;
                    seed as u8
                })
                .collect();
            Row::new(
                PrimaryKey::new([("id", PkValue::Integer(i))]),
                vec![Cell::put_at("blob", Value::Binary(noise), 1)],
            )
        })
        .collect();
    let staged = store.create("big").await.unwrap();
    staged.write_rows("t", 0, &big, "").await.unwrap();
    staged.publish(&manifest("big", "t", 12)).await.unwrap();

    let segment = server
        .storage()
        .join(BUCKET)
        .join("big/tables/t/r00000-00000001.tvseg");
    let size = std::fs::metadata(&segment).expect("segment object").len();
    assert!(
        size > 2 * tablevault::store::s3::MIN_PART_SIZE,
        "{size} bytes"
    );
    assert_eq!(read_all(&store, "big", "t").await.unwrap(), big);
    let leftovers: Vec<String> = server
        .stored_files()
        .into_iter()
        .filter(|f| f.contains(".upload"))
        .collect();
    assert!(leftovers.is_empty(), "multipart state left: {leftovers:?}");
}

/// A flipped byte in a segment object and a missing segment are both corruption errors.
#[tokio::test]
async fn a_damaged_or_missing_segment_object_is_corrupt() {
    let server = S3Server::start();
    let store = store(&server, "");
    let staged = store.create("c").await.unwrap();
    staged.write_rows("t", 0, &rows(0..50), "").await.unwrap();
    staged.write_rows("t", 0, &rows(50..100), "").await.unwrap();
    staged.publish(&manifest("c", "t", 100)).await.unwrap();
    let dir = server.storage().join(BUCKET).join("c/tables/t");

    let first = dir.join("r00000-00000001.tvseg");
    let mut bytes = std::fs::read(&first).unwrap();
    bytes[40] ^= 0x01;
    std::fs::write(&first, &bytes).unwrap();
    let error = read_all(store.as_ref(), "c", "t").await.unwrap_err();
    assert!(matches!(error, StoreError::Corrupt { .. }), "{error}");

    std::fs::remove_file(&first).unwrap();
    let error = read_all(store.as_ref(), "c", "t").await.unwrap_err();
    assert!(error.to_string().contains("not segment 1"), "{error}");
}
