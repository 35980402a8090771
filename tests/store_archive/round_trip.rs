//! What is written comes back, exactly and only once.

use std::collections::HashSet;

use tablevault::store::{BackupStore, StoreError};

use crate::helpers::*;

/// Three tables with 1–4 key columns, several ranges and batches each, read back as written.
#[tokio::test]
async fn written_rows_read_back_after_publish() {
    let (_tmp, store) = open_store().await;
    let staged = store.create("b1").await.unwrap();
    let tables: Vec<(String, usize, Vec<_>)> = (1..=4)
        .map(|pk| (format!("t_pk{pk}"), pk, rows(pk, 0..250)))
        .collect();
    for (name, _, all) in &tables {
        // Four ranges of 62-63 rows, each written in batches of 20.
        for (range, part) in all.chunks(63).enumerate() {
            for batch in part.chunks(20) {
                staged
                    .write_rows(name, range as u32, batch, "")
                    .await
                    .unwrap();
            }
        }
    }
    staged.write_rows("t_pk1", 9, &[], "").await.unwrap(); // empty batch: nothing happens
    let spec: Vec<_> = tables
        .iter()
        .map(|(n, pk, r)| (n.as_str(), *pk, &r[..]))
        .collect();
    let manifest = manifest("b1", &spec);
    staged.publish(&manifest).await.unwrap();

    assert_eq!(store.list().await.unwrap(), vec![manifest.clone()]);
    assert!(store.staged().await.unwrap().is_empty());
    let reader = store.open("b1").await.unwrap();
    assert_eq!(reader.manifest(), &manifest);
    for (name, _, all) in &tables {
        assert_same_rows(&read_all(&reader, name).await, all);
    }
    let missing = read_batches(&reader, "nope").await;
    assert!(matches!(missing, Err(StoreError::TableNotFound { .. })));

    let text = std::fs::read_to_string(store.root().join("b1/manifest.json")).unwrap();
    assert!(
        text.contains("\n  \"backup_id\": \"b1\""),
        "manifest is pretty-printed"
    );
}

/// A table listed in the manifest that never received a row reads back empty.
#[tokio::test]
async fn empty_table_reads_back_empty() {
    let (_tmp, store) = open_store().await;
    let staged = store.create("b1").await.unwrap();
    staged
        .publish(&manifest("b1", &[("empty", 1, &[])]))
        .await
        .unwrap();
    let reader = store.open("b1").await.unwrap();
    assert!(read_all(&reader, "empty").await.is_empty());
}

/// Ten ranges written at the same time from separate tasks.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ten_ranges_written_concurrently() {
    let (_tmp, store) = open_store().await;
    let staged = store.create("conc").await.unwrap();
    let mut tasks = Vec::new();
    for range in 0..10u32 {
        let staged = staged.clone();
        tasks.push(tokio::spawn(async move {
            let start = i64::from(range) * 1000;
            for batch in rows(2, start..start + 300).chunks(25) {
                staged.write_rows("t", range, batch, "").await.unwrap();
            }
        }));
    }
    for task in tasks {
        task.await.unwrap();
    }
    for range in 0..10u32 {
        let start = i64::from(range) * 1000;
        let checkpoint = staged
            .checkpoint("t", range)
            .await
            .unwrap()
            .map(|c| c.last_key);
        assert_eq!(checkpoint, Some(key(2, start + 299)), "range {range}");
    }
    let all: Vec<_> = (0..10)
        .flat_map(|r| rows(2, r * 1000..r * 1000 + 300))
        .collect();
    staged
        .publish(&manifest("conc", &[("t", 2, &all)]))
        .await
        .unwrap();
    let reader = store.open("conc").await.unwrap();
    assert_same_rows(&read_all(&reader, "t").await, &all);
}

/// 50k rows stream back one segment per batch: the reader never holds the whole table.
#[tokio::test]
async fn large_table_streams_in_batches() {
    let (_tmp, store) = open_store().await;
    let staged = store.create("big").await.unwrap();
    let all = rows(1, 0..50_000);
    for (range, part) in all.chunks(12_500).enumerate() {
        for batch in part.chunks(1000) {
            staged
                .write_rows("big", range as u32, batch, "")
                .await
                .unwrap();
        }
    }
    staged
        .publish(&manifest("big", &[("big", 1, &all)]))
        .await
        .unwrap();
    let reader = store.open("big").await.unwrap();
    let batches = read_batches(&reader, "big").await.unwrap();
    assert_eq!(
        batches.len(),
        52,
        "one batch per segment (4 ranges x 13 segments)"
    );
    assert!(batches.iter().all(|b| b.len() <= 1000));
    let keys: HashSet<_> = batches
        .iter()
        .flatten()
        .map(|r| r.primary_key.clone())
        .collect();
    assert_eq!(keys.len(), 50_000, "every row exactly once");
    assert_same_rows(&batches.concat(), &all);
}
