//! The routes. Resources under `/api/v1` are added here as they are built; the probes and
//! `/metrics` stay at the root where probes and scrapers expect them.

mod backups;
mod common;
mod health;
mod metrics;
mod restores;
mod runs;
mod schedules;
mod source_tables;
mod stores;

use axum::middleware::from_fn_with_state;
use axum::routing::{get, post};
use axum::Router;

use super::error::ApiError;
use super::middleware::idempotency::idempotency;
use super::state::AppState;

pub use metrics::TEXT_FORMAT;

pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/healthz", get(health::healthz))
        .route("/readyz", get(health::readyz))
        .route("/metrics", get(metrics::metrics))
        .nest(
            "/api/v1",
            api_v1().route_layer(from_fn_with_state(state.clone(), idempotency)),
        )
        .fallback(not_found)
        .with_state(state)
}

fn api_v1() -> Router<AppState> {
    Router::new()
        .route("/stores", get(stores::list))
        .route("/stores/{name}/check", post(stores::check))
        .route("/schedules", get(schedules::list).post(schedules::create))
        .route(
            "/schedules/{id}",
            get(schedules::get)
                .patch(schedules::change)
                .delete(schedules::delete),
        )
        .route("/schedules/{id}/run", post(schedules::run_now))
        .route("/schedules/{id}/retention", get(schedules::retention))
        .route("/backups", get(backups::list).post(backups::create))
        .route("/backups/{id}", get(backups::get).delete(backups::delete))
        .route("/backups/{id}/verify", post(backups::verify))
        .route("/restores", post(restores::create))
        .route("/runs", get(runs::list))
        .route("/runs/{id}", get(runs::get))
        .route("/runs/{id}/cancel", post(runs::cancel))
}

async fn not_found() -> ApiError {
    ApiError::NotFound("no such resource".into())
}
