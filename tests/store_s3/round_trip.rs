//! The engine's fidelity corpus (every type, versions, auto-increment, key-only rows, an empty
//! table and 12,000 rows over many ranges) backed up into the `s3` store, verified against the
//! source, and restored under new names exactly.

use std::collections::BTreeMap;

use tablevault::emulator::EmulatorConfig;
use tablevault::engine::{
    run_backup, run_restore, run_verify, IfExists, RestoreJob, RunControls, VerifyJob,
};
use tablevault::store::BackupStore;

use crate::lifecycle::store;
use crate::support::emulator::start_emulator;
use crate::support::engine::*;
use crate::support::s3_server::S3Server;

const TABLES: [&str; 5] = ["everything", "autoinc", "keys_only", "empty", "big"];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_fidelity_corpus_backs_up_verifies_and_restores_exactly_through_s3() {
    let server = S3Server::start();
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
    let store = store(&server, "fidelity/");
    let ctx = context(&client, store.clone());

    let job = job(&emulator, &TABLES, engine_config());
    let id = job.backup_id.clone();
    let outcome = run_backup(job, &ctx).await.expect("backup succeeds");
    assert_eq!(outcome.manifest.tables.len(), TABLES.len());
    for table in TABLES {
        let source = scan_source(&client, table, true).await;
        let backed_up = read_backup(store.as_ref(), &id, table).await;
        assert_same_rows(&backed_up, &source, table);
        let entry = outcome.manifest.table(table).expect("table in manifest");
        assert_eq!(
            entry.checksum,
            checksum(&source).digest(),
            "{table}: checksum"
        );
    }

    let verify = VerifyJob {
        reader: store.open(&id).await.expect("published"),
        source: Some(client.clone()),
        tables: vec![],
    };
    let report = run_verify(verify, &RunControls::default())
        .await
        .expect("verify runs");
    assert!(report.ok, "{report:?}");

    let renames: BTreeMap<String, String> = TABLES
        .iter()
        .map(|t| (t.to_string(), format!("{t}_restored")))
        .collect();
    let restore = RestoreJob {
        reader: store.open(&id).await.expect("published"),
        client: client.clone(),
        tables: vec![],
        renames,
        if_exists: IfExists::Fail,
        dry_run: false,
        settings: Default::default(),
    };
    run_restore(restore, &RunControls::default())
        .await
        .expect("restore");
    for table in TABLES {
        let source = scan_source(&client, table, true).await;
        let restored = scan_source(&client, &format!("{table}_restored"), true).await;
        assert_same_rows(&restored, &source, table);
    }
}
