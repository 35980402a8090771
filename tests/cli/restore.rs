//! `restore` and `backups` through the binary.

use tablevault::capture::{ArchiveChangeStore, CaptureSettings, TableCapture, SEALED_MAGIC};
use tablevault::store::encryption::MasterKey;
use tablevault::store::ArchiveStoreConfig;
use tablevault::tablestore::client::RowExistence;
use tablevault::tablestore::{Cell, PkValue, PrimaryKey, Row, Value};

use crate::harness::{rows, table, Env};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn backups_lists_and_restore_latest_into_a_renamed_table_is_exact() {
    let env = Env::start().await;
    let old = rows(5);
    let new = rows(40);
    env.write_backup("20240101T000000Z-aaaa", &[(table("t"), old)])
        .await;
    env.write_backup("20240102T000000Z-bbbb", &[(table("t"), new.clone())])
        .await;

    let listed = env
        .run(&["backups", "--store", "local", "--output", "json"])
        .await;
    assert_eq!(listed.code, 0, "{listed:?}");
    let json = listed.json();
    let ids: Vec<&str> = json
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, vec!["20240101T000000Z-aaaa", "20240102T000000Z-bbbb"]);
    assert_eq!(json[1]["rows"], 40);
    assert_eq!(json[1]["tables"][0], "t");

    let run = env
        .run(&[
            "restore", "--store", "local", "--source", "test", "--backup", "latest", "--rename",
            "t=t_copy", "--output", "json",
        ])
        .await;
    assert_eq!(run.code, 0, "{run:?}");
    let report = run.json();
    assert_eq!(report["backup_id"], "20240102T000000Z-bbbb");
    assert_eq!(report["tables"][0]["target_table"], "t_copy");
    assert_eq!(report["tables"][0]["rows"], 40);
    assert_eq!(env.read_table("t_copy").await, new);
    assert!(!env.client.table_exists("t").await.unwrap());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn if_exists_fail_skip_and_overwrite() {
    let env = Env::start().await;
    let backed_up = rows(10);
    env.write_backup("b1", &[(table("t"), backed_up.clone())])
        .await;
    // The target holds a changed row 3 and nothing else.
    let mut changed = backed_up[3].clone();
    changed.cells.truncate(1);
    env.create_source_table(&table("t"), std::slice::from_ref(&changed))
        .await;
    let restore = |policy: &'static str| {
        let env = &env;
        async move {
            env.run(&[
                "restore",
                "--store",
                "local",
                "--source",
                "test",
                "--backup",
                "b1",
                "--if-exists",
                policy,
                "--output",
                "json",
            ])
            .await
        }
    };

    let refused = restore("fail").await;
    assert_eq!(refused.code, 2, "{refused:?}");
    assert_eq!(
        refused.error_line(),
        "error: target table t is not empty (use --if-exists skip or overwrite)"
    );
    assert_eq!(env.read_table("t").await, vec![changed.clone()]);

    let skipped = restore("skip").await;
    assert_eq!(skipped.code, 0, "{skipped:?}");
    assert_eq!(skipped.json()["tables"][0]["rows_skipped"], 1);
    let mut expected = backed_up.clone();
    expected[3] = changed;
    assert_eq!(env.read_table("t").await, expected);

    let replaced = restore("overwrite").await;
    assert_eq!(replaced.code, 0, "{replaced:?}");
    assert_eq!(replaced.json()["tables"][0]["rows"], 10);
    assert_eq!(env.read_table("t").await, backed_up);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dry_run_reports_and_writes_nothing() {
    let env = Env::start().await;
    env.write_backup("b1", &[(table("t"), rows(12)), (table("u"), rows(3))])
        .await;

    let run = env
        .run(&[
            "restore",
            "--store",
            "local",
            "--source",
            "test",
            "--backup",
            "b1",
            "--table",
            "t",
            "--dry-run",
            "--output",
            "json",
        ])
        .await;

    assert_eq!(run.code, 0, "{run:?}");
    let report = run.json();
    assert_eq!(report["dry_run"], true);
    assert_eq!(report["tables"].as_array().unwrap().len(), 1);
    assert_eq!(report["tables"][0]["created"], true);
    assert_eq!(report["tables"][0]["rows"], 12);
    assert!(report["tables"][0]["bytes"].as_u64().unwrap() > 0);
    assert!(env.client.list_tables().await.unwrap().is_empty());
    assert_eq!(env.emulator.request_count("BatchWriteRow"), 0);
    assert_eq!(env.emulator.request_count("CreateTable"), 0);
}

/// `restore --backup ID --until T`: the base backup plus the changes captured for its schedule
/// up to T, as the table was at T; an instant before the base's end is refused.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn restore_until_replays_the_captured_changes_up_to_the_instant() {
    let env = Env::start().await;
    let changes = ArchiveChangeStore::new(&env.archive_root(), "sched-1", "t").unwrap();
    restore_until(&env, "local", changes).await;
}

/// The same from an archive store that encrypts: the command opens the sealed base and the
/// sealed change segments with the store's key.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn restore_until_reads_the_sealed_changes_of_an_encrypting_archive() {
    let env = Env::start().await;
    let key = env.dir.path().join("sealed.key");
    MasterKey::generate().write_new(&key).unwrap();
    let mut sealed = ArchiveStoreConfig::new(env.dir.path().join("sealed"));
    sealed.encryption_key_file = Some(key.clone());
    let section = format!(
        "\n[stores.sealed]\nkind = \"archive\"\npath = \"{}\"\nencryption_key_file = \"{}\"\n",
        sealed.path.display(),
        key.display()
    );
    let config = std::fs::read_to_string(&env.config).unwrap() + &section;
    std::fs::write(&env.config, config).unwrap();
    let changes = ArchiveChangeStore::new(&sealed.path, "sched-1", "t")
        .unwrap()
        .with_keys(sealed.keyring().unwrap());
    restore_until(&env, "sealed", changes).await;
    let segments = std::fs::read_dir(sealed.path.join(".changes/sched-1/t")).unwrap();
    let mut sealed_segments = 0;
    for entry in segments {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "tvchg") {
            assert!(std::fs::read(&path).unwrap().starts_with(SEALED_MAGIC));
            sealed_segments += 1;
        }
    }
    assert!(sealed_segments > 0);
}

/// Captures `t` into `changes`, takes a base into `store` with the command, changes rows and
/// restores `--until` an instant between the changes; an instant before the base is refused.
async fn restore_until(env: &Env, store: &str, changes: ArchiveChangeStore) {
    env.create_source_table(&table("t"), &rows(6)).await;
    let mut capture = TableCapture::new(
        env.client.clone(),
        "t",
        std::sync::Arc::new(changes),
        CaptureSettings::default(),
    );
    capture.run_once().await.unwrap(); // the stream on: the capture position
    let before_base = chrono::Utc::now();
    let backup = env
        .run(&[
            "backup", "--source", "test", "--store", store, "--table", "t", "--output", "json",
        ])
        .await;
    assert_eq!(backup.code, 0, "{backup:?}");
    let backup_id = backup.json()["id"].as_str().unwrap().to_string();

    let key = |i: i64| {
        PrimaryKey::new([
            ("id", PkValue::Integer(i)),
            ("name", PkValue::String(format!("n{i}"))),
        ])
    };
    let row = Row::new(
        key(2),
        vec![Cell::put("s", Value::String("changed".into()))],
    );
    env.client
        .update_row("t", &row, RowExistence::Ignore)
        .await
        .unwrap();
    env.client
        .delete_row("t", &key(3), RowExistence::Ignore)
        .await
        .unwrap();
    let instant = chrono::Utc::now();
    let expected = env.read_table("t").await;
    tokio::time::sleep(std::time::Duration::from_millis(2)).await;
    env.client
        .delete_row("t", &key(4), RowExistence::Ignore)
        .await
        .unwrap();
    capture.run_once().await.unwrap();
    capture.run_once().await.unwrap(); // at the tip: captured past the instant

    let at = instant.to_rfc3339_opts(chrono::SecondsFormat::Micros, true);
    let run = env
        .run(&[
            "restore", "--store", store, "--source", "test", "--backup", &backup_id, "--until",
            &at, "--rename", "t=t_at", "--output", "json",
        ])
        .await;
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(env.read_table("t_at").await, expected);
    assert_ne!(
        env.read_table("t").await,
        expected,
        "the live table moved on"
    );

    let early = before_base.to_rfc3339();
    let refused = env
        .run(&[
            "restore",
            "--store",
            store,
            "--source",
            "test",
            "--backup",
            &backup_id,
            "--until",
            &early,
            "--rename",
            "t=t_early",
        ])
        .await;
    assert_ne!(refused.code, 0, "{refused:?}");
    assert!(
        refused
            .error_line()
            .contains("before the restorable window"),
        "{refused:?}"
    );
}
