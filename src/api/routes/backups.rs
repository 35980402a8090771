//! `/api/v1/backups`: the catalogue of backups, ad-hoc backups, verification, copies to a
//! second store and deletion.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::Json;
use serde::Deserialize;

use super::common::{check_table_names, check_tables_in_backup, page_request, run_accepted};
use crate::api::error::{ApiError, ApiResult};
use crate::api::json::{ApiJson, OptionalJson};
use crate::api::state::AppState;
use crate::catalog::{Backup, BackupFilter, BackupStatus, Page, PageRequest, RunFilter, RunStatus};
use crate::runs::{BackupRef, BackupRequest, CopyRequest, HeldClaims, RunError, VerifyRequest};
use crate::telemetry::backups_stored::recount_schedule;

#[derive(Debug, Default, Deserialize)]
pub struct BackupQuery {
    pub schedule_id: Option<String>,
    pub table: Option<String>,
    pub status: Option<String>,
    pub store: Option<String>,
    pub source: Option<String>,
    pub page_size: Option<u32>,
    pub page_token: Option<String>,
}

pub async fn list(
    State(state): State<AppState>,
    Query(query): Query<BackupQuery>,
) -> ApiResult<Json<Page<Backup>>> {
    let statuses = match query.status.as_deref() {
        Some(text) => vec![text
            .parse::<BackupStatus>()
            .map_err(|_| ApiError::InvalidRequest(format!("unknown status {text:?}")))?],
        None => Vec::new(),
    };
    let filter = BackupFilter {
        schedule_id: query.schedule_id,
        store: query.store,
        source: query.source,
        statuses,
        table: query.table,
        ..BackupFilter::default()
    };
    let page = page_request(query.page_size, query.page_token)?;
    Ok(Json(state.catalog.list_backups(&filter, &page).await?))
}

pub async fn get(State(state): State<AppState>, Path(id): Path<String>) -> ApiResult<Json<Backup>> {
    Ok(Json(state.catalog.get_backup(&id).await?))
}

/// The body of `POST /backups`: a one-off backup that belongs to no schedule.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AdHocBackup {
    pub source: String,
    pub store: String,
    #[serde(default)]
    pub tables: Vec<String>,
}

pub async fn create(
    State(state): State<AppState>,
    ApiJson(body): ApiJson<AdHocBackup>,
) -> ApiResult<Response> {
    check_table_names(&body.tables)?;
    let request = BackupRequest::ad_hoc(&body.source, &body.store, body.tables);
    let run = state.executor().submit_backup(request).await?;
    Ok(run_accepted(&run))
}

/// The optional body of `POST /backups/{id}/verify`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VerifyOptions {
    #[serde(default)]
    pub compare_with_source: bool,
    #[serde(default)]
    pub tables: Vec<String>,
}

pub async fn verify(
    State(state): State<AppState>,
    Path(id): Path<String>,
    OptionalJson(body): OptionalJson<VerifyOptions>,
) -> ApiResult<Response> {
    check_table_names(&body.tables)?;
    let backup = state.catalog.get_backup(&id).await?;
    check_tables_in_backup(&backup, &body.tables)?;
    let request = VerifyRequest {
        backup: BackupRef::BackupId(id),
        compare_with_source: body.compare_with_source,
        tables: body.tables,
    };
    let run = state.executor().submit_verify(request).await?;
    Ok(run_accepted(&run))
}

/// The body of `POST /backups/{id}/copy`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CopyTarget {
    /// The configured store the copy goes to.
    pub store: String,
}

/// Copies a completed backup into another store (202 + run). A missing backup is 404; a
/// backup that is not completed, an unknown store or the backup's own store is 422, like the
/// other run requests.
pub async fn copy(
    State(state): State<AppState>,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<CopyTarget>,
) -> ApiResult<Response> {
    let run = state
        .executor()
        .submit_copy(CopyRequest::manual(&id, &body.store))
        .await?;
    Ok(run_accepted(&run))
}

/// Deletes the backup's data from its store, then marks it deleted in the catalogue (the
/// record stays, so the history still explains where the backup went). Refused (409) while a
/// run reads or writes it.
///
/// The deletion holds the executor's exclusive claim on the backup until the catalogue says
/// `deleted`: a restore or verification submitted meanwhile is recorded `skipped` by the claim
/// rules instead of reading half-deleted data. (Checking the run list and then deleting left a
/// window for exactly that.)
pub async fn delete(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    let backup = state.catalog.get_backup(&id).await?;
    if backup.status == BackupStatus::Deleted {
        return Ok(StatusCode::NO_CONTENT);
    }
    let claim = state
        .executor()
        .hold_backup_deletion(&id)
        .map_err(|e| match e {
            RunError::Conflict(reason) => {
                ApiError::Conflict(format!("{reason}; delete it when that has ended"))
            }
            other => other.into(),
        })?;
    // On its own task, so a client that goes away mid-request does not release the claim
    // (dropping this handler) while the store is still deleting.
    tokio::spawn(delete_holding(state, id, claim))
        .await
        .map_err(|e| ApiError::Internal(anyhow::anyhow!("deleting a backup: {e}")))?
}

async fn delete_holding(state: AppState, id: String, claim: HeldClaims) -> ApiResult<StatusCode> {
    // Read again under the claim: a deletion that held it before us may have finished.
    let backup = state.catalog.get_backup(&id).await?;
    if backup.status == BackupStatus::Deleted {
        return Ok(StatusCode::NO_CONTENT);
    }
    refuse_while_written(&state, &id).await?;
    state
        .executor()
        .delete_claimed_backup(&backup, &claim)
        .await?;
    if let Some(schedule_id) = &backup.schedule_id {
        recount_schedule(&state.catalog, &state.metrics, schedule_id).await;
    }
    Ok(StatusCode::NO_CONTENT)
}

/// The backup run that writes the backup holds no claim on its id (the id is made during the
/// run), so it is found in the run list. No new writer can appear for an existing backup, so
/// checking once under the claim is enough.
async fn refuse_while_written(state: &AppState, id: &str) -> ApiResult<()> {
    let writers = RunFilter {
        backup_id: Some(id.to_string()),
        statuses: vec![RunStatus::Queued, RunStatus::Running],
        ..RunFilter::default()
    };
    let active = state
        .catalog
        .list_runs(&writers, &PageRequest::first(1))
        .await?;
    match active.items.first() {
        Some(run) => Err(ApiError::Conflict(format!(
            "backup {id} is in use by run {} ({}); delete it when that has ended",
            run.id, run.kind
        ))),
        None => Ok(()),
    }
}
