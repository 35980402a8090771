//! The backup engine's set-up (tests/engine_backup and tests/engine_mongo): a client with
//! quick retries, an archive store in a temp dir, source tables covering every type, and
//! exact comparisons.

use std::sync::Arc;
use std::time::Duration;

use futures::StreamExt;
use tablevault::config::EngineConfig;
use tablevault::emulator::EmulatorHandle;
use tablevault::engine::{BackupIo, BackupJob};
use tablevault::store::{ArchiveStore, ArchiveStoreConfig, BackupStore, SourceInfo, TableChecksum};
use tablevault::tablestore::client::{
    chunk_writes, Client, RangeRequest, RetryPolicy, RowWrite, ALL_VERSIONS,
};
use tablevault::tablestore::{
    plainbuffer, Cell, ColumnType, DefinedColumn, PkSchema, PkType, PkValue, PrimaryKey, Row,
    TableDescription, Value,
};
use tempfile::TempDir;

use super::emulator::{client_with, quick_retries};

pub const BIG_ROWS: i64 = 12_000;

/// A client with quick retries and room for the 30 % error rate of the fault tests over
/// thousands of requests.
pub fn client(emulator: &EmulatorHandle) -> Client {
    client_with(
        emulator,
        RetryPolicy {
            max_elapsed: Duration::from_secs(20),
            max_attempts: 100,
            ..quick_retries()
        },
    )
}

pub async fn archive() -> (TempDir, Arc<ArchiveStore>) {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = ArchiveStore::open(ArchiveStoreConfig::new(dir.path().join("archive")))
        .await
        .expect("archive opens");
    (dir, Arc::new(store))
}

pub fn context(client: &Client, store: Arc<dyn BackupStore>) -> BackupIo {
    BackupIo::new(client.clone(), store)
}

/// Small batches and splits so a 12,000-row table spans many ranges and batches.
pub fn engine_config() -> EngineConfig {
    EngineConfig {
        readers: 3,
        writers: 2,
        channel_capacity: 4,
        batch_rows: 500,
        split_size_bytes: 64 * 1024,
        ..EngineConfig::default()
    }
}

pub fn job(emulator: &EmulatorHandle, tables: &[&str], config: EngineConfig) -> BackupJob {
    let source = SourceInfo {
        name: "test-source".into(),
        endpoint: emulator.endpoint(),
        instance: emulator.config().instance.clone(),
    };
    BackupJob::new(
        source,
        tables.iter().map(|t| t.to_string()).collect(),
        config,
    )
}

fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

async fn write_all(client: &Client, writes: Vec<RowWrite>) {
    for batch in chunk_writes(writes).expect("writes fit in batches") {
        let results = client.batch_write(&batch).await.expect("batch write");
        assert!(results.iter().all(Result::is_ok), "every row written");
    }
}

/// `everything`: three key types, every value type, several versions per cell, TTL, a
/// deviation and defined columns.
pub async fn load_everything(client: &Client) {
    let mut table = TableDescription::new(
        "everything",
        vec![
            PkSchema::new("pk_s", PkType::String),
            PkSchema::new("pk_i", PkType::Integer),
            PkSchema::new("pk_b", PkType::Binary),
        ],
    );
    table.options.max_versions = 3;
    table.options.time_to_live = 30 * 86_400;
    table.options.max_time_deviation = 2 * 86_400;
    table.defined_columns = vec![
        DefinedColumn {
            name: "d_int".into(),
            column_type: ColumnType::Integer,
        },
        DefinedColumn {
            name: "d_str".into(),
            column_type: ColumnType::String,
        },
    ];
    client
        .create_table(&table)
        .await
        .expect("create everything");
    let base = now_ms() - 3_600_000;
    let writes = (0..300i64)
        .map(|i| {
            let key = PrimaryKey::new([
                ("pk_s", PkValue::String(format!("ключ-{:03}", i % 40))),
                ("pk_i", PkValue::Integer(i * 7919 - 1_000_000)),
                ("pk_b", PkValue::Binary(vec![(i % 256) as u8, 0, 255])),
            ]);
            let mut cells = vec![
                Cell::put_at("d_int", Value::Integer(i), base),
                Cell::put_at("d_int", Value::Integer(-i), base + 1000),
                Cell::put_at("d_int", Value::Integer(i64::MAX - i), base + 2000),
                Cell::put_at("d_str", Value::String(format!("строка {i} 😀")), base),
                Cell::put_at("bin", Value::Binary(vec![i as u8; (i % 50) as usize]), base),
                Cell::put_at("flag", Value::Boolean(i % 2 == 0), base + 5),
            ];
            let double = [-0.0, 1.5, f64::MAX, f64::MIN_POSITIVE, -7.25][(i % 5) as usize];
            cells.push(Cell::put_at("dbl", Value::Double(double), base + 7));
            if i % 3 == 0 {
                cells.push(Cell::put_at("dbl", Value::Double(i as f64), base + 9));
            }
            RowWrite::put("everything", Row::new(key, cells))
        })
        .collect();
    write_all(client, writes).await;
}

/// `autoinc`: an auto-increment key column the server fills in.
pub async fn load_autoinc(client: &Client) {
    let mut id = PkSchema::new("id", PkType::Integer);
    id.auto_increment = true;
    let mut table =
        TableDescription::new("autoinc", vec![PkSchema::new("part", PkType::String), id]);
    table.defined_columns = vec![DefinedColumn {
        name: "score".into(),
        column_type: ColumnType::Double,
    }];
    client.create_table(&table).await.expect("create autoinc");
    let writes = (0..60)
        .map(|i| {
            let key = PrimaryKey::new([
                ("part", PkValue::String(format!("p{}", i % 3))),
                ("id", PkValue::AutoIncrement),
            ]);
            let cells = vec![Cell::put("score", Value::Double(i as f64 / 4.0))];
            RowWrite::put("autoinc", Row::new(key, cells))
        })
        .collect();
    write_all(client, writes).await;
}

/// `keys_only`: rows with a primary key and no attribute column.
pub async fn load_keys_only(client: &Client) {
    let table = TableDescription::new("keys_only", vec![PkSchema::new("k", PkType::Integer)]);
    client.create_table(&table).await.expect("create keys_only");
    let writes = (0..400)
        .map(|i| RowWrite::put("keys_only", Row::new(int_key("k", i), vec![])))
        .collect();
    write_all(client, writes).await;
}

/// `empty`: a table without rows.
pub async fn load_empty(client: &Client) {
    let table = TableDescription::new("empty", vec![PkSchema::new("k", PkType::String)]);
    client.create_table(&table).await.expect("create empty");
}

/// `big`: BIG_ROWS rows over 400 partition keys (so it splits), two versions of one column.
pub async fn load_big(client: &Client) {
    let mut table = TableDescription::new(
        "big",
        vec![
            PkSchema::new("part", PkType::String),
            PkSchema::new("seq", PkType::Integer),
        ],
    );
    table.options.max_versions = 2;
    client.create_table(&table).await.expect("create big");
    let base = now_ms() - 600_000;
    let writes = (0..BIG_ROWS)
        .map(|i| {
            let key = PrimaryKey::new([
                ("part", PkValue::String(format!("part-{:04}", i % 400))),
                ("seq", PkValue::Integer(i)),
            ]);
            let cells = vec![
                Cell::put_at("v", Value::String(format!("payload of row {i:08}")), base),
                Cell::put_at("v", Value::String(format!("newer {i}")), base + 1),
                Cell::put_at("n", Value::Integer(i), base),
            ];
            RowWrite::put("big", Row::new(key, cells))
        })
        .collect();
    write_all(client, writes).await;
}

fn int_key(name: &str, i: i64) -> PrimaryKey {
    PrimaryKey::new([(name, PkValue::Integer(i))])
}

/// Every row of the source table, read directly (all versions, or the latest only).
pub async fn scan_source(client: &Client, table: &str, all_versions: bool) -> Vec<Row> {
    let description = client.describe_table(table).await.expect("describe");
    let names: Vec<String> = description.pk_names().map(String::from).collect();
    let mut request = RangeRequest::whole_table(table, names, Default::default());
    request.max_versions = Some(if all_versions { ALL_VERSIONS } else { 1 });
    let pages: Vec<_> = client.scan(request).collect().await;
    pages
        .into_iter()
        .flat_map(|p| p.expect("scan page"))
        .collect()
}

/// Every row of `table` in published backup `id`.
pub async fn read_backup(store: &dyn BackupStore, id: &str, table: &str) -> Vec<Row> {
    let reader = store.open(id).await.expect("backup is published");
    let batches: Vec<_> = reader
        .read_table(table)
        .await
        .expect("table in backup")
        .collect()
        .await;
    batches
        .into_iter()
        .flat_map(|b| b.expect("batch reads"))
        .collect()
}

/// Same rows, each as often, in any order.
pub fn assert_same_rows(actual: &[Row], expected: &[Row], what: &str) {
    let sorted = |rows: &[Row]| {
        let mut rows: Vec<(Vec<u8>, Row)> = rows
            .iter()
            .map(|r| (plainbuffer::encode_row(r), r.clone()))
            .collect();
        rows.sort_by(|a, b| a.0.cmp(&b.0));
        rows.into_iter().map(|(_, r)| r).collect::<Vec<_>>()
    };
    assert_eq!(actual.len(), expected.len(), "{what}: row count");
    assert!(sorted(actual) == sorted(expected), "{what}: rows differ");
}

pub fn checksum(rows: &[Row]) -> TableChecksum {
    let mut sum = TableChecksum::default();
    for row in rows {
        sum.add(row);
    }
    sum
}

/// Nothing published, nothing staged, no file left under the archive root.
pub async fn assert_store_empty(store: &ArchiveStore) {
    assert!(store.list().await.unwrap().is_empty(), "nothing published");
    assert!(store.staged().await.unwrap().is_empty(), "nothing staged");
    let mut leftovers = Vec::new();
    for entry in walk(store.root()) {
        if entry.is_file() {
            leftovers.push(entry);
        }
    }
    assert!(leftovers.is_empty(), "files left behind: {leftovers:?}");
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    if let Ok(entries) = std::fs::read_dir(dir) {
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                out.extend(walk(&path));
            }
            out.push(path);
        }
    }
    out
}
