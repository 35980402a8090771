//! PlainBuffer: the row encoding inside Tablestore's protobuf `bytes` fields.
//!
//! - [`encode_row`]: header + exactly one row, written as the [`Row`] says: PK cells, attribute
//!   cells (value, op, timestamp as present), delete marker, row checksum. This one function
//!   serves primary keys (a row without cells), puts, updates and deletes.
//! - [`encode_rows`]: header + N rows (GetRange responses); no rows → empty buffer.
//! - [`decode_row`]: exactly one row; only zero bytes may follow the row checksum (the Node SDK
//!   pads keys with zero bytes).
//! - [`decode_rows`]: every row of a buffer; an empty buffer is zero rows.
//! - [`RowReader`]: the rows of a buffer one at a time, for callers that stream.
//! - [`encode_stream_record`] / [`decode_stream_record`]: one row plus its stream sequence info
//!   (the extension block of Stream API records).
//!
//! Every cell and row checksum (CRC-8) is written on encode and checked on decode; extension
//! blocks (stream sequence info) are skipped. Grammar and checksum rules: protocol reference §1.7.
//!
//! # Layout
//! - `consts`: tags, value types, ops.
//! - `crc8`: the checksum.
//! - `writer`: encoding; `reader` + `cursor`: decoding.

pub mod consts;
pub mod crc8;
mod cursor;
mod reader;
mod stream;
mod writer;

#[cfg(test)]
mod tests;

pub use reader::RowReader;
pub use stream::{decode_stream_record, encode_stream_record, SequenceInfo};
pub use writer::{append_encoded_row, encode_row, encode_rows, encoded_len, write_row};

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

/// Exactly one row; only zero padding may follow its checksum.
pub fn decode_row(bytes: &[u8]) -> Result<Row, DecodeError> {
    let mut reader = RowReader::new(bytes)?;
    let row = reader
        .read_row()
        .unwrap_or(Err(DecodeError::Truncated(bytes.len())))?;
    // The Node SDK pads keys with zero bytes; anything else after the row means the buffer was
    // misread (e.g. a delete-marker tag flipped into the checksum tag leaves the real checksum
    // behind), so it is refused rather than silently dropped.
    let end = reader.position();
    if let Some(offset) = bytes[end..].iter().position(|&b| b != 0) {
        return Err(DecodeError::Malformed(
            end + offset,
            "non-zero bytes after the row",
        ));
    }
    Ok(row)
}

/// Every row in the buffer; an empty buffer is zero rows.
pub fn decode_rows(bytes: &[u8]) -> Result<Vec<Row>, DecodeError> {
    RowReader::new(bytes)?.collect()
}
