//! Single-row operations against the emulator: every value type and edge value, versions with
//! explicit timestamps, update operations and row conditions.

use crate::setup::*;
use tablevault::tablestore::client::{ReadOptions, RowExistence, TimeRange};
use tablevault::tablestore::{codes, Cell, PkValue, PrimaryKey, Row, Value};

fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

fn key(s: &str, i: i64) -> PrimaryKey {
    PrimaryKey::new([
        ("pk_s", PkValue::String(s.into())),
        ("pk_i", PkValue::Integer(i)),
    ])
}

/// Values at the edges of every type; doubles are compared by bits.
fn edge_values() -> Vec<Value> {
    vec![
        Value::Integer(i64::MIN),
        Value::Integer(i64::MAX),
        Value::Integer(0),
        Value::Double(-0.0),
        Value::Double(f64::NAN),
        Value::Double(f64::INFINITY),
        Value::Double(f64::NEG_INFINITY),
        Value::Double(5e-324),
        Value::Double(f64::MAX),
        Value::Boolean(true),
        Value::Boolean(false),
        Value::String(String::new()),
        Value::String("héllo, 世界 🌍 \u{0} end".into()),
        Value::String("x".repeat(200_000)),
        Value::Binary(Vec::new()),
        Value::Binary((0..=255).collect()),
        Value::Binary(vec![0xAB; 1_000_000]),
    ]
}

#[tokio::test]
async fn every_type_and_edge_value_round_trips_exactly() {
    let emulator = default_emulator().await;
    let client = client(&emulator);
    client
        .create_table(&two_key_table("types", 1))
        .await
        .unwrap();
    let ts = now_ms();
    let cells: Vec<Cell> = edge_values()
        .into_iter()
        .enumerate()
        .map(|(i, v)| Cell::put_at(format!("c{i:02}"), v, ts))
        .collect();
    let keys = [
        key("", 0),
        key("k", i64::MIN),
        key("k", i64::MAX),
        key(&"p".repeat(1024), -1),
        key("\u{10FFFF}", 1),
    ];
    for k in &keys {
        let row = Row::new(k.clone(), cells.clone());
        client
            .put_row("types", &row, RowExistence::Ignore)
            .await
            .unwrap();
        let read = client
            .get_row("types", k, &ReadOptions::default())
            .await
            .unwrap();
        assert_eq!(read, Some(row), "row {k:?}");
    }
    let absent = client
        .get_row("types", &key("absent", 1), &ReadOptions::default())
        .await;
    assert_eq!(absent.unwrap(), None);
}

#[tokio::test]
async fn binary_primary_keys_round_trip() {
    let emulator = default_emulator().await;
    let client = client(&emulator);
    let table = tablevault::tablestore::TableDescription::new(
        "bin",
        vec![tablevault::tablestore::PkSchema::new(
            "b",
            tablevault::tablestore::PkType::Binary,
        )],
    );
    client.create_table(&table).await.unwrap();
    for bytes in [vec![], vec![0u8], vec![0, 0, 255], vec![7; 1024]] {
        let k = PrimaryKey::new([("b", PkValue::Binary(bytes))]);
        let row = Row::new(
            k.clone(),
            vec![Cell::put_at("v", Value::Integer(1), now_ms())],
        );
        client
            .put_row("bin", &row, RowExistence::Ignore)
            .await
            .unwrap();
        assert_eq!(
            client
                .get_row("bin", &k, &ReadOptions::default())
                .await
                .unwrap(),
            Some(row)
        );
    }
}

#[tokio::test]
async fn versions_with_explicit_timestamps_read_back_exactly() {
    let emulator = default_emulator().await;
    let client = client(&emulator);
    client
        .create_table(&two_key_table("versions", 10))
        .await
        .unwrap();
    let k = key("a", 1);
    let t0 = now_ms() - 10_000;
    for i in 0..4 {
        let row = Row::new(
            k.clone(),
            vec![Cell::put_at("v", Value::Integer(i), t0 + i)],
        );
        client
            .update_row("versions", &row, RowExistence::Ignore)
            .await
            .unwrap();
    }
    let read = client
        .get_row("versions", &k, &ReadOptions::default())
        .await
        .unwrap()
        .unwrap();
    let mut timestamps: Vec<(i64, Value)> = read
        .cells
        .iter()
        .map(|c| (c.timestamp.unwrap(), c.value.clone().unwrap()))
        .collect();
    timestamps.sort_by_key(|(t, _)| *t);
    let expected: Vec<(i64, Value)> = (0..4).map(|i| (t0 + i, Value::Integer(i))).collect();
    assert_eq!(timestamps, expected);

    let latest = client
        .get_row("versions", &k, &ReadOptions::latest())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        latest.cells,
        vec![Cell::put_at("v", Value::Integer(3), t0 + 3)]
    );

    let exactly = ReadOptions {
        max_versions: None,
        time_range: Some(TimeRange::Exactly(t0 + 1)),
        columns_to_get: vec![],
    };
    let one = client
        .get_row("versions", &k, &exactly)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        one.cells,
        vec![Cell::put_at("v", Value::Integer(1), t0 + 1)]
    );
}

#[tokio::test]
async fn update_operations_apply() {
    let emulator = default_emulator().await;
    let client = client(&emulator);
    client.create_table(&two_key_table("upd", 5)).await.unwrap();
    let k = key("u", 7);
    let t = now_ms() - 5_000;
    let initial = Row::new(
        k.clone(),
        vec![
            Cell::put_at("a", Value::Integer(1), t),
            Cell::put_at("a", Value::Integer(2), t + 1),
            Cell::put_at("b", Value::String("gone".into()), t),
            Cell::put_at("n", Value::Integer(10), t),
        ],
    );
    client
        .put_row("upd", &initial, RowExistence::ExpectNotExist)
        .await
        .unwrap();

    let mut increment = Cell::put("n", Value::Integer(5));
    increment.op = Some(tablevault::tablestore::CellOp::Increment);
    let update = Row::new(
        k.clone(),
        vec![
            Cell::delete_one("a", t),
            Cell::delete_all("b"),
            Cell::put_at("c", Value::Boolean(true), t + 2),
            increment,
        ],
    );
    client
        .update_row("upd", &update, RowExistence::ExpectExist)
        .await
        .unwrap();

    let read = client
        .get_row("upd", &k, &ReadOptions::default())
        .await
        .unwrap()
        .unwrap();
    let find = |name: &str| -> Vec<Value> {
        read.cells
            .iter()
            .filter(|c| c.name == name)
            .map(|c| c.value.clone().unwrap())
            .collect()
    };
    assert_eq!(find("a"), vec![Value::Integer(2)]);
    assert!(find("b").is_empty());
    assert_eq!(find("c"), vec![Value::Boolean(true)]);
    assert_eq!(find("n").first(), Some(&Value::Integer(15)));

    client
        .delete_row("upd", &k, RowExistence::ExpectExist)
        .await
        .unwrap();
    assert_eq!(
        client
            .get_row("upd", &k, &ReadOptions::default())
            .await
            .unwrap(),
        None
    );
}

#[tokio::test]
async fn failed_conditions_are_typed_errors_and_not_retried() {
    let emulator = default_emulator().await;
    let recorder = Recorder::default();
    let client = recorder.attach(client(&emulator));
    client
        .create_table(&two_key_table("cond", 1))
        .await
        .unwrap();
    let row = Row::new(key("c", 1), vec![Cell::put("v", Value::Integer(1))]);
    client
        .put_row("cond", &row, RowExistence::ExpectNotExist)
        .await
        .unwrap();

    let again = client
        .put_row("cond", &row, RowExistence::ExpectNotExist)
        .await
        .unwrap_err();
    assert_eq!(again.code(), Some(codes::CONDITION_CHECK_FAIL));
    assert_eq!(again.http_status(), Some(403));
    let missing = client
        .delete_row("cond", &key("none", 1), RowExistence::ExpectExist)
        .await
        .unwrap_err();
    assert_eq!(missing.code(), Some(codes::CONDITION_CHECK_FAIL));
    assert_eq!(
        recorder.codes("PutRow"),
        ["OK", codes::CONDITION_CHECK_FAIL]
    );
    assert_eq!(recorder.codes("DeleteRow"), [codes::CONDITION_CHECK_FAIL]);
}
