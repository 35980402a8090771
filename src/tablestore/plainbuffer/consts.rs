//! PlainBuffer tags, value types and cell operations (protocol reference §1.7).

use crate::tablestore::row::CellOp;

/// The little-endian `u32` every buffer starts with.
pub const HEADER: u32 = 0x75;
/// Size of the header in bytes.
pub const HEADER_LEN: usize = 4;

pub const TAG_ROW_PK: u8 = 0x01;
pub const TAG_ROW_DATA: u8 = 0x02;
pub const TAG_CELL: u8 = 0x03;
pub const TAG_CELL_NAME: u8 = 0x04;
pub const TAG_CELL_VALUE: u8 = 0x05;
pub const TAG_CELL_TYPE: u8 = 0x06;
pub const TAG_CELL_TIMESTAMP: u8 = 0x07;
pub const TAG_DELETE_ROW_MARKER: u8 = 0x08;
pub const TAG_ROW_CHECKSUM: u8 = 0x09;
pub const TAG_CELL_CHECKSUM: u8 = 0x0A;
/// Extension block (stream records): `u32` length, then items, before the row checksum.
pub const TAG_EXTENSION: u8 = 0x0B;
/// Sequence info item inside an extension block; the only item the SDKs know.
pub const TAG_SEQ_INFO: u8 = 0x0C;
pub const TAG_SEQ_INFO_EPOCH: u8 = 0x0D;
pub const TAG_SEQ_INFO_TS: u8 = 0x0E;
pub const TAG_SEQ_INFO_ROW_INDEX: u8 = 0x0F;

pub const VT_INTEGER: u8 = 0x0;
pub const VT_DOUBLE: u8 = 0x1;
pub const VT_BOOLEAN: u8 = 0x2;
pub const VT_STRING: u8 = 0x3;
pub const VT_BLOB: u8 = 0x7;
pub const VT_INF_MIN: u8 = 0x9;
pub const VT_INF_MAX: u8 = 0xA;
pub const VT_AUTO_INCREMENT: u8 = 0xB;

pub const OP_DELETE_ALL_VERSIONS: u8 = 0x1;
pub const OP_DELETE_ONE_VERSION: u8 = 0x3;
pub const OP_INCREMENT: u8 = 0x4;

/// The `CELL_TYPE` byte of an operation.
pub fn op_byte(op: CellOp) -> u8 {
    match op {
        CellOp::DeleteAllVersions => OP_DELETE_ALL_VERSIONS,
        CellOp::DeleteOneVersion => OP_DELETE_ONE_VERSION,
        CellOp::Increment => OP_INCREMENT,
    }
}

/// The operation a `CELL_TYPE` byte stands for, if it is one.
pub fn op_from_byte(byte: u8) -> Option<CellOp> {
    match byte {
        OP_DELETE_ALL_VERSIONS => Some(CellOp::DeleteAllVersions),
        OP_DELETE_ONE_VERSION => Some(CellOp::DeleteOneVersion),
        OP_INCREMENT => Some(CellOp::Increment),
        _ => None,
    }
}

/// Whether a tag may start an item inside an extension block. Like the Java reference reader we
/// accept the sequence-info tag and any tag PlainBuffer does not define (future items), but not
/// a row or cell tag, which would mean the block is corrupt.
pub fn is_extension_item_tag(tag: u8) -> bool {
    tag == TAG_SEQ_INFO || tag > TAG_SEQ_INFO_ROW_INDEX || tag == 0
}
