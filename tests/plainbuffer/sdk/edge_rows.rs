//! Fixed edge cases, so the extremes are checked on every run, not only when generated.

use super::{increment, key, RowCase};
use tablevault::tablestore::{Cell, PkValue, Row, Value};

fn put(kind: &'static str, pk: Vec<(&str, PkValue)>, cells: Vec<Cell>) -> RowCase {
    RowCase {
        kind,
        row: Row::new(key(pk), cells),
    }
}

fn doubles() -> Vec<f64> {
    [
        0x8000_0000_0000_0000u64, // -0.0
        0x7ff8_0000_0000_0000,    // NaN
        0xfff8_0000_0000_0001,    // negative NaN with payload
        0x7ff0_0000_0000_0001,    // signalling NaN
        0x0000_0000_0000_0001,    // smallest subnormal
        0x000f_ffff_ffff_ffff,    // largest subnormal
        0x7ff0_0000_0000_0000,    // +inf
        0xfff0_0000_0000_0000,    // -inf
    ]
    .into_iter()
    .map(f64::from_bits)
    .chain([
        f64::MAX,
        f64::MIN,
        f64::MIN_POSITIVE,
        f64::EPSILON,
        0.1,
        -1.5,
    ])
    .collect()
}

pub fn cases() -> Vec<RowCase> {
    let long = "n".repeat(255);
    let longer = "é".repeat(600);
    let mut cases = Vec::new();
    for v in [i64::MIN, i64::MAX, 1 << 31, -(1 << 31), 0, -1] {
        cases.push(put(
            "primary_key",
            vec![("id", PkValue::Integer(v))],
            vec![],
        ));
        cases.push(put(
            "put",
            vec![("id", PkValue::Integer(1))],
            vec![Cell::put("v", Value::Integer(v))],
        ));
    }
    for d in doubles() {
        cases.push(put(
            "put",
            vec![("id", PkValue::Integer(1))],
            vec![Cell::put_at("d", Value::Double(d), 7)],
        ));
    }
    for s in [
        "",
        "plain",
        "héllo wörld",
        "中文",
        "😀\u{0}x",
        longer.as_str(),
    ] {
        cases.push(put(
            "primary_key",
            vec![("s", PkValue::String(s.into()))],
            vec![],
        ));
        cases.push(put(
            "put",
            vec![("s", PkValue::String(s.into()))],
            vec![Cell::put(s, Value::String(s.into()))],
        ));
    }
    for b in [vec![], (0..=255).collect::<Vec<u8>>(), vec![0; 3]] {
        cases.push(put(
            "primary_key",
            vec![("b", PkValue::Binary(b.clone()))],
            vec![],
        ));
        cases.push(put(
            "put",
            vec![("b", PkValue::Integer(2))],
            vec![Cell::put("b", Value::Binary(b))],
        ));
    }
    cases.push(put(
        "put",
        vec![(long.as_str(), PkValue::Integer(1))],
        vec![Cell::put(long.clone(), Value::Boolean(true))],
    ));
    cases.push(put(
        "primary_key",
        vec![
            ("a", PkValue::String("x".into())),
            ("b", PkValue::Integer(9)),
            ("c", PkValue::Binary(vec![1])),
            ("d", PkValue::Integer(-9)),
        ],
        vec![],
    ));
    cases.push(put(
        "primary_key",
        vec![("a", PkValue::InfMin), ("b", PkValue::InfMax)],
        vec![],
    ));
    cases.push(put(
        "primary_key",
        vec![("a", PkValue::Integer(1)), ("b", PkValue::InfMin)],
        vec![],
    ));
    cases.push(put(
        "put",
        vec![
            ("part", PkValue::String("p".into())),
            ("seq", PkValue::AutoIncrement),
        ],
        vec![Cell::put("v", Value::Boolean(false))],
    ));
    // Several versions of one column, newest first as the server returns them.
    cases.push(put(
        "put",
        vec![("id", PkValue::Integer(3))],
        vec![
            Cell::put_at("v", Value::String("new".into()), 1_700_000_000_002),
            Cell::put_at("v", Value::String("mid".into()), 1_700_000_000_001),
            Cell::put_at("v", Value::Integer(0), 1_700_000_000_000),
            Cell::put_at("w", Value::Boolean(true), 0),
            Cell::put_at("w", Value::Boolean(false), i64::MAX),
        ],
    ));
    cases.push(put(
        "update",
        vec![("id", PkValue::Integer(4))],
        vec![
            Cell::put_at("set", Value::Double(-0.0), 5),
            Cell::put("set2", Value::Binary(vec![])),
            Cell::delete_one("old", 1_700_000_000_000),
            Cell::delete_one("old", 1_700_000_000_001),
            Cell::delete_all("gone"),
            increment("counter", -5),
        ],
    ));
    cases.push(put(
        "update",
        vec![("id", PkValue::Integer(5))],
        vec![increment("c", i64::MIN), Cell::delete_all("x")],
    ));
    let mut deleted = put(
        "delete",
        vec![
            ("a", PkValue::String("é".into())),
            ("b", PkValue::Binary(vec![0xff])),
        ],
        vec![],
    );
    deleted.row.delete_marker = true;
    cases.push(deleted);
    cases
}
