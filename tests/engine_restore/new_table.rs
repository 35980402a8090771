//! Restoring into a table the restore creates: the service's not-ready window after
//! CreateTable, throttled table operations, the TTL window, and the saved table settings.

use std::time::Duration;

use tablevault::emulator::{EmulatorConfig, TableRules};
use tablevault::engine::{IfExists, RestoreSettings};
use tablevault::tablestore::client::RetryPolicy;
use tablevault::tablestore::{
    Cell, PkSchema, PkType, PkValue, PrimaryKey, Row, SseKeyType, TableDescription,
    TableEncryption, Value,
};

use crate::fixture::{now_ms, typed_rows, typed_table, Fixture, DAY_MS};
use crate::support::emulator::{client_with, normalized};

/// A client that gives up on a refused request within half a second: shorter than every
/// window below, so only the restore's own waiting can get through them.
fn impatient() -> RetryPolicy {
    RetryPolicy {
        max_elapsed: Duration::from_millis(500),
        base_delay: Duration::from_millis(10),
        max_delay: Duration::from_millis(100),
        max_attempts: 20,
    }
}

async fn fixture(rules: TableRules) -> Fixture {
    let mut fx = Fixture::start_with(EmulatorConfig {
        table_rules: rules,
        ..EmulatorConfig::default()
    })
    .await;
    fx.client = client_with(&fx.emulator, impatient());
    fx
}

#[tokio::test]
async fn the_restore_waits_until_a_created_table_accepts_writes() {
    let window = Duration::from_secs(3);
    let fx = fixture(TableRules {
        not_ready_for: window,
        ..TableRules::default()
    })
    .await;
    let rows = typed_rows(40, DAY_MS / 2);
    fx.backup("b1", &[(typed_table("orders"), rows.clone())])
        .await;

    let report = fx
        .restore("b1", fx.job(&[], IfExists::Fail))
        .await
        .expect("restore waits out the not-ready window");

    assert_eq!(fx.read_table("orders").await, rows);
    let ready_after = report.tables[0].ready_after_ms.expect("a created table");
    assert!(
        ready_after >= window.as_millis() as u64 - 500,
        "ready after {ready_after} ms"
    );
}

#[tokio::test]
async fn throttled_table_operations_are_repeated_until_the_service_takes_them() {
    // The restore creates the table, then sets the raised deviation back: two table operations
    // on one table within the interval.
    let fx = fixture(TableRules {
        table_op_interval: Duration::from_secs(2),
        ..TableRules::default()
    })
    .await;
    let rows = typed_rows(20, 30 * DAY_MS);
    fx.backup("b1", &[(typed_table("orders"), rows.clone())])
        .await;

    let report = fx
        .restore("b1", fx.job(&[], IfExists::Fail))
        .await
        .expect("restore repeats the throttled UpdateTable");

    assert!(report.tables[0].raised_deviation.is_some());
    let target = fx.client.describe_table("orders").await.unwrap();
    assert_eq!(target.options.max_time_deviation, 86_400, "set back");
    assert_eq!(fx.read_table("orders").await, rows);
}

#[tokio::test]
async fn cells_past_the_ttl_are_dropped_counted_and_never_fail_the_restore() {
    let fx = fixture(TableRules::default()).await;
    let mut table = TableDescription::new("events", vec![PkSchema::new("id", PkType::Integer)]);
    table.options.time_to_live = 86_400;
    table.options.max_versions = 5;
    table.options.max_time_deviation = 30 * 86_400;
    let now = now_ms();
    let key = |i: i64| PrimaryKey::new([("id", PkValue::Integer(i))]);
    let fresh = |ts: i64| Cell::put_at("v", Value::Integer(ts), ts);
    let rows = vec![
        // Two live versions and one expired since the backup.
        Row::new(
            key(1),
            vec![
                fresh(now - 1000),
                fresh(now - 2000),
                fresh(now - 2 * DAY_MS),
            ],
        ),
        // Every cell expired: the row reads as absent on the service and is dropped.
        Row::new(key(2), vec![fresh(now - 3 * DAY_MS)]),
        // A PK-only row is kept.
        Row::new(key(3), Vec::new()),
    ];
    fx.backup("b1", &[(table, normalized(rows.clone()))]).await;

    let report = fx
        .restore("b1", fx.job(&[], IfExists::Fail))
        .await
        .expect("expired cells never fail a restore");

    let t = &report.tables[0];
    assert_eq!((t.cells_expired, t.rows_expired), (2, 1));
    assert_eq!(t.rows, 2);
    let expected = normalized(vec![
        Row::new(key(1), vec![fresh(now - 1000), fresh(now - 2000)]),
        Row::new(key(3), Vec::new()),
    ]);
    assert_eq!(fx.read_table("events").await, expected);
}

/// A table whose settings a restore must bring back: reserved CU, KMS encryption, updates
/// refused, `update_full_row` set, several versions; and a row over the 4 MB request limit.
fn guarded_table() -> (TableDescription, Vec<Row>) {
    let mut table = TableDescription::new("vault", vec![PkSchema::new("id", PkType::Integer)]);
    table.options.max_versions = 3;
    table.options.allow_update = Some(false);
    table.options.update_full_row = Some(false);
    (table.reserved_read, table.reserved_write) = (5, 7);
    table.encryption = Some(TableEncryption {
        enabled: true,
        key_type: Some(SseKeyType::KmsService),
        key_id: None,
        role_arn: None,
    });
    let ts = now_ms() - 1000;
    let big = |fill: u8| Value::Binary(vec![fill; 2 * 1024 * 1024 - 64]);
    let rows = normalized(vec![
        Row::new(
            PrimaryKey::new([("id", PkValue::Integer(1))]),
            vec![
                Cell::put_at("a", big(1), ts),
                Cell::put_at("b", big(2), ts),
                Cell::put_at("c", big(3), ts),
            ],
        ),
        Row::new(
            PrimaryKey::new([("id", PkValue::Integer(2))]),
            vec![Cell::put_at("a", Value::Integer(2), ts)],
        ),
    ]);
    (table, rows)
}

#[tokio::test]
async fn saved_settings_come_back_without_reserved_capacity_unless_asked() {
    let fx = fixture(TableRules::default()).await;
    let (table, rows) = guarded_table();
    fx.backup("b1", &[(table.clone(), rows.clone())]).await;

    let report = fx
        .restore("b1", fx.job(&[], IfExists::Fail))
        .await
        .expect("a row over 4 MB is restored into a table refusing updates");

    assert_eq!(fx.read_table("vault").await, rows);
    assert_eq!(report.tables[0].rows_split, 1);
    let restored = fx.client.describe_table("vault").await.unwrap();
    assert_eq!(restored.options, table.options, "allow_update false again");
    assert_eq!(restored.encryption, table.encryption);
    assert_eq!((restored.reserved_read, restored.reserved_write), (0, 0));
    assert!(
        report.notes.iter().any(|n| n.contains("allow_update")),
        "{:?}",
        report.notes
    );

    // Asked for: the reserved CU are replayed, and encryption can be left out.
    let mut spec = fx.job(&[("vault", "vault_2")], IfExists::Fail);
    spec.settings = RestoreSettings {
        restore_reserved_throughput: true,
        without_encryption: true,
    };
    fx.restore("b1", spec).await.expect("second restore");
    let second = fx.client.describe_table("vault_2").await.unwrap();
    assert_eq!((second.reserved_read, second.reserved_write), (5, 7));
    assert_eq!(second.encryption, None);
    assert_eq!(fx.read_table("vault_2").await, rows);
}
