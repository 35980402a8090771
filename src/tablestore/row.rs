//! The row data model shared by the PlainBuffer codec, the client and the emulator.
//!
//! These types mirror what Tablestore stores, not what a particular SDK exposes: a row is a
//! primary key plus a list of attribute cells, and every version of a cell is its own [`Cell`]
//! with its own timestamp. Equality is exact: doubles compare by bit pattern, so `-0.0 != 0.0`
//! and a NaN equals the same NaN. That is the equality a backup must preserve.

use serde::{Deserialize, Serialize};

/// One primary-key value. `InfMin`/`InfMax` only appear in range bounds; `AutoIncrement` only
/// in a put whose key column is auto-increment (the server assigns the value).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "type", content = "value", rename_all = "snake_case")]
pub enum PkValue {
    Integer(i64),
    String(String),
    Binary(#[serde(with = "hex_bytes")] Vec<u8>),
    InfMin,
    InfMax,
    AutoIncrement,
}

/// One primary-key column: name and value.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct PkColumn {
    pub name: String,
    pub value: PkValue,
}

/// A primary key: 1–4 columns in schema order.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct PrimaryKey(pub Vec<PkColumn>);

impl PrimaryKey {
    /// Builds a key from `(name, value)` pairs.
    pub fn new<N: Into<String>>(columns: impl IntoIterator<Item = (N, PkValue)>) -> Self {
        PrimaryKey(
            columns
                .into_iter()
                .map(|(name, value)| PkColumn {
                    name: name.into(),
                    value,
                })
                .collect(),
        )
    }

    /// A key with every named column set to the same bound (`InfMin` or `InfMax`).
    pub fn bound<N: Into<String>>(names: impl IntoIterator<Item = N>, bound: PkValue) -> Self {
        Self::new(names.into_iter().map(|n| (n, bound.clone())))
    }

    pub fn columns(&self) -> &[PkColumn] {
        &self.0
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// An attribute value.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "type", content = "value", rename_all = "snake_case")]
pub enum Value {
    Integer(i64),
    Double(#[serde(with = "f64_bits")] f64),
    Boolean(bool),
    String(String),
    Binary(#[serde(with = "hex_bytes")] Vec<u8>),
}

impl PartialEq for Value {
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (Value::Integer(a), Value::Integer(b)) => a == b,
            (Value::Double(a), Value::Double(b)) => a.to_bits() == b.to_bits(),
            (Value::Boolean(a), Value::Boolean(b)) => a == b,
            (Value::String(a), Value::String(b)) => a == b,
            (Value::Binary(a), Value::Binary(b)) => a == b,
            _ => false,
        }
    }
}

impl Eq for Value {}

/// The operation an update cell carries (PlainBuffer `CELL_TYPE`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CellOp {
    /// Delete every version of the column (no value, no timestamp).
    DeleteAllVersions,
    /// Delete the version with exactly this timestamp (no value).
    DeleteOneVersion,
    /// Atomic increment by the integer value.
    Increment,
}

/// One attribute cell: a column name with one version, or an update operation on a column.
///
/// Rows read from the server carry a value and a timestamp on every cell; rows written may omit
/// the timestamp (the server assigns one). Update rows may carry an op instead of a value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cell {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timestamp: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub op: Option<CellOp>,
}

impl Cell {
    /// A cell that puts `value` with a server-assigned timestamp.
    pub fn put(name: impl Into<String>, value: Value) -> Self {
        Cell {
            name: name.into(),
            value: Some(value),
            timestamp: None,
            op: None,
        }
    }

    /// A cell that puts `value` at an explicit timestamp (milliseconds).
    pub fn put_at(name: impl Into<String>, value: Value, timestamp: i64) -> Self {
        Cell {
            timestamp: Some(timestamp),
            ..Cell::put(name, value)
        }
    }

    /// An update cell that deletes every version of `name`.
    pub fn delete_all(name: impl Into<String>) -> Self {
        Cell {
            name: name.into(),
            value: None,
            timestamp: None,
            op: Some(CellOp::DeleteAllVersions),
        }
    }

    /// An update cell that deletes the version of `name` at `timestamp`.
    pub fn delete_one(name: impl Into<String>, timestamp: i64) -> Self {
        Cell {
            name: name.into(),
            value: None,
            timestamp: Some(timestamp),
            op: Some(CellOp::DeleteOneVersion),
        }
    }
}

/// A row: its primary key, its attribute cells (each version a separate cell), and the delete
/// marker that DeleteRow / BatchWriteRow DELETE carry.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Row {
    pub primary_key: PrimaryKey,
    #[serde(default)]
    pub cells: Vec<Cell>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub delete_marker: bool,
}

impl Row {
    pub fn new(primary_key: PrimaryKey, cells: Vec<Cell>) -> Self {
        Row {
            primary_key,
            cells,
            delete_marker: false,
        }
    }
}

/// Binary values as lower-case hex in JSON, so manifests and test corpora stay readable.
mod hex_bytes {
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(bytes: &[u8], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&hex::encode(bytes))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
        let text = String::deserialize(d)?;
        hex::decode(text).map_err(serde::de::Error::custom)
    }
}

/// Doubles as their 64-bit pattern in hex, so -0.0, NaN payloads and subnormals survive JSON.
mod f64_bits {
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(v: &f64, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&format!("{:016x}", v.to_bits()))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<f64, D::Error> {
        let text = String::deserialize(d)?;
        u64::from_str_radix(&text, 16)
            .map(f64::from_bits)
            .map_err(serde::de::Error::custom)
    }
}
