//! `verify` through the binary: a clean backup, a corrupted archive file, a source that
//! changed since the backup.

use tablevault::tablestore::client::RowExistence;

use crate::harness::{corrupt_table, rows, table, Env};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_clean_backup_verifies_also_against_its_source() {
    let env = Env::start().await;
    let data = rows(25);
    env.create_source_table(&table("t"), &data).await;
    env.write_backup("b1", &[(table("t"), env.read_table("t").await)])
        .await;

    let run = env
        .run(&[
            "verify",
            "--store",
            "local",
            "--backup",
            "b1",
            "--against-source",
            "test",
        ])
        .await;

    assert_eq!(run.code, 0, "{run:?}");
    assert!(
        run.stdout.contains("table t: ok (25 rows"),
        "{}",
        run.stdout
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_flipped_byte_in_the_archive_fails_verify_naming_the_table() {
    let env = Env::start().await;
    env.write_backup("b1", &[(table("good"), rows(10)), (table("bad"), rows(10))])
        .await;
    assert!(corrupt_table(&env.archive_root(), "b1", "bad") > 0);

    let run = env
        .run(&["verify", "--store", "local", "--backup", "b1"])
        .await;

    assert_eq!(run.code, 1, "{run:?}");
    let line = run.error_line();
    assert!(
        line.starts_with("error: backup b1 failed verification: table bad: "),
        "{line}"
    );
    assert!(!line.contains("table good"), "{line}");
    assert!(run.stdout.contains("table good: ok"), "{}", run.stdout);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_changed_source_row_is_reported() {
    let env = Env::start().await;
    let data = rows(5);
    env.create_source_table(&table("t"), &data).await;
    env.write_backup("b1", &[(table("t"), env.read_table("t").await)])
        .await;
    let mut changed = data[2].clone();
    changed.cells.pop();
    env.client
        .put_row("t", &changed, RowExistence::Ignore)
        .await
        .unwrap();

    let run = env
        .run(&[
            "verify",
            "--store",
            "local",
            "--backup",
            "b1",
            "--against-source",
            "test",
            "--output",
            "json",
        ])
        .await;

    assert_eq!(run.code, 1, "{run:?}");
    let report = run.json();
    assert_eq!(report["ok"], false);
    let problems = report["tables"][0]["problems"].as_array().unwrap();
    assert!(
        problems
            .iter()
            .any(|p| p.as_str().unwrap().starts_with("source cells: manifest")),
        "{problems:?}"
    );
    assert!(
        run.error_line().contains("table t: source cells"),
        "{}",
        run.stderr
    );
}
