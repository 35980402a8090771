//! kill -9 of the daemon while its continuous capture stores a table's changes under a steady
//! write load, three times, each restart on the same state: every change the table received
//! is stored exactly once. A change segment and the checkpoint after it are one atomically
//! renamed file, so a kill at any instant keeps both or neither, and the restarted capture
//! resumes after the last stored record.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, AtomicI64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use tablevault::capture::ArchiveChangeStore;
use tablevault::emulator::EmulatorConfig;
use tablevault::tablestore::client::{Client, RecordAction, RowExistence};
use tablevault::tablestore::{Cell, PkValue, PrimaryKey, Row, Value};

use crate::api::Api;
use crate::rig::Rig;
use crate::support::emulator::production_client;
use crate::support::poll::poll_until;

const KILLS: usize = 3;
/// Safety net for capture to turn the stream on or catch up; a test that reaches it failed.
const CAPTURE_LIMIT: Duration = Duration::from_secs(60);

/// Every captured put of `orders` as `seq` value → how many times it was stored, and the
/// number of stored records per (shard, sequence) that occur more than once.
fn stored(store: &ArchiveChangeStore) -> (BTreeMap<i64, usize>, usize) {
    let mut seqs = BTreeMap::new();
    let mut positions = BTreeMap::new();
    for segment in store.read_all().expect("segments readable") {
        for captured in segment.records {
            let s = &captured.record.sequence;
            let position = (
                captured.shard_id.clone(),
                s.epoch,
                s.timestamp_us,
                s.row_index,
            );
            *positions.entry(position).or_insert(0usize) += 1;
            if captured.record.action != RecordAction::Put {
                continue;
            }
            let seq = captured.record.row.cells.iter().find(|c| c.name == "seq");
            if let Some(Value::Integer(seq)) = seq.and_then(|c| c.value.clone()) {
                *seqs.entry(seq).or_insert(0) += 1;
            }
        }
    }
    let repeated = positions.values().filter(|n| **n > 1).count();
    (seqs, repeated)
}

/// Writes `seq = 0, 1, 2, …` over ten keys until `stop`; `written` is the last one done, and
/// the task returns it.
fn start_writer(
    client: Client,
    stop: Arc<AtomicBool>,
    written: Arc<AtomicI64>,
) -> tokio::task::JoinHandle<i64> {
    tokio::spawn(async move {
        let mut seq = 0i64;
        while !stop.load(Ordering::SeqCst) {
            let key = PrimaryKey::new([("id", PkValue::Integer(10_000 + seq % 10))]);
            let row = Row::new(key, vec![Cell::put("seq", Value::Integer(seq))]);
            client
                .put_row("orders", &row, RowExistence::Ignore)
                .await
                .expect("write");
            written.store(seq, Ordering::SeqCst);
            seq += 1;
        }
        seq - 1
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn capture_killed_mid_stream_stores_every_change_exactly_once() {
    let rig = Rig::new(EmulatorConfig::default(), "").await;
    let mut daemon = rig.start(None);
    let schedule_id = Api::new(&daemon).continuous_schedule().await;
    let client = production_client(&rig.emulator);
    poll_until("the stream to be on", CAPTURE_LIMIT, || {
        let client = client.clone();
        async move {
            let on = client
                .stream_details("orders")
                .await
                .map_err(|e| e.to_string())?;
            on.enabled
                .then_some(())
                .ok_or_else(|| "stream off".to_string())
        }
    })
    .await;
    let store = ArchiveChangeStore::new(&rig.dir.path().join("archive"), &schedule_id, "orders")
        .expect("change store");
    let (stop, written) = (
        Arc::new(AtomicBool::new(false)),
        Arc::new(AtomicI64::new(-1)),
    );
    let writer = start_writer(client.clone(), stop.clone(), written.clone());

    for kill in 0..KILLS {
        // Kill once capture has stored changes written since the last restart.
        let floor = written.load(Ordering::SeqCst);
        poll_until("capture to store new changes", CAPTURE_LIMIT, || async {
            let (seqs, _) = stored(&store);
            let newest = seqs.keys().next_back().copied().unwrap_or(-1);
            (newest > floor + 20)
                .then_some(())
                .ok_or_else(|| format!("stored up to {newest}, written {floor}"))
        })
        .await;
        daemon.signal("KILL");
        let status = daemon.wait();
        assert!(!status.success(), "kill {kill}: the daemon was killed");
        daemon = rig.start(None);
    }
    stop.store(true, Ordering::SeqCst);
    let last = writer.await.expect("writer");
    // One more write after the writer stopped, so "caught up" has a fixed target.
    let marker = last + 1_000_000;
    let key = PrimaryKey::new([("id", PkValue::Integer(20_000))]);
    let row = Row::new(key, vec![Cell::put("seq", Value::Integer(marker))]);
    client
        .put_row("orders", &row, RowExistence::Ignore)
        .await
        .expect("marker");
    poll_until("capture to catch up", CAPTURE_LIMIT, || async {
        let (seqs, _) = stored(&store);
        seqs.contains_key(&marker)
            .then_some(())
            .ok_or_else(|| format!("{} stored", seqs.len()))
    })
    .await;
    drop(daemon);

    let (seqs, repeated) = stored(&store);
    assert_eq!(repeated, 0, "no stream record is stored twice");
    let twice: Vec<_> = seqs.iter().filter(|(_, n)| **n != 1).collect();
    assert!(twice.is_empty(), "changes stored more than once: {twice:?}");
    let missing: Vec<i64> = (0..=last).filter(|s| !seqs.contains_key(s)).collect();
    assert!(
        missing.is_empty(),
        "changes lost across {KILLS} kills: {missing:?}"
    );
    assert_eq!(
        seqs.len() as i64,
        last + 2,
        "every write and the marker, nothing else"
    );
}
