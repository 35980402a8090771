//! Corrupted, truncated and padded buffers: never a silently wrong row.

use super::{pk, sample_rows};
use crate::tablestore::plainbuffer::consts::*;
use crate::tablestore::plainbuffer::{
    decode_row, decode_rows, encode_row, encode_rows, DecodeError, RowReader,
};
use crate::tablestore::row::{PkValue, Row};

/// Values in `rows`: each has a 4-byte length prefix the reader does not rely on.
fn value_count(rows: &[Row]) -> usize {
    rows.iter()
        .map(|r| {
            r.primary_key.columns().len() + r.cells.iter().filter(|c| c.value.is_some()).count()
        })
        .sum()
}

/// Every bit flip is refused except some in a value's length prefix, which the reader
/// tolerates (reader.rs `check_value_frame`) unless it points past the buffer: those decode to
/// exactly the original row, so no flip ever yields a wrong row.
#[test]
fn every_single_bit_flip_of_a_row_is_detected_or_harmless() {
    for row in sample_rows() {
        let bytes = encode_row(&row);
        let mut harmless = 0;
        for bit in 0..bytes.len() * 8 {
            let mut corrupt = bytes.clone();
            corrupt[bit / 8] ^= 1 << (bit % 8);
            match decode_row(&corrupt) {
                Err(_) => {}
                Ok(decoded) => {
                    assert_eq!(decoded, row, "flip of bit {bit} of {}", hex::encode(&bytes));
                    harmless += 1;
                }
            }
        }
        // At most the prefix bits: a prefix pointing past the buffer is still refused.
        let prefix_bits = 32 * value_count(std::slice::from_ref(&row));
        assert!(harmless <= prefix_bits, "{harmless} of {prefix_bits}");
    }
}

#[test]
fn every_single_bit_flip_of_a_multi_row_buffer_is_detected_or_harmless() {
    let rows = sample_rows();
    let bytes = encode_rows(&rows);
    let mut harmless = 0;
    for bit in 0..bytes.len() * 8 {
        let mut corrupt = bytes.clone();
        corrupt[bit / 8] ^= 1 << (bit % 8);
        if let Ok(decoded) = decode_rows(&corrupt) {
            assert_eq!(decoded, rows, "bit {bit} flipped into a wrong row");
            harmless += 1;
        }
    }
    let prefix_bits = 32 * value_count(&rows);
    assert!(
        harmless > 0 && harmless <= prefix_bits,
        "{harmless} of {prefix_bits}"
    );
}

#[test]
fn every_truncation_is_an_error() {
    for row in sample_rows() {
        let bytes = encode_row(&row);
        for len in 0..bytes.len() {
            assert!(
                decode_row(&bytes[..len]).is_err(),
                "truncated to {len} bytes"
            );
            if len > HEADER_LEN {
                assert!(
                    decode_rows(&bytes[..len]).is_err(),
                    "truncated to {len} bytes"
                );
            }
        }
    }
}

/// The Node SDK appends two zero bytes after the row checksum of INF_MIN/INF_MAX keys.
#[test]
fn one_row_ignores_trailing_bytes_but_a_row_list_does_not() {
    let row = Row::new(
        pk(vec![("a", PkValue::InfMin), ("b", PkValue::InfMax)]),
        vec![],
    );
    let mut bytes = encode_row(&row);
    bytes.extend([0, 0]);
    assert_eq!(decode_row(&bytes), Ok(row));
    assert!(decode_rows(&bytes).is_err());
}

#[test]
fn rows_round_trip_through_one_buffer() {
    let rows = sample_rows();
    let bytes = encode_rows(&rows);
    assert_eq!(decode_rows(&bytes), Ok(rows.clone()));
    let mut reader = RowReader::new(&bytes).expect("header is valid");
    assert_eq!(reader.position(), HEADER_LEN);
    assert_eq!(reader.next(), Some(Ok(rows[0].clone())));
    assert_eq!(reader.count(), rows.len() - 1);
}

#[test]
fn empty_buffers() {
    assert!(encode_rows(&[]).is_empty());
    assert_eq!(decode_rows(&[]), Ok(vec![]));
    assert_eq!(decode_rows(&HEADER.to_le_bytes()), Ok(vec![]));
    assert_eq!(decode_row(&[]), Err(DecodeError::Truncated(0)));
    assert_eq!(
        decode_row(&HEADER.to_le_bytes()),
        Err(DecodeError::Truncated(4))
    );
}

#[test]
fn wrong_header_is_reported() {
    let mut bytes = encode_row(&sample_rows()[0]);
    bytes[0] = 0x76;
    assert_eq!(decode_row(&bytes), Err(DecodeError::BadHeader(0x76)));
}

#[test]
fn checksum_mismatches_name_the_stored_and_computed_values() {
    let row = Row::new(pk(vec![("pk", PkValue::Integer(1))]), vec![]);
    let mut bytes = encode_row(&row);
    let cell_crc_at = bytes.len() - 3;
    bytes[cell_crc_at] ^= 0xff;
    assert_eq!(
        decode_row(&bytes),
        Err(DecodeError::CellChecksum {
            at: cell_crc_at,
            stored: 0x4c ^ 0xff,
            computed: 0x4c
        })
    );
}

#[test]
fn a_value_length_prefix_that_disagrees_is_tolerated_like_the_sdk_readers_do() {
    let row = Row::new(pk(vec![("pk", PkValue::Integer(1))]), vec![]);
    let good = encode_row(&row);
    // Value length prefix off by one: the value is read by its type and its checksum holds.
    let mut bad_prefix = good.clone();
    assert_eq!(bad_prefix[14], 9, "type byte + 8-byte integer");
    bad_prefix[14] = 10;
    assert_eq!(decode_row(&bad_prefix), Ok(row.clone()));
    bad_prefix[14] = 0;
    assert_eq!(decode_row(&bad_prefix), Ok(row));
}

#[test]
fn values_the_sdk_readers_would_accept_but_that_are_corrupt() {
    let row = Row::new(pk(vec![("pk", PkValue::Integer(1))]), vec![]);
    let good = encode_row(&row);
    // A PK cell with a timestamp.
    let mut with_ts = good[..good.len() - 4].to_vec();
    with_ts.push(TAG_CELL_TIMESTAMP);
    with_ts.extend(&good[good.len() - 4..]);
    assert!(matches!(
        decode_row(&with_ts),
        Err(DecodeError::UnexpectedTag {
            tag: TAG_CELL_TIMESTAMP,
            ..
        })
    ));
}

/// The one single-bit flip the checksums alone cannot see: the delete-marker tag 0x08 turned
/// into the row-checksum tag 0x09. The reader then takes the real checksum tag as the checksum,
/// which passes when the checksum of the row without the marker happens to be 0x09 (1 row in
/// 256). The real checksum is left behind as a stray byte, always 0x0e (CRC-8 is linear:
/// T[x^1] = T[x] ^ T[1]); since only zero padding may follow a row, both readers refuse it.
#[test]
fn delete_marker_flipped_into_the_checksum_tag_is_refused() {
    let unlucky = (0..)
        .map(|id| Row::new(pk(vec![("id", PkValue::Integer(id))]), vec![]))
        .find(|row| encode_row(row).last() == Some(&TAG_ROW_CHECKSUM))
        .expect("one key in 256 has this checksum");
    let mut deleted = unlucky.clone();
    deleted.delete_marker = true;
    let mut bytes = encode_row(&deleted);
    let marker_at = bytes.len() - 3;
    assert_eq!(bytes[marker_at], TAG_DELETE_ROW_MARKER);
    bytes[marker_at] ^= 1;
    assert_eq!(bytes.last(), Some(&0x0e));
    assert!(decode_row(&bytes).is_err());
    assert!(decode_rows(&bytes).is_err());
    // Zero padding (the Node SDK's) is still accepted.
    let mut padded = encode_row(&unlucky);
    padded.extend_from_slice(&[0, 0]);
    assert_eq!(decode_row(&padded), Ok(unlucky));
}
