//! The backup plan and the per-range state: the two documents the engine stores in a staged
//! backup so an interrupted backup can be resumed.
//!
//! The plan is saved (not re-derived) because split points depend on the table's data and size
//! at the moment they are computed: after a restart ComputeSplitPointsBySize may answer
//! differently, and checkpoints are per range *number*, so a resumed backup must scan exactly
//! the ranges the first run started with.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::error::EngineError;
use crate::config::EngineConfig;
use crate::store::{SourceInfo, TableChecksum};
use crate::tablestore::client::ScanRange;
use crate::tablestore::{PrimaryKey, TableDescription};

/// Version of the plan document; a newer one is refused rather than misread.
pub const PLAN_VERSION: u32 = 1;

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct BackupPlan {
    pub plan_version: u32,
    pub backup_id: String,
    pub source: SourceInfo,
    pub started_at: DateTime<Utc>,
    /// The settings of the first run; a resumed run uses them too (`all_versions` must not
    /// change halfway through a backup).
    pub config: EngineConfig,
    pub tables: Vec<PlannedTable>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlannedTable {
    /// As DescribeTable returned it when the backup started; goes into the manifest.
    pub description: TableDescription,
    /// `[start, end)` key ranges covering the table once, in key order.
    pub ranges: Vec<PlannedRange>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlannedRange {
    pub start: PrimaryKey,
    pub end: PrimaryKey,
}

impl From<ScanRange> for PlannedRange {
    fn from(range: ScanRange) -> Self {
        PlannedRange {
            start: range.start,
            end: range.end,
        }
    }
}

impl BackupPlan {
    pub fn to_json(&self) -> Result<String, EngineError> {
        serde_json::to_string(self)
            .map_err(|e| EngineError::Internal(format!("serializing the backup plan: {e}")))
    }

    pub fn from_json(backup_id: &str, text: &str) -> Result<Self, EngineError> {
        let plan: BackupPlan = serde_json::from_str(text).map_err(|e| {
            EngineError::Invalid(format!("backup {backup_id}: unreadable plan: {e}"))
        })?;
        if plan.plan_version > PLAN_VERSION {
            return Err(EngineError::Invalid(format!(
                "backup {backup_id}: plan version {} is newer than this TableVault ({PLAN_VERSION})",
                plan.plan_version
            )));
        }
        if plan.backup_id != backup_id {
            return Err(EngineError::Invalid(format!(
                "backup {backup_id}: plan belongs to backup {}",
                plan.backup_id
            )));
        }
        Ok(plan)
    }

    pub fn range_count(&self) -> usize {
        self.tables.iter().map(|t| t.ranges.len()).sum()
    }
}

/// What the engine stores with each checkpoint: the checksum of every row of the range written
/// so far, and whether the range is complete.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RangeState {
    pub checksum: TableChecksum,
    pub done: bool,
}

impl RangeState {
    pub fn to_json(&self) -> String {
        // A struct of integers and a string: serializing it cannot fail.
        serde_json::to_string(self).unwrap_or_default()
    }

    pub fn from_json(text: &str) -> Result<Self, String> {
        serde_json::from_str(text).map_err(|e| format!("unreadable range state: {e}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tablestore::{Cell, PkValue, Row, Value};

    #[test]
    fn range_state_round_trips_with_its_checksum() {
        let mut state = RangeState::default();
        let key = PrimaryKey::new([("id", PkValue::Integer(7))]);
        state
            .checksum
            .add(&Row::new(key, vec![Cell::put("v", Value::Boolean(true))]));
        state.done = true;
        let text = state.to_json();
        assert_eq!(RangeState::from_json(&text), Ok(state));
        assert!(RangeState::from_json("{}").is_err());
    }
}
