//! PutRow, GetRow, UpdateRow, DeleteRow: types, versions, timestamps, TTL, conditions,
//! auto-increment.

use tablevault::tablestore::plainbuffer;
use tablevault::tablestore::proto::{self, PrimaryKeyType, RowExistenceExpectation as Expect};
use tablevault::tablestore::row::{Cell, PkValue, PrimaryKey, Row, Value};

use crate::client::{
    condition, get_row_request, int_key, int_table, meta, options, pk_schema, row, start_default,
    values,
};

fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

#[tokio::test]
async fn every_value_type_round_trips() {
    let (_emulator, client) = start_default().await;
    int_table(&client, "t").await;
    let cells = vec![
        ("a_int_min", Value::Integer(i64::MIN)),
        ("b_int", Value::Integer(42)),
        ("c_neg_zero", Value::Double(-0.0)),
        ("d_nan", Value::Double(f64::NAN)),
        ("e_max", Value::Double(f64::MAX)),
        ("f_true", Value::Boolean(true)),
        ("g_false", Value::Boolean(false)),
        ("h_empty", Value::String(String::new())),
        ("i_text", Value::String("héllo wörld ✓".into())),
        ("j_bin", Value::Binary(vec![0, 1, 254, 255])),
        ("k_empty_bin", Value::Binary(vec![])),
    ];
    let written = row(int_key(-7), cells.clone());
    client.put("t", &written).await.unwrap();
    let read = client
        .get("t", &int_key(-7), 1)
        .await
        .unwrap()
        .expect("row exists");
    assert_eq!(read.primary_key, int_key(-7));
    let expected: Vec<(String, Value)> =
        cells.into_iter().map(|(n, v)| (n.to_string(), v)).collect();
    assert_eq!(values(&read), expected);
    assert!(
        client.get("t", &int_key(8), 1).await.unwrap().is_none(),
        "absent rows read as empty"
    );
}

#[tokio::test]
async fn server_timestamps_are_milliseconds_now_and_versions_are_kept() {
    let (_emulator, client) = start_default().await;
    client
        .create_table(
            meta("t", vec![pk_schema("k", PrimaryKeyType::Integer)]),
            Some(options(-1, 3, 86_400)),
        )
        .await
        .unwrap();
    let before = now_ms();
    client
        .put("t", &row(int_key(1), vec![("c", Value::Integer(0))]))
        .await
        .unwrap();
    let read = client.get("t", &int_key(1), 1).await.unwrap().unwrap();
    let ts = read.cells[0].timestamp.unwrap();
    assert!(
        ts >= before && ts <= now_ms(),
        "server timestamp {ts} is now in ms"
    );

    let base = now_ms() - 10_000;
    let versions: Vec<Cell> = (0..5)
        .map(|i| Cell::put_at("c", Value::Integer(i), base + i))
        .collect();
    client
        .write(
            "UpdateRow",
            "t",
            &Row::new(int_key(1), versions),
            Expect::Ignore,
        )
        .await
        .unwrap();
    let read = client.get("t", &int_key(1), 10).await.unwrap().unwrap();
    let stamps: Vec<i64> = read.cells.iter().map(|c| c.timestamp.unwrap()).collect();
    assert_eq!(
        stamps,
        [ts, base + 4, base + 3],
        "max_versions 3 keeps the newest three"
    );
    let read = client.get("t", &int_key(1), 2).await.unwrap().unwrap();
    assert_eq!(read.cells.len(), 2);

    let mut request = get_row_request("t", &int_key(1), 1);
    request.max_versions = None;
    request.time_range = Some(proto::TimeRange {
        start_time: Some(base),
        end_time: Some(base + 4),
        specific_time: None,
    });
    let response: proto::GetRowResponse = client.call("GetRow", &request).await.unwrap();
    let read = plainbuffer::decode_row(&response.row).unwrap();
    assert_eq!(
        read.cells
            .iter()
            .map(|c| c.timestamp.unwrap())
            .collect::<Vec<_>>(),
        [base + 3]
    );

    // PutRow replaces the whole row, every version.
    client
        .put("t", &row(int_key(1), vec![("d", Value::Boolean(true))]))
        .await
        .unwrap();
    let read = client.get("t", &int_key(1), 10).await.unwrap().unwrap();
    assert_eq!(values(&read), [("d".to_string(), Value::Boolean(true))]);
}

#[tokio::test]
async fn timestamps_outside_the_allowed_deviation_are_refused() {
    let (_emulator, client) = start_default().await;
    client
        .create_table(
            meta("t", vec![pk_schema("k", PrimaryKeyType::Integer)]),
            Some(options(-1, 1, 3600)),
        )
        .await
        .unwrap();
    let old = Row::new(
        int_key(1),
        vec![Cell::put_at("c", Value::Integer(1), now_ms() - 7_200_000)],
    );
    let error = client.put("t", &old).await.unwrap_err();
    assert_eq!(
        (error.status, error.code.as_str()),
        (400, "OTSParameterInvalid")
    );
    let recent = Row::new(
        int_key(1),
        vec![Cell::put_at("c", Value::Integer(1), now_ms() - 60_000)],
    );
    client.put("t", &recent).await.unwrap();
}

#[tokio::test]
async fn cells_older_than_the_ttl_are_invisible() {
    // The service refuses such writes (the TTL window); with the window off, cells that are
    // already expired stand for cells that expired after they were written.
    let (_emulator, client) = crate::client::start(tablevault::emulator::EmulatorConfig {
        table_rules: tablevault::emulator::TableRules {
            ttl_window: false,
            ..Default::default()
        },
        ..Default::default()
    })
    .await;
    client
        .create_table(
            meta("t", vec![pk_schema("k", PrimaryKeyType::Integer)]),
            Some(options(86_400, 5, 10 * 86_400)),
        )
        .await
        .unwrap();
    let two_days_ago = now_ms() - 2 * 86_400_000;
    let stale = Row::new(
        int_key(1),
        vec![Cell::put_at("c", Value::Integer(1), two_days_ago)],
    );
    client.put("t", &stale).await.unwrap();
    assert!(
        client.get("t", &int_key(1), 1).await.unwrap().is_none(),
        "an all-expired row is gone"
    );
    let mixed = Row::new(
        int_key(2),
        vec![
            Cell::put_at("c", Value::Integer(1), two_days_ago),
            Cell::put("d", Value::Integer(2)),
        ],
    );
    client.put("t", &mixed).await.unwrap();
    let read = client.get("t", &int_key(2), 5).await.unwrap().unwrap();
    assert_eq!(values(&read), [("d".to_string(), Value::Integer(2))]);
}

#[tokio::test]
async fn conditions_decide_and_fail_with_403() {
    let (_emulator, client) = start_default().await;
    int_table(&client, "t").await;
    let r = row(int_key(1), vec![("c", Value::Integer(1))]);
    client
        .write("PutRow", "t", &r, Expect::ExpectNotExist)
        .await
        .unwrap();
    let error = client
        .write("PutRow", "t", &r, Expect::ExpectNotExist)
        .await
        .unwrap_err();
    assert_eq!(
        (error.status, error.code.as_str(), error.message.as_str()),
        (403, "OTSConditionCheckFail", "Condition check failed.")
    );
    client
        .write("PutRow", "t", &r, Expect::ExpectExist)
        .await
        .unwrap();
    let missing = row(int_key(2), vec![("c", Value::Integer(1))]);
    let error = client
        .write("UpdateRow", "t", &missing, Expect::ExpectExist)
        .await
        .unwrap_err();
    assert_eq!(error.code, "OTSConditionCheckFail");
    let mut delete = Row::new(int_key(2), vec![]);
    delete.delete_marker = true;
    let error = client
        .write("DeleteRow", "t", &delete, Expect::ExpectExist)
        .await
        .unwrap_err();
    assert_eq!(error.code, "OTSConditionCheckFail");
    delete.primary_key = int_key(1);
    client
        .write("DeleteRow", "t", &delete, Expect::ExpectExist)
        .await
        .unwrap();
    assert!(client.get("t", &int_key(1), 1).await.unwrap().is_none());
}

#[tokio::test]
async fn update_puts_deletes_versions_and_columns() {
    let (_emulator, client) = start_default().await;
    client
        .create_table(
            meta("t", vec![pk_schema("k", PrimaryKeyType::Integer)]),
            Some(options(-1, 5, 86_400)),
        )
        .await
        .unwrap();
    let t0 = now_ms() - 1000;
    let initial = Row::new(
        int_key(1),
        vec![
            Cell::put_at("a", Value::Integer(1), t0),
            Cell::put_at("a", Value::Integer(2), t0 + 1),
            Cell::put_at("b", Value::String("x".into()), t0),
        ],
    );
    client.put("t", &initial).await.unwrap();
    let update = Row::new(
        int_key(1),
        vec![
            Cell::delete_one("a", t0 + 1),
            Cell::delete_all("b"),
            Cell::put("c", Value::Boolean(true)),
        ],
    );
    client
        .write("UpdateRow", "t", &update, Expect::ExpectExist)
        .await
        .unwrap();
    let read = client.get("t", &int_key(1), 5).await.unwrap().unwrap();
    assert_eq!(
        values(&read),
        [
            ("a".to_string(), Value::Integer(1)),
            ("c".to_string(), Value::Boolean(true))
        ]
    );
    assert_eq!(read.cells[0].timestamp, Some(t0));
}

#[tokio::test]
async fn auto_increment_keys_are_assigned_and_returned() {
    let (_emulator, client) = start_default().await;
    let auto = proto::PrimaryKeySchema {
        option: Some(proto::PrimaryKeyOption::AutoIncrement as i32),
        ..pk_schema("id", PrimaryKeyType::Integer)
    };
    client
        .create_table(
            meta("t", vec![pk_schema("p", PrimaryKeyType::String), auto]),
            None,
        )
        .await
        .unwrap();
    let key = PrimaryKey::new([
        ("p", PkValue::String("a".into())),
        ("id", PkValue::AutoIncrement),
    ]);
    let mut assigned = Vec::new();
    for i in 0..3 {
        let request = proto::PutRowRequest {
            table_name: "t".into(),
            row: plainbuffer::encode_row(&row(key.clone(), vec![("n", Value::Integer(i))])),
            condition: condition(Expect::Ignore),
            return_content: Some(proto::ReturnContent {
                return_type: Some(proto::ReturnType::RtPk as i32),
                return_column_names: vec![],
            }),
            transaction_id: None,
        };
        let response: proto::PutRowResponse = client.call("PutRow", &request).await.unwrap();
        let returned =
            plainbuffer::decode_row(&response.row.expect("RT_PK returns the key")).unwrap();
        let PkValue::Integer(id) = returned.primary_key.columns()[1].value else {
            panic!("integer id")
        };
        assigned.push(id);
        let stored = client
            .get("t", &returned.primary_key, 1)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(values(&stored), [("n".to_string(), Value::Integer(i))]);
    }
    assert!(
        assigned.windows(2).all(|w| w[0] < w[1]),
        "increasing: {assigned:?}"
    );
}
