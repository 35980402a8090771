//! Restored data is exactly the backed-up data.

use tablevault::engine::IfExists;
use tablevault::tablestore::{
    Cell, PkSchema, PkType, PkValue, PrimaryKey, Row, TableDescription, Value,
};

use crate::fixture::{now_ms, typed_rows, typed_table, Fixture, DAY_MS};
use crate::support::emulator::normalized;

#[tokio::test]
async fn every_type_old_versions_and_pk_only_rows_come_back_exactly_under_a_new_name() {
    let fx = Fixture::start().await;
    // 30 days old: far outside the table's 1-day deviation.
    let rows = typed_rows(120, 30 * DAY_MS);
    fx.backup("b1", &[(typed_table("orders"), rows.clone())])
        .await;

    let report = fx
        .restore(
            "b1",
            fx.job(&[("orders", "orders_restored")], IfExists::Fail),
        )
        .await
        .expect("restore");

    assert_eq!(fx.read_table("orders_restored").await, rows);
    let t = &report.tables[0];
    assert_eq!(
        (t.source_table.as_str(), t.target_table.as_str()),
        ("orders", "orders_restored")
    );
    assert!(t.created);
    assert_eq!(t.rows, 120);
    assert_eq!(
        t.cells,
        rows.iter().map(|r| r.cells.len() as u64).sum::<u64>()
    );
    let raised = t
        .raised_deviation
        .expect("deviation raised for month-old cells");
    assert_eq!(raised.saved, 86_400);
    assert!(raised.during_restore > 31 * 86_400);
    assert!(report
        .notes
        .iter()
        .any(|n| n.contains("max time deviation raised")));
    // The saved deviation is back, and the rest of the description is the saved one.
    let target = fx.client.describe_table("orders_restored").await.unwrap();
    let mut expected = typed_table("orders_restored");
    expected.options.max_time_deviation = 86_400;
    assert_eq!(target.primary_key, expected.primary_key);
    assert_eq!(target.options, expected.options);
    // The source name was not touched.
    assert!(!fx.client.table_exists("orders").await.unwrap());
}

#[tokio::test]
async fn an_auto_increment_table_comes_back_with_its_original_keys() {
    let fx = Fixture::start().await;
    let mut seq = PkSchema::new("seq", PkType::Integer);
    seq.auto_increment = true;
    let table = TableDescription::new("events", vec![PkSchema::new("shard", PkType::String), seq]);
    let ts = now_ms() - 1000;
    let rows: Vec<Row> = [1_i64, 2, 17, 1_000_000_007]
        .iter()
        .map(|&n| {
            let key = PrimaryKey::new([
                ("shard", PkValue::String("a".into())),
                ("seq", PkValue::Integer(n)),
            ]);
            Row::new(
                key,
                vec![Cell::put_at("payload", Value::Integer(n * 2), ts)],
            )
        })
        .collect();
    fx.backup("b1", &[(table, rows.clone())]).await;

    let report = fx
        .restore("b1", fx.job(&[], IfExists::Fail))
        .await
        .expect("restore");

    assert_eq!(fx.read_table("events").await, rows);
    let target = fx.client.describe_table("events").await.unwrap();
    assert!(
        !target.primary_key[1].auto_increment,
        "created as a plain INTEGER key"
    );
    assert!(
        report
            .notes
            .iter()
            .any(|n| n.contains("auto-increment key column seq")),
        "{:?}",
        report.notes
    );
    assert!(
        report.tables[0].raised_deviation.is_none(),
        "fresh timestamps need no change"
    );
}

#[tokio::test]
async fn a_row_of_2mb_cells_over_the_4mb_limit_is_split_and_restored_whole() {
    let fx = Fixture::start().await;
    let mut table = TableDescription::new("blobs", vec![PkSchema::new("id", PkType::Integer)]);
    table.options.max_versions = 3;
    let ts = now_ms() - 10 * DAY_MS;
    let big = |fill: u8| Value::Binary(vec![fill; 2 * 1024 * 1024 - 64]);
    let wide = Row::new(
        PrimaryKey::new([("id", PkValue::Integer(1))]),
        vec![
            Cell::put_at("a", big(1), ts),
            Cell::put_at("a", big(2), ts - 1),
            Cell::put_at("b", big(3), ts),
            Cell::put_at("c", Value::String("small".into()), ts),
        ],
    );
    let small = Row::new(
        PrimaryKey::new([("id", PkValue::Integer(2))]),
        vec![Cell::put_at("c", Value::Integer(7), ts)],
    );
    let rows = normalized(vec![wide, small]);
    fx.backup("b1", &[(table, rows.clone())]).await;

    let report = fx
        .restore("b1", fx.job(&[], IfExists::Fail))
        .await
        .expect("restore");

    assert_eq!(report.tables[0].rows_split, 1);
    assert_eq!(report.tables[0].rows, 2);
    assert_eq!(fx.read_table("blobs").await, rows);
}

#[tokio::test]
async fn chosen_tables_only_and_a_dry_run_writes_nothing() {
    let fx = Fixture::start().await;
    let rows = typed_rows(30, 2 * DAY_MS);
    fx.backup(
        "b1",
        &[
            (typed_table("t1"), rows.clone()),
            (typed_table("t2"), rows.clone()),
        ],
    )
    .await;

    let mut spec = fx.job(&[("t2", "t2_copy")], IfExists::Fail);
    spec.tables = vec!["t2".into()];
    spec.dry_run = true;
    let report = fx.restore("b1", spec).await.expect("dry run");
    assert!(report.dry_run);
    assert_eq!(report.tables.len(), 1);
    let t = &report.tables[0];
    assert_eq!(
        (t.target_table.as_str(), t.created, t.rows),
        ("t2_copy", true, 30)
    );
    assert!(t.bytes > 0 && t.cells > 0);
    assert!(
        fx.client.list_tables().await.unwrap().is_empty(),
        "dry run created a table"
    );
    assert_eq!(fx.emulator.request_count("BatchWriteRow"), 0);

    let mut spec = fx.job(&[("t2", "t2_copy")], IfExists::Fail);
    spec.tables = vec!["t2".into()];
    fx.restore("b1", spec).await.expect("restore");
    assert_eq!(
        fx.client.list_tables().await.unwrap(),
        vec!["t2_copy".to_string()]
    );
    assert_eq!(fx.read_table("t2_copy").await, rows);
}
