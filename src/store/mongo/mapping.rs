//! Rows <-> BSON documents, exactly (see docs/mongodb-mapping.md).
//!
//! Column names are data, never field names: a column called `_id`, `$x` or `a.b` is a string in
//! an `n` field, so MongoDB's field-name rules never apply to it. Every integer is Int64 (even
//! small ones), so a restore never has to guess a width. Decoding is strict: a field of an
//! unexpected type is an error, never a silently different row.

use bson::{doc, spec::BinarySubtype, Binary, Bson, Document};

use crate::tablestore::{Cell, CellOp, PkColumn, PkValue, PrimaryKey, Row, Value};

pub const ID: &str = "_id";
pub const PK: &str = "pk";
pub const CELLS: &str = "cells";
pub const RANGE: &str = "range";
pub const DELETED: &str = "deleted";
pub(super) const NAME: &str = "n";
pub(super) const VALUE: &str = "v";
pub(super) const TIMESTAMP: &str = "ts";
pub(super) const OP: &str = "op";
/// The bit pattern of a NaN, kept beside it: a NaN's payload is data, and not every server or
/// tool along the way promises to keep it.
pub(super) const NAN_BITS: &str = "nan_bits";

/// A row that cannot be stored, or a document that is not a row this store wrote.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct MappingError(String);

pub(super) fn fail<T>(detail: impl Into<String>) -> Result<T, MappingError> {
    Err(MappingError(detail.into()))
}

/// The document of one row of split range `range`.
pub fn row_to_document(row: &Row, range: u32) -> Result<Document, MappingError> {
    let mut document = doc! {
        ID: key_id(&row.primary_key)?,
        PK: key_to_bson(&row.primary_key)?,
        CELLS: row.cells.iter().map(cell_to_bson).collect::<Vec<_>>(),
        RANGE: i64::from(range),
    };
    if row.delete_marker {
        document.insert(DELETED, true);
    }
    Ok(document)
}

/// The `_id` of a row: its key values by position. Stable across retries, so writing a row
/// twice can only hit the same document; unique within a table because every row of a table
/// has the same key column names, which is why they can be left out.
pub fn key_id(key: &PrimaryKey) -> Result<Document, MappingError> {
    if key.is_empty() {
        return fail("a row without primary key columns cannot be stored");
    }
    key.columns()
        .iter()
        .enumerate()
        .map(|(i, column)| Ok((i.to_string(), pk_value_to_bson(&column.value)?)))
        .collect()
}

/// A primary key as `[{n: name, v: value}, ...]` in schema order.
pub fn key_to_bson(key: &PrimaryKey) -> Result<Bson, MappingError> {
    let columns = key
        .columns()
        .iter()
        .map(|c| {
            Ok(Bson::Document(
                doc! { NAME: &c.name, VALUE: pk_value_to_bson(&c.value)? },
            ))
        })
        .collect::<Result<Vec<_>, MappingError>>()?;
    Ok(Bson::Array(columns))
}

pub fn key_from_bson(value: &Bson) -> Result<PrimaryKey, MappingError> {
    let Bson::Array(columns) = value else {
        return fail(format!(
            "primary key is {:?}, not an array",
            value.element_type()
        ));
    };
    let columns = columns
        .iter()
        .map(|column| {
            let column = as_document(column, "primary key column")?;
            Ok(PkColumn {
                name: name_of(column)?,
                value: pk_value_from_bson(required(column, VALUE)?)?,
            })
        })
        .collect::<Result<Vec<_>, MappingError>>()?;
    Ok(PrimaryKey(columns))
}

/// The row a document holds; checks that its `_id` matches its key.
pub fn document_to_row(document: &Document) -> Result<Row, MappingError> {
    let primary_key = key_from_bson(required(document, PK)?)?;
    if required(document, ID)? != &Bson::Document(key_id(&primary_key)?) {
        return fail("_id does not match the primary key");
    }
    let cells = match required(document, CELLS)? {
        Bson::Array(cells) => cells.iter().map(cell_from_bson).collect::<Result<_, _>>()?,
        other => return fail(format!("cells is {:?}, not an array", other.element_type())),
    };
    let delete_marker = match document.get(DELETED) {
        None => false,
        Some(Bson::Boolean(deleted)) => *deleted,
        Some(other) => return fail(format!("deleted is {:?}", other.element_type())),
    };
    Ok(Row {
        primary_key,
        cells,
        delete_marker,
    })
}

fn cell_to_bson(cell: &Cell) -> Bson {
    let mut entry = doc! { NAME: &cell.name };
    if let Some(value) = &cell.value {
        entry.insert(VALUE, value_to_bson(value));
        if let Value::Double(d) = value {
            if d.is_nan() {
                entry.insert(NAN_BITS, d.to_bits() as i64);
            }
        }
    }
    if let Some(ts) = cell.timestamp {
        entry.insert(TIMESTAMP, ts);
    }
    if let Some(op) = cell.op {
        entry.insert(OP, op_name(op));
    }
    Bson::Document(entry)
}

fn cell_from_bson(entry: &Bson) -> Result<Cell, MappingError> {
    let entry = as_document(entry, "cell")?;
    let mut value = entry.get(VALUE).map(value_from_bson).transpose()?;
    if let Some(bits) = entry.get(NAN_BITS) {
        let Bson::Int64(bits) = bits else {
            return fail(format!("nan_bits is {:?}", bits.element_type()));
        };
        let exact = f64::from_bits(*bits as u64);
        match value {
            Some(Value::Double(stored)) if stored.is_nan() && exact.is_nan() => {
                value = Some(Value::Double(exact))
            }
            _ => return fail("nan_bits on a cell whose value is not a NaN"),
        }
    }
    let timestamp = match entry.get(TIMESTAMP) {
        None => None,
        Some(Bson::Int64(ts)) => Some(*ts),
        Some(other) => return fail(format!("ts is {:?}, not Int64", other.element_type())),
    };
    let op = match entry.get(OP) {
        None => None,
        Some(Bson::String(name)) => Some(op_from_name(name)?),
        Some(other) => return fail(format!("op is {:?}", other.element_type())),
    };
    Ok(Cell {
        name: name_of(entry)?,
        value,
        timestamp,
        op,
    })
}

fn pk_value_to_bson(value: &PkValue) -> Result<Bson, MappingError> {
    match value {
        PkValue::Integer(i) => Ok(Bson::Int64(*i)),
        PkValue::String(s) => Ok(Bson::String(s.clone())),
        PkValue::Binary(b) => Ok(binary(b)),
        PkValue::InfMin | PkValue::InfMax | PkValue::AutoIncrement => fail(format!(
            "{value:?} is a placeholder, not a stored key value"
        )),
    }
}

fn pk_value_from_bson(value: &Bson) -> Result<PkValue, MappingError> {
    match value_from_bson(value)? {
        Value::Integer(i) => Ok(PkValue::Integer(i)),
        Value::String(s) => Ok(PkValue::String(s)),
        Value::Binary(b) => Ok(PkValue::Binary(b)),
        other => fail(format!("{other:?} cannot be a primary key value")),
    }
}

fn value_to_bson(value: &Value) -> Bson {
    match value {
        Value::Integer(i) => Bson::Int64(*i),
        Value::Double(d) => Bson::Double(*d),
        Value::Boolean(b) => Bson::Boolean(*b),
        Value::String(s) => Bson::String(s.clone()),
        Value::Binary(b) => binary(b),
    }
}

fn value_from_bson(value: &Bson) -> Result<Value, MappingError> {
    match value {
        Bson::Int64(i) => Ok(Value::Integer(*i)),
        Bson::Double(d) => Ok(Value::Double(*d)),
        Bson::Boolean(b) => Ok(Value::Boolean(*b)),
        Bson::String(s) => Ok(Value::String(s.clone())),
        Bson::Binary(Binary {
            subtype: BinarySubtype::Generic,
            bytes,
        }) => Ok(Value::Binary(bytes.clone())),
        other => fail(format!("value of BSON type {:?}", other.element_type())),
    }
}

fn binary(bytes: &[u8]) -> Bson {
    Bson::Binary(Binary {
        subtype: BinarySubtype::Generic,
        bytes: bytes.to_vec(),
    })
}

pub(super) fn op_name(op: CellOp) -> &'static str {
    match op {
        CellOp::DeleteAllVersions => "delete_all_versions",
        CellOp::DeleteOneVersion => "delete_one_version",
        CellOp::Increment => "increment",
    }
}

fn op_from_name(name: &str) -> Result<CellOp, MappingError> {
    match name {
        "delete_all_versions" => Ok(CellOp::DeleteAllVersions),
        "delete_one_version" => Ok(CellOp::DeleteOneVersion),
        "increment" => Ok(CellOp::Increment),
        other => fail(format!("unknown cell op {other:?}")),
    }
}

fn required<'a>(document: &'a Document, field: &str) -> Result<&'a Bson, MappingError> {
    match document.get(field) {
        Some(value) => Ok(value),
        None => fail(format!("missing field {field:?}")),
    }
}

fn as_document<'a>(value: &'a Bson, what: &str) -> Result<&'a Document, MappingError> {
    match value {
        Bson::Document(document) => Ok(document),
        other => fail(format!(
            "{what} is {:?}, not a document",
            other.element_type()
        )),
    }
}

fn name_of(entry: &Document) -> Result<String, MappingError> {
    match required(entry, NAME)? {
        Bson::String(name) => Ok(name.clone()),
        other => fail(format!("name is {:?}, not a string", other.element_type())),
    }
}

#[cfg(test)]
#[path = "mapping_tests.rs"]
mod tests;
