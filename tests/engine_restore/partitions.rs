//! A table created by a restore starts split at the partition-key values the backup saved
//! (CreateTable `partitions`), and an instance that refuses them gets an unsplit table, a
//! report that says so, and the same rows.

use tablevault::emulator::{EmulatorConfig, TableRules};
use tablevault::engine::IfExists;
use tablevault::tablestore::PkValue;

use crate::fixture::{typed_rows, typed_table, Fixture, DAY_MS};

/// Split points of the typed table's partition key (`region`, "r-000" … ).
fn saved_points() -> Vec<PkValue> {
    ["r-001", "r-003"]
        .map(|r| PkValue::String(r.into()))
        .to_vec()
}

/// The partition-key values where `table`'s ranges start, as ComputeSplitPointsBySize gives
/// them for a split size far above the table's data.
async fn split_points(fx: &Fixture, table: &str) -> Vec<PkValue> {
    let ranges = fx
        .client
        .compute_split_points(table, 1 << 40)
        .await
        .expect("split points");
    ranges
        .iter()
        .skip(1)
        .map(|r| r.start.0[0].value.clone())
        .collect()
}

async fn fixture(accept_partitions: bool) -> Fixture {
    Fixture::start_with(EmulatorConfig {
        table_rules: TableRules {
            accept_partitions,
            ..TableRules::default()
        },
        ..EmulatorConfig::default()
    })
    .await
}

#[tokio::test]
async fn a_created_table_starts_split_at_the_saved_split_points() {
    let fx = fixture(true).await;
    let mut table = typed_table("orders");
    table.split_points = saved_points();
    let rows = typed_rows(40, DAY_MS / 2);
    fx.backup("b1", &[(table, rows.clone())]).await;

    let report = fx
        .restore("b1", fx.job(&[], IfExists::Fail))
        .await
        .expect("restore");

    assert_eq!(report.tables[0].partitions, Some(3));
    assert_eq!(report.tables[0].partitions_refused, None);
    assert_eq!(split_points(&fx, "orders").await, saved_points());
    assert_eq!(fx.read_table("orders").await, rows);
}

#[tokio::test]
async fn an_instance_refusing_partitions_gets_an_unsplit_table_and_a_report_saying_so() {
    let fx = fixture(false).await;
    let mut table = typed_table("orders");
    table.split_points = saved_points();
    let rows = typed_rows(40, DAY_MS / 2);
    fx.backup("b1", &[(table, rows.clone())]).await;

    let report = fx
        .restore("b1", fx.job(&[], IfExists::Fail))
        .await
        .expect("restore without partitions");

    let t = &report.tables[0];
    assert_eq!(t.partitions, Some(1));
    let refused = t.partitions_refused.as_deref().expect("refusal reported");
    assert!(refused.contains("OTSParameterInvalid"), "{refused}");
    assert!(split_points(&fx, "orders").await.is_empty());
    assert_eq!(fx.read_table("orders").await, rows);
}
