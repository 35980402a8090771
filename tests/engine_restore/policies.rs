//! What happens to a target table that already holds rows.

use tablevault::engine::{EngineError, IfExists};
use tablevault::tablestore::client::RowExistence;
use tablevault::tablestore::{Cell, Row, Value};

use crate::fixture::{now_ms, typed_key, typed_rows, typed_table, Fixture, DAY_MS};

/// A target `t` created by hand holding one row that differs from the backup's row 1, plus a
/// row the backup does not have.
async fn existing_target(fx: &Fixture) -> (Row, Row) {
    fx.client.create_table(&typed_table("t")).await.unwrap();
    let ts = now_ms();
    let changed = Row::new(
        typed_key(1),
        vec![Cell::put_at("s", Value::String("local".into()), ts)],
    );
    let extra = Row::new(
        typed_key(999),
        vec![Cell::put_at("s", Value::String("extra".into()), ts)],
    );
    for row in [&changed, &extra] {
        fx.client
            .put_row("t", row, RowExistence::Ignore)
            .await
            .unwrap();
    }
    (changed, extra)
}

#[tokio::test]
async fn fail_refuses_a_non_empty_target_before_writing_anything() {
    let fx = Fixture::start().await;
    let rows = typed_rows(20, DAY_MS * 3);
    // `a` sorts first and would be restored first: it must not be created either.
    fx.backup(
        "b1",
        &[(typed_table("a"), rows.clone()), (typed_table("t"), rows)],
    )
    .await;
    existing_target(&fx).await;
    let writes_before = fx.emulator.request_count("BatchWriteRow");

    let err = fx
        .restore("b1", fx.job(&[], IfExists::Fail))
        .await
        .unwrap_err();

    assert!(
        matches!(&err, EngineError::TargetNotEmpty { table } if table == "t"),
        "{err}"
    );
    assert_eq!(fx.emulator.request_count("BatchWriteRow"), writes_before);
    assert!(!fx.client.table_exists("a").await.unwrap());
    assert_eq!(fx.read_table("t").await.len(), 2);
}

#[tokio::test]
async fn skip_keeps_existing_rows_and_counts_them() {
    let fx = Fixture::start().await;
    let rows = typed_rows(20, DAY_MS * 3);
    fx.backup("b1", &[(typed_table("t"), rows.clone())]).await;
    let (changed, extra) = existing_target(&fx).await;

    let report = fx
        .restore("b1", fx.job(&[], IfExists::Skip))
        .await
        .expect("restore");

    let t = &report.tables[0];
    assert_eq!((t.rows, t.rows_skipped, t.created), (19, 1, false));
    let restored = fx.read_table("t").await;
    assert_eq!(restored.len(), 21);
    let got = |key| {
        restored
            .iter()
            .find(|r| r.primary_key == key)
            .cloned()
            .unwrap()
    };
    assert_eq!(got(typed_key(1)), changed, "the existing row was kept");
    assert_eq!(got(typed_key(999)), extra);
    for row in rows.iter().filter(|r| r.primary_key != typed_key(1)) {
        assert_eq!(&got(row.primary_key.clone()), row);
    }
    // The existing table's deviation (raised for 3-day-old cells) is back.
    let d = fx.client.describe_table("t").await.unwrap();
    assert_eq!(d.options.max_time_deviation, 86_400);
    assert!(t.raised_deviation.is_some());
}

#[tokio::test]
async fn overwrite_replaces_existing_rows_whole() {
    let fx = Fixture::start().await;
    let rows = typed_rows(20, DAY_MS * 3);
    fx.backup("b1", &[(typed_table("t"), rows.clone())]).await;
    let (_, extra) = existing_target(&fx).await;

    let report = fx
        .restore("b1", fx.job(&[], IfExists::Overwrite))
        .await
        .expect("restore");

    assert_eq!(
        (report.tables[0].rows, report.tables[0].rows_skipped),
        (20, 0)
    );
    let mut expected = rows;
    expected.push(extra);
    expected.sort_by_key(|r| format!("{:?}", r.primary_key));
    let mut restored = fx.read_table("t").await;
    restored.sort_by_key(|r| format!("{:?}", r.primary_key));
    assert_eq!(
        restored, expected,
        "row 1 replaced whole, the extra row untouched"
    );
}

#[tokio::test]
async fn unknown_tables_and_incompatible_targets_are_refused() {
    let fx = Fixture::start().await;
    fx.backup("b1", &[(typed_table("t"), typed_rows(5, 0))])
        .await;
    let mut spec = fx.job(&[], IfExists::Fail);
    spec.tables = vec!["nope".into()];
    let err = fx.restore("b1", spec).await.unwrap_err();
    assert_eq!(
        err.to_string(),
        "table nope is not in backup b1 (it holds: t)"
    );

    let other = tablevault::tablestore::TableDescription::new(
        "t",
        vec![tablevault::tablestore::PkSchema::new(
            "x",
            tablevault::tablestore::PkType::String,
        )],
    );
    fx.client.create_table(&other).await.unwrap();
    let err = fx
        .restore("b1", fx.job(&[], IfExists::Overwrite))
        .await
        .unwrap_err();
    assert!(err.to_string().contains("different primary key"), "{err}");
}
