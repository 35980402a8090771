//! Probes: `/healthz` (the process answers) and `/readyz` (its dependencies answer).

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::Json;
use serde_json::json;

use crate::api::readiness;
use crate::api::state::AppState;
use crate::telemetry::build_info;

/// 200 while the process serves requests; checks nothing else, so a slow store never gets a
/// healthy daemon restarted. Names the build, so a rollout can be checked with one request.
pub async fn healthz() -> impl IntoResponse {
    Json(json!({
        "status": "ok",
        "version": build_info::VERSION,
        "commit": build_info::COMMIT,
    }))
}

/// 200 when the database and every store answer, else 503; the body lists each component.
/// Open to probes without a token, so error texts are left out (see the store check endpoint).
pub async fn readyz(State(state): State<AppState>) -> impl IntoResponse {
    let readiness = readiness::check_all(&state).await;
    let status = if readiness.is_ready() {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    (status, Json(readiness.redacted()))
}
