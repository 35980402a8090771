//! `copy` through the binary: a backup copied to a second store (new id, same rows, checked
//! against its manifest), and the bad inputs refused with exit code 2 before anything is
//! written.

use futures::TryStreamExt;
use tablevault::store::{ArchiveStore, ArchiveStoreConfig, BackupStore};

use crate::harness::{corrupt_table, rows, table, Env};

/// Adds the archive store `offsite` to the environment's config; opens it.
async fn add_offsite(env: &Env) -> ArchiveStore {
    let path = env.config.parent().expect("config dir").join("offsite");
    let mut text = std::fs::read_to_string(&env.config).expect("config");
    text.push_str(&format!(
        "\n[stores.offsite]\nkind = \"archive\"\npath = \"{}\"\n",
        path.display()
    ));
    std::fs::write(&env.config, text).expect("config written");
    ArchiveStore::open(ArchiveStoreConfig::new(path))
        .await
        .expect("offsite opens")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_backup_is_copied_to_another_store_under_a_new_id() {
    let env = Env::start().await;
    let offsite = add_offsite(&env).await;
    let data = rows(40);
    env.write_backup("b1", &[(table("t"), data.clone())]).await;

    let run = env
        .run(&[
            "copy", "--backup", "b1", "--from", "local", "--to", "offsite", "--output", "json",
        ])
        .await;

    assert_eq!(run.code, 0, "{run:?}");
    let report = run.json();
    assert_eq!(report["copy_of"], "b1", "{report}");
    assert_eq!(report["rows"], 40, "{report}");
    let copy_id = report["copy_id"].as_str().expect("copy id");
    assert_ne!(copy_id, "b1");
    let listed = offsite.list().await.expect("list");
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].backup_id, copy_id);
    assert_eq!(
        listed[0].tables,
        env.store()
            .await
            .open("b1")
            .await
            .unwrap()
            .manifest()
            .tables
    );
    let reader = offsite.open(copy_id).await.expect("published");
    let copied: Vec<_> = reader
        .read_table("t")
        .await
        .unwrap()
        .try_concat()
        .await
        .unwrap();
    assert_eq!(copied, data);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_corrupted_source_is_not_copied() {
    let env = Env::start().await;
    let offsite = add_offsite(&env).await;
    env.write_backup("b1", &[(table("t"), rows(10))]).await;
    assert!(corrupt_table(&env.archive_root(), "b1", "t") > 0);

    let run = env
        .run(&[
            "copy", "--backup", "b1", "--from", "local", "--to", "offsite",
        ])
        .await;

    assert_eq!(run.code, 1, "{run:?}");
    assert!(run.error_line().starts_with("error: "), "{run:?}");
    assert!(
        offsite.list().await.unwrap().is_empty(),
        "nothing published"
    );
    assert!(offsite.staged().await.unwrap().is_empty(), "nothing staged");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_stores_and_backups_are_input_errors() {
    let env = Env::start().await;
    let offsite = add_offsite(&env).await;
    env.write_backup("b1", &[(table("t"), rows(3))]).await;

    for (args, expected) in [
        (
            ["--from", "local", "--to", "local"],
            "--from and --to are both local",
        ),
        (["--from", "local", "--to", "mars"], "mars"),
        (["--from", "mars", "--to", "local"], "mars"),
    ] {
        let mut full = vec!["copy", "--backup", "b1"];
        full.extend(args);
        let run = env.run(&full).await;
        assert_eq!(run.code, 2, "{args:?}: {run:?}");
        assert!(run.error_line().contains(expected), "{args:?}: {run:?}");
    }
    let run = env
        .run(&[
            "copy", "--backup", "nope", "--from", "local", "--to", "offsite",
        ])
        .await;
    assert_eq!(run.code, 2, "{run:?}");
    assert!(run.error_line().contains("nope"), "{run:?}");
    assert!(offsite.list().await.unwrap().is_empty());
}
