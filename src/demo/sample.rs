//! The demo's sample table `orders`: a few thousand rows chosen to show what a faithful copy
//! keeps and the usual DataX-style glue loses — 64-bit integers at their extremes and past
//! 2^53, binary cells, awkward doubles, Unicode, sparse columns, and several versions of a
//! column with timestamps weeks in the past.
//!
//! The rows are a pure function of the row number and a reference time, so every start of the
//! demo seeds the same content (only the timestamps move with the clock).

use crate::tablestore::{
    Cell, ColumnType, DefinedColumn, PkColumn, PkSchema, PkType, PkValue, PrimaryKey, Row,
    TableDescription, Value,
};

/// The sample table's name.
pub const TABLE: &str = "orders";
/// How many rows the demo seeds.
pub const ROWS: usize = 3000;
/// Versions each `status` cell keeps (the table's `max_versions`).
pub const MAX_VERSIONS: i32 = 3;

const DAY_MS: i64 = 86_400_000;
const HOUR_MS: i64 = 3_600_000;
/// The oldest `status` version is this old; the table allows a little more deviation.
const OLDEST_VERSION_MS: i64 = 30 * DAY_MS;
const MAX_TIME_DEVIATION_SECS: i64 = 40 * 86_400;

const REGIONS: [&str; 4] = ["ap-southeast-1", "cn-hangzhou", "eu-central-1", "us-west-1"];
const CUSTOMERS: [&str; 6] = [
    "Ada Lovelace",
    "Zoë Ångström",
    "李雷",
    "Ольга",
    "😀 emoji shop",
    "",
];

/// The table: key `(region STRING, order_id INTEGER)`, three versions per cell, and a time
/// deviation wide enough for month-old timestamps.
pub fn table() -> TableDescription {
    let mut table = TableDescription::new(
        TABLE,
        vec![
            PkSchema::new("region", PkType::String),
            PkSchema::new("order_id", PkType::Integer),
        ],
    );
    table.defined_columns = vec![DefinedColumn {
        name: "amount_micros".into(),
        column_type: ColumnType::Integer,
    }];
    table.options.max_versions = MAX_VERSIONS;
    table.options.max_time_deviation = MAX_TIME_DEVIATION_SECS;
    table
}

/// Every sample row, in no particular order. `now_ms` anchors the cell timestamps.
pub fn rows(now_ms: i64) -> Vec<Row> {
    (0..ROWS).map(|n| row(n, now_ms)).collect()
}

fn row(n: usize, now_ms: i64) -> Row {
    let region = REGIONS[n % REGIONS.len()];
    let key = PrimaryKey(vec![
        PkColumn {
            name: "region".into(),
            value: PkValue::String(region.into()),
        },
        PkColumn {
            name: "order_id".into(),
            value: PkValue::Integer(order_id(n)),
        },
    ]);
    let mut cells = vec![
        Cell::put("amount_micros", Value::Integer(amount(n))),
        Cell::put("price", Value::Double(price(n))),
        Cell::put("paid", Value::Boolean(!n.is_multiple_of(3))),
        Cell::put("customer", Value::String(customer(n))),
        Cell::put("receipt", Value::Binary(receipt(n))),
    ];
    cells.extend(status_history(n, now_ms));
    // A sparse column: only some rows have it, as in real tables.
    if n.is_multiple_of(7) {
        cells.push(Cell::put(
            "note",
            Value::String(format!("gift wrap #{n}\nline two\t\0end")),
        ));
    }
    Row::new(key, cells)
}

/// Mostly ordinary ids, plus the extremes of the key's range in the first rows.
fn order_id(n: usize) -> i64 {
    match n {
        0 => i64::MIN,
        1 => i64::MAX,
        2 => -1,
        3 => 0,
        _ => 1_000_000 + n as i64 * 7919,
    }
}

/// Integers a double cannot hold: the extremes, 2^53 + 1, and large pseudo-random values.
fn amount(n: usize) -> i64 {
    match n % 50 {
        0 => i64::MAX,
        1 => i64::MIN,
        2 => (1 << 53) + 1,
        3 => -((1 << 53) + 1),
        _ => (mix(n as u64) >> 1) as i64 - (1 << 62),
    }
}

/// Doubles whose bits must survive: negative zero, the smallest subnormal, the largest finite
/// value, and sums that are not exactly representable.
fn price(n: usize) -> f64 {
    match n % 40 {
        0 => -0.0,
        1 => f64::from_bits(1),
        2 => f64::MAX,
        3 => f64::MIN_POSITIVE,
        4 => 0.1 + 0.2,
        _ => (mix(n as u64 ^ 0xabcd) % 1_000_000) as f64 / 100.0 + 0.005,
    }
}

fn customer(n: usize) -> String {
    let name = CUSTOMERS[n % CUSTOMERS.len()];
    if name.is_empty() {
        String::new()
    } else {
        format!("{name} {}", n / CUSTOMERS.len())
    }
}

/// Binary with every byte value in some rows, empty in others, pseudo-random elsewhere.
fn receipt(n: usize) -> Vec<u8> {
    match n % 25 {
        0 => (0..=255).collect(),
        1 => Vec::new(),
        _ => {
            let seed = mix(n as u64);
            (0..16 + n % 48)
                .map(|i| (seed >> (i % 8 * 8)) as u8 ^ i as u8)
                .collect()
        }
    }
}

/// Up to three versions of `status`: placed a month ago, paid a week ago, shipped an hour ago.
fn status_history(n: usize, now_ms: i64) -> Vec<Cell> {
    let versions = 1 + n % MAX_VERSIONS as usize;
    let history = [
        ("placed", now_ms - OLDEST_VERSION_MS + n as i64),
        ("paid", now_ms - 7 * DAY_MS + n as i64),
        ("shipped", now_ms - HOUR_MS + n as i64),
    ];
    history[..versions]
        .iter()
        .map(|(status, at)| Cell::put_at("status", Value::String((*status).into()), *at))
        .collect()
}

/// SplitMix64: deterministic pseudo-random bits from the row number.
fn mix(x: u64) -> u64 {
    let mut z = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_rows_cover_the_hard_cases_and_have_unique_keys() {
        let rows = rows(1_700_000_000_000);
        assert_eq!(rows.len(), ROWS);
        let keys: std::collections::HashSet<_> = rows.iter().map(|r| &r.primary_key).collect();
        assert_eq!(keys.len(), ROWS);
        let values: Vec<&Value> = rows
            .iter()
            .flat_map(|r| r.cells.iter().filter_map(|c| c.value.as_ref()))
            .collect();
        for wanted in [
            Value::Integer(i64::MAX),
            Value::Integer(i64::MIN),
            Value::Integer((1 << 53) + 1),
            Value::Double(-0.0),
            Value::Binary((0..=255).collect()),
        ] {
            assert!(values.contains(&&wanted), "{wanted:?} missing");
        }
        let three_versions = rows
            .iter()
            .filter(|r| r.cells.iter().filter(|c| c.name == "status").count() == 3)
            .count();
        assert_eq!(three_versions, ROWS / 3);
    }
}
