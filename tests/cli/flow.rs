//! The whole cycle through the binary: backup → backups → verify → restore to a renamed table.

use crate::harness::{rows, table, Env};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn backup_list_verify_and_restore_renamed_gives_back_the_same_rows() {
    let env = Env::start().await;
    let data = rows(150);
    env.create_source_table(&table("orders"), &data).await;
    env.create_source_table(&table("users"), &rows(7)).await;
    let source_rows = env.read_table("orders").await;
    assert_eq!(source_rows, data);

    let backup = env
        .run(&[
            "backup", "--source", "test", "--store", "local", "--table", "orders", "--table",
            "users", "--output", "json",
        ])
        .await;
    assert_eq!(backup.code, 0, "{backup:?}");
    let summary = backup.json();
    let id = summary["id"].as_str().expect("id").to_string();
    assert_eq!(summary["rows"], 157);
    assert!(summary["bytes"].as_u64().unwrap() > 0);
    assert_eq!(summary["tables"].as_array().unwrap().len(), 2);
    assert!(summary["duration_seconds"].as_f64().is_some());

    let listed = env
        .run(&["backups", "--store", "local", "--output", "json"])
        .await;
    assert_eq!(listed.code, 0, "{listed:?}");
    assert_eq!(listed.json()[0]["id"], id.as_str());

    let verified = env
        .run(&[
            "verify",
            "--store",
            "local",
            "--backup",
            &id,
            "--against-source",
            "test",
        ])
        .await;
    assert_eq!(verified.code, 0, "{verified:?}");
    assert!(
        verified.stdout.contains("table orders: ok (150 rows"),
        "{}",
        verified.stdout
    );

    let restored = env
        .run(&[
            "restore",
            "--store",
            "local",
            "--source",
            "test",
            "--backup",
            &id,
            "--table",
            "orders",
            "--rename",
            "orders=orders_restored",
        ])
        .await;
    assert_eq!(restored.code, 0, "{restored:?}");
    assert!(
        restored
            .stdout
            .contains("restored orders -> orders_restored (new table): 150 rows"),
        "{}",
        restored.stdout
    );
    assert_eq!(env.read_table("orders_restored").await, source_rows);
    assert!(!env.client.table_exists("users_restored").await.unwrap());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn backup_of_unknown_names_is_one_line() {
    let env = Env::start().await;
    let cases: [(&[&str], &str, i32); 3] = [
        (
            &[
                "backup", "--source", "test", "--store", "local", "--table", "ghost",
            ],
            "error: table ghost does not exist in source test",
            2,
        ),
        (
            &[
                "backup", "--source", "nope", "--store", "local", "--table", "t",
            ],
            r#"error: unknown source "nope" (configured: dead, test)"#,
            2,
        ),
        (
            &[
                "backup", "--source", "dead", "--store", "local", "--table", "t",
            ],
            "error: cannot reach http://127.0.0.1:",
            3,
        ),
    ];
    for (args, message, code) in cases {
        let run = env.run(args).await;
        assert_eq!(run.code, code, "{args:?}: {run:?}");
        assert!(
            run.error_line().starts_with(message),
            "{args:?}: {}",
            run.stderr
        );
    }
    let listed = env
        .run(&["backups", "--store", "local", "--output", "json"])
        .await;
    assert_eq!(
        listed.stdout.trim(),
        "[]",
        "a failed backup leaves nothing listed"
    );
}
