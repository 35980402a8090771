//! Restore throughput and CPU: N rows in T tables, backed up once into an archive store, then
//! restored into the emulator twice — with the default engine settings, and with 20 ms of
//! injected latency per request and 16 writers (what a far-away instance looks like).
//!
//! For each restore: seconds, rows/s, and CPU seconds per million rows of this process (the
//! engine: reading, verifying, decoding, encoding, sending) and of the emulator child (the
//! "service"). CPU time comes from `/proc/PID/stat`, so the figures are Linux-only.
//!
//! `BENCH_ROWS` (default 1000000) sets N, `BENCH_TABLES` (default 4) sets T; the rows are
//! split evenly over the tables, so restoring tables in parallel shows.
//!
//! Run: `BENCH_ROWS=1000000 cargo bench --bench restore`.

use std::process::Child;
use std::sync::Arc;
use std::time::Instant;

use tablevault::config::EngineConfig;
use tablevault::engine::{run_restore, RestoreJob};
use tablevault::engine::{IfExists, RunControls};
use tablevault::store::BackupStore;
use tablevault::tablestore::client::Client;

mod support;

const INJECTED_LATENCY_MS: u64 = 20;
const FAR_WRITERS: usize = 16;

/// Sets the emulator child's fault switches through its control endpoint.
async fn set_faults(endpoint: &str, faults: serde_json::Value) {
    let response = reqwest::Client::new()
        .post(format!("{endpoint}/_emulator/faults"))
        .json(&faults)
        .send()
        .await
        .expect("fault control endpoint");
    assert!(
        response.status().is_success(),
        "faults refused: {response:?}"
    );
}

struct Restored {
    seconds: f64,
    engine_cpu: f64,
    emulator_cpu: f64,
}

/// Restores every table of `backup_id` under the suffix `suffix`, then drops the copies.
async fn restore_all(
    store: &Arc<dyn BackupStore>,
    backup_id: &str,
    client: &Client,
    tables: &[String],
    suffix: &str,
    engine: EngineConfig,
    emulator: &Child,
) -> Restored {
    let emulator_pid = emulator.id().to_string();
    let reader = store.open(backup_id).await.expect("open backup");
    let job = RestoreJob {
        reader,
        client: client.clone(),
        tables: Vec::new(),
        renames: tables
            .iter()
            .map(|t| (t.clone(), format!("{t}{suffix}")))
            .collect(),
        if_exists: IfExists::Fail,
        dry_run: false,
        settings: Default::default(),
    };
    let (cpu_before, emulator_before) = (
        support::cpu_seconds("self"),
        support::cpu_seconds(&emulator_pid),
    );
    let started = Instant::now();
    run_restore(job, &RunControls::new(engine))
        .await
        .expect("restore");
    let restored = Restored {
        seconds: started.elapsed().as_secs_f64(),
        engine_cpu: support::cpu_seconds("self") - cpu_before,
        emulator_cpu: support::cpu_seconds(&emulator_pid) - emulator_before,
    };
    for table in tables {
        let copy = format!("{table}{suffix}");
        client.delete_table(&copy).await.expect("drop the copy");
    }
    restored
}

fn print(label: &str, rows: i64, r: &Restored) {
    let per_million = 1e6 / rows as f64;
    println!(
        "{label:<34} {:7.2} s {:>9.0} rows/s  CPU per 1M rows: engine {:6.2} s, emulator {:6.2} s",
        r.seconds,
        rows as f64 / r.seconds,
        r.engine_cpu * per_million,
        r.emulator_cpu * per_million,
    );
}

fn main() {
    let var = |name: &str, default: i64| {
        std::env::var(name)
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(default)
    };
    let rows = var("BENCH_ROWS", 1_000_000);
    let table_count = var("BENCH_TABLES", 4).max(1);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(async {
        let (mut emulator, endpoint, client) = support::emulator_and_client();
        let tables: Vec<String> = (0..table_count).map(|t| format!("bench{t}")).collect();
        let per_table = rows / table_count;
        let rows = per_table * table_count;
        let started = Instant::now();
        for table in &tables {
            support::table::load(&client, table, 0, per_table).await;
        }
        println!(
            "loaded {rows} rows in {table_count} tables in {:.1} s",
            started.elapsed().as_secs_f64()
        );

        let dir = tempfile::tempdir().expect("temp dir");
        let (store, manifest) = support::archive_backup(&client, dir.path(), tables.clone()).await;
        assert_eq!(manifest.total_rows(), rows as u64);
        let backup_id = &manifest.backup_id;

        let near = EngineConfig::default();
        let label = format!("restore, {} writers", near.writers);
        let r = restore_all(
            &store, backup_id, &client, &tables, "_near", near, &emulator,
        )
        .await;
        print(&label, rows, &r);

        set_faults(
            &endpoint,
            serde_json::json!({ "latency_ms": INJECTED_LATENCY_MS }),
        )
        .await;
        let far = EngineConfig {
            writers: FAR_WRITERS,
            ..EngineConfig::default()
        };
        let label = format!("restore, {INJECTED_LATENCY_MS} ms latency, {FAR_WRITERS} writers");
        let r = restore_all(&store, backup_id, &client, &tables, "_far", far, &emulator).await;
        print(&label, rows, &r);

        let _ = emulator.kill();
        let _ = emulator.wait();
    });
}
