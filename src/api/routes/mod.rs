//! The routes. Resources under `/api/v1` are added here as they are built; the probes and
//! `/metrics` stay at the root where probes and scrapers expect them.

mod health;
mod metrics;
mod stores;

use axum::routing::{get, post};
use axum::Router;

use super::error::ApiError;
use super::state::AppState;

pub use metrics::TEXT_FORMAT;

pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/healthz", get(health::healthz))
        .route("/readyz", get(health::readyz))
        .route("/metrics", get(metrics::metrics))
        .nest("/api/v1", api_v1())
        .fallback(not_found)
        .with_state(state)
}

fn api_v1() -> Router<AppState> {
    Router::new()
        .route("/stores", get(stores::list))
        .route("/stores/{name}/check", post(stores::check))
}

async fn not_found() -> ApiError {
    ApiError::NotFound("no such resource".into())
}
