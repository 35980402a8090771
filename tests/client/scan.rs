//! Range reads and scans over more than 12,000 rows, in both directions and with small pages,
//! and split points whose ranges together cover every row exactly once.

use futures::StreamExt;
use tablevault::emulator::EmulatorConfig;
use tablevault::tablestore::client::{chunk_writes, Client, Direction, RangeRequest, RowWrite};
use tablevault::tablestore::{Cell, PkValue, PrimaryKey, Row, Value};

use crate::setup::*;

const ROWS: i64 = 12_500;
const PARTITIONS: i64 = 37;

fn key_of(i: i64) -> PrimaryKey {
    PrimaryKey::new([
        (
            "pk_s",
            PkValue::String(format!("part-{:02}", i % PARTITIONS)),
        ),
        ("pk_i", PkValue::Integer(i)),
    ])
}

/// Loads ROWS rows through batch_write and returns their keys in key order.
async fn load(client: &Client, table: &str) -> Vec<PrimaryKey> {
    client.create_table(&two_key_table(table, 1)).await.unwrap();
    let writes: Vec<RowWrite> = (0..ROWS)
        .map(|i| {
            let cells = vec![Cell::put("v", Value::String(format!("value of row {i}")))];
            RowWrite::put(table, Row::new(key_of(i), cells))
        })
        .collect();
    for batch in chunk_writes(writes).unwrap() {
        let results = client.batch_write(&batch).await.unwrap();
        assert!(results.iter().all(Result::is_ok));
    }
    let mut keys: Vec<(String, i64)> = (0..ROWS)
        .map(|i| (format!("part-{:02}", i % PARTITIONS), i))
        .collect();
    keys.sort();
    keys.into_iter().map(|(_, i)| key_of(i)).collect()
}

async fn scan_keys(client: &Client, request: RangeRequest) -> (Vec<PrimaryKey>, usize) {
    let pages: Vec<Vec<Row>> = client
        .scan(request)
        .map(|page| page.unwrap())
        .collect()
        .await;
    let count = pages.len();
    let keys = pages.into_iter().flatten().map(|r| r.primary_key).collect();
    (keys, count)
}

fn whole(direction: Direction) -> RangeRequest {
    RangeRequest::whole_table("big", ["pk_s", "pk_i"], direction)
}

#[tokio::test]
async fn scans_every_row_in_key_order_both_ways_with_small_pages() {
    let emulator = start_emulator(EmulatorConfig {
        page_row_limit: 700,
        ..EmulatorConfig::default()
    })
    .await;
    let client = client(&emulator);
    let expected = load(&client, "big").await;

    let (forward, pages) = scan_keys(&client, whole(Direction::Forward)).await;
    assert_eq!(forward.len(), ROWS as usize);
    assert_eq!(forward, expected);
    assert_eq!(pages, (ROWS as usize).div_ceil(700));

    let (backward, _) = scan_keys(&client, whole(Direction::Backward)).await;
    let mut reversed = expected.clone();
    reversed.reverse();
    assert_eq!(backward, reversed);

    let limited = RangeRequest {
        limit: Some(333),
        ..whole(Direction::Forward)
    };
    let (keys, pages) = scan_keys(&client, limited).await;
    assert_eq!(keys, expected);
    assert_eq!(pages, (ROWS as usize).div_ceil(333));
}

#[tokio::test]
async fn get_range_returns_one_page_and_where_to_continue() {
    let emulator = default_emulator().await;
    let client = client(&emulator);
    let expected = load(&client, "big").await;

    let first = client
        .get_range(&RangeRequest {
            limit: Some(100),
            ..whole(Direction::Forward)
        })
        .await
        .unwrap();
    let keys: Vec<PrimaryKey> = first.rows.iter().map(|r| r.primary_key.clone()).collect();
    assert_eq!(keys, expected[..100]);
    assert_eq!(first.next_start.as_ref(), Some(&expected[100]));
    assert_eq!(first.next_token, None);
    let cell = &first.rows[0].cells[0];
    assert_eq!(cell.name, "v");
    assert!(cell.timestamp.is_some(), "the server stamps every cell");

    // A bounded range [expected[10], expected[20]) holds exactly those ten rows.
    let bounded = RangeRequest::new("big", expected[10].clone(), expected[20].clone());
    let page = client.get_range(&bounded).await.unwrap();
    let keys: Vec<PrimaryKey> = page.rows.into_iter().map(|r| r.primary_key).collect();
    assert_eq!(keys, expected[10..20]);
    assert_eq!(page.next_start, None);
}

#[tokio::test]
async fn split_ranges_cover_every_row_exactly_once() {
    let emulator = start_emulator(EmulatorConfig {
        page_row_limit: 1000,
        ..EmulatorConfig::default()
    })
    .await;
    let client = client(&emulator);
    let expected = load(&client, "big").await;

    let ranges = client.compute_split_points("big", 64 * 1024).await.unwrap();
    assert!(
        ranges.len() > 3,
        "expected several ranges, got {}",
        ranges.len()
    );
    let all_min = PrimaryKey::bound(["pk_s", "pk_i"], PkValue::InfMin);
    let all_max = PrimaryKey::bound(["pk_s", "pk_i"], PkValue::InfMax);
    assert_eq!(ranges.first().unwrap().start, all_min);
    assert_eq!(ranges.last().unwrap().end, all_max);
    for pair in ranges.windows(2) {
        assert_eq!(pair[0].end, pair[1].start, "ranges must chain without gaps");
        assert_eq!(
            pair[1].start.columns()[1].value,
            PkValue::InfMin,
            "short points are padded"
        );
    }

    let tasks: Vec<_> = ranges
        .iter()
        .map(|range| {
            let client = client.clone();
            let request = range.to_request("big");
            tokio::spawn(async move { scan_keys(&client, request).await.0 })
        })
        .collect();
    let mut scanned = Vec::new();
    for task in tasks {
        let keys = task.await.unwrap();
        assert!(!keys.is_empty(), "every range holds rows");
        scanned.extend(keys);
    }
    assert_eq!(scanned, expected, "in range order, every row once");
}

#[tokio::test]
async fn a_table_too_small_to_split_is_one_range() {
    let emulator = default_emulator().await;
    let client = client(&emulator);
    client.create_table(&int_key_table("tiny")).await.unwrap();
    let ranges = client
        .compute_split_points("tiny", 100 * 1024 * 1024)
        .await
        .unwrap();
    assert_eq!(ranges.len(), 1);
    assert_eq!(ranges[0].start, PrimaryKey::bound(["id"], PkValue::InfMin));
    assert_eq!(ranges[0].end, PrimaryKey::bound(["id"], PkValue::InfMax));
}
