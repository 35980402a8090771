//! Table operations against the emulator over real HTTP.

use crate::setup::*;
use tablevault::tablestore::client::{StreamChange, TableUpdate};
use tablevault::tablestore::{
    codes, ColumnType, DefinedColumn, PkSchema, PkType, TableDescription, TableOptions,
};

#[tokio::test]
async fn create_list_describe_update_delete() {
    let emulator = default_emulator().await;
    let client = client(&emulator);
    assert_eq!(client.list_tables().await.unwrap(), Vec::<String>::new());

    let mut table = TableDescription::new(
        "orders",
        vec![
            PkSchema::new("region", PkType::String),
            PkSchema::new("id", PkType::Integer),
            PkSchema::new("blob", PkType::Binary),
        ],
    );
    table.defined_columns = vec![DefinedColumn {
        name: "amount".into(),
        column_type: ColumnType::Double,
    }];
    table.options = TableOptions {
        time_to_live: 86_400 * 30,
        max_versions: 3,
        max_time_deviation: 3_600,
        allow_update: None,
        update_full_row: Some(true),
    };
    client.create_table(&table).await.unwrap();
    client.create_table(&int_key_table("other")).await.unwrap();

    let mut names = client.list_tables().await.unwrap();
    names.sort();
    assert_eq!(names, ["orders", "other"]);

    let described = client.describe_table("orders").await.unwrap();
    assert_eq!(described.primary_key, table.primary_key);
    assert_eq!(described.defined_columns, table.defined_columns);
    assert_eq!(described.options.max_versions, 3);
    assert_eq!(described.options.time_to_live, 86_400 * 30);
    assert_eq!(described.options.max_time_deviation, 3_600);
    assert_eq!(described.options.update_full_row, Some(true));
    assert!(client.table_exists("orders").await.unwrap());

    let new_options = TableOptions {
        max_versions: 5,
        ..described.options
    };
    let update = TableUpdate {
        options: Some(new_options),
        reserved: None,
        stream: Some(StreamChange::Enable {
            expiration_hours: 24,
        }),
    };
    client.update_table("orders", &update).await.unwrap();
    let updated = client.describe_table("orders").await.unwrap();
    assert_eq!(updated.options.max_versions, 5);
    assert_eq!(
        updated.options.update_full_row,
        Some(true),
        "kept: set at creation only"
    );
    assert_eq!(updated.stream_expiration_hours, Some(24));

    client.delete_table("orders").await.unwrap();
    assert!(!client.table_exists("orders").await.unwrap());
    assert_eq!(client.list_tables().await.unwrap(), ["other"]);
}

#[tokio::test]
async fn service_errors_carry_code_status_and_request_id() {
    let emulator = default_emulator().await;
    let client = client(&emulator);
    client.create_table(&int_key_table("t")).await.unwrap();

    let exists = client.create_table(&int_key_table("t")).await.unwrap_err();
    assert_eq!(exists.code(), Some(codes::OBJECT_ALREADY_EXIST));
    assert_eq!(exists.http_status(), Some(409));
    assert!(exists.request_id().is_some_and(|id| !id.is_empty()));

    let missing = client.describe_table("nope").await.unwrap_err();
    assert!(missing.is_not_found());
    assert_eq!(missing.http_status(), Some(404));
    let missing_delete = client.delete_table("nope").await.unwrap_err();
    assert_eq!(missing_delete.code(), Some(codes::OBJECT_NOT_EXIST));
}

#[tokio::test]
async fn one_client_is_shared_by_many_tasks() {
    let emulator = default_emulator().await;
    let client = client(&emulator);
    let tasks: Vec<_> = (0..16)
        .map(|i| {
            let client = client.clone();
            tokio::spawn(async move {
                client
                    .create_table(&int_key_table(&format!("t{i}")))
                    .await?;
                client.describe_table(&format!("t{i}")).await
            })
        })
        .collect();
    for (i, task) in tasks.into_iter().enumerate() {
        assert_eq!(task.await.unwrap().unwrap().name, format!("t{i}"));
    }
    assert_eq!(client.list_tables().await.unwrap().len(), 16);
}
