//! The manifest: what a backup holds, written last so its presence means "complete".

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::tablestore::TableDescription;

/// Version of the backup format (manifest + data layout). Readers refuse newer versions.
pub const FORMAT_VERSION: u32 = 1;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    pub format_version: u32,
    pub tablevault_version: String,
    pub backup_id: String,
    pub source: SourceInfo,
    pub started_at: DateTime<Utc>,
    pub finished_at: DateTime<Utc>,
    /// `false` when only the latest version of each cell was kept.
    pub all_versions: bool,
    pub tables: Vec<TableManifest>,
}

/// Where the data came from (never credentials).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SourceInfo {
    /// The configured source name.
    pub name: String,
    pub endpoint: String,
    pub instance: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TableManifest {
    pub description: TableDescription,
    pub rows: u64,
    pub cells: u64,
    /// PlainBuffer-encoded size of the rows: a store-independent measure of the data.
    pub bytes: u64,
    /// [`super::TableChecksum`] of every row, as text.
    pub checksum: String,
}

impl Manifest {
    pub fn table(&self, name: &str) -> Option<&TableManifest> {
        self.tables.iter().find(|t| t.description.name == name)
    }

    pub fn total_rows(&self) -> u64 {
        self.tables.iter().map(|t| t.rows).sum()
    }

    pub fn total_bytes(&self) -> u64 {
        self.tables.iter().map(|t| t.bytes).sum()
    }
}
