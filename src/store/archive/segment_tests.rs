//! Segment format: round trip, the documented byte positions, and that no single flipped byte
//! or cut goes unnoticed.

use super::*;
use crate::tablestore::{Cell, PkValue, Value};

fn sample_rows() -> Vec<Row> {
    (0..30i64)
        .map(|i| {
            let key = PrimaryKey::new([
                ("id", PkValue::Integer(i)),
                ("name", PkValue::String(format!("n{i}"))),
            ]);
            let cells = if i % 3 == 0 {
                Vec::new()
            } else {
                vec![
                    Cell::put_at("v", Value::Double(i as f64 / 3.0), 1000 + i),
                    Cell::put_at("v", Value::Binary(vec![i as u8; 5]), 999),
                ]
            };
            Row::new(key, cells)
        })
        .collect()
}

fn sample_file() -> (Vec<Row>, Vec<u8>) {
    let rows = sample_rows();
    let file = EncodedBatch::from_encoded(&EncodedRows::new(&rows), "")
        .unwrap()
        .into_file_bytes(7)
        .unwrap();
    (rows, file)
}

#[test]
fn round_trip_keeps_rows_keys_and_range() {
    let (rows, file) = sample_file();
    let segment = Segment::parse(&file).unwrap();
    assert_eq!(segment.range, 7);
    assert_eq!(segment.rows, 30);
    assert_eq!(segment.first_key, rows[0].primary_key);
    assert_eq!(segment.last_key, rows[29].primary_key);
    assert_eq!(segment.decode_rows().unwrap(), rows);
}

#[test]
fn byte_layout_matches_the_documentation() {
    let (_, file) = sample_file();
    assert_eq!(&file[..8], b"TVSEG\r\n\x1a");
    assert_eq!(&file[8..12], &[1, 0, 1, 0], "version 1, zstd, reserved");
    assert_eq!(&file[12..16], &7u32.to_le_bytes());
    assert_eq!(
        &file[16..20],
        &[0x28, 0xb5, 0x2f, 0xfd],
        "a zstd frame starts the body"
    );
    let trailer = &file[file.len() - TRAILER_LEN..];
    assert_eq!(u64::from_le_bytes(trailer[..8].try_into().unwrap()), 30);
    assert_eq!(&trailer[28..32], b"TVSE");
    let digest = Sha256::digest(&file[..file.len() - 32]);
    assert_eq!(&trailer[32..], digest.as_slice());
}

#[test]
fn every_single_flipped_byte_is_detected() {
    let (_, file) = sample_file();
    for at in 0..file.len() {
        for mask in [0x01, 0x80] {
            let mut damaged = file.clone();
            damaged[at] ^= mask;
            let result = Segment::parse(&damaged).and_then(|s| s.decode_rows());
            assert!(
                matches!(result, Err(SegmentError::Corrupt(_))),
                "flip {mask:#x} at {at} of {}",
                file.len()
            );
        }
    }
}

#[test]
fn every_truncation_and_extension_is_detected() {
    let (_, file) = sample_file();
    for keep in 0..file.len() {
        assert!(Segment::parse(&file[..keep]).is_err(), "kept {keep}");
    }
    let mut longer = file.clone();
    longer.push(0);
    assert!(Segment::parse(&longer).is_err());
}

#[test]
fn an_empty_batch_makes_no_segment() {
    assert!(EncodedBatch::from_encoded(&EncodedRows::new(&[]), "").is_none());
}

#[test]
fn the_engine_state_rides_with_the_keys() {
    let rows = sample_rows();
    let file = EncodedBatch::from_encoded(&EncodedRows::new(&rows), r#"{"done":true}"#)
        .unwrap()
        .into_file_bytes(2)
        .unwrap();
    let segment = Segment::parse(&file).unwrap();
    assert_eq!(segment.state, r#"{"done":true}"#);
    assert_eq!(segment.last_key, rows[29].primary_key);
    assert_eq!(segment.decode_rows().unwrap(), rows);
    let (_, stateless) = sample_file();
    assert_eq!(Segment::parse(&stateless).unwrap().state, "");
}
