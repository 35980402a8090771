//! Stream records: the PlainBuffer payload of `GetStreamRecordResponse.StreamRecord.record`.
//!
//! A record is a header plus exactly one row whose extension block (tag `0x0B`, before the row
//! checksum and not covered by it) carries the record's sequence info: epoch, commit time in
//! microseconds and the index among records sharing that time. Layout and lengths follow the
//! Java SDK writer (`PlainBufferCodedOutputStream.writeExtension`/`writeSequenceInfo`), see
//! `docs/stream-api.md`. The emulator writes records with [`encode_stream_record`]; the client
//! reads them with [`decode_stream_record`].

use serde::{Deserialize, Serialize};

use super::consts::*;
use super::cursor::Cursor;
use super::reader::read_row_with_extension;
use super::writer::encode_row;
use super::DecodeError;
use crate::tablestore::row::Row;

/// Where a record sits in its shard's log. Records of one shard are ordered by
/// `(epoch, timestamp_us, row_index)`; sequence info of different shards is not comparable.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct SequenceInfo {
    pub epoch: u32,
    /// Commit time, microseconds since the Unix epoch.
    pub timestamp_us: i64,
    pub row_index: u32,
}

/// Bytes of the sequence-info item after its length: three tagged fields (1+4, 1+8, 1+4).
const SEQ_INFO_LEN: u32 = 19;
/// Bytes of the extension block after its length: the item's tag, length and body.
const EXTENSION_LEN: u32 = 1 + 4 + SEQ_INFO_LEN;

/// Header + `row` + the extension with `sequence`, before the row checksum.
pub fn encode_stream_record(row: &Row, sequence: SequenceInfo) -> Vec<u8> {
    let mut out = encode_row(row);
    // The row checksum (tag + byte) ends the buffer; the extension goes right before it and
    // is not part of the checksum.
    let at = out.len() - 2;
    let mut block = Vec::with_capacity(1 + 4 + EXTENSION_LEN as usize);
    block.push(TAG_EXTENSION);
    block.extend_from_slice(&EXTENSION_LEN.to_le_bytes());
    block.push(TAG_SEQ_INFO);
    block.extend_from_slice(&SEQ_INFO_LEN.to_le_bytes());
    block.push(TAG_SEQ_INFO_EPOCH);
    block.extend_from_slice(&sequence.epoch.to_le_bytes());
    block.push(TAG_SEQ_INFO_TS);
    block.extend_from_slice(&sequence.timestamp_us.to_le_bytes());
    block.push(TAG_SEQ_INFO_ROW_INDEX);
    block.extend_from_slice(&sequence.row_index.to_le_bytes());
    out.splice(at..at, block);
    out
}

/// Exactly one row with its sequence info. Every checksum is verified; a record without
/// sequence info is refused (the Go SDK asserts it is always there, and a backup cannot order
/// a record it cannot place).
pub fn decode_stream_record(bytes: &[u8]) -> Result<(Row, SequenceInfo), DecodeError> {
    let mut cursor = Cursor::new(bytes, 0);
    let header = cursor.u32()?;
    if header != HEADER {
        return Err(DecodeError::BadHeader(header));
    }
    let (row, sequence) = read_row_with_extension(&mut cursor)?;
    if !cursor.is_at_end() {
        return Err(DecodeError::Malformed(
            cursor.pos(),
            "a stream record holds exactly one row",
        ));
    }
    let sequence = sequence.ok_or(DecodeError::Malformed(
        cursor.pos(),
        "stream record without sequence info",
    ))?;
    Ok((row, sequence))
}
