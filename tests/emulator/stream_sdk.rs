//! The emulator's GetStreamRecord bytes read by the official Python SDK (tablestore 6.4.8): its
//! generated protobuf classes parse the response, its PlainBuffer reader (checksums verified)
//! reads every row it can, and the sequence info is parsed by hand from the Java layout. The
//! result must equal what TableVault's client decodes from the same bytes.
//!
//! The SDK's reader cannot read cells with an op byte (delete-one/delete-all in UPDATE_ROW
//! records); those rows are compared by our own tests against the Java-verified vectors only.

use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Command, Stdio};

use prost::Message;
use serde_json::{json, Value as Json};

use crate::client::TestClient;
use crate::support::{emulator, oracle};
use tablevault::tablestore::client::{RecordAction, RecordPage, RowExistence, RowWrite};
use tablevault::tablestore::proto;
use tablevault::tablestore::{
    Cell, PkSchema, PkType, PkValue, PrimaryKey, Row, TableDescription, Value,
};

fn stream_oracle(requests: &[Json]) -> Vec<Json> {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/sdk/python/stream_oracle.py");
    let mut child = Command::new(oracle::python())
        .arg(&script)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("stream oracle starts");
    let mut stdin = child.stdin.take().expect("stdin is piped");
    let input: String = requests.iter().map(|r| format!("{r}\n")).collect();
    let writer = std::thread::spawn(move || stdin.write_all(input.as_bytes()));
    let replies = BufReader::new(child.stdout.take().expect("stdout is piped"))
        .lines()
        .map(|l| serde_json::from_str(&l.expect("UTF-8")).expect("oracle writes JSON"))
        .collect();
    writer
        .join()
        .expect("writer")
        .expect("oracle reads its input");
    assert!(
        child.wait().expect("oracle exits").success(),
        "stream oracle failed"
    );
    replies
}

fn key(s: &str, i: i64) -> PrimaryKey {
    PrimaryKey::new([
        ("pk_s", PkValue::String(s.into())),
        ("pk_i", PkValue::Integer(i)),
    ])
}

/// Our decoded row in the oracle's shape.
fn row_json(row: &Row) -> Json {
    json!({
        "primary_key": row.primary_key.columns().iter()
            .map(|c| json!([c.name, c.value])).collect::<Vec<_>>(),
        "cells": row.cells.iter()
            .map(|c| json!([c.name, c.value, c.timestamp])).collect::<Vec<_>>(),
    })
}

fn action_name(action: RecordAction) -> &'static str {
    match action {
        RecordAction::Put => "PUT_ROW",
        RecordAction::Update => "UPDATE_ROW",
        RecordAction::Delete => "DELETE_ROW",
    }
}

#[tokio::test]
async fn python_sdk_reads_the_emulators_stream_records_as_our_client_does() {
    let emulator = emulator::default_emulator().await;
    let client = emulator::client(&emulator);
    let mut table = TableDescription::new(
        "s",
        vec![
            PkSchema::new("pk_s", PkType::String),
            PkSchema::new("pk_i", PkType::Integer),
        ],
    );
    table.options.max_versions = 10;
    table.stream_expiration_hours = Some(24);
    client.create_table(&table).await.unwrap();

    let ts = chrono::Utc::now().timestamp_millis() - 5000;
    let values = [
        Value::Integer(i64::MIN),
        Value::Double(-0.0),
        Value::Double(f64::NAN),
        Value::Boolean(true),
        Value::String("héllo 世界".into()),
        Value::Binary(vec![0, 0xff, 7]),
    ];
    let cells: Vec<Cell> = values
        .iter()
        .enumerate()
        .map(|(i, v)| Cell::put_at(format!("c{i}"), v.clone(), ts + i as i64))
        .collect();
    client
        .put_row("s", &Row::new(key("a", 1), cells), RowExistence::Ignore)
        .await
        .unwrap();
    let server_versioned = Row::new(key("b", -7), vec![Cell::put("x", Value::Integer(1))]);
    client
        .put_row("s", &server_versioned, RowExistence::Ignore)
        .await
        .unwrap();
    let put_only_update = Row::new(
        key("a", 1),
        vec![Cell::put_at("c0", Value::Integer(5), ts + 100)],
    );
    client
        .update_row("s", &put_only_update, RowExistence::Ignore)
        .await
        .unwrap();
    let deleting_update = Row::new(
        key("a", 1),
        vec![Cell::delete_one("c1", ts + 1), Cell::delete_all("c2")],
    );
    client
        .update_row("s", &deleting_update, RowExistence::Ignore)
        .await
        .unwrap();
    client
        .batch_write(&[
            RowWrite::put(
                "s",
                Row::new(key("c", 0), vec![Cell::put_at("y", Value::Integer(2), ts)]),
            ),
            RowWrite::delete("s", key("b", -7)),
        ])
        .await
        .unwrap();
    client
        .delete_row("s", &key("a", 1), RowExistence::Ignore)
        .await
        .unwrap();

    let details = client.stream_details("s").await.unwrap();
    let stream_id = details.stream_id.unwrap();
    let shard = client.describe_stream(&stream_id).await.unwrap().shards[0]
        .shard_id
        .clone();
    let iterator = client.shard_iterator(&stream_id, &shard).await.unwrap();
    let raw = TestClient::for_emulator(&emulator)
        .post(
            "GetStreamRecord",
            proto::GetStreamRecordRequest {
                shard_iterator: iterator,
                limit: Some(100),
            }
            .encode_to_vec(),
        )
        .await;
    assert_eq!(raw.status, 200);
    let ours =
        RecordPage::from_proto(proto::GetStreamRecordResponse::decode(&raw.body[..]).unwrap())
            .expect("our client decodes the page");
    let sdk = stream_oracle(&[json!({"id": 1, "response_hex": hex::encode(&raw.body)})]).remove(0);

    assert_eq!(
        sdk["next_shard_iterator"].as_str(),
        ours.next_iterator.as_deref()
    );
    let sdk_records = sdk["records"].as_array().unwrap();
    assert_eq!(sdk_records.len(), ours.records.len());
    assert_eq!(ours.records.len(), 7);
    let mut rows_compared = 0;
    for (sdk, ours) in sdk_records.iter().zip(&ours.records) {
        assert_eq!(sdk["action"], action_name(ours.action));
        let s = ours.sequence;
        assert_eq!(
            sdk["sequence"],
            json!([s.epoch, s.timestamp_us, s.row_index])
        );
        let has_op = ours.row.cells.iter().any(|c| c.op.is_some());
        if has_op {
            assert!(
                sdk["row_error"].is_string(),
                "the SDK reader cannot read op bytes: {sdk}"
            );
        } else {
            assert_eq!(sdk["row_error"], Json::Null, "{sdk}");
            assert_eq!(sdk["row"], row_json(&ours.row), "record {s:?}");
            rows_compared += 1;
        }
    }
    assert_eq!(rows_compared, 6, "every record but the deleting update");
}
