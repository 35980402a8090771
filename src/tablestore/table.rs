//! Table descriptions: what DescribeTable returns and CreateTable takes, in a form a backup can
//! save and a restore can replay. Conversions to and from the protobuf messages live here so
//! the client and the emulator agree on them.

use serde::{Deserialize, Serialize};

use super::proto;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PkType {
    Integer,
    String,
    Binary,
}

/// One primary-key column of a table's schema.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PkSchema {
    pub name: String,
    #[serde(rename = "type")]
    pub pk_type: PkType,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub auto_increment: bool,
}

impl PkSchema {
    pub fn new(name: impl Into<String>, pk_type: PkType) -> Self {
        PkSchema {
            name: name.into(),
            pk_type,
            auto_increment: false,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ColumnType {
    Integer,
    Double,
    Boolean,
    String,
    Binary,
}

/// A predefined (typed) attribute column.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DefinedColumn {
    pub name: String,
    #[serde(rename = "type")]
    pub column_type: ColumnType,
}

/// Table options. `time_to_live` is in seconds, -1 keeps data forever; `max_time_deviation` is
/// the largest allowed distance (seconds) between a written cell timestamp and the server clock.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct TableOptions {
    pub time_to_live: i32,
    pub max_versions: i32,
    pub max_time_deviation: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub allow_update: Option<bool>,
    /// An UpdateRow must write the whole row (TableOptions 7; set at creation only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub update_full_row: Option<bool>,
}

impl Default for TableOptions {
    fn default() -> Self {
        TableOptions {
            time_to_live: -1,
            max_versions: 1,
            max_time_deviation: 86_400,
            allow_update: None,
            update_full_row: None,
        }
    }
}

/// A secondary index definition (saved with a backup; recreated on restore where supported).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IndexDefinition {
    pub name: String,
    pub primary_key: Vec<String>,
    #[serde(default)]
    pub defined_columns: Vec<String>,
    #[serde(default)]
    pub sync: bool,
    #[serde(default)]
    pub local: bool,
}

/// A search index (多元索引) of a table, as DescribeSearchIndex returns it and CreateSearchIndex
/// takes it: the whole `IndexSchema` (field schemas with type, index, store, sort_and_agg,
/// is_array, analyzer and its parameters, nested fields, virtual fields and their source
/// fields, date formats, vector options; the index setting with routing fields; the index
/// sort) kept as the protobuf message, so a field the backup does not know by name still
/// comes back. Saved as JSON with the protobuf field names; enum values are their numbers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SearchIndexDefinition {
    pub name: String,
    #[serde(default)]
    pub schema: proto::IndexSchema,
    /// Seconds; -1 or absent keeps documents forever.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time_to_live: Option<i32>,
}

// The schema holds strings, booleans, integers and bytes only (no floats), so equality is total.
impl Eq for SearchIndexDefinition {}

/// Everything needed to recreate a table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TableDescription {
    pub name: String,
    pub primary_key: Vec<PkSchema>,
    #[serde(default)]
    pub defined_columns: Vec<DefinedColumn>,
    #[serde(default)]
    pub options: TableOptions,
    #[serde(default)]
    pub reserved_read: i32,
    #[serde(default)]
    pub reserved_write: i32,
    #[serde(default)]
    pub indexes: Vec<IndexDefinition>,
    /// Stream expiration in hours when a stream is enabled on the table.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stream_expiration_hours: Option<i32>,
    /// Search indexes, recreated after the data on restore (not part of DescribeTable).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub search_indexes: Vec<SearchIndexDefinition>,
    /// Server-side encryption (DescribeTable `sse_details`), when enabled.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub encryption: Option<super::encryption::TableEncryption>,
    /// Partition-key values where the backup's scan ranges started (ComputeSplitPointsBySize),
    /// replayed as CreateTable `partitions` so a restored table starts split (see
    /// [`super::partitions`]). Not part of DescribeTable.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub split_points: Vec<super::row::PkValue>,
}

impl TableDescription {
    /// A table with this key and default options (one version, no TTL).
    pub fn new(name: impl Into<String>, primary_key: Vec<PkSchema>) -> Self {
        TableDescription {
            name: name.into(),
            primary_key,
            defined_columns: Vec::new(),
            options: TableOptions::default(),
            reserved_read: 0,
            reserved_write: 0,
            indexes: Vec::new(),
            stream_expiration_hours: None,
            search_indexes: Vec::new(),
            encryption: None,
            split_points: Vec::new(),
        }
    }

    pub fn pk_names(&self) -> impl Iterator<Item = &str> {
        self.primary_key.iter().map(|c| c.name.as_str())
    }
}

// ---- protobuf conversions -------------------------------------------------------------------

impl From<PkType> for proto::PrimaryKeyType {
    fn from(t: PkType) -> Self {
        match t {
            PkType::Integer => proto::PrimaryKeyType::Integer,
            PkType::String => proto::PrimaryKeyType::String,
            PkType::Binary => proto::PrimaryKeyType::Binary,
        }
    }
}

impl TryFrom<i32> for PkType {
    type Error = String;
    fn try_from(v: i32) -> Result<Self, String> {
        match proto::PrimaryKeyType::try_from(v) {
            Ok(proto::PrimaryKeyType::Integer) => Ok(PkType::Integer),
            Ok(proto::PrimaryKeyType::String) => Ok(PkType::String),
            Ok(proto::PrimaryKeyType::Binary) => Ok(PkType::Binary),
            Ok(proto::PrimaryKeyType::PkBoolean) | Err(_) => {
                Err(format!("unsupported primary key type {v}"))
            }
        }
    }
}

impl From<ColumnType> for proto::DefinedColumnType {
    fn from(t: ColumnType) -> Self {
        match t {
            ColumnType::Integer => proto::DefinedColumnType::DctInteger,
            ColumnType::Double => proto::DefinedColumnType::DctDouble,
            ColumnType::Boolean => proto::DefinedColumnType::DctBoolean,
            ColumnType::String => proto::DefinedColumnType::DctString,
            ColumnType::Binary => proto::DefinedColumnType::DctBlob,
        }
    }
}

impl TryFrom<i32> for ColumnType {
    type Error = String;
    fn try_from(v: i32) -> Result<Self, String> {
        match proto::DefinedColumnType::try_from(v) {
            Ok(proto::DefinedColumnType::DctInteger) => Ok(ColumnType::Integer),
            Ok(proto::DefinedColumnType::DctDouble) => Ok(ColumnType::Double),
            Ok(proto::DefinedColumnType::DctBoolean) => Ok(ColumnType::Boolean),
            Ok(proto::DefinedColumnType::DctString) => Ok(ColumnType::String),
            Ok(proto::DefinedColumnType::DctBlob) => Ok(ColumnType::Binary),
            Err(_) => Err(format!("unsupported defined column type {v}")),
        }
    }
}

impl IndexDefinition {
    /// The `IndexMeta` of CreateTable, CreateIndex and DescribeTable.
    pub fn to_proto(&self) -> proto::IndexMeta {
        proto::IndexMeta {
            name: self.name.clone(),
            primary_key: self.primary_key.clone(),
            defined_column: self.defined_columns.clone(),
            index_update_mode: if self.sync {
                proto::IndexUpdateMode::IumSyncIndex as i32
            } else {
                proto::IndexUpdateMode::IumAsyncIndex as i32
            },
            index_type: if self.local {
                proto::IndexType::ItLocalIndex as i32
            } else {
                proto::IndexType::ItGlobalIndex as i32
            },
        }
    }

    pub fn from_proto(meta: &proto::IndexMeta) -> Self {
        IndexDefinition {
            name: meta.name.clone(),
            primary_key: meta.primary_key.clone(),
            defined_columns: meta.defined_column.clone(),
            sync: meta.index_update_mode == proto::IndexUpdateMode::IumSyncIndex as i32,
            local: meta.index_type == proto::IndexType::ItLocalIndex as i32,
        }
    }
}

impl TableDescription {
    /// The protobuf `TableMeta` for CreateTable / DescribeTable.
    pub fn to_proto_meta(&self) -> proto::TableMeta {
        proto::TableMeta {
            table_name: self.name.clone(),
            primary_key: self
                .primary_key
                .iter()
                .map(|c| proto::PrimaryKeySchema {
                    name: c.name.clone(),
                    r#type: proto::PrimaryKeyType::from(c.pk_type) as i32,
                    option: c
                        .auto_increment
                        .then_some(proto::PrimaryKeyOption::AutoIncrement as i32),
                })
                .collect(),
            defined_column: self
                .defined_columns
                .iter()
                .map(|c| proto::DefinedColumnSchema {
                    name: c.name.clone(),
                    r#type: proto::DefinedColumnType::from(c.column_type) as i32,
                })
                .collect(),
        }
    }

    pub fn to_proto_options(&self) -> proto::TableOptions {
        proto::TableOptions {
            time_to_live: Some(self.options.time_to_live),
            max_versions: Some(self.options.max_versions),
            deviation_cell_version_in_sec: Some(self.options.max_time_deviation),
            allow_update: self.options.allow_update,
            update_full_row: self.options.update_full_row,
        }
    }

    pub fn to_proto_indexes(&self) -> Vec<proto::IndexMeta> {
        self.indexes.iter().map(IndexDefinition::to_proto).collect()
    }

    /// Builds a description from the parts of a DescribeTable response (or a CreateTable request).
    pub fn from_proto(
        meta: &proto::TableMeta,
        options: Option<&proto::TableOptions>,
        reserved: Option<&proto::CapacityUnit>,
        indexes: &[proto::IndexMeta],
        stream_expiration_hours: Option<i32>,
    ) -> Result<Self, String> {
        let primary_key = meta
            .primary_key
            .iter()
            .map(|c| {
                Ok(PkSchema {
                    name: c.name.clone(),
                    pk_type: PkType::try_from(c.r#type)?,
                    auto_increment: c.option == Some(proto::PrimaryKeyOption::AutoIncrement as i32),
                })
            })
            .collect::<Result<Vec<_>, String>>()?;
        let defined_columns = meta
            .defined_column
            .iter()
            .map(|c| {
                Ok(DefinedColumn {
                    name: c.name.clone(),
                    column_type: ColumnType::try_from(c.r#type)?,
                })
            })
            .collect::<Result<Vec<_>, String>>()?;
        let defaults = TableOptions::default();
        let options = options.map_or(defaults, |o| TableOptions {
            time_to_live: o.time_to_live.unwrap_or(defaults.time_to_live),
            max_versions: o.max_versions.unwrap_or(defaults.max_versions),
            max_time_deviation: o
                .deviation_cell_version_in_sec
                .unwrap_or(defaults.max_time_deviation),
            allow_update: o.allow_update,
            update_full_row: o.update_full_row,
        });
        Ok(TableDescription {
            name: meta.table_name.clone(),
            primary_key,
            defined_columns,
            options,
            reserved_read: reserved.and_then(|c| c.read).unwrap_or(0),
            reserved_write: reserved.and_then(|c| c.write).unwrap_or(0),
            indexes: indexes.iter().map(IndexDefinition::from_proto).collect(),
            stream_expiration_hours,
            search_indexes: Vec::new(),
            encryption: None,
            split_points: Vec::new(),
        })
    }
}
