//! The backup catalog: what each store holds, with per-table figures, verification and the
//! reasons retention keeps it. This file holds the types; `rows` how they are stored, `queries`
//! the writes, `list` the reads in bulk.

mod list;
mod queries;
pub(crate) mod rows;

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::columns::text_enum;
use crate::retention::{Candidate, CandidateStatus, KeepReason};

pub use list::{BackupFilter, LastCopy, LastSuccess, StoredCount};

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Backup {
    /// The id the store knows the backup by.
    pub id: String,
    pub schedule_id: Option<String>,
    pub source: String,
    pub store: String,
    /// The backup this one is a copy of (`None` for a backup taken from a source).
    pub copy_of: Option<String>,
    pub status: BackupStatus,
    /// Per-table figures from the manifest; empty until completed.
    pub tables: Vec<BackupTable>,
    pub rows: u64,
    /// PlainBuffer size of the rows: comparable across stores.
    pub bytes: u64,
    /// What the store says the backup occupies, if it can tell.
    pub stored_bytes: Option<u64>,
    pub error: Option<String>,
    pub started_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
    pub deleted_at: Option<DateTime<Utc>>,
    pub verified_at: Option<DateTime<Utc>>,
    pub verify_result: Option<VerifyResult>,
    pub verify_message: Option<String>,
    /// Why the last retention evaluation kept it.
    pub retention_reasons: Option<Vec<KeepReason>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BackupTable {
    pub name: String,
    pub rows: u64,
    pub cells: u64,
    pub bytes: u64,
    pub checksum: String,
}

/// A backup that has just been started in a store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewBackup {
    pub id: String,
    pub schedule_id: Option<String>,
    pub source: String,
    pub store: String,
    pub started_at: DateTime<Utc>,
}

impl Backup {
    /// This backup as retention sees it; `None` once deleted. Unfinished backups are placed at
    /// their start time.
    pub fn retention_candidate(&self) -> Option<Candidate> {
        let status = self.status.retention_status()?;
        let at = self.finished_at.unwrap_or(self.started_at);
        Some(Candidate::new(self.id.clone(), at, status))
    }
}

text_enum!(
    /// A backup's life: `staged` (being written) → `completed` | `failed`; then
    /// `deleting` → `deleted`. Deleted rows stay as history.
    BackupStatus {
        Staged => "staged",
        Completed => "completed",
        Failed => "failed",
        Deleting => "deleting",
        Deleted => "deleted",
    }
);

impl BackupStatus {
    /// How retention sees this backup; `None` for a deleted one, which is no longer a
    /// candidate at all.
    pub fn retention_status(self) -> Option<CandidateStatus> {
        match self {
            BackupStatus::Completed => Some(CandidateStatus::Completed),
            BackupStatus::Failed => Some(CandidateStatus::Failed),
            BackupStatus::Staged | BackupStatus::Deleting => Some(CandidateStatus::Busy),
            BackupStatus::Deleted => None,
        }
    }
}

text_enum!(
    /// The verdict of the last verification of a backup.
    VerifyResult {
        Passed => "passed",
        Failed => "failed",
    }
);
