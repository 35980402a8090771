//! GetRange: ordering, both directions, paging by rows and bytes, errors.

use tablevault::emulator::EmulatorConfig;
use tablevault::tablestore::plainbuffer;
use tablevault::tablestore::proto::{self, Direction, PrimaryKeyType};
use tablevault::tablestore::row::{PkValue, PrimaryKey, Row, Value};

use crate::client::{
    int_key, int_table, meta, pk_schema, row, start, start_default, ServiceError, TestClient,
};

fn key_bytes(pk: &PrimaryKey) -> Vec<u8> {
    plainbuffer::encode_row(&Row::new(pk.clone(), vec![]))
}

fn range_request(
    table: &str,
    direction: Direction,
    start: &PrimaryKey,
    end: &PrimaryKey,
    limit: Option<i32>,
) -> proto::GetRangeRequest {
    proto::GetRangeRequest {
        table_name: table.into(),
        direction: direction as i32,
        columns_to_get: vec![],
        time_range: None,
        max_versions: Some(1),
        limit,
        inclusive_start_primary_key: key_bytes(start),
        exclusive_end_primary_key: key_bytes(end),
        filter: None,
        start_column: None,
        end_column: None,
        token: None,
        transaction_id: None,
    }
}

/// One page: its rows and the next start key.
async fn page(
    client: &TestClient,
    request: &proto::GetRangeRequest,
) -> Result<(Vec<Row>, Option<PrimaryKey>), ServiceError> {
    let response: proto::GetRangeResponse = client.call("GetRange", request).await?;
    let rows = plainbuffer::decode_rows(&response.rows).unwrap();
    let next = response
        .next_start_primary_key
        .filter(|k| !k.is_empty())
        .map(|k| plainbuffer::decode_row(&k).unwrap().primary_key);
    Ok((rows, next))
}

/// Follows `next_start_primary_key` to the end; returns every key and the number of pages.
async fn scan(
    client: &TestClient,
    table: &str,
    direction: Direction,
    start: PrimaryKey,
    end: PrimaryKey,
    limit: Option<i32>,
) -> (Vec<PrimaryKey>, usize) {
    let mut request = range_request(table, direction, &start, &end, limit);
    let (mut keys, mut pages) = (Vec::new(), 0);
    loop {
        let (rows, next) = page(client, &request).await.unwrap();
        pages += 1;
        keys.extend(rows.into_iter().map(|r| r.primary_key));
        match next {
            Some(next) => request.inclusive_start_primary_key = key_bytes(&next),
            None => return (keys, pages),
        }
    }
}

fn whole(name: &str) -> (PrimaryKey, PrimaryKey) {
    (
        PrimaryKey::bound([name], PkValue::InfMin),
        PrimaryKey::bound([name], PkValue::InfMax),
    )
}

#[tokio::test]
async fn integers_sort_numerically_and_backward_reverses() {
    let (_emulator, client) = start_default().await;
    int_table(&client, "t").await;
    let mut ints = vec![5, -1, 0, -300, i64::MIN, i64::MAX, 7];
    for i in &ints {
        client
            .put("t", &row(int_key(*i), vec![("v", Value::Integer(*i))]))
            .await
            .unwrap();
    }
    ints.sort();
    let (min, max) = whole("k");
    let (keys, _) = scan(
        &client,
        "t",
        Direction::Forward,
        min.clone(),
        max.clone(),
        None,
    )
    .await;
    assert_eq!(keys, ints.iter().map(|i| int_key(*i)).collect::<Vec<_>>());
    let (keys, _) = scan(&client, "t", Direction::Backward, max, min, None).await;
    assert_eq!(
        keys,
        ints.iter().rev().map(|i| int_key(*i)).collect::<Vec<_>>()
    );
}

#[tokio::test]
async fn binaries_and_strings_sort_bytewise() {
    let (_emulator, client) = start_default().await;
    client
        .create_table(
            meta("b", vec![pk_schema("k", PrimaryKeyType::Binary)]),
            None,
        )
        .await
        .unwrap();
    client
        .create_table(
            meta("s", vec![pk_schema("k", PrimaryKeyType::String)]),
            None,
        )
        .await
        .unwrap();
    let bins: Vec<Vec<u8>> = vec![
        vec![0xff],
        vec![0x00],
        vec![0x00, 0x00],
        vec![0x7f],
        vec![0x80],
        vec![],
    ];
    for b in &bins {
        let key = PrimaryKey::new([("k", PkValue::Binary(b.clone()))]);
        client
            .put("b", &row(key, vec![("v", Value::Boolean(true))]))
            .await
            .unwrap();
    }
    for s in ["é", "ab", "B", "a"] {
        let key = PrimaryKey::new([("k", PkValue::String(s.into()))]);
        client
            .put("s", &row(key, vec![("v", Value::Boolean(true))]))
            .await
            .unwrap();
    }
    let (min, max) = whole("k");
    let (keys, _) = scan(
        &client,
        "b",
        Direction::Forward,
        min.clone(),
        max.clone(),
        None,
    )
    .await;
    let order: Vec<Vec<u8>> = keys
        .iter()
        .map(|k| match &k.columns()[0].value {
            PkValue::Binary(b) => b.clone(),
            _ => panic!(),
        })
        .collect();
    assert_eq!(
        order,
        vec![
            vec![],
            vec![0x00],
            vec![0x00, 0x00],
            vec![0x7f],
            vec![0x80],
            vec![0xff]
        ]
    );
    let (keys, _) = scan(&client, "s", Direction::Forward, min, max, None).await;
    let order: Vec<String> = keys
        .iter()
        .map(|k| match &k.columns()[0].value {
            PkValue::String(s) => s.clone(),
            _ => panic!(),
        })
        .collect();
    assert_eq!(order, ["B", "a", "ab", "é"]);
}

#[tokio::test]
async fn infinities_bound_each_column_of_a_composite_key() {
    let (_emulator, client) = start_default().await;
    let schema = vec![
        pk_schema("s", PrimaryKeyType::String),
        pk_schema("i", PrimaryKeyType::Integer),
    ];
    client.create_table(meta("t", schema), None).await.unwrap();
    let key = |s: &str, i: PkValue| PrimaryKey::new([("s", PkValue::String(s.into())), ("i", i)]);
    for (s, i) in [("a", 2), ("a", -1), ("b", 0), ("c", 5)] {
        client
            .put(
                "t",
                &row(key(s, PkValue::Integer(i)), vec![("v", Value::Integer(i))]),
            )
            .await
            .unwrap();
    }
    let (keys, _) = scan(
        &client,
        "t",
        Direction::Forward,
        key("a", PkValue::InfMin),
        key("a", PkValue::InfMax),
        None,
    )
    .await;
    assert_eq!(
        keys,
        [
            key("a", PkValue::Integer(-1)),
            key("a", PkValue::Integer(2))
        ]
    );
    let (keys, _) = scan(
        &client,
        "t",
        Direction::Backward,
        key("b", PkValue::InfMax),
        key("a", PkValue::Integer(-1)),
        None,
    )
    .await;
    assert_eq!(
        keys,
        [key("b", PkValue::Integer(0)), key("a", PkValue::Integer(2))],
        "the exclusive end is excluded"
    );
}

#[tokio::test]
async fn pages_follow_the_row_limit_in_both_directions() {
    let config = EmulatorConfig {
        page_row_limit: 3,
        ..EmulatorConfig::default()
    };
    let (emulator, client) = start(config).await;
    int_table(&client, "t").await;
    for i in 0..10 {
        client
            .put("t", &row(int_key(i), vec![("v", Value::Integer(i))]))
            .await
            .unwrap();
    }
    let (min, max) = whole("k");
    let (keys, pages) = scan(
        &client,
        "t",
        Direction::Forward,
        min.clone(),
        max.clone(),
        None,
    )
    .await;
    assert_eq!(keys, (0..10).map(int_key).collect::<Vec<_>>());
    assert_eq!(pages, 4);
    let (keys, pages) = scan(
        &client,
        "t",
        Direction::Backward,
        max.clone(),
        min.clone(),
        None,
    )
    .await;
    assert_eq!(keys, (0..10).rev().map(int_key).collect::<Vec<_>>());
    assert_eq!(pages, 4);
    let (keys, pages) = scan(
        &client,
        "t",
        Direction::Forward,
        min.clone(),
        max.clone(),
        Some(2),
    )
    .await;
    assert_eq!(
        (keys.len(), pages),
        (10, 5),
        "a smaller limit makes smaller pages"
    );
    let (rows, next) = page(
        &client,
        &range_request("t", Direction::Forward, &int_key(3), &int_key(5), Some(100)),
    )
    .await
    .unwrap();
    assert_eq!((rows.len(), next), (2, None));
    assert_eq!(emulator.request_count("GetRange"), 4 + 4 + 5 + 1);
}

#[tokio::test]
async fn pages_follow_the_byte_limit() {
    let config = EmulatorConfig {
        page_byte_limit: 1000,
        ..EmulatorConfig::default()
    };
    let (_emulator, client) = start(config).await;
    int_table(&client, "t").await;
    for i in 0..10 {
        client
            .put(
                "t",
                &row(int_key(i), vec![("v", Value::Binary(vec![7; 300]))]),
            )
            .await
            .unwrap();
    }
    let (min, max) = whole("k");
    let request = range_request("t", Direction::Forward, &min, &max, None);
    let (rows, next) = page(&client, &request).await.unwrap();
    assert!(
        (1..=3).contains(&rows.len()),
        "{} rows of 300 bytes in 1000",
        rows.len()
    );
    assert_eq!(next, Some(int_key(rows.len() as i64)));
    let (keys, _) = scan(&client, "t", Direction::Forward, min, max, None).await;
    assert_eq!(keys.len(), 10);
}

#[tokio::test]
async fn trailing_bytes_after_a_key_are_ignored() {
    let (_emulator, client) = start_default().await;
    int_table(&client, "t").await;
    client
        .put("t", &row(int_key(1), vec![("v", Value::Integer(1))]))
        .await
        .unwrap();
    let (min, max) = whole("k");
    let mut request = range_request("t", Direction::Forward, &min, &max, None);
    request.inclusive_start_primary_key.extend([0, 0]);
    request.exclusive_end_primary_key.extend([0, 0]);
    let (rows, _) = page(&client, &request).await.unwrap();
    assert_eq!(rows.len(), 1);
}

#[tokio::test]
async fn bad_ranges_are_refused() {
    let (_emulator, client) = start_default().await;
    int_table(&client, "t").await;
    let invalid = |result: Result<(Vec<Row>, Option<PrimaryKey>), ServiceError>| {
        let error = result.expect_err("must be refused");
        assert_eq!(
            (error.status, error.code.as_str()),
            (400, "OTSParameterInvalid"),
            "{error:?}"
        );
        error.message
    };
    let forward = range_request("t", Direction::Forward, &int_key(9), &int_key(1), None);
    assert_eq!(
        invalid(page(&client, &forward).await),
        "Begin key must less than end key in FORWARD"
    );
    let backward = range_request("t", Direction::Backward, &int_key(1), &int_key(9), None);
    assert_eq!(
        invalid(page(&client, &backward).await),
        "Begin key must more than end key in BACKWARD"
    );
    let mut zero = range_request("t", Direction::Forward, &int_key(1), &int_key(9), Some(0));
    assert_eq!(
        invalid(page(&client, &zero).await),
        "The limit must be greater than 0."
    );
    zero.limit = None;
    zero.max_versions = None;
    invalid(page(&client, &zero).await);
    let wrong = range_request(
        "t",
        Direction::Forward,
        &PrimaryKey::new([("x", PkValue::InfMin)]),
        &int_key(9),
        None,
    );
    let error = page(&client, &wrong).await.unwrap_err();
    assert_eq!((error.status, error.code.as_str()), (400, "OTSInvalidPK"));
}
