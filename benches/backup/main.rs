//! Backup and restore throughput, CPU and memory: N rows of ~200 bytes (PlainBuffer) backed up
//! from an emulator into an archive store and into MongoDB, then restored, with baselines from
//! the same run:
//!
//! - `drain`: our client scans the split ranges with the backup's parallelism and throws the
//!   rows away (the source's limit);
//! - `mongo drain`: the same documents a MongoDB backup writes, encoded by the store's own
//!   function before the clock runs, then bulk-inserted with the store's write concern and
//!   nothing else running, on a fresh server, twice: through the driver's `insert_many` (a
//!   document sequence, the fastest form this server ingests: the server's limit, issue 15's
//!   target) and through the store's own `insert` commands (the backup's wire form). Each is
//!   followed by the time an exact count of its rows took (a backup's publish makes one), and
//!   the backup's rate and server CPU as shares of the drain's;
//! - `python … JSON lines` / `python … insert_many`: scripts with the official Python SDK
//!   (`benches/baseline/`), what a user would write instead. `insert_many` needs pymongo
//!   (`.venv/bin/pip install pymongo`, or put it on `PYTHONPATH`).
//!
//! Every line gives wall time, rows/s, CPU seconds (user + system, this process only: the
//! emulator and the MongoDB server are child processes) and CPU seconds per million rows, which
//! is µs of CPU per row, and the phase's own peak RSS; under it, what the servers (the emulator,
//! each MongoDB server) spent in the same phase, since on two cores they compete with the bench
//! for CPU. After each Python line, how many times less CPU the matching backup took. On a
//! shared machine compare CPU and ratios within one run, not wall times across runs.
//!
//! Run: `BENCH_ROWS=1000000 cargo bench --bench backup`. Several sizes in one run
//! (`BENCH_ROWS=1000000,10000000`) grow the table from one to the next, measure every phase at
//! each, and end with issue 15's memory target per backup phase (see `memory`).
//! `BENCH_SKIP=python,restore` leaves phases out (any of `drain`, `archive`, `mongo`,
//! `mongo-drain`, `restore`, `python`); `BENCH_RSS_EVERY=1` prints RSS every second;
//! `BENCH_EMULATOR=inprocess` runs the emulator in this process (its table then counts in
//! every peak RSS); `BENCH_BATCH_ROWS=1000 BENCH_CHANNEL_CAPACITY=16` runs with other engine
//! settings than the defaults, and `BENCH_SPLITS=48` splits the table into about 48 ranges
//! instead of 16, to compare them on the same binary.

mod measure;
mod memory;
mod mongo;
mod python;
mod source;
#[path = "../support/mod.rs"]
mod support;

use std::sync::Arc;

use tablevault::config::EngineConfig;
use tablevault::engine::{run_backup, run_restore, BackupIo, BackupJob, RestoreJob};
use tablevault::engine::{IfExists, RunControls};
use tablevault::store::mongo::{MongoStore, MongoStoreConfig};
use tablevault::store::{ArchiveStore, ArchiveStoreConfig, BackupStore, Manifest, SourceInfo};
use tablevault::tablestore::client::{Client, ClientConfig};

use measure::{report, Cost, Phase};
use memory::Peaks;
use source::{Source, SECRET, TABLE};

fn skipped(phase: &str) -> bool {
    std::env::var("BENCH_SKIP")
        .unwrap_or_default()
        .split(',')
        .any(|p| p.trim() == phase)
}

/// A setting the run overrides from the environment (`BENCH_BATCH_ROWS=4000`).
fn env_usize(name: &str) -> Option<usize> {
    let text = std::env::var(name).ok()?;
    Some(
        text.trim()
            .parse()
            .unwrap_or_else(|_| panic!("{name}: a number, not {text:?}")),
    )
}

/// The table sizes of the run (`BENCH_ROWS`, comma-separated), smallest first.
fn sizes() -> Vec<u64> {
    let text = std::env::var("BENCH_ROWS").unwrap_or_else(|_| "200000".into());
    let mut sizes: Vec<u64> = text
        .split(',')
        .map(|n| {
            n.trim()
                .parse()
                .expect("BENCH_ROWS: row counts, comma-separated")
        })
        .filter(|n| *n > 0)
        .collect();
    sizes.sort_unstable();
    sizes.dedup();
    assert!(!sizes.is_empty(), "BENCH_ROWS: at least one row count");
    sizes
}

/// What every table size is measured with.
struct Bench {
    client: Client,
    client_config: ClientConfig,
    archive: Arc<dyn BackupStore>,
    archive_dir: tempfile::TempDir,
    server: Option<mongo::MongoServer>,
    peaks: Peaks,
}

/// Backs the table up into `store`; prints the phase's line, records its peak RSS and returns
/// the manifest and the phase's cost.
async fn backup(
    bench: &mut Bench,
    label: &str,
    store: Arc<dyn BackupStore>,
    config: &EngineConfig,
    rows: u64,
) -> (Manifest, Cost) {
    memory::set_phase(label);
    let io = BackupIo::new(bench.client.clone(), store);
    let source_info = SourceInfo {
        name: "bench".into(),
        endpoint: bench.client.endpoint().to_string(),
        instance: "bench".into(),
    };
    let job = BackupJob::new(source_info, vec![TABLE.into()], config.clone());
    let phase = Phase::start();
    let outcome = run_backup(job, &io).await.expect("backup");
    let cost = phase.end();
    assert_eq!(outcome.manifest.total_rows(), rows);
    report(
        &format!("{label} ({} ranges)", outcome.progress.ranges_total),
        rows,
        &cost,
    );
    bench.peaks.record(label, rows, cost.peak_rss_mib);
    (outcome.manifest, cost)
}

fn main() {
    memory::start_sampler();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(async {
        let (source, client_config) = Source::start().await;
        let client = Client::new(&client_config).expect("client");
        let archive_dir = tempfile::tempdir().expect("temp dir");
        let archive = ArchiveStore::open(ArchiveStoreConfig::new(archive_dir.path()))
            .await
            .expect("archive");
        let needs_mongo = ["mongo", "mongo-drain", "python"]
            .iter()
            .any(|p| !skipped(p));
        let mut bench = Bench {
            client,
            client_config,
            archive: Arc::new(archive),
            archive_dir,
            server: needs_mongo.then(|| mongo::MongoServer::start("mongodb")),
            peaks: Peaks::default(),
        };
        // The table grows from one size to the next, so every size is measured in this run.
        let (mut loaded, mut bytes) = (0, 0);
        for rows in sizes() {
            memory::set_phase("load");
            let phase = Phase::start();
            bytes += support::table::load(&bench.client, TABLE, loaded as i64, rows as i64).await;
            let cost = phase.end();
            loaded = rows;
            println!(
                "loaded {rows} rows, {:.1} MB ({:.0} B/row) in {:.1} s; emulator RSS {}",
                bytes as f64 / 1e6,
                bytes as f64 / rows as f64,
                cost.seconds,
                source.child_rss_mib().map_or("n/a".into(), |mib| format!(
                    "{mib:.0} MiB ({:.0} B/row)",
                    mib * 1048576.0 / rows as f64
                )),
            );
            measure(&mut bench, rows, bytes).await;
        }
        bench.peaks.print_target();
        drop(bench);
        source.stop().await;
    });
}

/// Every phase not skipped, on the table as it is now (`rows` rows, `bytes` of PlainBuffer).
async fn measure(bench: &mut Bench, rows: u64, bytes: u64) {
    let config = EngineConfig {
        // About 16 ranges whatever N (`BENCH_SPLITS` asks for another count), at least 1 MiB
        // each (the config file's minimum).
        split_size_bytes: (bytes / env_usize("BENCH_SPLITS").unwrap_or(16) as u64).max(1024 * 1024),
        batch_rows: env_usize("BENCH_BATCH_ROWS").unwrap_or(EngineConfig::default().batch_rows),
        channel_capacity: env_usize("BENCH_CHANNEL_CAPACITY")
            .unwrap_or(EngineConfig::default().channel_capacity),
        ..EngineConfig::default()
    };
    println!(
        "{} readers, {} writers, batches of {} rows, {} batches in flight, allocator {}",
        config.readers,
        config.writers,
        config.batch_rows,
        config.channel_capacity,
        support::allocator::NAME
    );
    if !skipped("drain") {
        memory::set_phase("drain");
        let phase = Phase::start();
        let (ranges, drained) =
            source::drain(&bench.client, config.split_size_bytes, config.readers).await;
        assert_eq!(drained, rows);
        report(&format!("drain ({ranges} ranges)"), rows, &phase.end());
    }

    let (mut archived, mut archive_backup) = (None, None);
    if !skipped("archive") {
        let archive = bench.archive.clone();
        let (manifest, cost) = backup(bench, "backup -> archive", archive, &config, rows).await;
        (archived, archive_backup) = (Some(manifest), Some(cost));
        println!(
            "archive size {:.1} MB",
            dir_size(bench.archive_dir.path()) as f64 / 1e6
        );
    }

    let mut mongo_backup = None;
    if let Some(uri) = bench.server.as_ref().map(|s| s.uri.clone()) {
        if !skipped("mongo") {
            let store = MongoStore::connect(&MongoStoreConfig::new(uri.as_str(), "bench"))
                .await
                .expect("mongodb store");
            let store: Arc<dyn BackupStore> = Arc::new(store);
            let (manifest, cost) =
                backup(bench, "backup -> mongodb", store.clone(), &config, rows).await;
            mongo_backup = Some(cost);
            // The next size's backup needs the disk more than this one.
            store.delete(&manifest.backup_id).await.expect("delete");
        }
        if !skipped("mongo-drain") {
            memory::set_phase("mongo drain");
            mongo::compare_drains(
                rows,
                config.batch_rows,
                config.writers,
                mongo_backup.as_ref(),
            )
            .await;
        }
    }

    if let (Some(manifest), false) = (&archived, skipped("restore")) {
        memory::set_phase("restore");
        let reader = bench
            .archive
            .open(&manifest.backup_id)
            .await
            .expect("open backup");
        let restored = format!("{TABLE}_restored");
        let restore = RestoreJob {
            reader,
            client: bench.client.clone(),
            tables: vec![TABLE.into()],
            renames: [(TABLE.to_string(), restored.clone())].into(),
            if_exists: IfExists::Fail,
            dry_run: false,
            settings: Default::default(),
        };
        let phase = Phase::start();
        run_restore(restore, &RunControls::new(config.clone()))
            .await
            .expect("restore");
        report("restore <- archive", rows, &phase.end());
        // The next size restores into the same name.
        bench
            .client
            .delete_table(&restored)
            .await
            .expect("drop restored table");
    }
    if let Some(manifest) = &archived {
        bench
            .archive
            .delete(&manifest.backup_id)
            .await
            .expect("delete");
    }

    if !skipped("python") {
        memory::set_phase("python");
        let out = tempfile::NamedTempFile::new().expect("temp file");
        let path = out.path().to_str().expect("UTF-8 temp path");
        let config = &bench.client_config;
        if let Some(cost) = python::run("python_scan_jsonl.py", config, SECRET, TABLE, path, rows) {
            report("python SDK scan -> JSON lines", rows, &cost);
            cpu_ratio("JSON lines", &cost, "archive", archive_backup.as_ref());
        }
        if let Some(server) = &bench.server {
            if let Some(cost) = python::run(
                "python_scan_insert_many.py",
                config,
                SECRET,
                TABLE,
                &server.uri,
                rows,
            ) {
                report("python SDK scan -> insert_many", rows, &cost);
                cpu_ratio("insert_many", &cost, "mongodb", mongo_backup.as_ref());
            }
        }
    }
}

/// How many times less CPU our backup took than the Python script doing the same.
fn cpu_ratio(script: &str, python: &Cost, store: &str, ours: Option<&Cost>) {
    if let Some(ours) = ours {
        println!(
            "python {script} CPU / {store} backup CPU = {:.1}x",
            python.cpu_seconds / ours.cpu_seconds
        );
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
