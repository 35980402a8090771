//! What the evaluator is given and what it returns. The plan serializes as a dry-run answer:
//! `{"keep": [{"id", "finished_at", "reasons"}], "remove": [...], "untouched": [...]}`.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::reason::KeepReason;

/// How far a backup got, as far as retention cares.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CandidateStatus {
    /// Published and restorable: the only backups the rules count and keep.
    Completed,
    /// Ended in error: never kept by a rule; removed only if the policy says `remove_failed`.
    Failed,
    /// Being written or being deleted: someone else owns it, retention never touches it.
    Busy,
}

/// One backup of the schedule being evaluated.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Candidate {
    pub id: String,
    /// When the backup finished (for a backup that has not, when it started): the time the
    /// calendar rules bucket by, as restic uses the snapshot time.
    pub finished_at: DateTime<Utc>,
    pub status: CandidateStatus,
}

impl Candidate {
    pub fn new(id: impl Into<String>, finished_at: DateTime<Utc>, status: CandidateStatus) -> Self {
        Candidate {
            id: id.into(),
            finished_at,
            status,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeptBackup {
    pub id: String,
    pub finished_at: DateTime<Utc>,
    /// Never empty.
    pub reasons: Vec<KeepReason>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RemovedBackup {
    pub id: String,
    pub finished_at: DateTime<Utc>,
    pub status: CandidateStatus,
}

/// A backup the plan neither keeps nor removes (busy, or failed without `remove_failed`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UntouchedBackup {
    pub id: String,
    pub finished_at: DateTime<Utc>,
    pub status: CandidateStatus,
}

/// The decision for every candidate, each list newest first. Every candidate appears in exactly
/// one list.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RetentionPlan {
    pub keep: Vec<KeptBackup>,
    pub remove: Vec<RemovedBackup>,
    pub untouched: Vec<UntouchedBackup>,
}

impl RetentionPlan {
    /// The reasons `id` is kept, or `None` if the plan does not keep it.
    pub fn reasons(&self, id: &str) -> Option<&[KeepReason]> {
        self.keep
            .iter()
            .find(|k| k.id == id)
            .map(|k| k.reasons.as_slice())
    }

    pub fn kept_ids(&self) -> Vec<&str> {
        self.keep.iter().map(|k| k.id.as_str()).collect()
    }

    pub fn removed_ids(&self) -> Vec<&str> {
        self.remove.iter().map(|r| r.id.as_str()).collect()
    }
}
