//! Backup and restore throughput, CPU and memory: N rows of ~200 bytes (PlainBuffer) backed up
//! from an emulator into an archive store and into MongoDB, then restored, with baselines from
//! the same run:
//!
//! - `drain`: our client scans the split ranges with the backup's parallelism and throws the
//!   rows away (the source's limit);
//! - `mongo drain`: the same documents a MongoDB backup writes, encoded by the store's own
//!   function before the clock runs, then bulk-inserted through the same driver call with the
//!   store's write concern and nothing else running (the server's limit; the line after it
//!   gives the MongoDB backup's rate as a share of it);
//! - `python … JSON lines` / `python … insert_many`: scripts with the official Python SDK
//!   (`benches/baseline/`), what a user would write instead. `insert_many` needs pymongo
//!   (`.venv/bin/pip install pymongo`, or put it on `PYTHONPATH`).
//!
//! Every line gives wall time, rows/s, CPU seconds (user + system, this process only: the
//! emulator and the MongoDB server are child processes) and CPU seconds per million rows, which
//! is µs of CPU per row, and the phase's own peak RSS. After each Python line, how many times
//! less CPU the matching backup took. On a shared machine compare CPU and
//! ratios within one run, not wall times across runs.
//!
//! Run: `BENCH_ROWS=1000000 cargo bench --bench backup`. `BENCH_SKIP=python,restore` leaves
//! phases out (any of `drain`, `archive`, `mongo`, `mongo-drain`, `restore`, `python`);
//! `BENCH_EMULATOR=inprocess` runs the emulator in this process (its table then counts in
//! every peak RSS).

mod measure;
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
use tablevault::tablestore::client::Client;

use measure::{report, Cost, Phase};
use source::{Source, SECRET, TABLE};

fn skipped(phase: &str) -> bool {
    std::env::var("BENCH_SKIP")
        .unwrap_or_default()
        .split(',')
        .any(|p| p.trim() == phase)
}

/// Backs the table up into `store`; prints the phase's line and returns the manifest and the
/// phase's cost.
async fn backup(
    label: &str,
    client: &Client,
    store: Arc<dyn BackupStore>,
    config: &EngineConfig,
    rows: u64,
) -> (Manifest, Cost) {
    let io = BackupIo::new(client.clone(), store);
    let source_info = SourceInfo {
        name: "bench".into(),
        endpoint: client.endpoint().to_string(),
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
    (outcome.manifest, cost)
}

fn main() {
    let rows: u64 = std::env::var("BENCH_ROWS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(200_000);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(async {
        let (source, client_config) = Source::start().await;
        let client = Client::new(&client_config).expect("client");
        let phase = Phase::start();
        let bytes = source::load(&client, rows as i64).await;
        let cost = phase.end();
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

        let config = EngineConfig {
            // About 16 ranges whatever N, at least 1 MiB each (the config file's minimum).
            split_size_bytes: (bytes / 16).max(1024 * 1024),
            ..EngineConfig::default()
        };
        println!(
            "{} readers, {} writers, batches of {} rows",
            config.readers, config.writers, config.batch_rows
        );
        if !skipped("drain") {
            let phase = Phase::start();
            let (ranges, drained) =
                source::drain(&client, config.split_size_bytes, config.readers).await;
            assert_eq!(drained, rows);
            report(&format!("drain ({ranges} ranges)"), rows, &phase.end());
        }

        let dir = tempfile::tempdir().expect("temp dir");
        let archive = ArchiveStore::open(ArchiveStoreConfig::new(dir.path()))
            .await
            .expect("archive");
        let archive: Arc<dyn BackupStore> = Arc::new(archive);
        let mut archived = None;
        let mut archive_backup = None;
        if !skipped("archive") {
            let (manifest, cost) =
                backup("backup -> archive", &client, archive.clone(), &config, rows).await;
            archived = Some(manifest);
            archive_backup = Some(cost);
            println!("archive size {:.1} MB", dir_size(dir.path()) as f64 / 1e6);
        }

        let needs_mongo = ["mongo", "mongo-drain", "python"]
            .iter()
            .any(|p| !skipped(p));
        let server = needs_mongo.then(mongo::MongoServer::start);
        let mut mongo_backup = None;
        if let Some(server) = &server {
            if !skipped("mongo") {
                let store =
                    MongoStore::connect(&MongoStoreConfig::new(server.uri.as_str(), "bench"))
                        .await
                        .expect("mongodb store");
                let (_, cost) =
                    backup("backup -> mongodb", &client, Arc::new(store), &config, rows).await;
                mongo_backup = Some(cost);
            }
            if !skipped("mongo-drain") {
                // A server of its own: one that already holds the backup's rows ingests
                // slower (its cache is full), which would flatter the backup's share.
                let fresh = mongo::MongoServer::start();
                // In key order, as the backup writes them: keys scattered over the `_id`
                // index would cost the server more than the backup's ordered batches do.
                let cost = mongo::drain(
                    &fresh.uri,
                    source::in_key_order(rows as i64),
                    config.batch_rows,
                    config.writers,
                    source::make_row,
                )
                .await;
                report("mongo drain (raw insert_many)", rows, &cost);
                if let Some(backup) = &mongo_backup {
                    println!(
                        "mongodb backup rate / mongo drain rate = {:.2} (target >= 0.80)",
                        cost.seconds / backup.seconds
                    );
                }
            }
        }

        if let (Some(manifest), false) = (&archived, skipped("restore")) {
            let reader = archive
                .open(&manifest.backup_id)
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
            let phase = Phase::start();
            run_restore(restore, &RunControls::new(config.clone()))
                .await
                .expect("restore");
            report("restore <- archive", rows, &phase.end());
        }

        if !skipped("python") {
            let out = tempfile::NamedTempFile::new().expect("temp file");
            let path = out.path().to_str().expect("UTF-8 temp path");
            if let Some(cost) = python::run(
                "python_scan_jsonl.py",
                &client_config,
                SECRET,
                TABLE,
                path,
                rows,
            ) {
                report("python SDK scan -> JSON lines", rows, &cost);
                cpu_ratio("JSON lines", &cost, "archive", archive_backup.as_ref());
            }
            if let Some(server) = &server {
                if let Some(cost) = python::run(
                    "python_scan_insert_many.py",
                    &client_config,
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
        drop(server);
        source.stop().await;
    });
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
