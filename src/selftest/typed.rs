//! The typed table: a (string, integer, binary) key and every value type at its edge values,
//! with versions a given age old. The self-test's corpus writes it, and the engine's restore
//! tests use it as their fidelity fixture.

use super::corpus::DAY_MS;
use crate::tablestore::{
    Cell, PkSchema, PkType, PkValue, PrimaryKey, Row, TableDescription, Value,
};

/// A table keyed by (string, integer, binary) keeping 5 versions, default deviation (1 day).
pub fn typed_table(name: &str) -> TableDescription {
    let mut d = TableDescription::new(
        name,
        vec![
            PkSchema::new("region", PkType::String),
            PkSchema::new("id", PkType::Integer),
            PkSchema::new("tag", PkType::Binary),
        ],
    );
    d.options.max_versions = 5;
    d
}

pub fn typed_key(i: i64) -> PrimaryKey {
    PrimaryKey::new([
        ("region", PkValue::String(format!("r-{:03}", i / 10))),
        ("id", PkValue::Integer(i - 50)),
        ("tag", PkValue::Binary(vec![i as u8, 0, 255])),
    ])
}

/// Row `i` of a typed table: every fourth row is PK-only; the others carry every value type
/// with edge values and a column with three versions, the oldest `age_ms` before now.
pub fn typed_row(i: i64, age_ms: i64) -> Row {
    if i % 4 == 0 {
        return Row::new(typed_key(i), Vec::new());
    }
    let ts = chrono::Utc::now().timestamp_millis() - age_ms + i;
    let doubles = [
        -0.0,
        f64::NAN,
        f64::from_bits(0x7ff4_dead_beef_cafe),
        1e-310,
        f64::MAX,
    ];
    let mut cells = vec![
        Cell::put_at("b", Value::Boolean(i % 2 == 0), ts),
        Cell::put_at(
            "bin",
            Value::Binary([0, 1, 2, 255].repeat((i % 3) as usize)),
            ts,
        ),
        Cell::put_at("d", Value::Double(doubles[(i % 5) as usize]), ts),
        Cell::put_at(
            "i",
            Value::Integer([i64::MIN, i64::MAX, 0, -1][(i % 4) as usize]),
            ts,
        ),
        Cell::put_at(
            "s",
            Value::String(["", "plain", "ключ 😀 \u{0}"][(i % 3) as usize].into()),
            ts,
        ),
    ];
    for v in 0..3 {
        cells.push(Cell::put_at("v", Value::Integer(v), ts - v * DAY_MS / 2));
    }
    Row::new(typed_key(i), cells)
}
