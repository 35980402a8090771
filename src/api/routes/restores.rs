//! `POST /api/v1/restores`: restore a backup (or a schedule's newest completed one) into a
//! configured source, optionally renaming tables. Tables named for a given backup must be in
//! it; for a schedule the backup is only chosen when the run starts, which checks then.
//! With `point_in_time` (issue 12) the tables are restored as they were at that instant: the
//! base and the captured changes are chosen now, and an instant outside the restorable window
//! or inside a capture gap is a 422 naming the window or the gap.

use std::collections::BTreeMap;

use axum::extract::State;
use axum::response::Response;
use serde::Deserialize;

use super::common::{check_table_names, check_tables_in_backup, run_accepted};
use crate::api::error::{ApiError, ApiResult};
use crate::api::json::ApiJson;
use crate::api::state::AppState;
use crate::engine::{IfExists, RestoreSettings};
use crate::runs::{BackupRef, RestoreRequest};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreateRestore {
    pub backup_id: Option<String>,
    pub schedule_id: Option<String>,
    #[serde(default)]
    pub tables: Vec<String>,
    /// Backup table name → target table name.
    #[serde(default)]
    pub rename: BTreeMap<String, String>,
    #[serde(default)]
    pub if_exists: IfExists,
    #[serde(default)]
    pub dry_run: bool,
    /// Replay the saved reserved read/write CU on created tables (default: none reserved).
    #[serde(default)]
    pub restore_reserved_throughput: bool,
    /// Create tables without the saved server-side encryption.
    #[serde(default)]
    pub without_encryption: bool,
    /// The configured source restored into; default: the one the backup was taken from.
    pub source: Option<String>,
    /// Restore the tables as they were at this instant (RFC 3339; a continuous schedule).
    pub point_in_time: Option<chrono::DateTime<chrono::Utc>>,
}

pub async fn create(
    State(state): State<AppState>,
    ApiJson(body): ApiJson<CreateRestore>,
) -> ApiResult<Response> {
    check_table_names(&body.tables)?;
    let targets: Vec<String> = body.rename.values().cloned().collect();
    check_table_names(&targets)?;
    let (backup, origin) = match (body.backup_id, body.schedule_id) {
        (Some(id), None) => {
            let backup = state.catalog.get_backup(&id).await?;
            check_tables_in_backup(&backup, body.tables.iter().chain(body.rename.keys()))?;
            (BackupRef::BackupId(id), backup.source)
        }
        (None, Some(id)) => {
            let schedule = state.catalog.get_schedule(&id).await?;
            (BackupRef::LatestOfSchedule(id), schedule.source)
        }
        _ => {
            return Err(ApiError::ValidationFailed(
                "give exactly one of backup_id and schedule_id".into(),
            ))
        }
    };
    let request = RestoreRequest {
        backup,
        target_source: body.source.unwrap_or(origin),
        tables: body.tables,
        renames: body.rename,
        if_exists: body.if_exists,
        dry_run: body.dry_run,
        settings: RestoreSettings {
            restore_reserved_throughput: body.restore_reserved_throughput,
            without_encryption: body.without_encryption,
        },
        point_in_time: body.point_in_time,
    };
    let run = state.executor().submit_restore(request).await?;
    Ok(run_accepted(&run))
}
