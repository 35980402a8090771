//! Point in time: base rows + captured changes up to an instant equal the table as the emulator
//! showed it at that instant, every row and every version with its timestamp.

use crate::support::emulator::{client, default_emulator, read_table};
use tablevault::capture::replay::replay_until;
use tablevault::capture::{ArchiveChangeStore, CaptureSettings, TableCapture};
use tablevault::tablestore::client::{Client, RowExistence, RowWrite, StreamRecord};
use tablevault::tablestore::{
    Cell, PkSchema, PkType, PkValue, PrimaryKey, Row, TableDescription, Value,
};

const MAX_VERSIONS: i32 = 3;

fn key(s: &str, i: i64) -> PrimaryKey {
    PrimaryKey::new([("s", PkValue::String(s.into())), ("i", PkValue::Integer(i))])
}

/// One wave of writes of every kind; `w` makes each wave's values and versions distinct.
async fn wave(client: &Client, w: i64, base_ms: i64) {
    let ts = |n: i64| base_ms + w * 100 + n;
    for i in 0..6 {
        let row = Row::new(
            key("p", i),
            vec![
                Cell::put_at("a", Value::Integer(w * 10 + i), ts(i)),
                Cell::put("b", Value::String(format!("w{w}"))),
            ],
        );
        client
            .put_row("t", &row, RowExistence::Ignore)
            .await
            .unwrap();
    }
    // A row rewritten many times: more versions than the table keeps.
    for n in 0..5 {
        let row = Row::new(
            key("hot", 0),
            vec![Cell::put_at("v", Value::Integer(w * 100 + n), ts(10 + n))],
        );
        client
            .update_row("t", &row, RowExistence::Ignore)
            .await
            .unwrap();
    }
    // Updates that delete one version, delete a column, and add one.
    let update = Row::new(
        key("p", w % 6),
        vec![
            Cell::delete_one("a", ts(w % 6)),
            Cell::delete_all("b"),
            Cell::put_at("c", Value::Double(w as f64 + 0.5), ts(20)),
        ],
    );
    client
        .update_row("t", &update, RowExistence::Ignore)
        .await
        .unwrap();
    client
        .delete_row("t", &key("p", (w + 3) % 6), RowExistence::Ignore)
        .await
        .unwrap();
    client
        .batch_write(&[
            RowWrite::put(
                "t",
                Row::new(
                    key("batch", w),
                    vec![Cell::put("x", Value::Boolean(w % 2 == 0))],
                ),
            ),
            RowWrite::delete("t", key("batch", w - 1)),
        ])
        .await
        .unwrap();
}

#[tokio::test]
async fn base_plus_changes_up_to_each_instant_equals_the_table_at_that_instant() {
    let emulator = default_emulator().await;
    let client = client(&emulator);
    let mut table = TableDescription::new(
        "t",
        vec![
            PkSchema::new("s", PkType::String),
            PkSchema::new("i", PkType::Integer),
        ],
    );
    table.options.max_versions = MAX_VERSIONS;
    client.create_table(&table).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let store = ArchiveChangeStore::new(dir.path(), "sched-1", "t").unwrap();
    let mut capture = TableCapture::new(
        client.clone(),
        "t",
        std::sync::Arc::new(store.clone()),
        CaptureSettings::default(),
    );
    capture.run_once().await.unwrap(); // turns the stream on: the capture position

    let base_ms = chrono::Utc::now().timestamp_millis() - 60_000;
    // (instant µs, table read right after it)
    let mut snapshots: Vec<(i64, Vec<Row>)> = Vec::new();
    let mut base: Option<(i64, Vec<Row>)> = None;
    for w in 1..=4 {
        wave(&client, w, base_ms).await;
        if w == 2 {
            // The base backup: a scan started after the capture position, mid-history.
            let started = chrono::Utc::now().timestamp_micros();
            base = Some((started, read_table(&client, "t").await));
            wave(&client, 20 + w, base_ms).await;
        }
        let instant = chrono::Utc::now().timestamp_micros();
        snapshots.push((instant, read_table(&client, "t").await));
        capture.run_once().await.unwrap();
    }
    let records: Vec<StreamRecord> = store
        .read_all()
        .unwrap()
        .into_iter()
        .flat_map(|s| s.records)
        .map(|r| r.record)
        .collect();
    let (base_started, base_rows) = base.unwrap();
    for (instant, expected) in &snapshots {
        assert!(!expected.is_empty());
        let from_start = replay_until(Vec::new(), &records, *instant, MAX_VERSIONS as usize);
        assert_eq!(&from_start, expected, "changes alone, up to {instant}");
        if *instant >= base_started {
            let from_base =
                replay_until(base_rows.clone(), &records, *instant, MAX_VERSIONS as usize);
            assert_eq!(&from_base, expected, "base + changes, up to {instant}");
        }
    }
}
