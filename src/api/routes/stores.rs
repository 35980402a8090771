//! `/api/v1/stores`: the configured stores and an on-demand reachability check.

use std::time::Duration;

use axum::extract::{Path, State};
use axum::Json;
use serde::{Deserialize, Serialize};

use crate::api::error::{ApiError, ApiResult};
use crate::api::json::OptionalJson;
use crate::api::readiness::{self, ComponentStatus};
use crate::api::state::AppState;
use crate::tablestore::client::duration_text;

/// The longest check a caller may ask for.
const MAX_CHECK_TIMEOUT: Duration = Duration::from_secs(60);

#[derive(Debug, Serialize)]
pub struct StoreSummary {
    pub name: String,
    pub kind: &'static str,
}

#[derive(Debug, Serialize)]
pub struct StoreList {
    pub items: Vec<StoreSummary>,
}

/// Names and kinds only: locations and connection strings stay in the config file.
pub async fn list(State(state): State<AppState>) -> Json<StoreList> {
    let items = state
        .stores
        .values()
        .map(|s| StoreSummary {
            name: s.name.clone(),
            kind: s.store.kind(),
        })
        .collect();
    Json(StoreList { items })
}

/// The optional body of a check.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CheckRequest {
    /// How long to wait for the store (`"10s"`); default `server.readiness_timeout`.
    #[serde(default, deserialize_with = "optional_duration")]
    pub timeout: Option<Duration>,
}

fn optional_duration<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Duration>, D::Error> {
    duration_text::deserialize(d).map(Some)
}

/// Runs the store's health check now and reports it, with the error text when it is down.
pub async fn check(
    State(state): State<AppState>,
    Path(name): Path<String>,
    OptionalJson(request): OptionalJson<CheckRequest>,
) -> ApiResult<Json<ComponentStatus>> {
    let store = state.store(&name)?;
    let timeout = request
        .timeout
        .unwrap_or(state.config.server.readiness_timeout);
    if timeout.is_zero() || timeout > MAX_CHECK_TIMEOUT {
        return Err(ApiError::ValidationFailed(format!(
            "timeout must be between 1ms and {}s",
            MAX_CHECK_TIMEOUT.as_secs()
        )));
    }
    Ok(Json(
        readiness::check_store(store, &state.metrics, timeout).await,
    ))
}
