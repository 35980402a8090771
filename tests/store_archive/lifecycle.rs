//! Staging, publishing, aborting, deleting, and what the store refuses.

use std::path::Path;

use tablevault::store::{ArchiveStore, ArchiveStoreConfig, BackupStore, StoreError};

use crate::helpers::*;

/// Every file under `dir`, relative, sorted.
fn files_under(dir: &Path) -> Vec<String> {
    let mut found = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                found.push(path.strip_prefix(dir).unwrap().display().to_string());
            }
        }
    }
    found.sort();
    found
}

#[tokio::test]
async fn staged_backup_is_invisible_until_published() {
    let (_tmp, store) = open_store().await;
    let staged = store.create("b1").await.unwrap();
    staged
        .write_rows("t", 0, &rows(1, 0..10), "")
        .await
        .unwrap();

    assert!(store.list().await.unwrap().is_empty());
    assert!(matches!(
        store.open("b1").await,
        Err(StoreError::NotFound(_))
    ));
    assert_eq!(store.staged().await.unwrap(), vec!["b1".to_string()]);

    staged
        .publish(&manifest("b1", &[("t", 1, &rows(1, 0..10))]))
        .await
        .unwrap();
    assert_eq!(store.list().await.unwrap().len(), 1);
    assert!(store.staged().await.unwrap().is_empty());
    // The handle is spent: no writes into a published backup.
    let late = staged.write_rows("t", 0, &rows(1, 10..11), "").await;
    assert!(matches!(late, Err(StoreError::NotFound(_))));
}

#[tokio::test]
async fn abort_leaves_nothing_behind() {
    let (_tmp, store) = open_store().await;
    let staged = store.create("b1").await.unwrap();
    staged
        .write_rows("t", 0, &rows(3, 0..100), "")
        .await
        .unwrap();
    staged
        .write_rows("u", 1, &rows(1, 0..100), "")
        .await
        .unwrap();
    staged.abort().await.unwrap();
    staged.abort().await.unwrap(); // twice is fine

    assert_eq!(files_under(store.root()), Vec::<String>::new());
    assert!(store.staged().await.unwrap().is_empty());
    assert!(store.list().await.unwrap().is_empty());
    // The id is free again.
    store.create("b1").await.unwrap();
}

#[tokio::test]
async fn duplicate_ids_are_refused() {
    let (_tmp, store) = open_store().await;
    store.create("b1").await.unwrap();
    assert!(matches!(
        store.create("b1").await,
        Err(StoreError::AlreadyExists(_))
    ));
    let b2 = store.create("b2").await.unwrap();
    b2.publish(&manifest("b2", &[])).await.unwrap();
    assert!(matches!(
        store.create("b2").await,
        Err(StoreError::AlreadyExists(_))
    ));
}

#[tokio::test]
async fn delete_removes_published_and_staged_backups() {
    let (_tmp, store) = open_store().await;
    let published = store.create("pub").await.unwrap();
    published
        .write_rows("t", 0, &rows(1, 0..10), "")
        .await
        .unwrap();
    published
        .publish(&manifest("pub", &[("t", 1, &rows(1, 0..10))]))
        .await
        .unwrap();
    let staged = store.create("stg").await.unwrap();
    staged
        .write_rows("t", 0, &rows(1, 0..10), "")
        .await
        .unwrap();

    store.delete("pub").await.unwrap();
    store.delete("stg").await.unwrap();
    assert!(store.list().await.unwrap().is_empty());
    assert!(store.staged().await.unwrap().is_empty());
    assert!(matches!(
        store.open("pub").await,
        Err(StoreError::NotFound(_))
    ));
    assert!(matches!(
        store.delete("pub").await,
        Err(StoreError::NotFound(_))
    ));
    assert!(matches!(
        store.resume("stg").await,
        Err(StoreError::NotFound(_))
    ));
    assert_eq!(files_under(store.root()), Vec::<String>::new());
}

#[tokio::test]
async fn invalid_ids_and_table_names_are_refused() {
    let (_tmp, store) = open_store().await;
    for bad in [
        "",
        "..",
        "../escape",
        "a/b",
        ".staging",
        "x y",
        &"a".repeat(200),
    ] {
        assert!(
            matches!(store.create(bad).await, Err(StoreError::InvalidId(_))),
            "{bad:?}"
        );
        assert!(matches!(
            store.resume(bad).await,
            Err(StoreError::InvalidId(_))
        ));
        assert!(matches!(
            store.open(bad).await,
            Err(StoreError::InvalidId(_))
        ));
        assert!(matches!(
            store.delete(bad).await,
            Err(StoreError::InvalidId(_))
        ));
    }
    let staged = store.create("ok").await.unwrap();
    for bad in ["../t", "a/b", "1t", ""] {
        let result = staged.write_rows(bad, 0, &rows(1, 0..1), "").await;
        assert!(
            matches!(result, Err(StoreError::InvalidTableName(_))),
            "{bad:?}"
        );
    }
    // A manifest for another id is not published under this one.
    let result = staged.publish(&manifest("other", &[])).await;
    assert!(matches!(result, Err(StoreError::InvalidId(_))));
}

/// A manifest from a newer TableVault is refused with a clear error, and skipped by `list`.
#[tokio::test]
async fn newer_format_version_is_refused() {
    let (_tmp, store) = open_store().await;
    let staged = store.create("new").await.unwrap();
    let mut m = manifest("new", &[]);
    m.format_version = 99;
    staged.publish(&m).await.unwrap();
    match store.open("new").await {
        Err(e @ StoreError::UnsupportedFormat { found: 99, .. }) => {
            assert!(e.to_string().contains("format version 99"), "{e}")
        }
        Err(other) => panic!("unexpected error {other}"),
        Ok(_) => panic!("opened a newer backup"),
    }
    assert!(store.list().await.unwrap().is_empty());
}

#[tokio::test]
async fn open_creates_the_root_and_reports_an_unusable_one() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("a/b/archive");
    let store = ArchiveStore::open(ArchiveStoreConfig::new(root.clone()))
        .await
        .unwrap();
    assert!(root.is_dir());
    assert_eq!(store.kind(), "archive");
    store.healthcheck().await.unwrap();

    let file = tmp.path().join("plain-file");
    std::fs::write(&file, b"x").unwrap();
    let result = ArchiveStore::open(ArchiveStoreConfig::new(file.join("archive"))).await;
    match result {
        Err(e @ StoreError::Io { .. }) => assert!(e.to_string().contains("plain-file"), "{e}"),
        other => panic!("expected an I/O error, got {other:?}"),
    }
}

#[test]
fn config_rejects_unknown_fields() {
    let ok: ArchiveStoreConfig = toml::from_str("path = \"/var/lib/tv\"").unwrap();
    assert_eq!(ok.path, Path::new("/var/lib/tv"));
    assert!(toml::from_str::<ArchiveStoreConfig>("path = \"/x\"\ncompress = 9").is_err());
}
