//! CreateTable, DescribeTable, ListTable, UpdateTable, DeleteTable.

use tablevault::tablestore::proto::{self, PrimaryKeyType};
use tablevault::tablestore::table::TableDescription;

use crate::client::{int_table, meta, options, pk_schema, start_default, ServiceError, TestClient};

async fn describe(
    client: &TestClient,
    name: &str,
) -> Result<proto::DescribeTableResponse, ServiceError> {
    client
        .call(
            "DescribeTable",
            &proto::DescribeTableRequest {
                table_name: name.into(),
            },
        )
        .await
}

async fn list(client: &TestClient) -> Vec<String> {
    client
        .call::<proto::ListTableResponse>("ListTable", &proto::ListTableRequest {})
        .await
        .unwrap()
        .table_names
}

#[tokio::test]
async fn create_describe_list_update_delete() {
    let (_emulator, client) = start_default().await;
    let mut table_meta = meta(
        "orders",
        vec![
            pk_schema("shop", PrimaryKeyType::String),
            proto::PrimaryKeySchema {
                option: Some(proto::PrimaryKeyOption::AutoIncrement as i32),
                ..pk_schema("id", PrimaryKeyType::Integer)
            },
            pk_schema("tag", PrimaryKeyType::Binary),
        ],
    );
    table_meta.defined_column = vec![proto::DefinedColumnSchema {
        name: "price".into(),
        r#type: proto::DefinedColumnType::DctDouble as i32,
    }];
    let request = proto::CreateTableRequest {
        table_meta: table_meta.clone(),
        reserved_throughput: proto::ReservedThroughput {
            capacity_unit: proto::CapacityUnit {
                read: Some(1),
                write: Some(2),
            },
        },
        table_options: Some(options(86_400 * 7, 3, 3600)),
        partitions: vec![],
        stream_spec: Some(proto::StreamSpecification {
            enable_stream: true,
            expiration_time: Some(48),
        }),
        sse_spec: None,
        // Indexes need one version: see `indexed_tables_follow_the_service_rules`.
        index_metas: vec![],
    };
    client
        .call::<proto::CreateTableResponse>("CreateTable", &request)
        .await
        .unwrap();
    int_table(&client, "another").await;
    assert_eq!(list(&client).await, ["another", "orders"]);

    let described = describe(&client, "orders").await.unwrap();
    assert_eq!(described.table_meta, table_meta);
    assert_eq!(described.table_options, options(86_400 * 7, 3, 3600));
    assert_eq!(described.index_metas, request.index_metas);
    assert_eq!(
        described.reserved_throughput_details.capacity_unit.write,
        Some(2)
    );
    let stream = described.stream_details.clone().unwrap();
    assert!(stream.enable_stream);
    assert_eq!(stream.expiration_time, Some(48));
    let model = TableDescription::from_proto(
        &described.table_meta,
        Some(&described.table_options),
        Some(&described.reserved_throughput_details.capacity_unit),
        &described.index_metas,
        None,
    )
    .unwrap();
    assert!(model.primary_key[1].auto_increment);

    let update = proto::UpdateTableRequest {
        table_name: "orders".into(),
        reserved_throughput: None,
        table_options: Some(proto::TableOptions {
            time_to_live: None,
            max_versions: Some(5),
            deviation_cell_version_in_sec: None,
            allow_update: None,
            update_full_row: None,
        }),
        stream_spec: Some(proto::StreamSpecification {
            enable_stream: false,
            expiration_time: None,
        }),
    };
    let updated: proto::UpdateTableResponse = client.call("UpdateTable", &update).await.unwrap();
    assert_eq!(updated.table_options, options(86_400 * 7, 5, 3600));
    let described = describe(&client, "orders").await.unwrap();
    assert_eq!(described.table_options.max_versions, Some(5));
    assert!(!described.stream_details.unwrap().enable_stream);

    client
        .call::<proto::DeleteTableResponse>(
            "DeleteTable",
            &proto::DeleteTableRequest {
                table_name: "orders".into(),
            },
        )
        .await
        .unwrap();
    assert_eq!(list(&client).await, ["another"]);
}

#[tokio::test]
async fn indexed_tables_follow_the_service_rules() {
    let (_emulator, client) = start_default().await;
    let mut table_meta = meta("items", vec![pk_schema("id", PrimaryKeyType::Integer)]);
    table_meta.defined_column = vec![proto::DefinedColumnSchema {
        name: "price".into(),
        r#type: proto::DefinedColumnType::DctDouble as i32,
    }];
    let index = proto::IndexMeta {
        name: "items_by_price".into(),
        primary_key: vec!["price".into()],
        defined_column: vec![],
        index_update_mode: proto::IndexUpdateMode::IumSyncIndex as i32,
        index_type: proto::IndexType::ItGlobalIndex as i32,
    };
    let create = |table_options: proto::TableOptions| proto::CreateTableRequest {
        table_meta: table_meta.clone(),
        reserved_throughput: proto::ReservedThroughput {
            capacity_unit: proto::CapacityUnit {
                read: Some(0),
                write: Some(0),
            },
        },
        table_options: Some(table_options),
        partitions: vec![],
        stream_spec: None,
        sse_spec: None,
        index_metas: vec![index.clone()],
    };
    let refused = |options| {
        let request = create(options);
        let client = &client;
        async move {
            client
                .call::<proto::CreateTableResponse>("CreateTable", &request)
                .await
                .unwrap_err()
                .message
        }
    };
    assert!(refused(options(-1, 2, 86_400))
        .await
        .contains("max_versions"));
    assert!(refused(options(86_400, 1, 86_400))
        .await
        .contains("allow_update"));
    let ttl_without_updates = proto::TableOptions {
        allow_update: Some(false),
        ..options(86_400, 1, 86_400)
    };
    client
        .call::<proto::CreateTableResponse>("CreateTable", &create(ttl_without_updates))
        .await
        .unwrap();
    let described = describe(&client, "items").await.unwrap();
    assert_eq!(described.index_metas, vec![index]);
    assert_eq!(list(&client).await, ["items", "items_by_price"]);

    let more_versions = proto::UpdateTableRequest {
        table_name: "items".into(),
        reserved_throughput: None,
        table_options: Some(proto::TableOptions {
            time_to_live: None,
            max_versions: Some(2),
            deviation_cell_version_in_sec: None,
            allow_update: None,
            update_full_row: None,
        }),
        stream_spec: None,
    };
    let error = client
        .call::<proto::UpdateTableResponse>("UpdateTable", &more_versions)
        .await
        .unwrap_err();
    assert!(error.message.contains("max_versions"), "{error:?}");
}

#[tokio::test]
async fn missing_and_existing_tables_have_their_codes() {
    let (_emulator, client) = start_default().await;
    let error = describe(&client, "nope").await.unwrap_err();
    assert_eq!(
        error,
        ServiceError {
            status: 404,
            code: "OTSObjectNotExist".into(),
            message: "Requested table does not exist.".into()
        }
    );
    let error = client
        .call::<proto::DeleteTableResponse>(
            "DeleteTable",
            &proto::DeleteTableRequest {
                table_name: "nope".into(),
            },
        )
        .await
        .unwrap_err();
    assert_eq!(error.status, 404);
    int_table(&client, "t").await;
    let error = client
        .create_table(
            meta("t", vec![pk_schema("k", PrimaryKeyType::Integer)]),
            None,
        )
        .await
        .unwrap_err();
    assert_eq!(
        (error.status, error.code.as_str()),
        (409, "OTSObjectAlreadyExist")
    );
    assert_eq!(error.message, "Requested table already exists.");
}

#[tokio::test]
async fn schemas_and_options_are_validated() {
    let (_emulator, client) = start_default().await;
    let invalid = |result: Result<(), ServiceError>| {
        let error = result.expect_err("must be refused");
        assert_eq!(
            (error.status, error.code.as_str()),
            (400, "OTSParameterInvalid"),
            "{error:?}"
        );
        error.message
    };
    let int = |n: &str| pk_schema(n, PrimaryKeyType::Integer);
    invalid(client.create_table(meta("none", vec![]), None).await);
    invalid(
        client
            .create_table(
                meta("five", ["a", "b", "c", "d", "e"].map(int).to_vec()),
                None,
            )
            .await,
    );
    invalid(
        client
            .create_table(meta("9bad", vec![int("k")]), None)
            .await,
    );
    invalid(
        client
            .create_table(meta(&"x".repeat(256), vec![int("k")]), None)
            .await,
    );
    invalid(
        client
            .create_table(meta("t", vec![int("bad-name")]), None)
            .await,
    );
    let message = invalid(
        client
            .create_table(meta("t", vec![int("PK0"), int("PK0")]), None)
            .await,
    );
    assert_eq!(message, "Duplicated primary key name: 'PK0'.");
    let boolean = proto::PrimaryKeySchema {
        r#type: 5,
        ..int("b")
    };
    let message = invalid(client.create_table(meta("t", vec![boolean]), None).await);
    assert_eq!(message, "BOOLEAN is an invalid type for the primary key.");
    let auto_first = proto::PrimaryKeySchema {
        option: Some(1),
        ..int("a")
    };
    invalid(client.create_table(meta("t", vec![auto_first]), None).await);
    invalid(
        client
            .create_table(meta("t", vec![int("k")]), Some(options(-1, 0, 86_400)))
            .await,
    );
    invalid(
        client
            .create_table(meta("t", vec![int("k")]), Some(options(3600, 1, 86_400)))
            .await,
    );
    assert!(
        list(&client).await.is_empty(),
        "no invalid table was created"
    );
    client
        .create_table(meta(&"x".repeat(255), vec![int("k")]), None)
        .await
        .expect("255-byte names are fine");
}

#[tokio::test]
async fn an_instance_holds_at_most_64_tables() {
    let (emulator, client) = start_default().await;
    for i in 0..64 {
        int_table(&client, &format!("t{i}")).await;
    }
    let error = client
        .create_table(
            meta("t64", vec![pk_schema("k", PrimaryKeyType::Integer)]),
            None,
        )
        .await
        .unwrap_err();
    assert_eq!(error.code, "OTSQuotaExhausted");
    emulator.reset();
    assert!(list(&client).await.is_empty());
}
