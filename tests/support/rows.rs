//! Proptest strategies for rows: every value type with its edge values, names that repeat (so
//! one column gets several versions), timestamps, ops and delete markers.
//!
//! [`any_row`] covers everything the codec can write. The `sdk_*` strategies cover only what
//! the official Python SDK's encoder can express, for the byte-for-byte comparison.

use proptest::prelude::*;
use tablevault::tablestore::{Cell, CellOp, PkColumn, PkValue, PrimaryKey, Row, Value};

/// Doubles as bit patterns, so -0.0, NaN payloads (quiet and signalling), subnormals and
/// infinities are as likely as ordinary numbers.
pub fn double_bits() -> impl Strategy<Value = f64> {
    let edges = prop::sample::select(vec![
        0x0000_0000_0000_0000u64, // 0.0
        0x8000_0000_0000_0000,    // -0.0
        0x7ff0_0000_0000_0000,    // +inf
        0xfff0_0000_0000_0000,    // -inf
        0x7ff8_0000_0000_0000,    // canonical quiet NaN
        0xfff8_0000_0000_0001,    // negative quiet NaN with payload
        0x7ff0_0000_0000_0001,    // signalling NaN
        0x7ff4_dead_beef_cafe,    // signalling NaN with payload
        0x0000_0000_0000_0001,    // smallest subnormal
        0x000f_ffff_ffff_ffff,    // largest subnormal
        0x8000_0000_0000_0001,    // negative subnormal
        0x0010_0000_0000_0000,    // f64::MIN_POSITIVE
        0x7fef_ffff_ffff_ffff,    // f64::MAX
        0xffef_ffff_ffff_ffff,    // f64::MIN
    ]);
    prop_oneof![edges, any::<u64>()].prop_map(f64::from_bits)
}

pub fn integer() -> impl Strategy<Value = i64> {
    let edges = prop::sample::select(vec![
        0,
        1,
        -1,
        i64::MIN,
        i64::MAX,
        1 << 31,
        (1 << 31) - 1,
        -(1 << 31),
        1 << 32,
        u32::MAX as i64,
    ]);
    prop_oneof![edges, any::<i64>(), -1000i64..1000]
}

/// Strings: empty, ASCII, any Unicode (multi-byte, NUL), and long.
pub fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(String::new()),
        "[a-z0-9_]{1,12}",
        any::<String>(),
        "[éü中文😀\u{0}]{1,8}",
        "[a-zA-Z]{200,300}",
    ]
}

pub fn binary() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        Just(Vec::new()),
        Just((0..=255).collect()),
        prop::collection::vec(any::<u8>(), 0..64),
        prop::collection::vec(any::<u8>(), 500..700),
    ]
}

/// Column names: a small pool (so names repeat across cells: several versions of one column),
/// plus empty, non-ASCII and long names.
pub fn name() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => prop::sample::select(vec!["a", "b", "col", "value", "ts"]).prop_map(String::from),
        1 => Just(String::new()),
        1 => "[éü中文😀]{1,6}",
        1 => "[a-z_]{1,20}",
        1 => "[a-z]{255}",
    ]
}

pub fn timestamp() -> impl Strategy<Value = i64> {
    prop_oneof![
        Just(0i64),
        Just(i64::MAX),
        1_500_000_000_000i64..1_900_000_000_000,
        any::<i64>(),
    ]
}

pub fn value() -> impl Strategy<Value = Value> {
    prop_oneof![
        integer().prop_map(Value::Integer),
        double_bits().prop_map(Value::Double),
        any::<bool>().prop_map(Value::Boolean),
        text().prop_map(Value::String),
        binary().prop_map(Value::Binary),
    ]
}

/// A key value that identifies a row (what tables store).
pub fn stored_pk_value() -> impl Strategy<Value = PkValue> {
    prop_oneof![
        integer().prop_map(PkValue::Integer),
        text().prop_map(PkValue::String),
        binary().prop_map(PkValue::Binary),
    ]
}

/// Any key value, range bounds and the auto-increment placeholder included.
pub fn pk_value() -> impl Strategy<Value = PkValue> {
    prop_oneof![
        6 => stored_pk_value(),
        1 => Just(PkValue::InfMin),
        1 => Just(PkValue::InfMax),
        1 => Just(PkValue::AutoIncrement),
    ]
}

pub fn primary_key(columns: std::ops::RangeInclusive<usize>) -> impl Strategy<Value = PrimaryKey> {
    prop::collection::vec((name(), pk_value()), columns).prop_map(|cols| {
        PrimaryKey(
            cols.into_iter()
                .map(|(name, value)| PkColumn { name, value })
                .collect(),
        )
    })
}

pub fn op() -> impl Strategy<Value = CellOp> {
    prop::sample::select(vec![
        CellOp::DeleteAllVersions,
        CellOp::DeleteOneVersion,
        CellOp::Increment,
    ])
}

/// Any combination of value, timestamp and op: the codec writes what it is given.
pub fn any_cell() -> impl Strategy<Value = Cell> {
    (
        name(),
        prop::option::of(value()),
        prop::option::of(timestamp()),
        prop::option::of(op()),
    )
        .prop_map(|(name, value, timestamp, op)| Cell {
            name,
            value,
            timestamp,
            op,
        })
}

pub fn any_row() -> impl Strategy<Value = Row> {
    (
        primary_key(0..=4),
        prop::collection::vec(any_cell(), 0..8),
        any::<bool>(),
    )
        .prop_map(|(primary_key, cells, delete_marker)| Row {
            primary_key,
            cells,
            delete_marker,
        })
}

/// Cells of a put: a value, maybe a timestamp, no op.
pub fn put_cell() -> impl Strategy<Value = Cell> {
    (name(), value(), prop::option::of(timestamp())).prop_map(|(name, value, timestamp)| Cell {
        name,
        value: Some(value),
        timestamp,
        op: None,
    })
}

/// What the Python SDK's `serialize_primary_key` can write: 1–4 key columns.
pub fn sdk_key_row() -> impl Strategy<Value = Row> {
    primary_key(1..=4).prop_map(|pk| Row::new(pk, vec![]))
}

/// What `serialize_for_put_row` can write.
pub fn sdk_put_row() -> impl Strategy<Value = Row> {
    (primary_key(1..=4), prop::collection::vec(put_cell(), 0..8))
        .prop_map(|(pk, cells)| Row::new(pk, cells))
}

/// What `serialize_for_delete_row` can write: a key and the delete marker.
pub fn sdk_delete_row() -> impl Strategy<Value = Row> {
    primary_key(1..=4).prop_map(|pk| Row {
        primary_key: pk,
        cells: vec![],
        delete_marker: true,
    })
}

/// What `serialize_for_update_row` can write. It takes a dict `{update type: [cells]}`, so the
/// cells come in groups, at most one group per op (`None` = PUT), groups in any order; inside a
/// group each cell may have a value and a timestamp or not.
pub fn sdk_update_row() -> impl Strategy<Value = Row> {
    let ops = vec![
        None,
        Some(CellOp::DeleteOneVersion),
        Some(CellOp::DeleteAllVersions),
        Some(CellOp::Increment),
    ];
    let group = |op: Option<CellOp>| {
        prop::collection::vec(
            (
                name(),
                prop::option::of(value()),
                prop::option::of(timestamp()),
            ),
            1..4,
        )
        .prop_map(move |cells| {
            cells
                .into_iter()
                .map(|(name, value, timestamp)| Cell {
                    name,
                    value,
                    timestamp,
                    op,
                })
                .collect::<Vec<_>>()
        })
    };
    let groups = Just(ops).prop_shuffle().prop_flat_map(move |ops| {
        ops.into_iter()
            .map(|op| prop::option::weighted(0.6, group(op)))
            .collect::<Vec<_>>()
    });
    (primary_key(1..=4), groups)
        .prop_map(|(pk, groups)| Row::new(pk, groups.into_iter().flatten().flatten().collect()))
}
