//! `/api/v1/runs`: the history of backups, restores, verifications and retention deletions,
//! each run's progress, its own log lines, and cancellation.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::Json;
use serde::{Deserialize, Serialize};

use super::common::page_request;
use crate::api::error::{ApiError, ApiResult};
use crate::api::state::AppState;
use crate::catalog::{Page, Run, RunFilter, RunKind, RunStatus};
use crate::telemetry::run_log::{run_logs, RunLog};

#[derive(Debug, Default, Deserialize)]
pub struct RunQuery {
    pub kind: Option<String>,
    pub status: Option<String>,
    pub schedule_id: Option<String>,
    pub backup_id: Option<String>,
    pub page_size: Option<u32>,
    pub page_token: Option<String>,
}

fn parse<T: std::str::FromStr>(field: &str, text: &str) -> Result<T, ApiError> {
    text.parse()
        .map_err(|_| ApiError::InvalidRequest(format!("unknown {field} {text:?}")))
}

pub async fn list(
    State(state): State<AppState>,
    Query(query): Query<RunQuery>,
) -> ApiResult<Json<Page<Run>>> {
    let filter = RunFilter {
        schedule_id: query.schedule_id,
        backup_id: query.backup_id,
        kind: query
            .kind
            .as_deref()
            .map(|k| parse::<RunKind>("kind", k))
            .transpose()?,
        statuses: query
            .status
            .as_deref()
            .map(|s| parse::<RunStatus>("status", s))
            .transpose()?
            .into_iter()
            .collect(),
        ..RunFilter::default()
    };
    let page = page_request(query.page_size, query.page_token)?;
    Ok(Json(state.catalog.list_runs(&filter, &page).await?))
}

pub async fn get(State(state): State<AppState>, Path(id): Path<String>) -> ApiResult<Json<Run>> {
    Ok(Json(state.catalog.get_run(&id).await?))
}

/// `GET /runs/{id}/log`: the run's log lines kept in memory (see
/// [`crate::telemetry::run_log`]); empty for a run that logged nothing since the daemon started.
#[derive(Debug, Serialize)]
pub struct RunLogView {
    pub run_id: String,
    #[serde(flatten)]
    pub log: RunLog,
}

pub async fn log(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> ApiResult<Json<RunLogView>> {
    let run = state.catalog.get_run(&id).await?;
    Ok(Json(RunLogView {
        log: run_logs().of(&run.id),
        run_id: run.id,
    }))
}

#[derive(Debug, Serialize)]
pub struct CancelAccepted {
    pub run_id: String,
}

/// 202 when the run was active and is now stopping; 409 when it has already ended.
pub async fn cancel(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> ApiResult<(StatusCode, Json<CancelAccepted>)> {
    let run = state.catalog.get_run(&id).await?;
    if !state.executor().cancel(&id) {
        return Err(ApiError::Conflict(format!(
            "run {id} is {}: only a queued or running run can be cancelled",
            run.status
        )));
    }
    Ok((StatusCode::ACCEPTED, Json(CancelAccepted { run_id: id })))
}
