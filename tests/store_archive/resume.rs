//! Interrupted backups: checkpoints survive the handle, retries never duplicate rows.

use tablevault::store::BackupStore;

use crate::helpers::*;

/// Write part of three ranges, drop the handle (a crash), resume from the checkpoints, finish,
/// and read every row back exactly once.
#[tokio::test]
async fn resume_continues_after_each_ranges_checkpoint() {
    let (_tmp, store) = open_store().await;
    let ranges: Vec<Vec<_>> = (0..3).map(|r| rows(4, r * 1000..r * 1000 + 100)).collect();
    let staged = store.create("b1").await.unwrap();
    for batch in ranges[0][..40].chunks(10) {
        staged.write_rows("t", 0, batch, "").await.unwrap();
    }
    staged
        .write_rows("t", 1, &ranges[1][..3], "state-a")
        .await
        .unwrap();
    staged
        .write_rows("t", 1, &ranges[1][3..7], "state-b")
        .await
        .unwrap();
    staged.save_plan("the plan").await.unwrap();
    drop(staged);
    // A crash between writing a segment and renaming it leaves a temporary file behind.
    let table_dir = store.root().join(".staging/b1/tables/t");
    std::fs::write(
        table_dir.join("r00000-00000005.tvseg.tmp"),
        b"half a segment",
    )
    .unwrap();

    assert_eq!(store.staged().await.unwrap(), vec!["b1".to_string()]);
    let staged = store.resume("b1").await.unwrap();
    assert!(
        !table_dir.join("r00000-00000005.tvseg.tmp").exists(),
        "tmp file cleaned"
    );
    let checkpoints = [
        staged.checkpoint("t", 0).await.unwrap().map(|c| c.last_key),
        staged.checkpoint("t", 1).await.unwrap().map(|c| c.last_key),
        staged.checkpoint("t", 2).await.unwrap().map(|c| c.last_key),
    ];
    assert_eq!(checkpoints[0].as_ref(), Some(&ranges[0][39].primary_key));
    assert_eq!(checkpoints[1].as_ref(), Some(&ranges[1][6].primary_key));
    assert_eq!(checkpoints[2], None);
    // The engine state is the one written with the last batch, and the plan survives too.
    let checkpoint = staged.checkpoint("t", 1).await.unwrap().unwrap();
    assert_eq!(checkpoint.state, "state-b");
    assert_eq!(
        staged.load_plan().await.unwrap().as_deref(),
        Some("the plan")
    );

    // Continue each range right after its checkpoint, as the engine does.
    let done = [40, 7, 0];
    for (range, rows) in ranges.iter().enumerate() {
        for batch in rows[done[range]..].chunks(10) {
            staged
                .write_rows("t", range as u32, batch, "")
                .await
                .unwrap();
        }
    }
    let all = ranges.concat();
    staged
        .publish(&manifest("b1", &[("t", 4, &all)]))
        .await
        .unwrap();
    let reader = store.open("b1").await.unwrap();
    assert_same_rows(&read_all(&reader, "t").await, &all);
}

/// A batch sent again (its acknowledgement was lost) replaces the first copy, also when the
/// retry comes through a resumed handle; a shorter or longer retry replaces it as well.
#[tokio::test]
async fn retried_batches_do_not_duplicate_rows() {
    let (_tmp, store) = open_store().await;
    let all = rows(2, 0..60);
    let staged = store.create("b1").await.unwrap();
    staged.write_rows("t", 0, &all[0..20], "").await.unwrap();
    staged.write_rows("t", 0, &all[20..40], "").await.unwrap();
    staged.write_rows("t", 0, &all[20..40], "").await.unwrap(); // retry
    assert_eq!(
        staged.checkpoint("t", 0).await.unwrap().map(|c| c.last_key),
        Some(key(2, 39))
    );
    drop(staged);

    let staged = store.resume("b1").await.unwrap();
    staged.write_rows("t", 0, &all[20..40], "").await.unwrap(); // retry after a crash
    staged.write_rows("t", 0, &all[40..55], "").await.unwrap();
    staged.write_rows("t", 0, &all[40..60], "").await.unwrap(); // retry with a bigger batch
    assert_eq!(
        staged.checkpoint("t", 0).await.unwrap().map(|c| c.last_key),
        Some(key(2, 59))
    );
    staged
        .publish(&manifest("b1", &[("t", 2, &all)]))
        .await
        .unwrap();

    let reader = store.open("b1").await.unwrap();
    assert_same_rows(&read_all(&reader, "t").await, &all);
    let segments = std::fs::read_dir(store.root().join("b1/tables/t"))
        .unwrap()
        .count();
    assert_eq!(
        segments, 3,
        "retries replaced segments instead of adding them"
    );
}
