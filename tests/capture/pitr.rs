//! Point in time: base rows + captured changes up to an instant equal the table as the emulator
//! showed it at that instant, every row and every version with its timestamp.

use crate::support::emulator::{client, default_emulator, read_table};
use crate::support::waves::{wave_table, write_wave, MAX_VERSIONS};
use tablevault::capture::replay::replay_until;
use tablevault::capture::{ArchiveChangeStore, CaptureSettings, TableCapture};
use tablevault::tablestore::client::StreamRecord;
use tablevault::tablestore::Row;

#[tokio::test]
async fn base_plus_changes_up_to_each_instant_equals_the_table_at_that_instant() {
    let emulator = default_emulator().await;
    let client = client(&emulator);
    client.create_table(&wave_table()).await.unwrap();
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
        write_wave(&client, w, base_ms, 6).await;
        if w == 2 {
            // The base backup: a scan started after the capture position, mid-history.
            let started = chrono::Utc::now().timestamp_micros();
            base = Some((started, read_table(&client, "t").await));
            write_wave(&client, 20 + w, base_ms, 6).await;
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
