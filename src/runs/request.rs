//! What a caller asks the executor to run. Each request is stored (as JSON) in its run's
//! `request` column, so the history shows exactly what a run was asked to do.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::catalog::{RunTrigger, Schedule};
use crate::engine::IfExists;

/// A backup: a schedule's (scheduled, catch-up, run-now) or an ad-hoc one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BackupRequest {
    /// The schedule the backup belongs to; its retention runs after a success.
    #[serde(default)]
    pub schedule_id: Option<String>,
    /// For run records and metrics labels only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schedule_name: Option<String>,
    pub source: String,
    pub store: String,
    /// Empty: every table the source has when the run starts.
    #[serde(default)]
    pub tables: Vec<String>,
    #[serde(default = "manual")]
    pub trigger: RunTrigger,
    /// The tick this run stands for (scheduled and catch-up runs).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scheduled_at: Option<DateTime<Utc>>,
}

fn manual() -> RunTrigger {
    RunTrigger::Manual
}

impl BackupRequest {
    /// A backup of `schedule` as it is defined now.
    pub fn for_schedule(
        schedule: &Schedule,
        trigger: RunTrigger,
        scheduled_at: Option<DateTime<Utc>>,
    ) -> Self {
        BackupRequest {
            schedule_id: Some(schedule.id.clone()),
            schedule_name: Some(schedule.name.clone()),
            source: schedule.source.clone(),
            store: schedule.store.clone(),
            tables: schedule.tables.clone(),
            trigger,
            scheduled_at,
        }
    }

    /// A one-off backup that belongs to no schedule (no retention applies).
    pub fn ad_hoc(source: &str, store: &str, tables: Vec<String>) -> Self {
        BackupRequest {
            schedule_id: None,
            schedule_name: None,
            source: source.to_string(),
            store: store.to_string(),
            tables,
            trigger: RunTrigger::Manual,
            scheduled_at: None,
        }
    }
}

/// A copy of a completed backup into a second store.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CopyRequest {
    pub backup_id: String,
    /// The configured store the copy is written to (not the backup's own).
    pub store: String,
    #[serde(default = "manual")]
    pub trigger: RunTrigger,
    /// For run records and metrics labels only (a schedule's follow-up copy).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schedule_name: Option<String>,
}

impl CopyRequest {
    /// A copy asked for by hand (API).
    pub fn manual(backup_id: &str, store: &str) -> Self {
        CopyRequest {
            backup_id: backup_id.to_string(),
            store: store.to_string(),
            trigger: RunTrigger::Manual,
            schedule_name: None,
        }
    }
}

/// Which backup a restore or verification reads.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum BackupRef {
    /// This backup (must be `completed`).
    BackupId(String),
    /// The newest completed backup of this schedule.
    LatestOfSchedule(String),
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RestoreRequest {
    pub backup: BackupRef,
    /// The configured source (Tablestore instance) restored into.
    pub target_source: String,
    /// Tables of the backup to restore; empty means all.
    #[serde(default)]
    pub tables: Vec<String>,
    /// Backup table name → target table name.
    #[serde(default)]
    pub renames: BTreeMap<String, String>,
    #[serde(default)]
    pub if_exists: IfExists,
    #[serde(default)]
    pub dry_run: bool,
    /// Reserved throughput and encryption of created tables.
    #[serde(default)]
    pub settings: crate::engine::RestoreSettings,
    /// Restore the tables as they were at this instant: a base backup of the schedule (the
    /// newest one finished by then, or the one named) plus its captured changes up to it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub point_in_time: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VerifyRequest {
    pub backup: BackupRef,
    /// Also compare with the live tables of the backup's source.
    #[serde(default)]
    pub compare_with_source: bool,
    /// Tables to verify; empty means all.
    #[serde(default)]
    pub tables: Vec<String>,
}
