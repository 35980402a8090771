//! The stream log on its own: positions, pages, end of shard, expiry, splits.

use super::log::{ReadError, StreamLog};
use super::partition_hash;
use crate::tablestore::plainbuffer::decode_stream_record;
use crate::tablestore::proto::ActionType;
use crate::tablestore::row::{Cell, PkValue, PrimaryKey, Row, Value};

const HOUR: i64 = 1_000_000;

fn row(key: i64, value: i64) -> Row {
    Row::new(
        PrimaryKey::new([("k", PkValue::Integer(key))]),
        vec![Cell::put_at("v", Value::Integer(value), 1)],
    )
}

fn append(log: &mut StreamLog, key: i64, value: i64, at: i64) {
    let r = row(key, value);
    log.append(partition_hash(&r.primary_key), ActionType::PutRow, &r, at);
}

fn values(log: &mut StreamLog, shard: &str, now: i64) -> Vec<i64> {
    let page = log.read(shard, 0, 1000, now).unwrap();
    page.records
        .iter()
        .map(
            |r| match &decode_stream_record(&r.payload).unwrap().0.cells[0].value {
                Some(Value::Integer(v)) => *v,
                other => panic!("unexpected {other:?}"),
            },
        )
        .collect()
}

#[test]
fn pages_advance_by_exactly_the_limit_and_stay_open_at_the_tip() {
    let mut log = StreamLog::new("t", 1, HOUR, 0);
    let shard = log.shards()[0].id.clone();
    for i in 0..5 {
        append(&mut log, i, i, 10);
    }
    let page = log.read(&shard, 0, 2, 10).unwrap();
    assert_eq!(page.records.len(), 2);
    assert_eq!((page.next_offset, page.more), (Some(2), true));
    let page = log.read(&shard, 2, 100, 10).unwrap();
    assert_eq!(
        (page.records.len(), page.next_offset, page.more),
        (3, Some(5), false)
    );
    let tip = log.read(&shard, 5, 100, 10).unwrap();
    assert!(tip.records.is_empty());
    assert_eq!(tip.next_offset, Some(5), "same position back at the tip");
    assert_eq!(
        log.read(&shard, 6, 1, 10).unwrap_err(),
        ReadError::BeyondEnd
    );
}

#[test]
fn records_sharing_a_commit_time_count_up_their_row_index() {
    let mut log = StreamLog::new("t", 1, HOUR, 0);
    let shard = log.shards()[0].id.clone();
    append(&mut log, 1, 1, 10);
    append(&mut log, 1, 2, 10);
    append(&mut log, 1, 3, 9); // a clock step back never reorders the log
    append(&mut log, 1, 4, 11);
    let page = log.read(&shard, 0, 10, 11).unwrap();
    let seqs: Vec<(i64, u32)> = page
        .records
        .iter()
        .map(|r| (r.sequence.timestamp_us, r.sequence.row_index))
        .collect();
    assert_eq!(seqs, [(10, 0), (10, 1), (10, 2), (11, 0)]);
    for r in &page.records {
        assert_eq!(decode_stream_record(&r.payload).unwrap().1, r.sequence);
    }
}

#[test]
fn expired_records_are_trimmed_and_old_positions_refused() {
    let mut log = StreamLog::new("t", 2, HOUR, 0);
    let shard = log.shards()[0].id.clone();
    append(&mut log, 1, 1, 100);
    append(&mut log, 1, 2, HOUR);
    // At 2h + 101 µs the first record (100 µs) is older than 2 hours; the second is not.
    let now = 2 * HOUR + 101;
    assert_eq!(
        log.read(&shard, 0, 10, now).unwrap_err(),
        ReadError::Trimmed
    );
    let page = log.read(&shard, 1, 10, now).unwrap();
    assert_eq!(page.records.len(), 1);
    assert_eq!(log.shards()[0].first_offset(), 1);
}

#[test]
fn a_split_closes_the_parent_and_routes_each_key_to_one_child() {
    let mut log = StreamLog::new("t", 1, HOUR, 0);
    let parent = log.shards()[0].id.clone();
    append(&mut log, 1, 1, 10);
    let children = log.split(None, 20).unwrap();
    assert!(
        log.split(Some(&parent), 20).is_err(),
        "a closed shard cannot split again"
    );
    for shard in &log.shards()[1..] {
        assert_eq!(shard.parent_id.as_deref(), Some(parent.as_str()));
    }
    for key in 0..40 {
        append(&mut log, key, 100 + key, 30);
        append(&mut log, key, 200 + key, 31);
    }
    // The parent ends after its one record; no next position.
    let page = log.read(&parent, 0, 10, 40).unwrap();
    assert_eq!((page.records.len(), page.next_offset), (1, None));
    let a = values(&mut log, &children[0], 40);
    let b = values(&mut log, &children[1], 40);
    assert_eq!(a.len() + b.len(), 80);
    assert!(!a.is_empty() && !b.is_empty(), "both halves take keys");
    for key in 0..40 {
        let in_a = a.contains(&(100 + key));
        assert_eq!(
            in_a,
            a.contains(&(200 + key)),
            "key {key} stays in one shard"
        );
    }
}

#[test]
fn a_closed_shard_vanishes_once_its_records_expire() {
    let mut log = StreamLog::new("t", 1, HOUR, 0);
    append(&mut log, 1, 1, 10);
    log.split(None, 20).unwrap();
    log.trim(HOUR + 15);
    assert_eq!(log.shards().len(), 3, "closed at 20: still listed");
    log.trim(HOUR + 21);
    assert_eq!(log.shards().len(), 2);
    assert!(log.shards().iter().all(|s| s.is_open()));
}
