//! Complete backups: every row exactly, the manifest, latest-version-only, unknown tables.

use tablevault::config::EngineConfig;
use tablevault::emulator::EmulatorConfig;
use tablevault::engine::{run_backup, EngineError};
use tablevault::store::{BackupStore, FORMAT_VERSION};
use tablevault::tablestore::partitions::MAX_SPLIT_POINTS;
use tablevault::tablestore::TableDescription;

use crate::support::emulator::start_emulator;
use crate::support::engine::*;

const TABLES: [&str; 5] = ["everything", "autoinc", "keys_only", "empty", "big"];

/// Five tables (every type, versions, auto-increment, key-only rows, an empty table and 12,000
/// rows over many split ranges) come back exactly, with a manifest that matches the source.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn backs_up_every_row_of_every_table_exactly() {
    let emulator = start_emulator(EmulatorConfig {
        page_row_limit: 700,
        ..EmulatorConfig::default()
    })
    .await;
    let client = client(&emulator);
    load_everything(&client).await;
    load_autoinc(&client).await;
    load_keys_only(&client).await;
    load_empty(&client).await;
    load_big(&client).await;
    let (_dir, store) = archive().await;
    let ctx = context(&client, store.clone());

    let job = job(&emulator, &TABLES, engine_config());
    let id = job.backup_id.clone();
    let outcome = run_backup(job, &ctx).await.expect("backup succeeds");

    assert_eq!(outcome.backup_id, id);
    assert_eq!(outcome.ranges_skipped, 0);
    let manifest = &outcome.manifest;
    assert_eq!(manifest.format_version, FORMAT_VERSION);
    assert_eq!(manifest.tablevault_version, env!("CARGO_PKG_VERSION"));
    assert_eq!(manifest.source.endpoint, emulator.endpoint());
    assert_eq!(manifest.source.instance, "emulator");
    assert!(manifest.all_versions);
    assert!(manifest.started_at <= manifest.finished_at);
    assert_eq!(manifest.tables.len(), TABLES.len());
    for table in TABLES {
        let source = scan_source(&client, table, true).await;
        let backed_up = read_backup(store.as_ref(), &id, table).await;
        assert_same_rows(&backed_up, &source, table);
        let entry = manifest.table(table).expect("table in manifest");
        let expected = checksum(&source);
        assert_eq!(
            (entry.rows, entry.cells, entry.bytes),
            (expected.rows, expected.cells, expected.bytes),
            "{table}: counts"
        );
        assert_eq!(entry.checksum, expected.digest(), "{table}: checksum");
        // Split points come from ComputeSplitPointsBySize, not DescribeTable.
        let described = client.describe_table(table).await.unwrap();
        let saved_points = &entry.description.split_points;
        assert_eq!(
            TableDescription {
                split_points: Vec::new(),
                ..entry.description.clone()
            },
            described,
            "{table}: description"
        );
        let ranges = client
            .compute_split_points(table, engine_config().split_size_bytes)
            .await
            .unwrap();
        let starts: Vec<_> = ranges.iter().skip(1).map(|r| &r.start.0[0].value).collect();
        // Every saved point starts a range; more ranges than the cap are thinned evenly.
        assert_eq!(
            saved_points.len(),
            starts.len().min(MAX_SPLIT_POINTS),
            "{table}: split points"
        );
        assert!(saved_points.iter().all(|p| starts.contains(&p)), "{table}");
    }
    assert!(
        manifest
            .table("big")
            .unwrap()
            .description
            .split_points
            .len()
            > 1,
        "the big table was split"
    );
    assert_eq!(manifest.table("big").unwrap().rows, BIG_ROWS as u64);
    assert_eq!(manifest.table("keys_only").unwrap().cells, 0);
    assert_eq!(manifest.table("empty").unwrap().rows, 0);
    let versions = manifest.table("everything").unwrap();
    assert_eq!(versions.rows, 300);
    assert_eq!(
        versions.cells,
        300 * 7 + 100,
        "three versions of d_int, two of some dbl"
    );

    // The saved descriptions are the ones a restore needs.
    let everything = &manifest.table("everything").unwrap().description;
    assert_eq!(everything.options.max_versions, 3);
    assert_eq!(everything.options.time_to_live, 30 * 86_400);
    assert_eq!(everything.options.max_time_deviation, 2 * 86_400);
    let defined: Vec<&str> = everything
        .defined_columns
        .iter()
        .map(|c| c.name.as_str())
        .collect();
    assert_eq!(defined, ["d_int", "d_str"]);
    let autoinc = &manifest.table("autoinc").unwrap().description;
    assert!(autoinc.primary_key[1].auto_increment);
    assert!(!autoinc.primary_key[0].auto_increment);

    // Progress: every range and table done, rows counted once.
    let progress = outcome.progress;
    assert_eq!(progress.rows, manifest.total_rows());
    assert_eq!(progress.bytes, manifest.total_bytes());
    assert_eq!(progress.tables_done, 5);
    assert_eq!(progress.tables_total, 5);
    assert_eq!(progress.ranges_done, progress.ranges_total);
    assert!(
        progress.ranges_total >= 10,
        "the big table spans many split ranges ({} in all)",
        progress.ranges_total
    );
    assert_eq!(store.list().await.unwrap().len(), 1);
    assert!(store.staged().await.unwrap().is_empty());
}

/// With `all_versions = false` only the newest version of each column is kept.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn keeps_only_the_latest_versions_when_asked() {
    let emulator = start_emulator(EmulatorConfig::default()).await;
    let client = client(&emulator);
    load_everything(&client).await;
    let (_dir, store) = archive().await;
    let ctx = context(&client, store.clone());
    let config = EngineConfig {
        all_versions: false,
        ..engine_config()
    };

    let outcome = run_backup(job(&emulator, &["everything"], config), &ctx)
        .await
        .expect("backup succeeds");

    assert!(!outcome.manifest.all_versions);
    let latest = scan_source(&client, "everything", false).await;
    let backed_up = read_backup(store.as_ref(), &outcome.backup_id, "everything").await;
    assert_same_rows(&backed_up, &latest, "latest versions");
    assert_eq!(
        outcome.manifest.tables[0].cells,
        300 * 5,
        "one version per column"
    );
    assert!(backed_up
        .iter()
        .all(|r| r.cells.iter().filter(|c| c.name == "d_int").count() == 1));
}

/// An unknown table is reported before any data is written, and nothing is left behind.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unknown_table_fails_before_anything_is_written() {
    let emulator = start_emulator(EmulatorConfig::default()).await;
    let client = client(&emulator);
    load_keys_only(&client).await;
    let (_dir, store) = archive().await;
    let ctx = context(&client, store.clone());

    let job = job(&emulator, &["keys_only", "no_such_table"], engine_config());
    let error = run_backup(job, &ctx).await.expect_err("unknown table");

    assert!(
        matches!(&error, EngineError::TableNotFound(t) if t == "no_such_table"),
        "{error:?}"
    );
    assert_eq!(error.to_string(), "table no_such_table does not exist");
    assert_eq!(emulator.request_count("GetRange"), 0, "no table was read");
    assert_store_empty(&store).await;
}
