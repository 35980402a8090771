//! `POST /api/v1/reload` (admin): reads the config file again and reconciles its
//! `[[schedules]]` (the same as SIGHUP). A file that does not load changes nothing (422).

use axum::extract::State;
use axum::Json;

use crate::api::error::ApiResult;
use crate::api::state::AppState;
use crate::schedules_as_code::ReconcileReport;

pub async fn reload(State(state): State<AppState>) -> ApiResult<Json<ReconcileReport>> {
    Ok(Json(state.schedules_file.reload().await?))
}
