//! Several tables restored at once (as many as there are writers), each read from the store
//! once: the data comes back exactly, and damage found while writing fails the restore.

use tablevault::config::EngineConfig;
use tablevault::emulator::FaultConfig;
use tablevault::engine::{EngineError, IfExists, RunControls};
use tablevault::store::StoreError;

use crate::fixture::{typed_rows, typed_table, Fixture, DAY_MS};
use crate::support::poll::{wait_until, WAIT_LIMIT};

fn writers(n: usize) -> RunControls {
    RunControls::new(EngineConfig {
        writers: n,
        ..EngineConfig::default()
    })
}

#[tokio::test]
async fn tables_are_restored_at_once_and_exactly() {
    let fx = Fixture::start().await;
    let tables: Vec<_> = ["a", "b", "c"]
        .iter()
        .map(|name| (typed_table(name), typed_rows(1_000, 3 * DAY_MS)))
        .collect();
    fx.backup("b1", &tables).await;
    // Every write waits, so one table cannot finish before the next one starts.
    fx.emulator.set_faults(FaultConfig {
        actions: vec!["BatchWriteRow".into()],
        latency_ms: 100,
        ..FaultConfig::default()
    });
    // Three writers: room for the three tables at once (never more tables than writers).
    let ctx = writers(3);

    let renames = [("a", "a2"), ("b", "b2"), ("c", "c2")];
    let restore = fx.restore_with("b1", fx.job(&renames, IfExists::Fail), &ctx);
    let watch = async {
        let all_created = || fx.emulator.stats().tables == 3;
        wait_until("all three targets created", WAIT_LIMIT, all_created).await;
        // One after another, the third table is created only once 2,000 rows are in.
        ctx.progress.snapshot().rows
    };
    let (report, rows_when_all_created) = tokio::join!(restore, watch);

    let report = report.expect("restore");
    assert!(
        rows_when_all_created < 1_000,
        "the tables were restored one after another ({rows_when_all_created} rows written \
         before the third was created)"
    );
    for ((description, rows), (_, copy)) in tables.iter().zip(renames) {
        assert_eq!(
            fx.read_table(copy).await,
            *rows,
            "table {}",
            description.name
        );
    }
    let reported: Vec<(&str, u64)> = report
        .tables
        .iter()
        .map(|t| (t.target_table.as_str(), t.rows))
        .collect();
    assert_eq!(reported, vec![("a2", 1_000), ("b2", 1_000), ("c2", 1_000)]);
    // 3-day-old cells: each target's deviation was raised while writing, and set back.
    for (_, copy) in renames {
        let d = fx.client.describe_table(copy).await.unwrap();
        assert_eq!(d.options.max_time_deviation, 86_400, "{copy} set back");
    }
    assert!(report.tables.iter().all(|t| t.raised_deviation.is_some()));
    assert_eq!(ctx.progress.snapshot().tables_done, 3);
}

/// Flips a byte in the middle of segment `n` (1-based, in name order) of `table`.
fn damage_segment(fx: &Fixture, id: &str, table: &str, n: usize) -> std::path::PathBuf {
    let dir = fx.archive_root().join(id).join("tables").join(table);
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .flatten()
        .map(|e| e.path())
        .collect();
    files.sort();
    let path = files[n - 1].clone();
    let mut bytes = std::fs::read(&path).expect("read segment");
    let middle = bytes.len() / 2;
    bytes[middle] ^= 0x01;
    std::fs::write(&path, bytes).expect("write segment");
    path
}

#[tokio::test]
async fn a_damaged_segment_in_the_second_table_fails_the_restore_clearly() {
    let fx = Fixture::start().await;
    let rows = typed_rows(200, DAY_MS / 2);
    fx.backup(
        "b1",
        &[
            (typed_table("first"), rows.clone()),
            (typed_table("second"), rows.clone()),
        ],
    )
    .await;
    // The fixture writes 50 rows a segment: the third of four is damaged.
    let damaged = damage_segment(&fx, "b1", "second", 3);
    let ctx = writers(4);

    let result = fx
        .restore_with("b1", fx.job(&[], IfExists::Fail), &ctx)
        .await;

    let error = result.expect_err("a damaged segment must fail the restore");
    let message = error.to_string();
    assert!(
        matches!(
            &error,
            EngineError::Store {
                source: StoreError::Corrupt { .. },
                ..
            }
        ),
        "{error:?}"
    );
    assert!(
        message.contains("reading table second from backup b1"),
        "{message}"
    );
    let file = damaged.file_name().unwrap().to_string_lossy().to_string();
    assert!(message.contains(&file), "{message}");
    // The damaged table is not counted as restored, and holds at most the rows before the
    // damaged segment.
    assert!(ctx.progress.snapshot().tables_done <= 1);
    assert!(fx.read_table("second").await.len() <= 100);
}

#[tokio::test]
async fn rows_that_do_not_add_up_to_the_manifest_fail_the_restore_after_writing() {
    let fx = Fixture::start().await;
    let rows = typed_rows(120, DAY_MS / 2);
    fx.backup("b1", &[(typed_table("t"), rows)]).await;
    // A manifest whose checksum no longer matches the rows (every segment itself intact).
    let manifest_path = fx.archive_root().join("b1").join("manifest.json");
    let text = std::fs::read_to_string(&manifest_path).expect("manifest");
    let mut manifest: serde_json::Value = serde_json::from_str(&text).expect("manifest JSON");
    manifest["tables"][0]["checksum"] = format!("v1:{:032x}", 1).into();
    std::fs::write(&manifest_path, manifest.to_string()).expect("write manifest");

    let result = fx.restore("b1", fx.job(&[], IfExists::Fail)).await;

    match result {
        Err(EngineError::Mismatch { table, detail }) => {
            assert_eq!(table, "t");
            assert!(detail.contains("checksum: manifest v1:"), "{detail}");
            assert!(
                detail.contains("120 rows were written to table t before the mismatch was found"),
                "{detail}"
            );
        }
        other => panic!("expected a checksum mismatch, got {other:?}"),
    }
}
