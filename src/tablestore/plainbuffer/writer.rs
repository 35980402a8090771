//! Encoding rows into PlainBuffer.
//!
//! The writer emits exactly what the [`Row`] says, in the order the official SDKs do: PK cells,
//! then (if any) attribute cells with value, op, timestamp; then the delete marker and the row
//! checksum. It does not judge whether a combination makes sense for a given request (that is
//! the caller's and the server's business), so the emulator and the client share it.
//!
//! Checksums are computed over the bytes just written, so the CRC always covers exactly what is
//! on the wire.

use super::consts::*;
use super::crc8;
use crate::tablestore::row::{Cell, PkColumn, PkValue, Row, Value};

/// Header + one row.
pub fn encode_row(row: &Row) -> Vec<u8> {
    let mut out = Vec::with_capacity(encoded_len(row));
    append_encoded_row(&mut out, row);
    out
}

/// Appends [`encode_row`]`(row)` to `out` without a buffer of its own (hot paths that collect
/// many encoded rows in one buffer).
pub fn append_encoded_row(out: &mut Vec<u8>, row: &Row) {
    out.extend_from_slice(&HEADER.to_le_bytes());
    write_row(out, row);
}

/// Header + every row; an empty slice gives an empty buffer.
pub fn encode_rows(rows: &[Row]) -> Vec<u8> {
    if rows.is_empty() {
        return Vec::new();
    }
    let len = HEADER_LEN + rows.iter().map(row_len).sum::<usize>();
    let mut out = Vec::with_capacity(len);
    out.extend_from_slice(&HEADER.to_le_bytes());
    for row in rows {
        write_row(&mut out, row);
    }
    out
}

/// The exact length of [`encode_row`]`(row)`, header included.
pub fn encoded_len(row: &Row) -> usize {
    HEADER_LEN + row_len(row)
}

/// Appends one row (no header) to `out`.
pub fn write_row(out: &mut Vec<u8>, row: &Row) {
    let mut row_crc = 0;
    out.push(TAG_ROW_PK);
    for column in row.primary_key.columns() {
        row_crc = crc8::update_byte(row_crc, write_pk_cell(out, column));
    }
    if !row.cells.is_empty() {
        out.push(TAG_ROW_DATA);
        for cell in &row.cells {
            row_crc = crc8::update_byte(row_crc, write_cell(out, cell));
        }
    }
    if row.delete_marker {
        out.push(TAG_DELETE_ROW_MARKER);
    }
    row_crc = crc8::update_byte(row_crc, u8::from(row.delete_marker));
    out.push(TAG_ROW_CHECKSUM);
    out.push(row_crc);
}

/// Writes one PK cell and returns its checksum.
fn write_pk_cell(out: &mut Vec<u8>, column: &PkColumn) -> u8 {
    out.push(TAG_CELL);
    let mut crc = write_name(out, &column.name);
    out.push(TAG_CELL_VALUE);
    let value_start = out.len() + 4;
    match &column.value {
        PkValue::Integer(v) => write_i64_value(out, VT_INTEGER, *v),
        PkValue::String(s) => write_bytes_value(out, VT_STRING, s.as_bytes()),
        PkValue::Binary(b) => write_bytes_value(out, VT_BLOB, b),
        PkValue::InfMin => write_bare_type(out, VT_INF_MIN),
        PkValue::InfMax => write_bare_type(out, VT_INF_MAX),
        PkValue::AutoIncrement => write_bare_type(out, VT_AUTO_INCREMENT),
    }
    crc = crc8::update(crc, &out[value_start..]);
    out.push(TAG_CELL_CHECKSUM);
    out.push(crc);
    crc
}

/// Writes one attribute cell and returns its checksum. The checksum covers the timestamp
/// before the op although the op is written first: that is the order every SDK and the
/// server use.
fn write_cell(out: &mut Vec<u8>, cell: &Cell) -> u8 {
    out.push(TAG_CELL);
    let mut crc = write_name(out, &cell.name);
    if let Some(value) = &cell.value {
        out.push(TAG_CELL_VALUE);
        let value_start = out.len() + 4;
        match value {
            Value::Integer(v) => write_i64_value(out, VT_INTEGER, *v),
            Value::Double(v) => write_i64_value(out, VT_DOUBLE, v.to_bits() as i64),
            Value::Boolean(v) => {
                out.extend_from_slice(&2u32.to_le_bytes());
                out.extend_from_slice(&[VT_BOOLEAN, u8::from(*v)]);
            }
            Value::String(s) => write_bytes_value(out, VT_STRING, s.as_bytes()),
            Value::Binary(b) => write_bytes_value(out, VT_BLOB, b),
        }
        crc = crc8::update(crc, &out[value_start..]);
    }
    if let Some(op) = cell.op {
        out.extend_from_slice(&[TAG_CELL_TYPE, op_byte(op)]);
    }
    if let Some(ts) = cell.timestamp {
        out.push(TAG_CELL_TIMESTAMP);
        out.extend_from_slice(&ts.to_le_bytes());
        crc = crc8::update(crc, &ts.to_le_bytes());
    }
    if let Some(op) = cell.op {
        crc = crc8::update_byte(crc, op_byte(op));
    }
    out.push(TAG_CELL_CHECKSUM);
    out.push(crc);
    crc
}

/// Writes `CELL_NAME len name` and returns the CRC of the name bytes.
fn write_name(out: &mut Vec<u8>, name: &str) -> u8 {
    out.push(TAG_CELL_NAME);
    out.extend_from_slice(&len32(name.len()).to_le_bytes());
    out.extend_from_slice(name.as_bytes());
    crc8::update(0, name.as_bytes())
}

fn write_i64_value(out: &mut Vec<u8>, value_type: u8, v: i64) {
    out.extend_from_slice(&9u32.to_le_bytes());
    out.push(value_type);
    out.extend_from_slice(&v.to_le_bytes());
}

fn write_bytes_value(out: &mut Vec<u8>, value_type: u8, bytes: &[u8]) {
    out.extend_from_slice(&len32(5 + bytes.len()).to_le_bytes());
    out.push(value_type);
    out.extend_from_slice(&len32(bytes.len()).to_le_bytes());
    out.extend_from_slice(bytes);
}

fn write_bare_type(out: &mut Vec<u8>, value_type: u8) {
    out.extend_from_slice(&1u32.to_le_bytes());
    out.push(value_type);
}

/// Lengths are 32-bit on the wire (and the service caps values at 2 MB), so a longer field is
/// a programming error, not a data condition.
fn len32(len: usize) -> u32 {
    u32::try_from(len).expect("PlainBuffer field longer than 4 GiB")
}

fn row_len(row: &Row) -> usize {
    // TAG_ROW_PK + [TAG_ROW_DATA] + [TAG_DELETE_ROW_MARKER] + TAG_ROW_CHECKSUM + checksum
    let mut len = 3 + usize::from(!row.cells.is_empty()) + usize::from(row.delete_marker);
    for column in row.primary_key.columns() {
        len += cell_frame_len(&column.name) + 5 + pk_value_len(&column.value);
    }
    for cell in &row.cells {
        len += cell_frame_len(&cell.name);
        len += cell.value.as_ref().map_or(0, |v| 5 + value_len(v));
        len += if cell.op.is_some() { 2 } else { 0 };
        len += if cell.timestamp.is_some() { 9 } else { 0 };
    }
    len
}

/// TAG_CELL + TAG_CELL_NAME + len32 + name + TAG_CELL_CHECKSUM + checksum.
fn cell_frame_len(name: &str) -> usize {
    8 + name.len()
}

/// Type byte + payload (what the value's length prefix counts).
fn pk_value_len(value: &PkValue) -> usize {
    match value {
        PkValue::Integer(_) => 9,
        PkValue::String(s) => 5 + s.len(),
        PkValue::Binary(b) => 5 + b.len(),
        PkValue::InfMin | PkValue::InfMax | PkValue::AutoIncrement => 1,
    }
}

fn value_len(value: &Value) -> usize {
    match value {
        Value::Integer(_) | Value::Double(_) => 9,
        Value::Boolean(_) => 2,
        Value::String(s) => 5 + s.len(),
        Value::Binary(b) => 5 + b.len(),
    }
}
