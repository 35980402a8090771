//! Rows, manifests and a store for the MongoDB store tests.

use std::collections::HashMap;

use chrono::{TimeZone, Utc};
use futures::TryStreamExt;
use tablevault::store::mongo::{MongoStore, MongoStoreConfig};
use tablevault::store::{
    BackupReader, BackupStore, Manifest, SourceInfo, StagedBackup, TableManifest, FORMAT_VERSION,
};
use tablevault::tablestore::{
    Cell, PkSchema, PkType, PkValue, PrimaryKey, Row, TableDescription, Value,
};

use crate::support::mongo_server::MongoServer;

pub const PREFIX: &str = "tvtest";

pub async fn store(server: &MongoServer) -> MongoStore {
    store_at(&server.uri(), PREFIX).await
}

pub async fn store_at(uri: &str, prefix: &str) -> MongoStore {
    let config = MongoStoreConfig::new(uri, prefix);
    MongoStore::connect(&config).await.expect("store connects")
}

/// A table keyed by one integer column `id`.
pub fn int_table(name: &str) -> TableDescription {
    TableDescription::new(name, vec![PkSchema::new("id", PkType::Integer)])
}

/// Row `i` of an integer-keyed table: one string cell and one integer cell.
pub fn int_row(i: i64) -> Row {
    Row::new(
        PrimaryKey::new([("id", PkValue::Integer(i))]),
        vec![
            Cell::put_at(
                "name",
                Value::String(format!("row {i}")),
                1_700_000_000_000 + i,
            ),
            Cell::put_at("n", Value::Integer(i * 7), 1_700_000_000_000),
        ],
    )
}

pub fn int_rows(range: std::ops::Range<i64>) -> Vec<Row> {
    range.map(int_row).collect()
}

/// A manifest for `tables` with their row counts. The checksum is not checked by the store.
pub fn manifest(
    backup_id: &str,
    started_minute: u32,
    tables: &[(TableDescription, u64)],
) -> Manifest {
    let at = Utc
        .with_ymd_and_hms(2024, 5, 1, 12, started_minute, 0)
        .unwrap();
    Manifest {
        format_version: FORMAT_VERSION,
        tablevault_version: "test".to_owned(),
        backup_id: backup_id.to_owned(),
        source: SourceInfo {
            name: "test".to_owned(),
            endpoint: "http://127.0.0.1:1".to_owned(),
            instance: "inst".to_owned(),
        },
        started_at: at,
        finished_at: at,
        all_versions: true,
        tables: tables
            .iter()
            .map(|(description, rows)| TableManifest {
                description: description.clone(),
                rows: *rows,
                cells: 0,
                bytes: 0,
                checksum: "v1:test".to_owned(),
            })
            .collect(),
    }
}

/// Every row of a table, keyed by primary key; panics on a duplicate key.
pub async fn read_all(reader: &dyn BackupReader, table: &str) -> HashMap<PrimaryKey, Row> {
    let batches: Vec<Vec<Row>> = reader
        .read_table(table)
        .await
        .expect("table opens")
        .try_collect()
        .await
        .expect("table reads");
    let mut rows = HashMap::new();
    for row in batches.into_iter().flatten() {
        let key = row.primary_key.clone();
        assert!(
            rows.insert(key.clone(), row).is_none(),
            "row {key:?} read twice"
        );
    }
    rows
}

/// How many documents table `table` of backup `id` holds in MongoDB, staged or published.
pub async fn stored_rows(store: &MongoStore, id: &str, table: &str) -> u64 {
    store
        .client()
        .database(&format!("{PREFIX}_{id}"))
        .collection::<bson::Document>(table)
        .count_documents(bson::doc! {})
        .await
        .expect("count")
}

/// Publishes `staged` as backup `id` of one integer-keyed table `t` of `rows` rows, then reads
/// `t` back from the published backup.
pub async fn publish_and_read_t(
    store: &MongoStore,
    staged: &dyn StagedBackup,
    id: &str,
    rows: u64,
) -> HashMap<PrimaryKey, Row> {
    staged
        .publish(&manifest(id, 0, &[(int_table("t"), rows)]))
        .await
        .expect("publish");
    read_all(store.open(id).await.expect("open").as_ref(), "t").await
}

pub fn by_key(rows: &[Row]) -> HashMap<PrimaryKey, Row> {
    rows.iter()
        .map(|r| (r.primary_key.clone(), r.clone()))
        .collect()
}
