//! PlainBuffer: the row encoding inside Tablestore's protobuf `bytes` fields.
//!
//! API contract (bodies are filled in by the codec work):
//! - [`encode_row`]: header + exactly one row, written as the [`Row`] says: PK cells, attribute
//!   cells (value, op, timestamp as present), delete marker, row checksum. This one function
//!   serves primary keys (a row without cells), puts, updates and deletes.
//! - [`encode_rows`]: header + N rows (GetRange responses); no rows → empty buffer.
//! - [`decode_row`]: exactly one row; bytes after the row checksum are ignored (the Node SDK
//!   pads keys with zero bytes).
//! - [`decode_rows`]: every row of a buffer; an empty buffer is zero rows.
//!
//! Every cell and row checksum (CRC-8) is written on encode and checked on decode.

use crate::tablestore::row::Row;

/// Why a buffer could not be decoded. A corrupted buffer is always an error.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum DecodeError {
    #[error("PlainBuffer ends early at byte {0}")]
    Truncated(usize),
    #[error("PlainBuffer header is {0:#x}, expected 0x75")]
    BadHeader(u32),
    #[error("unexpected PlainBuffer tag {tag:#04x} at byte {at}")]
    UnexpectedTag { tag: u8, at: usize },
    #[error("unknown PlainBuffer value type {0:#04x}")]
    UnknownValueType(u8),
    #[error("PlainBuffer cell checksum mismatch at byte {at}: stored {stored:#04x}, computed {computed:#04x}")]
    CellChecksum { at: usize, stored: u8, computed: u8 },
    #[error("PlainBuffer row checksum mismatch at byte {at}: stored {stored:#04x}, computed {computed:#04x}")]
    RowChecksum { at: usize, stored: u8, computed: u8 },
    #[error("PlainBuffer string is not UTF-8 at byte {0}")]
    InvalidUtf8(usize),
    #[error("PlainBuffer value is malformed at byte {0}: {1}")]
    Malformed(usize, &'static str),
}

/// Header + one row.
pub fn encode_row(row: &Row) -> Vec<u8> {
    let _ = row;
    todo!("plainbuffer codec")
}

/// Header + every row; an empty slice gives an empty buffer.
pub fn encode_rows(rows: &[Row]) -> Vec<u8> {
    let _ = rows;
    todo!("plainbuffer codec")
}

/// Exactly one row; trailing bytes after its checksum are ignored.
pub fn decode_row(bytes: &[u8]) -> Result<Row, DecodeError> {
    let _ = bytes;
    todo!("plainbuffer codec")
}

/// Every row in the buffer; an empty buffer is zero rows.
pub fn decode_rows(bytes: &[u8]) -> Result<Vec<Row>, DecodeError> {
    let _ = bytes;
    todo!("plainbuffer codec")
}
