//! Writes in waves for the point-in-time tests: every kind of change a restore must replay
//! (puts, a row rewritten more often than the table keeps versions, updates that delete one
//! version, delete a column and add one, row deletes, batches), on table `t` keyed (s, i).

use tablevault::tablestore::client::{Client, RowExistence, RowWrite};
use tablevault::tablestore::{
    Cell, PkSchema, PkType, PkValue, PrimaryKey, Row, TableDescription, Value,
};

/// Versions table `t` keeps; the hot row is written more often than this per wave.
pub const MAX_VERSIONS: i32 = 3;

/// Table `t`, keyed (s STRING, i INTEGER), keeping [`MAX_VERSIONS`].
pub fn wave_table() -> TableDescription {
    let mut table = TableDescription::new(
        "t",
        vec![
            PkSchema::new("s", PkType::String),
            PkSchema::new("i", PkType::Integer),
        ],
    );
    table.options.max_versions = MAX_VERSIONS;
    table
}

fn key(s: &str, i: i64) -> PrimaryKey {
    PrimaryKey::new([("s", PkValue::String(s.into())), ("i", PkValue::Integer(i))])
}

/// One wave over `rows` plain rows; `w` makes each wave's values and versions distinct.
pub async fn write_wave(client: &Client, w: i64, base_ms: i64, rows: i64) {
    let ts = |n: i64| base_ms + w * 100 + n;
    for i in 0..rows {
        let row = Row::new(
            key("p", i),
            vec![
                Cell::put_at("a", Value::Integer(w * 10 + i), ts(i)),
                Cell::put("b", Value::String(format!("w{w}"))),
            ],
        );
        client
            .put_row("t", &row, RowExistence::Ignore)
            .await
            .unwrap();
    }
    // A row rewritten many times: more versions than the table keeps.
    for n in 0..5 {
        let row = Row::new(
            key("hot", 0),
            vec![Cell::put_at("v", Value::Integer(w * 100 + n), ts(10 + n))],
        );
        client
            .update_row("t", &row, RowExistence::Ignore)
            .await
            .unwrap();
    }
    // Updates that delete one version, delete a column, and add one.
    let update = Row::new(
        key("p", w % rows),
        vec![
            Cell::delete_one("a", ts(w % rows)),
            Cell::delete_all("b"),
            Cell::put_at("c", Value::Double(w as f64 + 0.5), ts(20)),
        ],
    );
    client
        .update_row("t", &update, RowExistence::Ignore)
        .await
        .unwrap();
    client
        .delete_row("t", &key("p", (w + rows / 2) % rows), RowExistence::Ignore)
        .await
        .unwrap();
    client
        .batch_write(&[
            RowWrite::put(
                "t",
                Row::new(
                    key("batch", w),
                    vec![Cell::put("x", Value::Boolean(w % 2 == 0))],
                ),
            ),
            RowWrite::delete("t", key("batch", w - 1)),
        ])
        .await
        .unwrap();
}
