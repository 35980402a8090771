//! Secondary and search indexes through backup and restore, against an emulator that lists
//! index tables in ListTable, refuses custom timestamps on indexed tables, and (second test)
//! refuses CreateTable with an index, as instances without the feature do. That a backup of
//! every table skips index tables is in tests/scheduler/firing.rs.

use tablevault::emulator::{EmulatorConfig, IndexBehaviour};

use crate::harness::{create_indexed_table, Env};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_restore_never_writes_into_an_index_table() {
    let env = Env::start().await;
    create_indexed_table(&env, "indexed").await;
    let listed = env.client.list_tables().await.expect("list");
    assert_eq!(
        listed,
        ["indexed", "indexed_by_city"],
        "ListTable lists the index"
    );

    let backup = env
        .run(&[
            "backup", "--source", "test", "--store", "local", "--table", "indexed", "--output",
            "json",
        ])
        .await;
    assert_eq!(backup.code, 0, "{backup:?}");
    let id = backup.json()["id"].as_str().expect("id").to_string();
    let restore = env
        .run(&[
            "restore",
            "--store",
            "local",
            "--source",
            "test",
            "--backup",
            &id,
            "--rename",
            "indexed=indexed_by_city",
        ])
        .await;
    assert_ne!(restore.code, 0, "{restore:?}");
    assert!(
        restore.stderr.contains("index"),
        "a clear refusal: {}",
        restore.stderr
    );

    // Into the indexed table itself: its index would refuse the original timestamps.
    let restore = env
        .run(&[
            "restore",
            "--store",
            "local",
            "--source",
            "test",
            "--backup",
            &id,
            "--if-exists",
            "overwrite",
        ])
        .await;
    assert_ne!(restore.code, 0, "{restore:?}");
    assert!(
        restore
            .stderr
            .contains("has the secondary index indexed_by_city"),
        "refused before writing: {}",
        restore.stderr
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_restore_creates_the_indexes_after_the_data() {
    let env = Env::start_with(EmulatorConfig {
        indexes: IndexBehaviour {
            forbid_index_in_create_table: true,
            ..IndexBehaviour::default()
        },
        ..EmulatorConfig::default()
    })
    .await;
    create_indexed_table(&env, "indexed").await;
    let before = env
        .client
        .describe_table("indexed")
        .await
        .expect("describe");
    let search_before = env.client.search_indexes("indexed").await.expect("search");
    assert_eq!((before.indexes.len(), search_before.len()), (1, 1));

    let backup = env
        .run(&[
            "backup", "--source", "test", "--store", "local", "--table", "indexed", "--output",
            "json",
        ])
        .await;
    assert_eq!(backup.code, 0, "{backup:?}");
    let id = backup.json()["id"].as_str().expect("id").to_string();
    // A table with a search index cannot be deleted: the search index goes first.
    assert!(env.client.delete_table("indexed").await.is_err());
    env.client
        .delete_search_index("indexed", "search")
        .await
        .expect("delete search index");
    env.client.delete_table("indexed").await.expect("delete");

    // The backed-up cells carry their timestamps: written into an indexed table they would be
    // refused, and CreateTable with the index is forbidden on this instance.
    let restore = env
        .run(&[
            "restore", "--store", "local", "--source", "test", "--backup", &id, "--output", "json",
        ])
        .await;
    assert_eq!(restore.code, 0, "{restore:?}");
    let report = &restore.json()["tables"][0];
    assert_eq!(
        report["secondary_indexes"],
        serde_json::json!(["indexed_by_city"])
    );
    assert_eq!(report["search_indexes"], serde_json::json!(["search"]));
    let after = env
        .client
        .describe_table("indexed")
        .await
        .expect("describe");
    assert_eq!(after, before, "same table, same secondary index");
    let search_after = env.client.search_indexes("indexed").await.expect("search");
    assert_eq!(search_after, search_before, "same search index definition");
}
