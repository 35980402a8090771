//! BatchWriteRow: per-row results, request-wide limits.

use tablevault::tablestore::plainbuffer;
use tablevault::tablestore::proto::{self, OperationType, RowExistenceExpectation as Expect};
use tablevault::tablestore::row::{Row, Value};

use crate::client::{condition, int_key, int_table, row, start_default, ServiceError, TestClient};

pub fn put_item(row: &Row, expect: Expect) -> proto::RowInBatchWriteRowRequest {
    proto::RowInBatchWriteRowRequest {
        r#type: OperationType::Put as i32,
        row_change: plainbuffer::encode_row(row),
        condition: condition(expect),
        return_content: None,
    }
}

pub fn batch(
    tables: Vec<(&str, Vec<proto::RowInBatchWriteRowRequest>)>,
) -> proto::BatchWriteRowRequest {
    proto::BatchWriteRowRequest {
        tables: tables
            .into_iter()
            .map(|(name, rows)| proto::TableInBatchWriteRowRequest {
                table_name: name.into(),
                rows,
            })
            .collect(),
        transaction_id: None,
    }
}

pub async fn write(
    client: &TestClient,
    request: &proto::BatchWriteRowRequest,
) -> Result<proto::BatchWriteRowResponse, ServiceError> {
    client.call("BatchWriteRow", request).await
}

/// A table's name and each row's (is_ok, error code).
type TableOutcome = (String, Vec<(bool, Option<String>)>);

fn simple(i: i64) -> Row {
    row(int_key(i), vec![("v", Value::Integer(i))])
}

#[tokio::test]
async fn a_failed_condition_fails_only_its_row() {
    let (_emulator, client) = start_default().await;
    int_table(&client, "a").await;
    int_table(&client, "b").await;
    client.put("a", &simple(2)).await.unwrap();
    let mut delete = Row::new(int_key(2), vec![]);
    delete.delete_marker = true;
    let request = batch(vec![
        (
            "a",
            vec![
                put_item(&simple(1), Expect::ExpectNotExist),
                put_item(&simple(2), Expect::ExpectNotExist),
                proto::RowInBatchWriteRowRequest {
                    r#type: OperationType::Update as i32,
                    row_change: plainbuffer::encode_row(&simple(3)),
                    condition: condition(Expect::Ignore),
                    return_content: None,
                },
            ],
        ),
        ("b", vec![put_item(&simple(1), Expect::Ignore)]),
        ("missing", vec![put_item(&simple(1), Expect::Ignore)]),
    ]);
    let response = write(&client, &request).await.unwrap();
    let results: Vec<TableOutcome> = response
        .tables
        .iter()
        .map(|t| {
            (
                t.table_name.clone(),
                t.rows
                    .iter()
                    .map(|r| (r.is_ok, r.error.as_ref().map(|e| e.code.clone())))
                    .collect(),
            )
        })
        .collect();
    assert_eq!(
        results,
        [
            (
                "a".to_string(),
                vec![
                    (true, None),
                    (false, Some("OTSConditionCheckFail".into())),
                    (true, None)
                ]
            ),
            ("b".to_string(), vec![(true, None)]),
            (
                "missing".to_string(),
                vec![(false, Some("OTSObjectNotExist".into()))]
            ),
        ]
    );
    for key in [1, 3] {
        assert!(client.get("a", &int_key(key), 1).await.unwrap().is_some());
    }
    assert!(client.get("b", &int_key(1), 1).await.unwrap().is_some());
}

#[tokio::test]
async fn request_wide_limits_fail_the_whole_batch() {
    let (_emulator, client) = start_default().await;
    int_table(&client, "t").await;
    let invalid = |result: Result<proto::BatchWriteRowResponse, ServiceError>| {
        let error = result.expect_err("must be refused");
        assert_eq!(
            (error.status, error.code.as_str()),
            (400, "OTSParameterInvalid"),
            "{error:?}"
        );
        error.message
    };
    let duplicate = batch(vec![(
        "t",
        vec![
            put_item(&simple(1), Expect::Ignore),
            put_item(&simple(1), Expect::Ignore),
        ],
    )]);
    invalid(write(&client, &duplicate).await);
    let tables = batch(vec![
        ("t", vec![put_item(&simple(1), Expect::Ignore)]),
        ("t", vec![put_item(&simple(2), Expect::Ignore)]),
    ]);
    invalid(write(&client, &tables).await);
    let too_many = batch(vec![(
        "t",
        (0..201)
            .map(|i| put_item(&simple(i), Expect::Ignore))
            .collect(),
    )]);
    invalid(write(&client, &too_many).await);
    let big = |i| row(int_key(i), vec![("v", Value::Binary(vec![0; 1_500_000]))]);
    let too_big = batch(vec![(
        "t",
        (0..3).map(|i| put_item(&big(i), Expect::Ignore)).collect(),
    )]);
    invalid(write(&client, &too_big).await);
    assert_eq!(
        invalid(write(&client, &batch(vec![])).await),
        "No row is specified in BatchWriteRow."
    );
    assert_eq!(
        invalid(write(&client, &batch(vec![("t", vec![])])).await),
        "No operation is specified for table: 't'."
    );
    assert!(
        client.get("t", &int_key(1), 1).await.unwrap().is_none(),
        "nothing was applied"
    );

    let full = batch(vec![(
        "t",
        (0..200)
            .map(|i| put_item(&simple(i), Expect::Ignore))
            .collect(),
    )]);
    let response = write(&client, &full).await.unwrap();
    assert!(response.tables[0].rows.iter().all(|r| r.is_ok));
}
