//! Unit tests of the codec. Property tests (round trip, random bytes) live in
//! `tests/plainbuffer/props.rs`; the byte-for-byte comparison with the official Python SDK in
//! `tests/plainbuffer/sdk.rs`.

mod corruption;
mod extension;
mod stream_vectors;
mod vectors;

use crate::tablestore::row::{Cell, CellOp, PkValue, PrimaryKey, Row, Value};

fn unhex(text: &str) -> Vec<u8> {
    hex::decode(text).expect("test vector is hex")
}

/// An independent CRC-8/SMBUS (the `crc` crate), to check checksums in the vectors by hand.
fn smbus(bytes: &[u8]) -> u8 {
    crc::Crc::<u8>::new(&crc::CRC_8_SMBUS).checksum(bytes)
}

fn pk(columns: Vec<(&str, PkValue)>) -> PrimaryKey {
    PrimaryKey::new(columns)
}

/// Rows covering every value type, op, timestamps, versions and the delete marker.
fn sample_rows() -> Vec<Row> {
    let key = pk(vec![
        ("region", PkValue::String("eu-中".into())),
        ("id", PkValue::Integer(-42)),
        ("blob", PkValue::Binary(vec![0, 0xff, 7])),
    ]);
    let mut deleted = Row::new(pk(vec![("id", PkValue::Integer(i64::MAX))]), vec![]);
    deleted.delete_marker = true;
    vec![
        Row::new(key.clone(), vec![]),
        Row::new(
            key.clone(),
            vec![
                Cell::put_at("i", Value::Integer(i64::MIN), 1_700_000_000_000),
                Cell::put_at("d", Value::Double(f64::from_bits(0x7ff8_dead_beef_0001)), 1),
                Cell::put_at("d", Value::Double(5e-324), 2),
                Cell::put("b", Value::Boolean(false)),
                Cell::put("s", Value::String(String::new())),
                Cell::put_at("bin", Value::Binary((0..=255).collect()), i64::MAX),
            ],
        ),
        Row::new(
            pk(vec![("a", PkValue::InfMin), ("b", PkValue::InfMax)]),
            vec![],
        ),
        Row::new(
            pk(vec![("k", PkValue::AutoIncrement)]),
            vec![
                Cell::delete_all("gone"),
                Cell::delete_one("v", 99),
                Cell {
                    op: Some(CellOp::Increment),
                    ..Cell::put("n", Value::Integer(1))
                },
            ],
        ),
        deleted,
    ]
}
