//! Continuous capture against the emulator's stream: every change stored once, across restarts,
//! shard splits (parents before children), expiry gaps, and the shutdown token.

#[path = "../support/mod.rs"]
mod support;

mod captured_until;
mod chain_until;
mod mongo;
mod pitr;
mod ram_policy;
mod sealed;

use std::time::Duration;

use tokio_util::sync::CancellationToken;

use support::emulator::{client, default_emulator, start_emulator};
use support::poll::eventually;
use tablevault::capture::{ArchiveChangeStore, CaptureSettings, TableCapture};
use tablevault::emulator::{EmulatorConfig, EmulatorHandle};
use tablevault::tablestore::client::{Client, RecordAction, RowExistence};
use tablevault::tablestore::{
    Cell, PkSchema, PkType, PkValue, PrimaryKey, Row, TableDescription, Value,
};

async fn table(client: &Client, name: &str, stream_hours: Option<i32>) {
    let mut table = TableDescription::new(name, vec![PkSchema::new("k", PkType::Integer)]);
    table.options.max_versions = 10;
    table.stream_expiration_hours = stream_hours;
    client.create_table(&table).await.unwrap();
}

fn key(k: i64) -> PrimaryKey {
    PrimaryKey::new([("k", PkValue::Integer(k))])
}

/// Writes `v` to key `k` (a put) and returns the value written.
async fn put(client: &Client, k: i64, v: i64) {
    let row = Row::new(key(k), vec![Cell::put("v", Value::Integer(v))]);
    client
        .put_row("t", &row, RowExistence::Ignore)
        .await
        .unwrap();
}

fn capture(
    emulator: &EmulatorHandle,
    root: &std::path::Path,
    settings: CaptureSettings,
) -> TableCapture {
    let store = ArchiveChangeStore::new(root, "sched-1", "t").unwrap();
    TableCapture::new(client(emulator), "t", std::sync::Arc::new(store), settings)
}

/// Every stored put as (key, value), in stored order.
fn stored(root: &std::path::Path) -> Vec<(i64, i64)> {
    let store = ArchiveChangeStore::new(root, "sched-1", "t").unwrap();
    store
        .read_all()
        .unwrap()
        .into_iter()
        .flat_map(|s| s.records)
        .filter(|r| r.record.action == RecordAction::Put)
        .map(|r| {
            let k = match &r.record.row.primary_key.columns()[0].value {
                PkValue::Integer(k) => *k,
                other => panic!("{other:?}"),
            };
            let v = match &r.record.row.cells[0].value {
                Some(Value::Integer(v)) => *v,
                other => panic!("{other:?}"),
            };
            (k, v)
        })
        .collect()
}

#[tokio::test]
async fn capture_turns_the_stream_on_and_stores_every_change_once() {
    let emulator = default_emulator().await;
    let client = client(&emulator);
    table(&client, "t", None).await;
    let dir = tempfile::tempdir().unwrap();
    let mut capture = capture(&emulator, dir.path(), CaptureSettings::default());
    let first = capture.run_once().await.unwrap();
    assert_eq!(first.records_stored, 0);
    assert!(
        client.stream_details("t").await.unwrap().enabled,
        "capture turned the stream on"
    );
    for v in 0..5 {
        put(&client, v % 2, v).await;
    }
    let step = capture.run_once().await.unwrap();
    assert_eq!(step.records_stored, 5);
    let until = step.captured_until_us.expect("every shard read to its tip");
    assert!(until <= chrono::Utc::now().timestamp_micros());
    client
        .delete_row("t", &key(0), RowExistence::Ignore)
        .await
        .unwrap();
    put(&client, 2, 9).await;
    assert_eq!(capture.run_once().await.unwrap().records_stored, 2);
    assert_eq!(
        capture.run_once().await.unwrap().records_stored,
        0,
        "nothing new, nothing stored"
    );
    assert_eq!(
        stored(dir.path()),
        [(0, 0), (1, 1), (0, 2), (1, 3), (0, 4), (2, 9)]
    );
    let segments = ArchiveChangeStore::new(dir.path(), "sched-1", "t")
        .unwrap()
        .read_all()
        .unwrap();
    // The first step stores its fresh position (so a restart sees what expired meanwhile);
    // after that, a step that stored nothing wrote no segment.
    assert_eq!(
        segments.iter().map(|s| s.records.len()).collect::<Vec<_>>(),
        [0, 5, 2],
        "a step that stored nothing wrote no segment"
    );
    assert_eq!(segments[2].records[0].record.action, RecordAction::Delete);
}

#[tokio::test]
async fn a_restarted_capture_resumes_after_the_last_stored_record() {
    let emulator = default_emulator().await;
    let client = client(&emulator);
    table(&client, "t", Some(24)).await;
    let dir = tempfile::tempdir().unwrap();
    for v in 0..3 {
        put(&client, v, v).await;
    }
    capture(&emulator, dir.path(), CaptureSettings::default())
        .run_once()
        .await
        .unwrap();
    for v in 3..6 {
        put(&client, v, v).await;
    }
    // A new process: only the store remembers where the first one stopped.
    let mut restarted = capture(&emulator, dir.path(), CaptureSettings::default());
    assert_eq!(restarted.run_once().await.unwrap().records_stored, 3);
    let expected: Vec<(i64, i64)> = (0..6).map(|v| (v, v)).collect();
    assert_eq!(stored(dir.path()), expected);
}

#[tokio::test]
async fn small_segments_still_store_every_change_once() {
    let emulator = default_emulator().await;
    let client = client(&emulator);
    table(&client, "t", Some(24)).await;
    let dir = tempfile::tempdir().unwrap();
    for v in 0..25 {
        put(&client, v % 3, v).await;
    }
    let settings = CaptureSettings {
        max_records_per_segment: 4,
        ..CaptureSettings::default()
    };
    let mut capture = capture(&emulator, dir.path(), settings);
    let mut steps = 0;
    loop {
        let outcome = capture.run_once().await.unwrap();
        steps += 1;
        if outcome.records_stored == 0 {
            break;
        }
        assert!(outcome.records_stored <= 4);
    }
    assert!(steps >= 7);
    let expected: Vec<(i64, i64)> = (0..25).map(|v| (v % 3, v)).collect();
    assert_eq!(stored(dir.path()), expected);
}

#[tokio::test]
async fn parents_are_read_to_their_end_before_children() {
    let emulator = default_emulator().await;
    let client = client(&emulator);
    table(&client, "t", Some(24)).await;
    let dir = tempfile::tempdir().unwrap();
    for k in 0..20 {
        put(&client, k, 0).await;
    }
    let mut capture = capture(&emulator, dir.path(), CaptureSettings::default());
    capture.run_once().await.unwrap();
    for k in 0..20 {
        put(&client, k, 1).await;
    }
    emulator.split_stream_shard("t", None).unwrap();
    for k in 0..20 {
        put(&client, k, 2).await;
    }
    emulator.split_stream_shard("t", None).unwrap();
    for k in 0..20 {
        put(&client, k, 3).await;
    }
    capture.run_once().await.unwrap();
    let all = stored(dir.path());
    assert_eq!(all.len(), 80);
    for k in 0..20 {
        let versions: Vec<i64> = all
            .iter()
            .filter(|(key, _)| *key == k)
            .map(|(_, v)| *v)
            .collect();
        assert_eq!(versions, [0, 1, 2, 3], "key {k} in write order");
    }
}

/// Unread records that expired are a gap: the step records it (in the stored checkpoint, kept
/// by every later one) and continues from a fresh position, so later changes are captured.
#[tokio::test]
async fn unread_records_that_expired_are_a_recorded_gap_and_capture_goes_on() {
    let emulator = start_emulator(EmulatorConfig {
        stream_hour_ms: 200,
        ..EmulatorConfig::default()
    })
    .await;
    let client = client(&emulator);
    table(&client, "t", Some(1)).await;
    let dir = tempfile::tempdir().unwrap();
    let mut capture = capture(&emulator, dir.path(), CaptureSettings::default());
    put(&client, 1, 1).await;
    let first = capture.run_once().await.unwrap();
    assert_eq!(first.gap, None);
    let before_gap = chrono::Utc::now().timestamp_micros();
    put(&client, 2, 2).await;
    // The daemon is "stopped" while the second record expires.
    let stream_id = client.stream_details("t").await.unwrap().stream_id.unwrap();
    let shard = client.describe_stream(&stream_id).await.unwrap().shards[0]
        .shard_id
        .clone();
    eventually(
        "the second record expires",
        Duration::from_secs(10),
        || async {
            let it = client.shard_iterator(&stream_id, &shard).await.unwrap();
            let page = client.stream_records(&it, None).await.unwrap();
            page.records.is_empty().then_some(())
        },
    )
    .await;
    let step = capture.run_once().await.expect("a gap is not a failure");
    let gap = step.gap.expect("the gap is reported");
    assert!(
        gap.from_us <= before_gap,
        "{gap:?} starts where capture was"
    );
    assert!(gap.until_us > before_gap, "{gap:?}");
    assert!(gap.reason.contains("expired"), "{gap:?}");
    assert_eq!(stored(dir.path()), [(1, 1)], "nothing stored past the gap");
    let store = ArchiveChangeStore::new(dir.path(), "sched-1", "t").unwrap();
    assert_eq!(
        store.latest_checkpoint().unwrap().unwrap().gaps,
        std::slice::from_ref(&gap),
        "the gap is stored with the fresh position"
    );

    // A restarted capture continues from the fresh position and keeps the gap.
    drop(capture);
    let mut restarted = self::capture(&emulator, dir.path(), CaptureSettings::default());
    put(&client, 3, 3).await;
    let step = restarted.run_once().await.unwrap();
    assert_eq!(step.gap, None, "the same gap is not found twice");
    assert_eq!(stored(dir.path()), [(1, 1), (3, 3)]);
    assert_eq!(store.latest_checkpoint().unwrap().unwrap().gaps, [gap]);
}

/// A disabled stream is a gap too: capture turns the stream on again (a new stream id) and
/// reads the new stream from its start.
#[tokio::test]
async fn a_disabled_stream_is_a_gap_and_capture_turns_it_on_again() {
    let emulator = default_emulator().await;
    let client = client(&emulator);
    table(&client, "t", Some(1)).await;
    let dir = tempfile::tempdir().unwrap();
    let mut capture = capture(&emulator, dir.path(), CaptureSettings::default());
    put(&client, 1, 1).await;
    capture.run_once().await.unwrap();
    let old_stream = client.stream_details("t").await.unwrap().stream_id;
    let off = tablevault::tablestore::client::TableUpdate {
        stream: Some(tablevault::tablestore::client::StreamChange::Disable),
        ..Default::default()
    };
    client.update_table("t", &off).await.unwrap();
    put(&client, 2, 2).await; // lost: no stream
    let step = capture.run_once().await.expect("a gap is not a failure");
    assert!(step.gap.is_some(), "{step:?}");
    let new_stream = client.stream_details("t").await.unwrap();
    assert!(new_stream.enabled, "capture turned the stream on again");
    assert_ne!(new_stream.stream_id, old_stream);
    put(&client, 3, 3).await;
    capture.run_once().await.unwrap();
    assert_eq!(stored(dir.path()), [(1, 1), (3, 3)]);
}

#[tokio::test]
async fn run_stores_changes_until_the_shutdown_token_fires() {
    let emulator = default_emulator().await;
    let client = client(&emulator);
    table(&client, "t", Some(24)).await;
    let dir = tempfile::tempdir().unwrap();
    let settings = CaptureSettings {
        idle_pause: Duration::from_millis(20),
        ..CaptureSettings::default()
    };
    let mut capture = capture(&emulator, dir.path(), settings);
    let shutdown = CancellationToken::new();
    let task = tokio::spawn({
        let shutdown = shutdown.clone();
        async move { capture.run(shutdown).await }
    });
    put(&client, 7, 70).await;
    let root = dir.path().to_path_buf();
    eventually("the change is stored", Duration::from_secs(10), || {
        let root = root.clone();
        async move { (stored(&root) == [(7, 70)]).then_some(()) }
    })
    .await;
    shutdown.cancel();
    tokio::time::timeout(Duration::from_secs(5), task)
        .await
        .expect("run stops on the token")
        .unwrap()
        .unwrap();
}

#[tokio::test]
async fn pruning_removes_older_segments_but_never_the_newest() {
    let emulator = default_emulator().await;
    let client = client(&emulator);
    table(&client, "t", Some(24)).await;
    let dir = tempfile::tempdir().unwrap();
    let mut capturing = capture(&emulator, dir.path(), CaptureSettings::default());
    for v in 0..3 {
        put(&client, v, v).await;
    }
    capturing.run_once().await.unwrap();
    let store = ArchiveChangeStore::new(dir.path(), "sched-1", "t").unwrap();
    let first = store.read_all().unwrap();
    let cut = first[0]
        .records
        .iter()
        .map(|r| r.record.sequence.timestamp_us)
        .max()
        .unwrap()
        + 1;
    for v in 3..5 {
        put(&client, v, v).await;
    }
    capturing.run_once().await.unwrap();

    assert_eq!(store.prune_segments_before(cut).unwrap(), 3);
    assert_eq!(stored(dir.path()), [(3, 3), (4, 4)]);
    // The newest segment holds the checkpoint: kept even when all its records are older.
    assert_eq!(store.prune_segments_before(i64::MAX).unwrap(), 0);
    put(&client, 5, 5).await;
    let mut restarted = capture(&emulator, dir.path(), CaptureSettings::default());
    assert_eq!(restarted.run_once().await.unwrap().records_stored, 1);
    assert_eq!(stored(dir.path()), [(3, 3), (4, 4), (5, 5)]);
}
