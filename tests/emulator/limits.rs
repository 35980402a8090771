//! Service limits on row operations, with the service's codes.

use tablevault::tablestore::proto::{self, PrimaryKeyType, RowExistenceExpectation as Expect};
use tablevault::tablestore::row::{PkValue, PrimaryKey, Row, Value};

use crate::client::{
    get_row_request, int_key, int_table, meta, pk_schema, row, start_default, ServiceError,
};

fn assert_invalid<T: std::fmt::Debug>(result: Result<T, ServiceError>, code: &str) -> String {
    let error = result.expect_err("must be refused");
    assert_eq!(
        (error.status, error.code.as_str()),
        (400, code),
        "{error:?}"
    );
    error.message
}

#[tokio::test]
async fn keys_up_to_1kb_and_cells_up_to_2mb() {
    let (_emulator, client) = start_default().await;
    client
        .create_table(
            meta("t", vec![pk_schema("k", PrimaryKeyType::String)]),
            None,
        )
        .await
        .unwrap();
    let key = |n: usize| PrimaryKey::new([("k", PkValue::String("k".repeat(n)))]);
    client
        .put("t", &row(key(1024), vec![("v", Value::Integer(1))]))
        .await
        .unwrap();
    assert_invalid(
        client
            .put("t", &row(key(1025), vec![("v", Value::Integer(1))]))
            .await,
        "OTSParameterInvalid",
    );
    let cell = |n: usize| vec![("v", Value::Binary(vec![9; n]))];
    client
        .put("t", &row(key(1), cell(2 * 1024 * 1024)))
        .await
        .unwrap();
    assert_invalid(
        client
            .put("t", &row(key(2), cell(2 * 1024 * 1024 + 1)))
            .await,
        "OTSParameterInvalid",
    );
    let read = client.get("t", &key(1), 1).await.unwrap().unwrap();
    assert_eq!(
        read.cells[0].value,
        Some(Value::Binary(vec![9; 2 * 1024 * 1024]))
    );
}

#[tokio::test]
async fn keys_must_match_the_schema_on_every_operation() {
    let (_emulator, client) = start_default().await;
    let schema = vec![
        pk_schema("PK1", PrimaryKeyType::String),
        pk_schema("PK2", PrimaryKeyType::Integer),
    ];
    client.create_table(meta("t", schema), None).await.unwrap();
    let short = PrimaryKey::new([("PK1", PkValue::String("a".into()))]);
    let message = assert_invalid(
        client
            .put("t", &row(short.clone(), vec![("c", Value::Integer(1))]))
            .await,
        "OTSInvalidPK",
    );
    assert_eq!(message, "Validate PK size fail. Input: 1, Meta: 2.");
    assert_invalid(client.get("t", &short, 1).await, "OTSInvalidPK");
    let renamed = PrimaryKey::new([
        ("PK2", PkValue::String("a".into())),
        ("PK1", PkValue::Integer(1)),
    ]);
    let message = assert_invalid(
        client
            .write(
                "UpdateRow",
                "t",
                &row(renamed, vec![("c", Value::Integer(1))]),
                Expect::Ignore,
            )
            .await,
        "OTSInvalidPK",
    );
    assert_eq!(message, "Validate PK name fail. Input: PK2, Meta: PK1.");
    let retyped = PrimaryKey::new([("PK1", PkValue::Integer(1)), ("PK2", PkValue::Integer(1))]);
    let mut delete = Row::new(retyped, vec![]);
    delete.delete_marker = true;
    assert_invalid(
        client
            .write("DeleteRow", "t", &delete, Expect::Ignore)
            .await,
        "OTSInvalidPK",
    );
    let inf = PrimaryKey::new([("PK1", PkValue::InfMin), ("PK2", PkValue::Integer(1))]);
    assert_invalid(
        client
            .put("t", &row(inf, vec![("c", Value::Integer(1))]))
            .await,
        "OTSParameterInvalid",
    );
}

#[tokio::test]
async fn names_and_columns_to_get_are_checked() {
    let (_emulator, client) = start_default().await;
    int_table(&client, "t").await;
    assert_invalid(
        client
            .put(
                "t",
                &row(int_key(1), vec![("bad-column", Value::Integer(1))]),
            )
            .await,
        "OTSParameterInvalid",
    );
    assert_invalid(
        client
            .put("t", &row(int_key(1), vec![("k", Value::Integer(1))]))
            .await,
        "OTSParameterInvalid",
    );
    assert_invalid(
        client
            .put(
                "bad-table",
                &row(int_key(1), vec![("c", Value::Integer(1))]),
            )
            .await,
        "OTSParameterInvalid",
    );
    let error = client
        .put("absent", &row(int_key(1), vec![("c", Value::Integer(1))]))
        .await
        .unwrap_err();
    assert_eq!(
        (error.status, error.code.as_str()),
        (404, "OTSObjectNotExist")
    );

    let mut request = get_row_request("t", &int_key(1), 1);
    request.columns_to_get = (0..129).map(|i| format!("c{i}")).collect();
    assert_invalid(
        client
            .call::<proto::GetRowResponse>("GetRow", &request)
            .await,
        "OTSParameterInvalid",
    );
    request.columns_to_get.truncate(128);
    client
        .call::<proto::GetRowResponse>("GetRow", &request)
        .await
        .unwrap();
    request.max_versions = None;
    assert_invalid(
        client
            .call::<proto::GetRowResponse>("GetRow", &request)
            .await,
        "OTSParameterInvalid",
    );
}

#[tokio::test]
async fn columns_to_get_selects_columns() {
    let (_emulator, client) = start_default().await;
    int_table(&client, "t").await;
    client
        .put(
            "t",
            &row(
                int_key(1),
                vec![("a", Value::Integer(1)), ("b", Value::Integer(2))],
            ),
        )
        .await
        .unwrap();
    let mut request = get_row_request("t", &int_key(1), 1);
    request.columns_to_get = vec!["b".into()];
    let response: proto::GetRowResponse = client.call("GetRow", &request).await.unwrap();
    let read = tablevault::tablestore::plainbuffer::decode_row(&response.row).unwrap();
    assert_eq!(read.cells.len(), 1);
    assert_eq!(read.cells[0].name, "b");
    request.columns_to_get = vec!["zzz".into()];
    let response: proto::GetRowResponse = client.call("GetRow", &request).await.unwrap();
    assert!(response.row.is_empty(), "no requested column: no row");
}
