//! The Stream API end to end: the client's four calls against the emulator's stream, for every
//! write path (PutRow, UpdateRow with every cell operation, DeleteRow, BatchWriteRow), paging,
//! the end of a split shard, lineage, expiry and disabling.

use std::time::Duration;

use crate::setup::*;
use crate::support::poll::eventually;
use tablevault::emulator::EmulatorConfig;
use tablevault::tablestore::client::{
    Client, RecordAction, RowExistence, RowWrite, StreamChange, StreamRecord, TableUpdate,
};
use tablevault::tablestore::{Cell, PkValue, PrimaryKey, Row, Value};

fn key(s: &str, i: i64) -> PrimaryKey {
    PrimaryKey::new([
        ("pk_s", PkValue::String(s.into())),
        ("pk_i", PkValue::Integer(i)),
    ])
}

async fn streamed_table(client: &Client, name: &str, hours: i32) -> String {
    let mut table = two_key_table(name, 5);
    table.stream_expiration_hours = Some(hours);
    client.create_table(&table).await.unwrap();
    let details = client.stream_details(name).await.unwrap();
    assert!(details.enabled);
    assert_eq!(details.expiration_hours, Some(hours));
    details.stream_id.expect("an enabled stream has an id")
}

/// Every record of every shard, reading each shard from its oldest record to its current end.
async fn read_all(client: &Client, stream_id: &str) -> Vec<(String, Vec<StreamRecord>)> {
    let described = client.describe_stream(stream_id).await.unwrap();
    let mut out = Vec::new();
    for shard in described.shards {
        let mut iterator = Some(
            client
                .shard_iterator(stream_id, &shard.shard_id)
                .await
                .unwrap(),
        );
        let mut records = Vec::new();
        while let Some(it) = iterator {
            let page = client.stream_records(&it, Some(2)).await.unwrap();
            let empty = page.records.is_empty();
            records.extend(page.records);
            iterator = page.next_iterator.filter(|next| !(empty && *next == it));
        }
        out.push((shard.shard_id, records));
    }
    out
}

#[tokio::test]
async fn every_write_path_appends_the_record_the_java_rules_expect() {
    let emulator = default_emulator().await;
    let client = client(&emulator);
    assert!(client.list_streams(None).await.unwrap().is_empty());
    let stream_id = streamed_table(&client, "orders", 24).await;
    let listed = client.list_streams(Some("orders")).await.unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].stream_id, stream_id);

    let t0 = chrono::Utc::now().timestamp_millis();
    let put = Row::new(
        key("a", 1),
        vec![
            Cell::put_at("colToDel", Value::String("abc".into()), t0),
            Cell::put("colToDelAll", Value::Boolean(true)),
            Cell::put_at("n", Value::Integer(123), t0),
        ],
    );
    client
        .put_row("orders", &put, RowExistence::Ignore)
        .await
        .unwrap();
    let update = Row::new(
        key("a", 1),
        vec![
            Cell::delete_one("colToDel", t0),
            Cell::delete_all("colToDelAll"),
            #[allow(clippy::approx_constant)]
            Cell::put_at("n", Value::Double(3.14), t0 + 1000),
        ],
    );
    client
        .update_row("orders", &update, RowExistence::Ignore)
        .await
        .unwrap();
    client
        .batch_write(&[
            RowWrite::put(
                "orders",
                Row::new(key("b", 2), vec![Cell::put_at("x", Value::Integer(1), t0)]),
            ),
            RowWrite::put(
                "orders",
                Row::new(key("c", 3), vec![Cell::put_at("x", Value::Integer(2), t0)]),
            ),
        ])
        .await
        .unwrap();
    client
        .delete_row("orders", &key("a", 1), RowExistence::Ignore)
        .await
        .unwrap();
    // A failed conditional write commits nothing and records nothing.
    assert!(client
        .put_row(
            "orders",
            &Row::new(key("b", 2), vec![]),
            RowExistence::ExpectNotExist
        )
        .await
        .is_err());

    let shards = read_all(&client, &stream_id).await;
    assert_eq!(shards.len(), 1, "one shard before any split");
    let records = &shards[0].1;
    let actions: Vec<RecordAction> = records.iter().map(|r| r.action).collect();
    use RecordAction::*;
    assert_eq!(actions, [Put, Update, Put, Put, Delete]);

    // PUT: every column with its version; the one written without a version got the server's.
    let put_cells = &records[0].row.cells;
    assert_eq!(put_cells.len(), 3);
    assert_eq!(put_cells[0], put.cells[0]);
    assert!(put_cells[1].timestamp.is_some_and(|ts| ts >= t0));
    assert_eq!(
        records[1].row.cells, update.cells,
        "UPDATE carries exactly its cells"
    );
    assert_eq!(records[4].row.primary_key, key("a", 1));
    assert!(records[4].row.cells.is_empty());
    // Sequence info strictly increases within the shard; times are µs around now.
    for pair in records.windows(2) {
        assert!(pair[0].sequence < pair[1].sequence, "{pair:?}");
    }
    let now_us = chrono::Utc::now().timestamp_micros();
    assert!((now_us - records[0].sequence.timestamp_us) < 60_000_000);
}

#[tokio::test]
async fn a_split_ends_the_parent_and_children_name_it() {
    let emulator = default_emulator().await;
    let client = client(&emulator);
    let stream_id = streamed_table(&client, "t", 24).await;
    for i in 0..5 {
        let row = Row::new(key("k", i), vec![Cell::put("v", Value::Integer(i))]);
        client
            .put_row("t", &row, RowExistence::Ignore)
            .await
            .unwrap();
    }
    let parent = client.describe_stream(&stream_id).await.unwrap().shards[0].clone();
    let it = client
        .shard_iterator(&stream_id, &parent.shard_id)
        .await
        .unwrap();
    let page = client.stream_records(&it, None).await.unwrap();
    let tip = page.next_iterator.clone().expect("an open shard continues");
    assert_eq!(page.records.len(), 5);
    let again = client.stream_records(&tip, None).await.unwrap();
    assert!(again.records.is_empty());
    assert_eq!(
        again.next_iterator.as_deref(),
        Some(tip.as_str()),
        "same iterator at the tip"
    );

    let children = emulator.split_stream_shard("t", None).unwrap();
    for i in 0..40 {
        let row = Row::new(
            key(&format!("k{i}"), i),
            vec![Cell::put("v", Value::Integer(i))],
        );
        client
            .put_row("t", &row, RowExistence::Ignore)
            .await
            .unwrap();
    }
    let ended = client.stream_records(&tip, None).await.unwrap();
    assert!(ended.records.is_empty());
    assert_eq!(
        ended.next_iterator, None,
        "a closed, fully read shard has no next iterator"
    );

    let described = client.describe_stream(&stream_id).await.unwrap();
    let ids: Vec<&str> = described
        .shards
        .iter()
        .map(|s| s.shard_id.as_str())
        .collect();
    assert_eq!(ids, [parent.shard_id.as_str(), &children[0], &children[1]]);
    for child in &described.shards[1..] {
        assert_eq!(
            child.parents().collect::<Vec<_>>(),
            [parent.shard_id.as_str()]
        );
    }
    let all = read_all(&client, &stream_id).await;
    let counts: Vec<usize> = all.iter().map(|(_, r)| r.len()).collect();
    assert_eq!(counts[0], 5);
    assert_eq!(counts[1] + counts[2], 40);
}

#[tokio::test]
async fn describe_stream_pages_through_many_shards() {
    let emulator = default_emulator().await;
    let client = client(&emulator);
    let stream_id = streamed_table(&client, "t", 24).await;
    // 1 + 2 × 60 shards: more than one DescribeStream page of 100.
    for _ in 0..60 {
        emulator.split_stream_shard("t", None).unwrap();
    }
    let described = client.describe_stream(&stream_id).await.unwrap();
    assert_eq!(described.shards.len(), 121);
    let unique: std::collections::HashSet<_> =
        described.shards.iter().map(|s| &s.shard_id).collect();
    assert_eq!(unique.len(), 121);
}

#[tokio::test]
async fn records_expire_after_the_expiration_time_and_old_positions_are_refused() {
    let emulator = start_emulator(EmulatorConfig {
        stream_hour_ms: 300,
        ..EmulatorConfig::default()
    })
    .await;
    let client = client(&emulator);
    let stream_id = streamed_table(&client, "t", 1).await;
    let row = Row::new(key("k", 1), vec![Cell::put("v", Value::Integer(1))]);
    client
        .put_row("t", &row, RowExistence::Ignore)
        .await
        .unwrap();
    let shard = client.describe_stream(&stream_id).await.unwrap().shards[0]
        .shard_id
        .clone();
    let start = client.shard_iterator(&stream_id, &shard).await.unwrap();
    assert_eq!(
        client
            .stream_records(&start, None)
            .await
            .unwrap()
            .records
            .len(),
        1
    );
    let error = eventually("the record expires", Duration::from_secs(10), || async {
        client.stream_records(&start, None).await.err()
    })
    .await;
    assert!(error.is_trimmed(), "{error}");
    assert_eq!(error.http_status(), Some(404));
    // The oldest retained position is now after the expired record.
    let fresh = client.shard_iterator(&stream_id, &shard).await.unwrap();
    assert_ne!(fresh, start);
    assert!(client
        .stream_records(&fresh, None)
        .await
        .unwrap()
        .records
        .is_empty());
}

#[tokio::test]
async fn disabling_the_stream_ends_it_and_reenabling_starts_a_new_one() {
    let emulator = default_emulator().await;
    let client = client(&emulator);
    let first = streamed_table(&client, "t", 24).await;
    let row = Row::new(key("k", 1), vec![Cell::put("v", Value::Integer(1))]);
    client
        .put_row("t", &row, RowExistence::Ignore)
        .await
        .unwrap();
    let shard = client.describe_stream(&first).await.unwrap().shards[0]
        .shard_id
        .clone();
    let iterator = client.shard_iterator(&first, &shard).await.unwrap();
    let off = TableUpdate {
        stream: Some(StreamChange::Disable),
        ..TableUpdate::default()
    };
    client.update_table("t", &off).await.unwrap();
    let details = client.stream_details("t").await.unwrap();
    assert!(!details.enabled && details.stream_id.is_none());
    assert!(client.list_streams(Some("t")).await.unwrap().is_empty());
    assert!(client
        .describe_stream(&first)
        .await
        .unwrap_err()
        .is_not_found());
    assert!(client
        .stream_records(&iterator, None)
        .await
        .unwrap_err()
        .is_trimmed());

    let on = TableUpdate {
        stream: Some(StreamChange::Enable {
            expiration_hours: 12,
        }),
        ..TableUpdate::default()
    };
    client.update_table("t", &on).await.unwrap();
    let second = client.stream_details("t").await.unwrap();
    assert_ne!(second.stream_id.as_deref(), Some(first.as_str()));
    assert_eq!(second.expiration_hours, Some(12));
    assert!(second.last_enable_time_us.is_some());
}
