//! The switchable table rules: the not-ready window after CreateTable, table-operation
//! throttling, the TTL window on written timestamps, and initial partitions.

use std::time::Duration;

use tablevault::emulator::{EmulatorConfig, TableRules, TOO_FREQUENT};
use tablevault::tablestore::client::{Client, RetryPolicy, RowExistence, TableUpdate};
use tablevault::tablestore::{
    codes, Cell, PkSchema, PkType, PkValue, PrimaryKey, Row, TableDescription, TableOptions, Value,
};

use crate::support::emulator::{client_with, start_emulator};
use crate::support::poll::poll_until;

fn rules(rules: TableRules) -> EmulatorConfig {
    EmulatorConfig {
        table_rules: rules,
        ..EmulatorConfig::default()
    }
}

fn table(name: &str) -> TableDescription {
    TableDescription::new(name, vec![PkSchema::new("id", PkType::Integer)])
}

fn row(ts: Option<i64>) -> Row {
    let cell = match ts {
        Some(ts) => Cell::put_at("c", Value::Integer(1), ts),
        None => Cell::put("c", Value::Integer(1)),
    };
    Row::new(PrimaryKey::new([("id", PkValue::Integer(1))]), vec![cell])
}

fn code(result: Result<(), tablevault::tablestore::client::TablestoreError>) -> String {
    result.unwrap_err().code().unwrap_or("none").to_string()
}

fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

#[tokio::test]
async fn a_new_table_refuses_writes_until_its_not_ready_window_has_passed() {
    let emulator = start_emulator(rules(TableRules {
        not_ready_for: Duration::from_secs(2),
        ..TableRules::default()
    }))
    .await;
    let client: Client = client_with(&emulator, RetryPolicy::never());
    client.create_table(&table("fresh")).await.unwrap();
    // DescribeTable answers at once, as on the service.
    client.describe_table("fresh").await.unwrap();
    let put = client
        .put_row("fresh", &row(None), RowExistence::Ignore)
        .await;
    assert_eq!(code(put), codes::TABLE_NOT_READY);
    poll_until(
        "the table accepts writes",
        Duration::from_secs(10),
        || async {
            client
                .put_row("fresh", &row(None), RowExistence::Ignore)
                .await
                .map_err(|e| e.to_string())
        },
    )
    .await;
}

#[tokio::test]
async fn table_operations_on_one_table_are_throttled() {
    let emulator = start_emulator(rules(TableRules {
        table_op_interval: Duration::from_secs(60),
        ..TableRules::default()
    }))
    .await;
    let client = client_with(&emulator, RetryPolicy::never());
    client.create_table(&table("busy")).await.unwrap();
    let update = TableUpdate {
        options: Some(TableOptions::default()),
        ..TableUpdate::default()
    };
    let err = client.update_table("busy", &update).await.unwrap_err();
    assert_eq!(err.code(), Some(codes::QUOTA_EXHAUSTED));
    assert!(err.to_string().contains(TOO_FREQUENT), "{err}");
    assert!(err.is_retryable(false), "every SDK retries it");
    let err = client.delete_table("busy").await.unwrap_err();
    assert_eq!(err.code(), Some(codes::QUOTA_EXHAUSTED));
    // Another table is not affected.
    client.create_table(&table("calm")).await.unwrap();
}

#[tokio::test]
async fn cells_older_than_the_ttl_are_refused_unless_the_window_is_off() {
    for ttl_window in [true, false] {
        let emulator = start_emulator(rules(TableRules {
            ttl_window,
            ..TableRules::default()
        }))
        .await;
        let client = client_with(&emulator, RetryPolicy::never());
        let mut t = table("ttl");
        t.options.time_to_live = 86_400;
        // A deviation far beyond the TTL: the TTL, not the deviation, is the lower bound.
        t.options.max_time_deviation = 30 * 86_400;
        client.create_table(&t).await.unwrap();
        let day_ms = 86_400_000;
        let inside = row(Some(now_ms() - day_ms + 60_000));
        client
            .put_row("ttl", &inside, RowExistence::Ignore)
            .await
            .unwrap();
        let expired = row(Some(now_ms() - 2 * day_ms));
        let put = client.put_row("ttl", &expired, RowExistence::Ignore).await;
        if ttl_window {
            assert_eq!(code(put), codes::PARAMETER_INVALID);
        } else {
            put.unwrap();
        }
    }
}

#[tokio::test]
async fn a_table_with_allow_update_false_refuses_update_row() {
    let emulator = start_emulator(EmulatorConfig::default()).await;
    let client = client_with(&emulator, RetryPolicy::never());
    let mut t = table("frozen");
    t.options.allow_update = Some(false);
    client.create_table(&t).await.unwrap();
    client
        .put_row("frozen", &row(None), RowExistence::Ignore)
        .await
        .unwrap();
    let update = client
        .update_row("frozen", &row(None), RowExistence::Ignore)
        .await;
    assert_eq!(code(update), codes::PARAMETER_INVALID);
}

#[tokio::test]
async fn a_table_created_with_partitions_is_split_there_unless_the_instance_refuses_them() {
    let mut split = table("split");
    split.split_points = vec![PkValue::Integer(100), PkValue::Integer(200)];

    let emulator = start_emulator(EmulatorConfig::default()).await;
    let client = client_with(&emulator, RetryPolicy::never());
    client.create_table(&split).await.unwrap();
    // Far more bytes per split than the (empty) table holds: only the partitions split it.
    let ranges = client.compute_split_points("split", 1 << 40).await.unwrap();
    let starts: Vec<&PkValue> = ranges.iter().map(|r| &r.start.0[0].value).collect();
    assert_eq!(
        starts,
        [
            &PkValue::InfMin,
            &PkValue::Integer(100),
            &PkValue::Integer(200)
        ]
    );

    let refusing = start_emulator(rules(TableRules {
        accept_partitions: false,
        ..TableRules::default()
    }))
    .await;
    let client = client_with(&refusing, RetryPolicy::never());
    assert_eq!(
        code(client.create_table(&split).await),
        codes::PARAMETER_INVALID
    );
    client.create_table(&table("split")).await.unwrap();
}
