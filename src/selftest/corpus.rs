//! The edge-case corpus `tablevault selftest` writes: every value type at its edge values,
//! keys of 1 to 4 columns (one table each, since a table has one key schema), several
//! versions with timestamps a month old, a 2 MB cell, a 1,000-column row and PK-only rows,
//! and a table with a defined column for the secondary and search index ([`INDEXED_SUFFIX`]).
//!
//! The rows are a pure function of the row number and the clock, cells in the order
//! Tablestore returns them ([`normalized`]), so what was written compares directly with what
//! is read back. The typed table comes from [`super::typed`], also the engine's restore fidelity
//! fixture: one home for both.

use super::typed::{typed_row, typed_table};
use crate::tablestore::{
    Cell, ColumnType, DefinedColumn, PkSchema, PkType, PkValue, PrimaryKey, Row, TableDescription,
    Value,
};

pub const DAY_MS: i64 = 86_400_000;
/// The oldest version the corpus writes is about this old.
pub const OLDEST_VERSION_AGE_MS: i64 = 30 * DAY_MS;
/// The source tables' max time deviation: wide enough for [`OLDEST_VERSION_AGE_MS`].
pub const MAX_TIME_DEVIATION_SECS: i64 = 40 * 86_400;
/// The big cell: the service's 2 MB value limit, less a margin for the cell's framing.
pub const BIG_CELL_BYTES: usize = 2 * 1024 * 1024 - 64;
/// Columns of the wide row (the service takes at most 1,024 columns in one write).
pub const WIDE_ROW_COLUMNS: usize = 1000;
/// The table the self-test indexes: `<prefix>_ix`, key `id`, defined column [`INDEXED_COLUMN`].
pub const INDEXED_SUFFIX: &str = "ix";
pub const INDEXED_COLUMN: &str = "city";
/// Ordinary rows of the one-key table, so the rates mean something.
const BULK_ROWS: i64 = 500;

/// One table of the corpus: `suffix` names it after the run's prefix.
#[derive(Debug, Clone)]
pub struct CorpusTable {
    pub suffix: &'static str,
    pub description: TableDescription,
    pub rows: Vec<Row>,
}

/// The whole corpus, with table names `<prefix>_<suffix>`.
pub fn corpus(prefix: &str, now_ms: i64) -> Vec<CorpusTable> {
    let named = |suffix: &'static str, mut description: TableDescription, rows| {
        description.name = format!("{prefix}_{suffix}");
        description.options.max_time_deviation = MAX_TIME_DEVIATION_SECS;
        CorpusTable {
            suffix,
            description,
            rows: normalized(rows),
        }
    };
    let typed_rows: Vec<Row> = (0..200)
        .map(|i| typed_row(i, OLDEST_VERSION_AGE_MS))
        .collect();
    vec![
        named("k1", one_key_table(), one_key_rows(now_ms)),
        named("k2", two_key_table(), two_key_rows(now_ms)),
        named("k3", typed_table(""), typed_rows),
        named("k4", four_key_table(), four_key_rows(now_ms)),
        named(INDEXED_SUFFIX, indexed_table(), indexed_rows(now_ms)),
    ]
}

/// A table a secondary index and a search index can be built on: one defined column.
fn indexed_table() -> TableDescription {
    let mut table = TableDescription::new("", vec![PkSchema::new("id", PkType::Integer)]);
    table.defined_columns = vec![DefinedColumn {
        name: INDEXED_COLUMN.into(),
        column_type: ColumnType::String,
    }];
    table
}

/// Rows written before the indexes exist (a table with a secondary index refuses cells with
/// their own timestamps), with a few cities repeated so the index has shared keys.
fn indexed_rows(now_ms: i64) -> Vec<Row> {
    (0..40)
        .map(|i| {
            let key = PrimaryKey::new([("id", PkValue::Integer(i))]);
            let city = Value::String(format!("city-{}", i % 7));
            Row::new(
                key,
                vec![Cell::put_at(INDEXED_COLUMN, city, now_ms - 60_000)],
            )
        })
        .collect()
}

/// Cells sorted by name, newest version first (the order Tablestore returns them in).
pub fn normalized(mut rows: Vec<Row>) -> Vec<Row> {
    for row in &mut rows {
        row.cells
            .sort_by(|a, b| a.name.cmp(&b.name).then(b.timestamp.cmp(&a.timestamp)));
    }
    rows
}

/// Doubles whose bits must survive: signed zero, NaN payloads, subnormals, infinities.
const DOUBLES: [u64; 9] = [
    0x8000_0000_0000_0000, // -0.0
    0x7ff8_0000_0000_0000, // quiet NaN
    0x7ff4_dead_beef_cafe, // signalling NaN with a payload
    0x0000_0000_0000_0001, // smallest subnormal
    0x7fef_ffff_ffff_ffff, // f64::MAX
    0xffef_ffff_ffff_ffff, // f64::MIN
    0x7ff0_0000_0000_0000, // +inf
    0xfff0_0000_0000_0000, // -inf
    0x3fd5_5555_5555_5555, // 1/3
];
const INTEGERS: [i64; 6] = [i64::MIN, i64::MAX, 0, -1, 1 << 53, (1 << 53) + 1];
const STRINGS: [&str; 4] = ["", "plain", "ключ 😀 中文", "nul \u{0} inside"];

/// Every value type, picked by `i` among its edge values, all at timestamp `ts`.
fn typed_cells(i: usize, ts: i64) -> Vec<Cell> {
    vec![
        Cell::put_at("bool", Value::Boolean(i.is_multiple_of(2)), ts),
        Cell::put_at("bytes", Value::Binary(binary_edge(i)), ts),
        Cell::put_at(
            "double",
            Value::Double(f64::from_bits(DOUBLES[i % DOUBLES.len()])),
            ts,
        ),
        Cell::put_at("int", Value::Integer(INTEGERS[i % INTEGERS.len()]), ts),
        Cell::put_at("text", Value::String(STRINGS[i % STRINGS.len()].into()), ts),
    ]
}

fn binary_edge(i: usize) -> Vec<u8> {
    match i % 3 {
        0 => Vec::new(),
        1 => (0..=255).collect(),
        _ => vec![0xff; 17],
    }
}

/// Three versions of column `v`: 1, 10 and 30 days old.
fn old_versions(now_ms: i64, i: i64) -> Vec<Cell> {
    [1, 10, 30]
        .iter()
        .map(|days| {
            Cell::put_at(
                "v",
                Value::Integer(i * 10 + days),
                now_ms - days * DAY_MS + i,
            )
        })
        .collect()
}

fn versioned(mut description: TableDescription) -> TableDescription {
    description.options.max_versions = 3;
    description
}

/// Key `(id INTEGER)`.
fn one_key_table() -> TableDescription {
    versioned(TableDescription::new(
        "",
        vec![PkSchema::new("id", PkType::Integer)],
    ))
}

/// The integer keys at their edges, a PK-only row, the big cell, the wide row, and bulk rows.
fn one_key_rows(now_ms: i64) -> Vec<Row> {
    let key = |id: i64| PrimaryKey::new([("id", PkValue::Integer(id))]);
    let ts = now_ms - 60_000;
    let mut rows = vec![
        Row::new(key(i64::MIN), typed_cells(0, ts)),
        Row::new(key(-1), old_versions(now_ms, 1)),
        Row::new(key(0), Vec::new()),
        Row::new(
            key(1),
            vec![Cell::put_at("big", Value::Binary(big_cell()), ts)],
        ),
        Row::new(key(2), wide_cells(ts)),
        Row::new(key(i64::MAX), typed_cells(1, ts)),
    ];
    for id in 3..3 + BULK_ROWS {
        let mut cells = typed_cells(id as usize, ts - id);
        cells.extend(old_versions(now_ms, id));
        rows.push(Row::new(key(id), cells));
    }
    rows
}

fn big_cell() -> Vec<u8> {
    (0..BIG_CELL_BYTES).map(|i| (i % 251) as u8).collect()
}

fn wide_cells(ts: i64) -> Vec<Cell> {
    (0..WIDE_ROW_COLUMNS)
        .map(|c| Cell::put_at(format!("c{c:04}"), Value::Integer(c as i64), ts))
        .collect()
}

/// Key `(name STRING, blob BINARY)`.
fn two_key_table() -> TableDescription {
    versioned(TableDescription::new(
        "",
        vec![
            PkSchema::new("name", PkType::String),
            PkSchema::new("blob", PkType::Binary),
        ],
    ))
}

/// Empty, Unicode, NUL and 1 KB (the key limit) strings and binaries.
fn two_key_rows(now_ms: i64) -> Vec<Row> {
    let names = [
        String::new(),
        "ключ 😀".into(),
        "a\u{0}b".into(),
        "k".repeat(1024),
    ];
    let blobs: [Vec<u8>; 3] = [Vec::new(), (0..=255).collect(), vec![0xab; 1024]];
    let mut rows = Vec::new();
    for (n, name) in names.iter().enumerate() {
        for (b, blob) in blobs.iter().enumerate() {
            let key = PrimaryKey::new([
                ("name", PkValue::String(name.clone())),
                ("blob", PkValue::Binary(blob.clone())),
            ]);
            let i = n * blobs.len() + b;
            let cells = match i % 4 {
                0 => Vec::new(),
                1 => old_versions(now_ms, i as i64),
                _ => typed_cells(i, now_ms - 3_600_000),
            };
            rows.push(Row::new(key, cells));
        }
    }
    rows
}

/// Key `(a INTEGER, b STRING, c BINARY, d INTEGER)`: the most key columns a table can have.
fn four_key_table() -> TableDescription {
    versioned(TableDescription::new(
        "",
        vec![
            PkSchema::new("a", PkType::Integer),
            PkSchema::new("b", PkType::String),
            PkSchema::new("c", PkType::Binary),
            PkSchema::new("d", PkType::Integer),
        ],
    ))
}

fn four_key_rows(now_ms: i64) -> Vec<Row> {
    (0..40)
        .map(|i: i64| {
            let key = PrimaryKey::new([
                ("a", PkValue::Integer(INTEGERS[i as usize % INTEGERS.len()])),
                (
                    "b",
                    PkValue::String(STRINGS[i as usize % STRINGS.len()].into()),
                ),
                ("c", PkValue::Binary(vec![i as u8])),
                ("d", PkValue::Integer(-i)),
            ]);
            let mut cells = typed_cells(i as usize, now_ms - 7 * DAY_MS - i);
            if i % 5 == 0 {
                cells.clear();
            } else if i % 2 == 0 {
                cells.extend(old_versions(now_ms, i));
            }
            Row::new(key, cells)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_corpus_covers_every_key_width_and_the_big_and_wide_rows() {
        let tables = corpus("t", 1_700_000_000_000);
        let widths: Vec<usize> = tables
            .iter()
            .map(|t| t.description.primary_key.len())
            .collect();
        // k1..k4, then the table to index.
        assert_eq!(widths, [1, 2, 3, 4, 1]);
        let rows: Vec<&Row> = tables.iter().flat_map(|t| &t.rows).collect();
        assert!(rows.iter().any(|r| r.cells.is_empty()), "a PK-only row");
        assert!(rows.iter().any(|r| r.cells.len() == WIDE_ROW_COLUMNS));
        assert!(rows.iter().any(|r| r
            .cells
            .iter()
            .any(|c| matches!(&c.value, Some(Value::Binary(b)) if b.len() == BIG_CELL_BYTES))));
        let names: Vec<&str> = tables.iter().map(|t| t.description.name.as_str()).collect();
        assert_eq!(names, ["t_k1", "t_k2", "t_k3", "t_k4", "t_ix"]);
        let indexed = &tables[4].description;
        assert_eq!(indexed.defined_columns[0].name, INDEXED_COLUMN);
        assert_eq!(
            indexed.options.max_versions, 1,
            "secondary indexes need one version"
        );
    }
}
