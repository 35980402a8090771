//! The backup's write path form of [`mapping::row_to_document`]: the same document, byte for
//! byte, written straight into one buffer of BSON.
//!
//! A [`bson::Document`] costs an allocation per field name and per value (a row of three cells
//! is about thirty) and the driver then walks it again to serialize it. Nested
//! [`bson::RawDocumentBuf`]s are cheaper but still cost one growing buffer per embedded
//! document (id, key columns, cells) and a copy of each into its parent: about twenty-five
//! allocations a row, which was the largest part of the MongoDB store's CPU per row. Here every
//! embedded document is written in place, its length patched when it ends, so a row is one
//! allocation. The layout is BSON's (bsonspec.org): `int32 total length, elements, 0x00`, each
//! element `type byte, key cstring, value`. Reading backups still goes through
//! [`mapping::document_to_row`], whose strict checks need the parsed form; the tests compare
//! the bytes with [`mapping::row_to_document`]'s for every value type and for generated rows.

use bson::RawDocumentBuf;

use super::mapping::{self, MappingError};
use crate::tablestore::{Cell, PkValue, Row, Value};

const DOUBLE: u8 = 0x01;
const STRING: u8 = 0x02;
pub(super) const DOCUMENT: u8 = 0x03;
pub(super) const ARRAY: u8 = 0x04;
const BINARY: u8 = 0x05;
const BOOLEAN: u8 = 0x08;
const INT64: u8 = 0x12;
const BINARY_GENERIC: u8 = 0x00;

/// The document of one row of split range `range`; equal in every byte to what
/// [`mapping::row_to_document`] would send.
pub fn row_to_raw_document(row: &Row, range: u32) -> Result<RawDocumentBuf, MappingError> {
    let key = &row.primary_key;
    if key.is_empty() {
        return mapping::fail("a row without primary key columns cannot be stored");
    }
    let mut out = BsonWriter::with_capacity(estimated_len(row));
    let document = out.start_document();
    let id = out.start_embedded(DOCUMENT, mapping::ID);
    for (i, column) in key.columns().iter().enumerate() {
        out.pk_value(&index(i), &column.value)?;
    }
    out.end_document(id);
    let pk = out.start_embedded(ARRAY, mapping::PK);
    for (i, column) in key.columns().iter().enumerate() {
        let entry = out.start_embedded(DOCUMENT, &index(i));
        out.string(mapping::NAME, &column.name);
        out.pk_value(mapping::VALUE, &column.value)?;
        out.end_document(entry);
    }
    out.end_document(pk);
    let cells = out.start_embedded(ARRAY, mapping::CELLS);
    for (i, cell) in row.cells.iter().enumerate() {
        out.cell(&index(i), cell);
    }
    out.end_document(cells);
    out.int64(mapping::RANGE, i64::from(range));
    if row.delete_marker {
        out.boolean(mapping::DELETED, true);
    }
    out.end_document(document);
    out.finish()
        .or_else(|e| mapping::fail(format!("encoded an invalid BSON document: {e}")))
}

/// An array element's key, its position in decimal, formatted on the stack (a `String` per
/// element would be an allocation each).
pub(super) struct Index {
    digits: [u8; 20],
    start: usize,
}

pub(super) fn index(mut i: usize) -> Index {
    let mut digits = [0u8; 20];
    let mut start = digits.len();
    loop {
        start -= 1;
        digits[start] = b'0' + (i % 10) as u8;
        i /= 10;
        if i == 0 {
            return Index { digits, start };
        }
    }
}

impl std::ops::Deref for Index {
    type Target = str;

    fn deref(&self) -> &str {
        std::str::from_utf8(&self.digits[self.start..]).expect("ASCII digits")
    }
}

/// Enough for the row without growing in the common case (names and values plus BSON framing).
fn estimated_len(row: &Row) -> usize {
    let key: usize = row
        .primary_key
        .columns()
        .iter()
        .map(|c| 64 + c.name.len() + 2 * pk_payload_len(&c.value))
        .sum();
    let cells: usize = row
        .cells
        .iter()
        .map(|c| 64 + c.name.len() + c.value.as_ref().map_or(0, value_payload_len))
        .sum();
    64 + key + cells
}

fn pk_payload_len(value: &PkValue) -> usize {
    match value {
        PkValue::String(s) => s.len(),
        PkValue::Binary(b) => b.len(),
        _ => 8,
    }
}

fn value_payload_len(value: &Value) -> usize {
    match value {
        Value::String(s) => s.len(),
        Value::Binary(b) => b.len(),
        _ => 8,
    }
}

/// A BSON document being written; embedded documents are open while their elements are
/// written, and each `start_*` returns where its length goes for the matching `end_document`.
pub(super) struct BsonWriter {
    bytes: Vec<u8>,
}

impl BsonWriter {
    pub(super) fn with_capacity(capacity: usize) -> Self {
        BsonWriter {
            bytes: Vec::with_capacity(capacity),
        }
    }

    /// The document written (every `start_*` closed by its `end_document`).
    pub(super) fn finish(self) -> bson::raw::Result<RawDocumentBuf> {
        RawDocumentBuf::from_bytes(self.bytes)
    }

    pub(super) fn start_document(&mut self) -> usize {
        let at = self.bytes.len();
        self.bytes.extend_from_slice(&[0; 4]);
        at
    }

    pub(super) fn start_embedded(&mut self, element_type: u8, key: &str) -> usize {
        self.element(element_type, key);
        self.start_document()
    }

    /// Closes the document started at `at`: its terminator, then its length in front.
    pub(super) fn end_document(&mut self, at: usize) {
        self.bytes.push(0);
        let len = i32::try_from(self.bytes.len() - at).expect("a row's document fits in 2 GiB");
        self.bytes[at..at + 4].copy_from_slice(&len.to_le_bytes());
    }

    /// Keys are this module's field names and array positions: never a NUL byte in them.
    pub(super) fn element(&mut self, element_type: u8, key: &str) {
        debug_assert!(!key.contains('\0'));
        self.bytes.push(element_type);
        self.bytes.extend_from_slice(key.as_bytes());
        self.bytes.push(0);
    }

    fn int64(&mut self, key: &str, value: i64) {
        self.element(INT64, key);
        self.bytes.extend_from_slice(&value.to_le_bytes());
    }

    /// A UTF-8 string: `int32 length (with its terminator), bytes, 0x00`. BSON strings may hold
    /// NUL bytes; only keys may not.
    pub(super) fn string(&mut self, key: &str, value: &str) {
        self.element(STRING, key);
        let len = i32::try_from(value.len() + 1).expect("a value fits in 2 GiB");
        self.bytes.extend_from_slice(&len.to_le_bytes());
        self.bytes.extend_from_slice(value.as_bytes());
        self.bytes.push(0);
    }

    /// An element whose value is a document already encoded (`bytes` is the whole document).
    pub(super) fn document(&mut self, key: &str, bytes: &[u8]) {
        self.element(DOCUMENT, key);
        self.bytes.extend_from_slice(bytes);
    }

    pub(super) fn boolean(&mut self, key: &str, value: bool) {
        self.element(BOOLEAN, key);
        self.bytes.push(u8::from(value));
    }

    fn binary(&mut self, key: &str, value: &[u8]) {
        self.element(BINARY, key);
        let len = i32::try_from(value.len()).expect("a value fits in 2 GiB");
        self.bytes.extend_from_slice(&len.to_le_bytes());
        self.bytes.push(BINARY_GENERIC);
        self.bytes.extend_from_slice(value);
    }

    fn pk_value(&mut self, key: &str, value: &PkValue) -> Result<(), MappingError> {
        match value {
            PkValue::Integer(i) => self.int64(key, *i),
            PkValue::String(s) => self.string(key, s),
            PkValue::Binary(b) => self.binary(key, b),
            PkValue::InfMin | PkValue::InfMax | PkValue::AutoIncrement => {
                return mapping::fail(format!(
                    "{value:?} is a placeholder, not a stored key value"
                ))
            }
        }
        Ok(())
    }

    fn value(&mut self, key: &str, value: &Value) {
        match value {
            Value::Integer(i) => self.int64(key, *i),
            Value::Double(d) => {
                self.element(DOUBLE, key);
                self.bytes.extend_from_slice(&d.to_le_bytes());
            }
            Value::Boolean(b) => self.boolean(key, *b),
            Value::String(s) => self.string(key, s),
            Value::Binary(b) => self.binary(key, b),
        }
    }

    /// One cell: `{n, v?, nan_bits?, ts?, op?}`, in [`mapping`]'s order.
    fn cell(&mut self, key: &str, cell: &Cell) {
        let entry = self.start_embedded(DOCUMENT, key);
        self.string(mapping::NAME, &cell.name);
        if let Some(value) = &cell.value {
            self.value(mapping::VALUE, value);
            if let Value::Double(d) = value {
                if d.is_nan() {
                    self.int64(mapping::NAN_BITS, d.to_bits() as i64);
                }
            }
        }
        if let Some(ts) = cell.timestamp {
            self.int64(mapping::TIMESTAMP, ts);
        }
        if let Some(op) = cell.op {
            self.string(mapping::OP, mapping::op_name(op));
        }
        self.end_document(entry);
    }
}
