//! The fidelity corpus (every type, versions, auto-increment, key-only rows, an empty table and
//! 12,000 rows) backed up once, then copied in every direction between the three store kinds:
//! archive → mongodb → s3 → archive → s3 → mongodb → archive. Each copy holds exactly the
//! source's rows, carries the original manifest's figures under its own id, verifies, and
//! restores under new names exactly.

use std::collections::BTreeMap;

use tablevault::emulator::EmulatorConfig;
use tablevault::engine::{
    new_backup_id, run_backup, run_copy, run_restore, run_verify, CopyJob, IfExists, RestoreJob,
    RunControls, VerifyJob,
};

use crate::stores::ThreeStores;
use crate::support::emulator::start_emulator;
use crate::support::engine::*;

const TABLES: [&str; 5] = ["everything", "autoinc", "keys_only", "empty", "big"];

/// Every ordered pair of distinct kinds, chained so each copy reads the one before.
const HOPS: [(&str, &str); 6] = [
    ("archive", "mongodb"),
    ("mongodb", "s3"),
    ("s3", "archive"),
    ("archive", "s3"),
    ("s3", "mongodb"),
    ("mongodb", "archive"),
];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_copy_in_every_direction_between_store_kinds_restores_exactly() {
    let stores = ThreeStores::start().await;
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
    let mut sources = BTreeMap::new();
    for table in TABLES {
        sources.insert(table, scan_source(&client, table, true).await);
    }

    let job = job(&emulator, &TABLES, engine_config());
    let original = run_backup(job, &context(&client, stores.archive.clone()))
        .await
        .expect("backup succeeds")
        .manifest;

    let mut current = original.backup_id.clone();
    for (hop, (from, to)) in HOPS.iter().enumerate() {
        let what = format!("copy {from} → {to}");
        let ctx = RunControls::new(engine_config());
        let copy = CopyJob {
            reader: stores
                .by_kind(from)
                .open(&current)
                .await
                .expect("published"),
            target: stores.by_kind(to),
            copy_id: new_backup_id(),
        };
        let manifest = run_copy(copy, &ctx).await.expect(&what);
        assert_ne!(
            manifest.backup_id, current,
            "{what}: the copy has its own id"
        );
        assert_eq!(
            manifest.tables, original.tables,
            "{what}: the original's figures"
        );
        let progress = ctx.progress.snapshot();
        assert_eq!(progress.rows, original.total_rows(), "{what}: rows counted");
        let target = stores.by_kind(to);
        assert_eq!(
            target
                .open(&manifest.backup_id)
                .await
                .expect("published")
                .manifest(),
            &manifest,
            "{what}: the published manifest"
        );
        for table in TABLES {
            let copied = read_backup(target.as_ref(), &manifest.backup_id, table).await;
            assert_same_rows(&copied, &sources[table], &format!("{what}: {table}"));
        }
        let verify = VerifyJob {
            reader: target.open(&manifest.backup_id).await.expect("published"),
            source: None,
            tables: vec![],
        };
        let report = run_verify(verify, &RunControls::default())
            .await
            .expect("verify runs");
        assert!(report.ok, "{what}: {report:?}");

        let renames: BTreeMap<String, String> = TABLES
            .iter()
            .map(|t| (t.to_string(), format!("{t}_hop{hop}")))
            .collect();
        let restore = RestoreJob {
            reader: target.open(&manifest.backup_id).await.expect("published"),
            client: client.clone(),
            tables: vec![],
            renames,
            if_exists: IfExists::Fail,
            dry_run: false,
            settings: Default::default(),
        };
        run_restore(restore, &RunControls::default())
            .await
            .expect("restore from the copy");
        for table in TABLES {
            let restored = scan_source(&client, &format!("{table}_hop{hop}"), true).await;
            assert_same_rows(
                &restored,
                &sources[table],
                &format!("{what}: restored {table}"),
            );
        }
        current = manifest.backup_id;
    }
    // The original is untouched by its copies.
    assert_eq!(
        stores
            .archive
            .open(&original.backup_id)
            .await
            .expect("still there")
            .manifest(),
        &original
    );
}
