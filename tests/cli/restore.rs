//! `restore` and `backups` through the binary.

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
