//! A MongoDB store on a test server, a 20,000-row source table, and the checks every test
//! ends with.

use std::sync::Arc;
use std::time::Duration;

use tablevault::config::EngineConfig;
use tablevault::emulator::{EmulatorConfig, EmulatorHandle, FaultConfig};
use tablevault::engine::{run_verify, BackupOutcome, RunControls, VerifyJob};
use tablevault::store::mongo::{MongoStore, MongoStoreConfig};
use tablevault::store::BackupStore;
use tablevault::tablestore::client::{chunk_writes, Client, RowWrite};
use tablevault::tablestore::{
    Cell, PkSchema, PkType, PkValue, PrimaryKey, Row, TableDescription, Value,
};

use crate::support::emulator::start_emulator;
use crate::support::engine::{assert_same_rows, checksum, read_backup, scan_source};
use crate::support::mongo_server::MongoServer;
use crate::support::poll::{poll_until, wait_until, WAIT_LIMIT};

pub const PREFIX: &str = "tveng";
pub const TABLE: &str = "orders";
pub const ROWS: i64 = 20_000;
/// Guards against a hang only (a test that works ends in seconds).
pub const HANG_GUARD: Duration = Duration::from_secs(180);

/// The server's URI with a server selection timeout of 300 ms: the driver retries a failed
/// write once itself, after selecting a server again, and a one-second outage must outlast
/// that so the engine's own retries are what carry the backup through.
pub async fn mongo_store(server: &MongoServer) -> Arc<MongoStore> {
    let uri = server.uri().replace(
        "serverSelectionTimeoutMS=2000",
        "serverSelectionTimeoutMS=300",
    );
    assert!(uri.contains("serverSelectionTimeoutMS=300"), "{uri}");
    let config = MongoStoreConfig::new(uri, PREFIX);
    Arc::new(MongoStore::connect(&config).await.expect("store connects"))
}

/// An emulator whose reads are slowed down (small pages, 15 ms each), so a backup of
/// [`ROWS`] rows takes a few seconds and a test can act while it runs.
pub async fn slow_emulator() -> EmulatorHandle {
    let emulator = start_emulator(EmulatorConfig {
        page_row_limit: 200,
        ..EmulatorConfig::default()
    })
    .await;
    emulator.set_faults(FaultConfig {
        latency_ms: 15,
        actions: vec!["GetRange".into()],
        ..FaultConfig::default()
    });
    emulator
}

/// Two readers and writers, batches of 500 rows, ranges of 64 KiB (the table spans many).
pub fn engine_config(store_retry_seconds: u64) -> EngineConfig {
    EngineConfig {
        readers: 2,
        writers: 2,
        channel_capacity: 4,
        batch_rows: 500,
        split_size_bytes: 64 * 1024,
        store_retry_seconds,
        ..EngineConfig::default()
    }
}

/// [`TABLE`]: [`ROWS`] rows over 500 partition keys, two versions of a string column.
pub async fn load_orders(client: &Client) {
    let table = TableDescription::new(
        TABLE,
        vec![
            PkSchema::new("shop", PkType::String),
            PkSchema::new("seq", PkType::Integer),
        ],
    );
    let mut table = table;
    table.options.max_versions = 2;
    client.create_table(&table).await.expect("create orders");
    let base = chrono::Utc::now().timestamp_millis() - 60_000;
    let writes: Vec<RowWrite> = (0..ROWS)
        .map(|i| {
            let key = PrimaryKey::new([
                ("shop", PkValue::String(format!("shop-{:04}", i % 500))),
                ("seq", PkValue::Integer(i)),
            ]);
            let cells = vec![
                Cell::put_at("item", Value::String(format!("item {i:08}")), base),
                Cell::put_at("item", Value::String(format!("item {i} v2")), base + 1),
                Cell::put_at("qty", Value::Integer(i % 17), base),
                Cell::put_at("paid", Value::Boolean(i % 3 == 0), base),
            ];
            RowWrite::put(TABLE, Row::new(key, cells))
        })
        .collect();
    for batch in chunk_writes(writes).expect("writes fit in batches") {
        let results = client.batch_write(&batch).await.expect("batch write");
        assert!(results.iter().all(Result::is_ok), "every row written");
    }
}

/// The published backup holds every source row exactly once, its manifest matches, and the
/// engine's verify (against the source too) passes.
pub async fn assert_backup_exact(client: &Client, store: Arc<MongoStore>, outcome: &BackupOutcome) {
    let source = scan_source(client, TABLE, true).await;
    assert_eq!(source.len(), ROWS as usize);
    let backed_up = read_backup(store.as_ref(), &outcome.backup_id, TABLE).await;
    assert_same_rows(&backed_up, &source, TABLE);
    let entry = outcome.manifest.table(TABLE).expect("table in manifest");
    let expected = checksum(&source);
    assert_eq!(
        (entry.rows, entry.cells, entry.bytes),
        (expected.rows, expected.cells, expected.bytes)
    );
    assert_eq!(entry.checksum, expected.digest());

    let reader = store.open(&outcome.backup_id).await.expect("published");
    let job = VerifyJob {
        reader,
        source: Some(client.clone()),
        tables: vec![],
    };
    let report = run_verify(job, &RunControls::default())
        .await
        .expect("verify runs");
    assert!(report.ok, "{report:?}");
}

/// Databases of this store's prefix on the server (backups, staged or published).
pub async fn backup_databases(store: &MongoStore) -> Vec<String> {
    let names = store
        .client()
        .list_database_names()
        .await
        .expect("list databases");
    names
        .into_iter()
        .filter(|n| n.starts_with(&format!("{PREFIX}_")))
        .collect()
}

/// Polls the run's progress until `rows` rows are durably written.
pub async fn wait_for_rows(progress: &tablevault::engine::Progress, rows: u64) {
    wait_until(&format!("{rows} rows written"), WAIT_LIMIT, || {
        progress.snapshot().rows >= rows
    })
    .await;
}

/// Waits until the store answers again after a restart. The driver rediscovers a restarted
/// server on its own heartbeat, and the tests' short server-selection timeout can expire before
/// that on a busy machine, so "the server is back" is observed, not assumed.
pub async fn wait_until_reachable(store: &MongoStore) {
    poll_until("MongoDB comes back", WAIT_LIMIT, || async {
        store.healthcheck().await.map_err(|e| e.to_string())
    })
    .await
}
