//! Point-in-time restore (issue 12): a base backup of `BENCH_ROWS` rows (default 1000000,
//! ~200 B each) plus `BENCH_CHANGES` captured changes (default 100000), replayed up to an
//! instant near the end into a new table.
//!
//! 1. The base rows are loaded with the table's stream off, capture turns it on (its
//!    position), and a full backup goes into an archive store.
//! 2. The changes are written — 40 % puts of new rows between the base's keys, 20 % updates
//!    adding a version, 20 % updates deleting the base's version, 20 % deletes — the instant
//!    T is taken, 1 % more changes follow (they must not be restored), and the capture step
//!    stores them all in change segments.
//! 3. The restore to T: rows/s, CPU seconds per million rows restored (this process: reading,
//!    replaying, verifying, writing) and the peak RSS of this phase. Its memory is bounded by
//!    the changes, so the peak stays flat when only the base grows (compare
//!    `BENCH_ROWS=300000` with the default).
//!
//! The restored row count must equal the row count of the source table read at T (a scan
//! before the later changes), and the engine checks every row against the manifest's
//! checksum. The emulator is a child process, so the figures are the engine's alone.
//!
//! Run: `cargo bench --bench pitr`.

mod support;

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Instant;

use futures::{StreamExt, TryStreamExt};
use tablevault::capture::pitr_reader::{PointInTimeReader, TableChanges};
use tablevault::capture::store::ChangeStore;
use tablevault::capture::{ArchiveChangeStore, CaptureSettings, TableCapture};
use tablevault::config::EngineConfig;
use tablevault::engine::{run_restore, RestoreJob};
use tablevault::engine::{IfExists, RunControls};
use tablevault::tablestore::client::{chunk_writes, Client, Direction};
use tablevault::tablestore::client::{RangeRequest, RowWrite};
use tablevault::tablestore::{Cell, PkSchema, PkType, PkValue, PrimaryKey, Row};
use tablevault::tablestore::{TableDescription, Value};

const TABLE: &str = "pitr_bench";
const RESTORED: &str = "pitr_bench_at";
const MAX_VERSIONS: i32 = 3;
const WRITE_CHUNK: i64 = 10_000;

fn env_or(name: &str, default: i64) -> i64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn key(k: i64) -> PrimaryKey {
    PrimaryKey::new([("k", PkValue::Integer(k))])
}

/// Base row `j` (key 2j): a 170-character payload and a versioned `v` at `base_ms`.
fn base_row(j: i64, base_ms: i64) -> Row {
    let cells = vec![
        Cell::put_at("payload", Value::String(format!("{j:0>170}")), base_ms),
        Cell::put_at("v", Value::Integer(j), base_ms),
    ];
    Row::new(key(2 * j), cells)
}

/// Change `i`, on base row `j` spread over the base (or the new row 2j+1 next to it).
fn change(i: i64, rows: i64, changes: i64, base_ms: i64) -> RowWrite {
    let j = (i * (rows / changes).max(1)) % rows;
    let version = base_ms + 1 + i % 1_000;
    match i % 10 {
        0..=3 => RowWrite::put(TABLE, base_row(j, base_ms + 1).with_key(key(2 * j + 1))),
        4 | 5 => RowWrite::update(
            TABLE,
            Row::new(
                key(2 * j),
                vec![Cell::put_at("v", Value::Integer(-i), version)],
            ),
        ),
        6 | 7 => RowWrite::update(
            TABLE,
            Row::new(key(2 * j), vec![Cell::delete_one("v", base_ms)]),
        ),
        _ => RowWrite::delete(TABLE, key(2 * j)),
    }
}

trait WithKey {
    fn with_key(self, key: PrimaryKey) -> Self;
}

impl WithKey for Row {
    fn with_key(self, primary_key: PrimaryKey) -> Self {
        Row {
            primary_key,
            ..self
        }
    }
}

/// Sends `writes` in chunks, 4 batch writes in flight.
async fn send(client: &Client, writes: Vec<RowWrite>) {
    futures::stream::iter(chunk_writes(writes).expect("chunk"))
        .for_each_concurrent(4, |batch| async move {
            let results = client.batch_write(&batch).await.expect("batch write");
            assert!(results.iter().all(Result::is_ok), "row failures");
        })
        .await;
}

async fn count_rows(client: &Client, table: &str) -> u64 {
    let request = RangeRequest::whole_table(table, ["k"], Direction::Forward);
    client
        .scan(request)
        .try_fold(0u64, |n, page| async move { Ok(n + page.len() as u64) })
        .await
        .expect("scan")
}

fn main() {
    let rows = env_or("BENCH_ROWS", 1_000_000).max(1);
    let changes = env_or("BENCH_CHANGES", 100_000).max(1);
    let late = (changes / 100).max(1);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(async {
        let (mut emulator, _, client) = support::emulator_and_client();
        let mut description = TableDescription::new(TABLE, vec![PkSchema::new("k", PkType::Integer)]);
        description.options.max_versions = MAX_VERSIONS;
        client.create_table(&description).await.expect("create table");
        let base_ms = chrono::Utc::now().timestamp_millis() - 60_000;

        let started = Instant::now();
        for from in (0..rows).step_by(WRITE_CHUNK as usize) {
            let to = (from + WRITE_CHUNK).min(rows);
            send(&client, (from..to).map(|j| RowWrite::put(TABLE, base_row(j, base_ms))).collect()).await;
        }
        println!("loaded {rows} base rows in {:.1} s", started.elapsed().as_secs_f64());

        let dir = tempfile::tempdir().expect("temp dir");
        let changes_store = Arc::new(ArchiveChangeStore::new(dir.path(), "bench", TABLE).expect("change store"));
        let mut capture = TableCapture::new(client.clone(), TABLE, changes_store.clone(), CaptureSettings::default());
        capture.run_once().await.expect("turn the stream on: the capture position");

        let started = Instant::now();
        let (store, manifest) =
            support::archive_backup(&client, dir.path(), vec![TABLE.to_string()]).await;
        assert_eq!(manifest.total_rows(), rows as u64);
        println!("base backup in {:.1} s", started.elapsed().as_secs_f64());

        let started = Instant::now();
        for from in (0..changes).step_by(WRITE_CHUNK as usize) {
            let to = (from + WRITE_CHUNK).min(changes);
            send(&client, (from..to).map(|i| change(i, rows, changes, base_ms)).collect()).await;
        }
        let until_us = chrono::Utc::now().timestamp_micros();
        let expected = count_rows(&client, TABLE).await;
        send(&client, (changes..changes + late).map(|i| change(i, rows, changes, base_ms)).collect()).await;
        let mut stored = 0;
        loop {
            let step = capture.run_once().await.expect("capture step");
            stored += step.records_stored;
            if stored as i64 >= changes + late && step.captured_until_us >= Some(until_us) {
                break;
            }
        }
        println!(
            "{changes} changes (+{late} after the instant) written and {stored} captured \
             in {:.1} s; {expected} rows at the instant",
            started.elapsed().as_secs_f64()
        );

        let emulator_pid = emulator.id().to_string();
        let rss_before = support::status_mib("VmRSS");
        let peak_reset = support::reset_peak_rss();
        let (cpu, emulator_cpu) = (support::cpu_seconds("self"), support::cpu_seconds(&emulator_pid));
        let started = Instant::now();
        let base = store.open(&manifest.backup_id).await.expect("open base");
        let table_changes: TableChanges =
            BTreeMap::from([(TABLE.to_string(), changes_store as Arc<dyn ChangeStore>)]);
        let reader = PointInTimeReader::open(base, table_changes, until_us).await.expect("replay");
        let opened = started.elapsed().as_secs_f64();
        let job = RestoreJob {
            reader: Arc::new(reader),
            client: client.clone(),
            tables: Vec::new(),
            renames: BTreeMap::from([(TABLE.to_string(), RESTORED.to_string())]),
            if_exists: IfExists::Fail,
            dry_run: false,
            settings: Default::default(),
        };
        let report = run_restore(job, &RunControls::new(EngineConfig::default()))
            .await
            .expect("restore");
        let seconds = started.elapsed().as_secs_f64();
        let (cpu, emulator_cpu) = (
            support::cpu_seconds("self") - cpu,
            support::cpu_seconds(&emulator_pid) - emulator_cpu,
        );
        let restored = report.total_rows();
        assert_eq!(restored, expected, "restored rows vs the source table at the instant");
        let per_million = 1e6 / restored as f64;
        println!(
            "restore to the instant: {restored} rows in {seconds:.2} s ({opened:.2} s replaying the changes) = {:.0} rows/s; \
             CPU per 1M rows: engine {:.2} s, emulator {:.2} s",
            restored as f64 / seconds,
            cpu * per_million,
            emulator_cpu * per_million,
        );
        let peak = support::status_mib("VmHWM");
        println!(
            "restore to the instant: RSS {rss_before:.1} MiB before, peak {peak:.1} MiB (+{:.1} MiB){}",
            peak - rss_before,
            if peak_reset { "" } else { " (peak not reset: since the start)" }
        );
        let _ = emulator.kill();
        let _ = emulator.wait();
    });
}
