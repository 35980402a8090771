//! Hand-checked buffers: byte layouts and checksums, checked against bytes the official Python
//! SDK produced and an independent CRC implementation.

use super::{pk, smbus, unhex};
use crate::tablestore::plainbuffer::consts::*;
use crate::tablestore::plainbuffer::{decode_row, encode_row, encoded_len};
use crate::tablestore::row::{Cell, CellOp, PkValue, Row, Value};

#[test]
fn integer_key_byte_by_byte() {
    let row = Row::new(pk(vec![("pk", PkValue::Integer(1))]), vec![]);
    let cell_crc = smbus(b"pk\x00\x01\x00\x00\x00\x00\x00\x00\x00");
    let row_crc = smbus(&[cell_crc, 0]);
    let mut expected = vec![0x75, 0, 0, 0]; // header
    expected.push(TAG_ROW_PK);
    expected.extend([TAG_CELL, TAG_CELL_NAME, 2, 0, 0, 0, b'p', b'k']);
    expected.extend([
        TAG_CELL_VALUE,
        9,
        0,
        0,
        0,
        VT_INTEGER,
        1,
        0,
        0,
        0,
        0,
        0,
        0,
        0,
    ]);
    expected.extend([TAG_CELL_CHECKSUM, cell_crc, TAG_ROW_CHECKSUM, row_crc]);
    // The same bytes the Python SDK's serialize_primary_key([('pk', 1)]) produces.
    assert_eq!(
        expected,
        unhex("7500000001030402000000706b05090000000001000000000000000a4c09a7")
    );
    assert_eq!(encode_row(&row), expected);
    assert_eq!(encoded_len(&row), expected.len());
    assert_eq!(decode_row(&expected), Ok(row));
}

#[test]
fn inf_min_key_has_a_type_byte_and_no_payload() {
    let row = Row::new(pk(vec![("pk", PkValue::InfMin)]), vec![]);
    let cell_crc = smbus(&[b'p', b'k', VT_INF_MIN]);
    let bytes = unhex("7500000001030402000000706b0501000000090a3a097b");
    assert_eq!(bytes[bytes.len() - 3], cell_crc);
    assert_eq!(encode_row(&row), bytes);
    assert_eq!(decode_row(&bytes), Ok(row));
}

/// Python SDK: serialize_for_put_row([('id','a')], [('n',7,1000), ('b',True), ('d',-0.0,5)]).
#[test]
fn put_row_with_timestamps_matches_the_sdk() {
    let row = Row::new(
        pk(vec![("id", PkValue::String("a".into()))]),
        vec![
            Cell::put_at("n", Value::Integer(7), 1000),
            Cell::put("b", Value::Boolean(true)),
            Cell::put_at("d", Value::Double(-0.0), 5),
        ],
    );
    let sdk = unhex(concat!(
        "7500000001030402000000696405060000000301000000610a9102",
        "0304010000006e050900000000070000000000000007e8030000000000000abb",
        "03040100000062050200000002010a3e",
        "0304010000006405090000000100000000000000800705000000000000000a20",
        "09b6",
    ));
    assert_eq!(encode_row(&row), sdk);
    assert_eq!(decode_row(&sdk), Ok(row));
}

/// Python SDK update row: PUT s='hé', DELETE x@42, DELETE_ALL y, INCREMENT c+=3. The op is
/// written before the timestamp but checksummed after it.
#[test]
fn update_row_with_every_op_matches_the_sdk() {
    let row = Row::new(
        pk(vec![("k", PkValue::Binary(vec![1, 2]))]),
        vec![
            Cell::put("s", Value::String("hé".into())),
            Cell::delete_one("x", 42),
            Cell::delete_all("y"),
            Cell {
                op: Some(CellOp::Increment),
                ..Cell::put("c", Value::Integer(3))
            },
        ],
    );
    let sdk = unhex(concat!(
        "75000000010304010000006b0507000000070200000001020a45",
        "02030401000000730508000000030300000068c3a90a5a",
        "030401000000780603072a000000000000000a89",
        "0304010000007906010a18",
        "03040100000063050900000000030000000000000006040a8a",
        "098c",
    ));
    let delete_one_crc = smbus(&[b'x', 42, 0, 0, 0, 0, 0, 0, 0, OP_DELETE_ONE_VERSION]);
    assert_eq!(delete_one_crc, 0x89);
    assert_eq!(encode_row(&row), sdk);
    assert_eq!(decode_row(&sdk), Ok(row));
}

/// Python SDK: serialize_for_delete_row([('k', 5), ('m', INF_MAX)]); the marker adds a 1.
#[test]
fn delete_row_matches_the_sdk() {
    let mut row = Row::new(
        pk(vec![("k", PkValue::Integer(5)), ("m", PkValue::InfMax)]),
        vec![],
    );
    row.delete_marker = true;
    let sdk = unhex(concat!(
        "75000000010304010000006b05090000000005000000000000000acb",
        "0304010000006d05010000000a0a2a",
        "08094a",
    ));
    assert_eq!(smbus(&[0xcb, 0x2a, 1]), 0x4a);
    assert_eq!(encode_row(&row), sdk);
    assert_eq!(decode_row(&sdk), Ok(row));
}

#[test]
fn auto_increment_key_matches_the_sdk() {
    let row = Row::new(pk(vec![("k", PkValue::AutoIncrement)]), vec![]);
    let sdk = unhex("75000000010304010000006b05010000000b0a530933");
    assert_eq!(encode_row(&row), sdk);
    assert_eq!(decode_row(&sdk), Ok(row));
}
