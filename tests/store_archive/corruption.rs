//! Damaged data is an error naming the file, never a silently wrong or missing row.

use std::path::PathBuf;

use tablevault::store::{ArchiveStore, BackupStore};

use crate::helpers::*;

const SEGMENT: &str = "r00000-00000001.tvseg";

/// A published backup with one table in two segments; returns the first segment's path.
async fn published(store: &ArchiveStore) -> PathBuf {
    let all = rows(3, 0..200);
    let staged = store.create("b1").await.unwrap();
    staged.write_rows("t", 0, &all[..100], "").await.unwrap();
    staged.write_rows("t", 0, &all[100..], "").await.unwrap();
    staged
        .publish(&manifest("b1", &[("t", 3, &all)]))
        .await
        .unwrap();
    store.root().join("b1/tables/t").join(SEGMENT)
}

#[tokio::test]
async fn a_flipped_byte_anywhere_is_detected() {
    let (_tmp, store) = open_store().await;
    let path = published(&store).await;
    let original = std::fs::read(&path).unwrap();
    let len = original.len();
    // Header (magic, version, compression, range), body, footer keys, trailer fields, digest.
    let offsets = [
        0,
        7,
        8,
        10,
        12,
        16,
        len / 2,
        len - 80,
        len - 64,
        len - 40,
        len - 33,
        len - 1,
    ];
    for offset in offsets {
        let mut damaged = original.clone();
        damaged[offset] ^= 0x01;
        std::fs::write(&path, &damaged).unwrap();
        let reader = store.open("b1").await.unwrap();
        let result = read_batches(&reader, "t").await;
        assert!(is_corrupt(&result, SEGMENT), "offset {offset}: {result:?}");
    }
    std::fs::write(&path, &original).unwrap();
    let reader = store.open("b1").await.unwrap();
    assert_eq!(
        read_all(&reader, "t").await.len(),
        200,
        "restored file reads again"
    );
}

#[tokio::test]
async fn a_truncated_segment_is_detected() {
    let (_tmp, store) = open_store().await;
    let path = published(&store).await;
    let original = std::fs::read(&path).unwrap();
    for keep in [0, 10, 79, original.len() / 2, original.len() - 1] {
        std::fs::write(&path, &original[..keep]).unwrap();
        let reader = store.open("b1").await.unwrap();
        let result = read_batches(&reader, "t").await;
        assert!(
            is_corrupt(&result, SEGMENT),
            "kept {keep} bytes: {result:?}"
        );
    }
}

#[tokio::test]
async fn a_missing_segment_is_detected() {
    let (_tmp, store) = open_store().await;
    let path = published(&store).await;
    std::fs::remove_file(&path).unwrap(); // first of two: a gap in the sequence
    let reader = store.open("b1").await.unwrap();
    let result = read_batches(&reader, "t").await;
    assert!(is_corrupt(&result, "segment 1"), "{result:?}");

    // The last segment gone leaves no gap, but the row count no longer matches the manifest.
    let last = path.with_file_name("r00000-00000002.tvseg");
    std::fs::rename(&last, &path).unwrap();
    let result = read_batches(&reader, "t").await;
    assert!(is_corrupt(&result, "the manifest says 200"), "{result:?}");
}

#[tokio::test]
async fn a_damaged_manifest_is_corrupt_and_skipped_by_list() {
    let (_tmp, store) = open_store().await;
    published(&store).await;
    std::fs::write(store.root().join("b1/manifest.json"), b"{ not json").unwrap();
    assert!(is_corrupt(
        &store.open("b1").await.map(|_| ()),
        "manifest.json"
    ));
    assert!(store.list().await.unwrap().is_empty());
}
