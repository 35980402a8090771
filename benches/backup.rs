//! Backup throughput and memory: N rows of ~200 bytes backed up from an emulator into an
//! archive store, against a "drain" baseline that scans the same split ranges with the same
//! parallelism and throws the rows away.
//!
//! `BENCH_ROWS` (default 200000) sets N. The emulator runs as a child process
//! (`tablevault emulator`) by default, so this process's peak RSS is the engine's alone — an
//! in-process emulator holds the whole table in memory and would hide whether the engine stays
//! flat; `BENCH_EMULATOR=inprocess` runs it in-process anyway. The peak RSS (VmHWM) is reset
//! before each phase (`/proc/self/clear_refs`), so each figure is that phase's own peak.
//!
//! Then the backup is restored into a new table (rows/s, peak RSS), and the same table is
//! scanned by a small script with the official Python SDK that writes JSON lines
//! (`benches/baseline/python_scan_jsonl.py`: what a user would write instead), when
//! `TABLEVAULT_PYTHON` (default `.venv/bin/python`) has the SDK.
//!
//! Run: `BENCH_ROWS=1000000 cargo bench --bench backup`.

use std::process::{Child, Command};
use std::sync::Arc;
use std::time::Instant;

mod support;

use futures::{StreamExt, TryStreamExt};
use tablevault::config::EngineConfig;
use tablevault::emulator::{Emulator, EmulatorConfig, EmulatorHandle};
use tablevault::engine::{run_backup, run_restore, BackupIo, BackupJob, RestoreJob};
use tablevault::engine::{IfExists, RunControls};
use tablevault::store::{ArchiveStore, ArchiveStoreConfig, SourceInfo};
use tablevault::tablestore::client::{chunk_writes, Client, ClientConfig, RowWrite};
use tablevault::tablestore::{plainbuffer, Cell, PkSchema, PkType, PkValue, PrimaryKey, Row};
use tablevault::tablestore::{TableDescription, Value};

const TABLE: &str = "bench";
const PARTITIONS: i64 = 1_000;
const LOAD_CHUNK: i64 = 10_000;

fn make_row(i: i64) -> Row {
    let key = PrimaryKey::new([
        ("pk_s", PkValue::String(format!("p{:04}", i % PARTITIONS))),
        ("pk_i", PkValue::Integer(i)),
    ]);
    let cells = vec![
        Cell::put("payload", Value::String(format!("{i:0>70}"))),
        Cell::put("n", Value::Integer(i)),
        Cell::put("f", Value::Double(i as f64 / 7.0)),
    ];
    Row::new(key, cells)
}

/// The emulator, in this process or as a child.
enum Source {
    InProcess(EmulatorHandle),
    Child(Child),
}

async fn start_source() -> (Source, ClientConfig) {
    if std::env::var("BENCH_EMULATOR").as_deref() == Ok("inprocess") {
        let emulator = Emulator::start(EmulatorConfig::default())
            .await
            .expect("emulator");
        let config = emulator.client_config();
        (Source::InProcess(emulator), config)
    } else {
        let (child, endpoint) = support::start_emulator_child();
        let config = ClientConfig::new(endpoint, "bench", "bench-ak", "bench-sk");
        (Source::Child(child), config)
    }
}

/// Loads `rows` rows in chunks (never all in memory), 4 batch writes in flight; returns the
/// PlainBuffer bytes written.
async fn load(client: &Client, rows: i64) -> u64 {
    let mut table = TableDescription::new(
        TABLE,
        vec![
            PkSchema::new("pk_s", PkType::String),
            PkSchema::new("pk_i", PkType::Integer),
        ],
    );
    table.options.max_versions = 1;
    client.create_table(&table).await.expect("create table");
    let mut bytes = 0u64;
    for start in (0..rows).step_by(LOAD_CHUNK as usize) {
        let chunk: Vec<Row> = (start..(start + LOAD_CHUNK).min(rows))
            .map(make_row)
            .collect();
        bytes += chunk
            .iter()
            .map(|r| plainbuffer::encode_row(r).len() as u64)
            .sum::<u64>();
        let writes = chunk.into_iter().map(|r| RowWrite::put(TABLE, r)).collect();
        futures::stream::iter(chunk_writes(writes).expect("chunk"))
            .map(|batch| {
                let client = client.clone();
                async move {
                    let results = client.batch_write(&batch).await?;
                    assert!(results.iter().all(Result::is_ok), "row failures on load");
                    Ok::<_, tablevault::tablestore::client::TablestoreError>(())
                }
            })
            .buffer_unordered(4)
            .try_collect::<Vec<()>>()
            .await
            .expect("load");
    }
    bytes
}

/// Peak resident set size of this process, in MiB (VmHWM).
fn peak_rss_mib() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        .map_or(f64::NAN, |kb| kb / 1024.0)
}

/// Starts a new peak-RSS measurement (Linux: writing 5 to clear_refs resets VmHWM).
fn reset_peak_rss() -> bool {
    std::fs::write("/proc/self/clear_refs", "5").is_ok()
}

/// Scans every range, `parallel` at a time, and discards the rows: the source's speed limit.
async fn drain(client: &Client, split_size: u64, parallel: usize) -> (usize, u64) {
    let ranges = client
        .compute_split_points(TABLE, split_size)
        .await
        .expect("split points");
    let count = ranges.len();
    let rows = futures::stream::iter(ranges)
        .map(|range| {
            let scan = client.scan(range.to_request(TABLE));
            scan.map(|page| page.expect("scan page").len() as u64)
                .fold(0, |total, n| async move { total + n })
        })
        .buffer_unordered(parallel)
        .fold(0, |total, n| async move { total + n })
        .await;
    (count, rows)
}

fn main() {
    let rows: i64 = std::env::var("BENCH_ROWS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(200_000);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(async {
        let (source, client_config) = start_source().await;
        let client = Client::new(&client_config).expect("client");
        let started = Instant::now();
        let bytes = load(&client, rows).await;
        println!(
            "loaded {rows} rows, {:.1} MB ({:.0} B/row) in {:.1} s",
            bytes as f64 / 1e6,
            bytes as f64 / rows as f64,
            started.elapsed().as_secs_f64()
        );

        let config = EngineConfig {
            // About 16 ranges whatever N, at least 1 MiB each (the config file's minimum).
            split_size_bytes: (bytes / 16).max(1024 * 1024),
            ..EngineConfig::default()
        };
        let measured = reset_peak_rss();
        let started = Instant::now();
        let (ranges, drained) = drain(&client, config.split_size_bytes, config.readers).await;
        let seconds = started.elapsed().as_secs_f64();
        assert_eq!(drained, rows as u64);
        println!(
            "drain  {ranges:>3} ranges, {} readers: {seconds:7.2} s {:>10.0} rows/s {:6.1} MB/s  peak RSS {:6.1} MiB",
            config.readers,
            rows as f64 / seconds,
            bytes as f64 / seconds / 1e6,
            peak_rss_mib()
        );

        let dir = tempfile::tempdir().expect("temp dir");
        let store = ArchiveStore::open(ArchiveStoreConfig::new(dir.path().to_path_buf()))
        .await
        .expect("archive");
        let ctx = BackupIo::new(client.clone(), Arc::new(store));
        let source_info = SourceInfo {
            name: "bench".into(),
            endpoint: client.endpoint().to_string(),
            instance: "bench".into(),
        };
        let job = BackupJob::new(source_info, vec![TABLE.into()], config.clone());
        reset_peak_rss();
        let started = Instant::now();
        let outcome = run_backup(job, &ctx).await.expect("backup");
        let seconds = started.elapsed().as_secs_f64();
        assert_eq!(outcome.manifest.total_rows(), rows as u64);
        println!(
            "backup {:>3} ranges, {}r/{}w:       {seconds:7.2} s {:>10.0} rows/s {:6.1} MB/s  peak RSS {:6.1} MiB",
            outcome.progress.ranges_total,
            config.readers,
            config.writers,
            rows as f64 / seconds,
            bytes as f64 / seconds / 1e6,
            peak_rss_mib()
        );
        if !measured {
            println!("(peak RSS could not be reset: figures include loading)");
        }
        let on_disk = dir_size(dir.path());
        println!("archive size {:.1} MB", on_disk as f64 / 1e6);

        let reader = ctx
            .store
            .open(&outcome.manifest.backup_id)
            .await
            .expect("open backup");
        let restore = RestoreJob {
            reader,
            client: client.clone(),
            tables: vec![TABLE.into()],
            renames: [(TABLE.to_string(), format!("{TABLE}_restored"))].into(),
            if_exists: IfExists::Fail,
            dry_run: false,
            settings: Default::default(),
        };
        reset_peak_rss();
        let started = Instant::now();
        run_restore(restore, &RunControls::new(config.clone()))
            .await
            .expect("restore");
        let seconds = started.elapsed().as_secs_f64();
        println!(
            "restore          {}w:       {seconds:7.2} s {:>10.0} rows/s {:6.1} MB/s  peak RSS {:6.1} MiB",
            config.writers,
            rows as f64 / seconds,
            bytes as f64 / seconds / 1e6,
            peak_rss_mib()
        );

        python_baseline(&client_config, rows);
        match source {
            Source::InProcess(emulator) => emulator.shutdown().await,
            Source::Child(mut child) => {
                let _ = child.kill();
                let _ = child.wait();
            }
        }
    });
}

/// Runs the Python SDK baseline against the same table, if the SDK is installed.
fn python_baseline(config: &ClientConfig, rows: i64) {
    let python = std::env::var("TABLEVAULT_PYTHON")
        .unwrap_or_else(|_| concat!(env!("CARGO_MANIFEST_DIR"), "/.venv/bin/python").into());
    let script = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/benches/baseline/python_scan_jsonl.py"
    );
    let out = tempfile::NamedTempFile::new().expect("temp file");
    let output = Command::new(&python)
        .arg(script)
        .arg(&config.endpoint)
        .args([&config.access_key_id, "bench-sk", &config.instance, TABLE])
        .arg(out.path())
        .output();
    match output {
        Ok(o) if o.status.success() => {
            let report: serde_json::Value =
                serde_json::from_slice(&o.stdout).expect("baseline prints JSON");
            assert_eq!(report["rows"].as_i64(), Some(rows));
            println!(
                "python SDK scan -> JSON lines:  {:7.2} s {:>10.0} rows/s",
                report["seconds"].as_f64().unwrap_or(f64::NAN),
                report["rows_per_second"].as_f64().unwrap_or(f64::NAN)
            );
        }
        Ok(o) => println!(
            "python baseline failed: {}",
            String::from_utf8_lossy(&o.stderr)
                .lines()
                .last()
                .unwrap_or("")
        ),
        Err(e) => println!("python baseline skipped ({python}: {e})"),
    }
}

fn dir_size(path: &std::path::Path) -> u64 {
    let Ok(entries) = std::fs::read_dir(path) else {
        return 0;
    };
    entries
        .flatten()
        .map(|e| match e.metadata() {
            Ok(m) if m.is_dir() => dir_size(&e.path()),
            Ok(m) => m.len(),
            Err(_) => 0,
        })
        .sum()
}
