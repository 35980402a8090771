//! Decoding PlainBuffer rows, following the Java SDK's reader (the reference; the Python pure
//! reader cannot read INF_MIN/INF_MAX and breaks on CELL_TYPE).
//!
//! Stricter than the Java reader where corruption would otherwise go unnoticed: the value length
//! prefix must match the value, booleans must be 0 or 1, ops must be known, and every cell and
//! row checksum is verified. A buffer that decodes is one the checksums vouch for.

use super::consts::*;
use super::crc8;
use super::cursor::Cursor;
use super::stream::SequenceInfo;
use super::DecodeError;
use crate::tablestore::row::{Cell, PkColumn, PkValue, PrimaryKey, Row, Value};

/// Iterates over the rows of a buffer (header + rows). Stops after the first error.
pub struct RowReader<'a> {
    cursor: Cursor<'a>,
    failed: bool,
}

impl<'a> RowReader<'a> {
    /// Checks the header. An empty buffer is a valid buffer of zero rows.
    pub fn new(bytes: &'a [u8]) -> Result<Self, DecodeError> {
        let mut cursor = Cursor::new(bytes, 0);
        if !bytes.is_empty() {
            let header = cursor.u32()?;
            if header != HEADER {
                return Err(DecodeError::BadHeader(header));
            }
        }
        Ok(RowReader {
            cursor,
            failed: false,
        })
    }

    /// Byte offset of the next row.
    pub fn position(&self) -> usize {
        self.cursor.pos()
    }

    /// Reads the next row; `None` at the end of the buffer.
    pub fn read_row(&mut self) -> Option<Result<Row, DecodeError>> {
        if self.failed || self.cursor.is_at_end() {
            return None;
        }
        let row = read_row(&mut self.cursor);
        self.failed = row.is_err();
        Some(row)
    }
}

impl Iterator for RowReader<'_> {
    type Item = Result<Row, DecodeError>;

    fn next(&mut self) -> Option<Self::Item> {
        self.read_row()
    }
}

/// `TAG_ROW_PK cell* [TAG_ROW_DATA cell*] [TAG_DELETE_ROW_MARKER] [extension] TAG_ROW_CHECKSUM crc`.
fn read_row(cursor: &mut Cursor<'_>) -> Result<Row, DecodeError> {
    read_row_with_extension(cursor).map(|(row, _)| row)
}

/// A row and the sequence info of its extension block, when it has one (stream records).
pub(super) fn read_row_with_extension(
    cursor: &mut Cursor<'_>,
) -> Result<(Row, Option<SequenceInfo>), DecodeError> {
    cursor.expect_tag(TAG_ROW_PK)?;
    let mut row_crc = 0;
    let mut columns = Vec::with_capacity(4);
    while cursor.eat_tag(TAG_CELL) {
        let (column, crc) = read_pk_cell(cursor)?;
        columns.push(column);
        row_crc = crc8::update_byte(row_crc, crc);
    }
    let mut cells = Vec::new();
    if cursor.eat_tag(TAG_ROW_DATA) {
        while cursor.eat_tag(TAG_CELL) {
            let (cell, crc) = read_cell(cursor)?;
            cells.push(cell);
            row_crc = crc8::update_byte(row_crc, crc);
        }
    }
    let delete_marker = cursor.eat_tag(TAG_DELETE_ROW_MARKER);
    row_crc = crc8::update_byte(row_crc, u8::from(delete_marker));
    let mut sequence = None;
    if cursor.eat_tag(TAG_EXTENSION) {
        sequence = read_extension(cursor)?;
    }
    cursor.expect_tag(TAG_ROW_CHECKSUM)?;
    let at = cursor.pos();
    let stored = cursor.u8()?;
    if stored != row_crc {
        return Err(DecodeError::RowChecksum {
            at,
            stored,
            computed: row_crc,
        });
    }
    let row = Row {
        primary_key: PrimaryKey(columns),
        cells,
        delete_marker,
    };
    Ok((row, sequence))
}

/// A PK cell after its `TAG_CELL`: name and value, nothing else.
fn read_pk_cell(cursor: &mut Cursor<'_>) -> Result<(PkColumn, u8), DecodeError> {
    let (name, mut crc) = read_name(cursor)?;
    cursor.expect_tag(TAG_CELL_VALUE)?;
    let (value_type, start) = read_value_frame(cursor)?;
    let type_at = cursor.pos() - 1;
    let value = match value_type {
        VT_INTEGER => PkValue::Integer(cursor.i64()?),
        VT_STRING => PkValue::String(read_string(cursor)?),
        VT_BLOB => PkValue::Binary(read_blob(cursor)?),
        VT_INF_MIN => PkValue::InfMin,
        VT_INF_MAX => PkValue::InfMax,
        VT_AUTO_INCREMENT => PkValue::AutoIncrement,
        VT_DOUBLE | VT_BOOLEAN => {
            return Err(DecodeError::Malformed(
                type_at,
                "value type not allowed in a primary key",
            ))
        }
        other => return Err(DecodeError::UnknownValueType(other)),
    };
    check_value_frame(cursor, start)?;
    crc = crc8::update(crc, cursor.since(type_at));
    let crc = read_cell_checksum(cursor, crc)?;
    Ok((PkColumn { name, value }, crc))
}

/// An attribute cell after its `TAG_CELL`: name, then optional value, op and timestamp.
fn read_cell(cursor: &mut Cursor<'_>) -> Result<(Cell, u8), DecodeError> {
    let (name, mut crc) = read_name(cursor)?;
    let mut value = None;
    if cursor.eat_tag(TAG_CELL_VALUE) {
        let (value_type, start) = read_value_frame(cursor)?;
        let type_at = cursor.pos() - 1;
        value = Some(match value_type {
            VT_INTEGER => Value::Integer(cursor.i64()?),
            VT_DOUBLE => Value::Double(f64::from_bits(cursor.i64()? as u64)),
            VT_BOOLEAN => match cursor.u8()? {
                0 => Value::Boolean(false),
                1 => Value::Boolean(true),
                _ => return Err(DecodeError::Malformed(type_at + 1, "boolean is not 0 or 1")),
            },
            VT_STRING => Value::String(read_string(cursor)?),
            VT_BLOB => Value::Binary(read_blob(cursor)?),
            VT_INF_MIN | VT_INF_MAX | VT_AUTO_INCREMENT => {
                return Err(DecodeError::Malformed(
                    type_at,
                    "primary-key-only value in an attribute",
                ))
            }
            other => return Err(DecodeError::UnknownValueType(other)),
        });
        check_value_frame(cursor, start)?;
        crc = crc8::update(crc, cursor.since(type_at));
    }
    let mut op = None;
    if cursor.eat_tag(TAG_CELL_TYPE) {
        let at = cursor.pos();
        let byte = cursor.u8()?;
        op = Some(op_from_byte(byte).ok_or(DecodeError::Malformed(at, "unknown cell op"))?);
    }
    let mut timestamp = None;
    if cursor.eat_tag(TAG_CELL_TIMESTAMP) {
        let bytes = cursor.array::<8>()?;
        crc = crc8::update(crc, &bytes);
        timestamp = Some(i64::from_le_bytes(bytes));
    }
    // The op is covered after the timestamp, although it is written before it.
    if let Some(op) = op {
        crc = crc8::update_byte(crc, op_byte(op));
    }
    let crc = read_cell_checksum(cursor, crc)?;
    let cell = Cell {
        name,
        value,
        timestamp,
        op,
    };
    Ok((cell, crc))
}

/// `TAG_CELL_NAME len32 name`; returns the name and the CRC of its bytes.
fn read_name(cursor: &mut Cursor<'_>) -> Result<(String, u8), DecodeError> {
    cursor.expect_tag(TAG_CELL_NAME)?;
    let len = cursor.len32()?;
    let at = cursor.pos();
    let bytes = cursor.take(len)?;
    let name = std::str::from_utf8(bytes).map_err(|_| DecodeError::InvalidUtf8(at))?;
    Ok((name.to_owned(), crc8::update(0, bytes)))
}

/// Reads the value length prefix and type byte; returns the type and where the type byte is,
/// for [`check_value_frame`].
fn read_value_frame(cursor: &mut Cursor<'_>) -> Result<(u8, (usize, usize)), DecodeError> {
    let at = cursor.pos();
    let len = cursor.len32()?;
    let value_type = cursor.u8()?;
    Ok((value_type, (at, len)))
}

/// The length prefix counts the type byte and the payload. The SDK readers ignore it; we
/// check it, so a corrupted prefix is reported rather than silently skipped.
fn check_value_frame(cursor: &Cursor<'_>, (at, len): (usize, usize)) -> Result<(), DecodeError> {
    if cursor.pos() - (at + 4) != len {
        return Err(DecodeError::Malformed(
            at,
            "value length prefix does not match the value",
        ));
    }
    Ok(())
}

fn read_string(cursor: &mut Cursor<'_>) -> Result<String, DecodeError> {
    let len = cursor.len32()?;
    let at = cursor.pos();
    let bytes = cursor.take(len)?;
    let text = std::str::from_utf8(bytes).map_err(|_| DecodeError::InvalidUtf8(at))?;
    Ok(text.to_owned())
}

fn read_blob(cursor: &mut Cursor<'_>) -> Result<Vec<u8>, DecodeError> {
    let len = cursor.len32()?;
    Ok(cursor.take(len)?.to_vec())
}

/// `TAG_CELL_CHECKSUM crc`, compared with the CRC computed over the cell.
fn read_cell_checksum(cursor: &mut Cursor<'_>, computed: u8) -> Result<u8, DecodeError> {
    cursor.expect_tag(TAG_CELL_CHECKSUM)?;
    let at = cursor.pos();
    let stored = cursor.u8()?;
    if stored != computed {
        return Err(DecodeError::CellChecksum {
            at,
            stored,
            computed,
        });
    }
    Ok(stored)
}

/// Skips an extension block (stream records carry sequence info here). Its bytes are not
/// covered by any checksum, so we at least check that its items exactly fill its length:
/// each item is `tag len32 bytes`, the shape the Java writer produces.
/// An extension block after its tag: the sequence-info item is read when well formed (epoch,
/// timestamp and row index in that order, as the Java reader requires); unknown items are
/// skipped.
fn read_extension(cursor: &mut Cursor<'_>) -> Result<Option<SequenceInfo>, DecodeError> {
    let mut sequence = None;
    let len = cursor.len32()?;
    let end = cursor.pos() + len;
    while cursor.pos() < end {
        let at = cursor.pos();
        let tag = cursor.u8()?;
        if !is_extension_item_tag(tag) {
            return Err(DecodeError::UnexpectedTag { tag, at });
        }
        let item_len = cursor.len32()?;
        if cursor.pos() + item_len > end {
            return Err(DecodeError::Malformed(
                at,
                "extension item runs past its block",
            ));
        }
        let item = cursor.take(item_len)?;
        // Plain row reads skip extensions whatever their content (they have no use for
        // them); a malformed sequence info only matters to a stream-record read, which
        // refuses a record without one.
        if tag == TAG_SEQ_INFO {
            sequence = read_sequence_info(item, at + 5).ok();
        }
    }
    if cursor.pos() != end {
        return Err(DecodeError::Malformed(
            end,
            "extension items do not fill the block",
        ));
    }
    Ok(sequence)
}

fn read_sequence_info(item: &[u8], offset: usize) -> Result<SequenceInfo, DecodeError> {
    let mut cursor = Cursor::new(item, 0);
    let at = |c: &Cursor<'_>| offset + c.pos();
    cursor.expect_tag(TAG_SEQ_INFO_EPOCH)?;
    let epoch = cursor.u32()?;
    cursor.expect_tag(TAG_SEQ_INFO_TS)?;
    let timestamp_us = cursor.i64()?;
    cursor.expect_tag(TAG_SEQ_INFO_ROW_INDEX)?;
    let row_index = cursor.u32()?;
    if !cursor.is_at_end() {
        return Err(DecodeError::Malformed(
            at(&cursor),
            "sequence info longer than epoch, timestamp and row index",
        ));
    }
    Ok(SequenceInfo {
        epoch,
        timestamp_us,
        row_index,
    })
}
