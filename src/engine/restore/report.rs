//! What a restore did (or, for a dry run, would do).

use serde::{Deserialize, Serialize};

/// What to do with a target table that already holds rows.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum IfExists {
    /// Refuse a non-empty target table before writing anything.
    #[default]
    Fail,
    /// Keep rows that already exist (written with EXPECT_NOT_EXIST; a refusal counts as skipped).
    Skip,
    /// Replace existing rows whole (PUT with IGNORE).
    Overwrite,
}

impl std::str::FromStr for IfExists {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "fail" => Ok(IfExists::Fail),
            "skip" => Ok(IfExists::Skip),
            "overwrite" => Ok(IfExists::Overwrite),
            other => Err(format!(
                "invalid --if-exists {other:?}: expected fail, skip or overwrite"
            )),
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct RestoreReport {
    pub backup_id: String,
    pub dry_run: bool,
    pub if_exists: IfExists,
    pub tables: Vec<TableRestoreReport>,
    /// Things the operator should know: auto-increment columns restored as plain keys,
    /// deviation changes, settings that could not be set back.
    pub notes: Vec<String>,
    pub duration_seconds: f64,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TableRestoreReport {
    /// The table's name in the backup.
    pub source_table: String,
    /// The table written to (renamed or the same).
    pub target_table: String,
    /// The target did not exist and was (or, in a dry run, would be) created.
    pub created: bool,
    /// The target existed and held rows: `overwrite` replaces those the backup also has,
    /// `skip` keeps them (counted in `rows_skipped` by a real restore).
    #[serde(default)]
    pub target_had_rows: bool,
    /// Rows, cells and PlainBuffer bytes written (a dry run: that would be written).
    pub rows: u64,
    pub cells: u64,
    pub bytes: u64,
    /// Rows left alone because the target already had them (`--if-exists skip`).
    pub rows_skipped: u64,
    /// Rows larger than one request, written as a PutRow plus UpdateRows.
    pub rows_split: u64,
    /// Cells the target's TTL had expired since the backup: the service refuses them and they
    /// would be invisible, so they were dropped (not counted in `cells`).
    #[serde(default)]
    pub cells_expired: u64,
    /// Rows whose every cell had expired: dropped whole (they read as absent on the service).
    #[serde(default)]
    pub rows_expired: u64,
    /// The target's max time deviation (seconds) while restoring, when it had to be raised
    /// for old timestamps; it is set back afterwards.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub raised_deviation: Option<DeviationChange>,
    /// Secondary indexes created after the rows (a dry run: to be created), by target name.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub secondary_indexes: Vec<String>,
    /// Search indexes created after the rows (a dry run: to be created).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub search_indexes: Vec<String>,
    /// For a created table: milliseconds from its creation until it accepted writes (the
    /// service loads a new table's partition for about a minute).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ready_after_ms: Option<u64>,
    /// For a created table: the partitions it was created with, from the split points the
    /// backup saved (1: unsplit).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub partitions: Option<u64>,
    /// The instance refused the saved partitions with this error; the table was created with
    /// one partition instead.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub partitions_refused: Option<String>,
    /// How the writers adapted to throttling (absent in a dry run).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub write_rate: Option<super::WriteRateReport>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeviationChange {
    pub saved: i64,
    pub during_restore: i64,
}

impl RestoreReport {
    pub fn total_rows(&self) -> u64 {
        self.tables.iter().map(|t| t.rows).sum()
    }

    pub fn total_bytes(&self) -> u64 {
        self.tables.iter().map(|t| t.bytes).sum()
    }

    pub fn total_skipped(&self) -> u64 {
        self.tables.iter().map(|t| t.rows_skipped).sum()
    }
}
