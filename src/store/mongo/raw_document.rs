//! The backup's write path form of [`mapping::row_to_document`]: the same document, byte for
//! byte, appended straight into BSON bytes.
//!
//! A [`bson::Document`] costs an allocation per field name and per value (a row of three cells
//! is about thirty) and the driver then walks it again to serialize it; building the bytes
//! directly skips both, which was most of the MongoDB store's CPU per row. Reading backups
//! still goes through [`mapping::document_to_row`], whose strict checks need the parsed form.

use bson::{spec::BinarySubtype, RawArrayBuf, RawBinaryRef, RawBsonRef, RawDocumentBuf};

use super::mapping::{self, MappingError};
use crate::tablestore::{Cell, PkValue, Row, Value};

/// The document of one row of split range `range`; equal in every byte to what
/// [`mapping::row_to_document`] would send.
pub fn row_to_raw_document(row: &Row, range: u32) -> Result<RawDocumentBuf, MappingError> {
    let key = &row.primary_key;
    if key.is_empty() {
        return mapping::fail("a row without primary key columns cannot be stored");
    }
    let mut id = RawDocumentBuf::new();
    let mut pk = RawArrayBuf::new();
    for (i, column) in key.columns().iter().enumerate() {
        let value = pk_value(&column.value)?;
        id.append_ref(i.to_string(), value);
        let mut entry = RawDocumentBuf::new();
        entry.append_ref(mapping::NAME, column.name.as_str());
        entry.append_ref(mapping::VALUE, value);
        pk.push(entry);
    }
    let mut cells = RawArrayBuf::new();
    for cell in &row.cells {
        cells.push(cell_document(cell));
    }
    let mut document = RawDocumentBuf::new();
    document.append_ref(mapping::ID, &id);
    document.append_ref(mapping::PK, &pk);
    document.append_ref(mapping::CELLS, &cells);
    document.append_ref(mapping::RANGE, i64::from(range));
    if row.delete_marker {
        document.append_ref(mapping::DELETED, true);
    }
    Ok(document)
}

fn cell_document(cell: &Cell) -> RawDocumentBuf {
    let mut entry = RawDocumentBuf::new();
    entry.append_ref(mapping::NAME, cell.name.as_str());
    if let Some(value) = &cell.value {
        entry.append_ref(mapping::VALUE, value_ref(value));
        if let Value::Double(d) = value {
            if d.is_nan() {
                entry.append_ref(mapping::NAN_BITS, d.to_bits() as i64);
            }
        }
    }
    if let Some(ts) = cell.timestamp {
        entry.append_ref(mapping::TIMESTAMP, ts);
    }
    if let Some(op) = cell.op {
        entry.append_ref(mapping::OP, mapping::op_name(op));
    }
    entry
}

fn pk_value(value: &PkValue) -> Result<RawBsonRef<'_>, MappingError> {
    match value {
        PkValue::Integer(i) => Ok(RawBsonRef::Int64(*i)),
        PkValue::String(s) => Ok(RawBsonRef::String(s)),
        PkValue::Binary(b) => Ok(binary(b)),
        PkValue::InfMin | PkValue::InfMax | PkValue::AutoIncrement => mapping::fail(format!(
            "{value:?} is a placeholder, not a stored key value"
        )),
    }
}

fn value_ref(value: &Value) -> RawBsonRef<'_> {
    match value {
        Value::Integer(i) => RawBsonRef::Int64(*i),
        Value::Double(d) => RawBsonRef::Double(*d),
        Value::Boolean(b) => RawBsonRef::Boolean(*b),
        Value::String(s) => RawBsonRef::String(s),
        Value::Binary(b) => binary(b),
    }
}

fn binary(bytes: &[u8]) -> RawBsonRef<'_> {
    RawBsonRef::Binary(RawBinaryRef {
        subtype: BinarySubtype::Generic,
        bytes,
    })
}
