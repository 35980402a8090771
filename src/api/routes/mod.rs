//! The routes. Resources under `/api/v1` are added here as they are built; the probes and
//! `/metrics` stay at the root where probes and scrapers expect them.

mod backups;
mod common;
mod health;
mod metrics;
mod reload;
mod restores;
mod runs;
mod schedules;
mod source_tables;
mod stores;
mod whoami;

use axum::middleware::{from_fn, from_fn_with_state};
use axum::routing::{get, post, MethodRouter};
use axum::Router;

use super::error::ApiError;
use super::middleware::auth::require_role;
use super::middleware::idempotency::idempotency;
use super::state::AppState;
use super::status_page;

pub use metrics::TEXT_FORMAT;

pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/healthz", get(health::healthz))
        .route("/readyz", get(health::readyz))
        .route("/metrics", get(metrics::metrics))
        .nest("/api/v1", api_v1(&state))
        .merge(status_page::router())
        .fallback(not_found)
        .with_state(state)
}

fn api_v1(state: &AppState) -> Router<AppState> {
    let guarded = |methods: MethodRouter<AppState>| {
        // `MethodRouter::route_layer` leaves out the 405 fallback: a method the route does not
        // have is 405 for every token, and the role check and idempotency run only for real
        // handlers. The role check is outermost, so a refused request never claims a key.
        methods
            .route_layer(from_fn_with_state(state.clone(), idempotency))
            .route_layer(from_fn(require_role))
    };
    Router::new()
        .route("/stores", guarded(get(stores::list)))
        .route("/stores/{name}/check", guarded(post(stores::check)))
        .route(
            "/schedules",
            guarded(get(schedules::list).post(schedules::create)),
        )
        .route(
            "/schedules/{id}",
            guarded(
                get(schedules::get)
                    .patch(schedules::change)
                    .delete(schedules::delete),
            ),
        )
        .route("/schedules/{id}/run", guarded(post(schedules::run_now)))
        .route(
            "/schedules/{id}/retention",
            guarded(get(schedules::retention)),
        )
        .route(
            "/backups",
            guarded(get(backups::list).post(backups::create)),
        )
        .route(
            "/backups/{id}",
            guarded(get(backups::get).delete(backups::delete)),
        )
        .route("/backups/{id}/verify", guarded(post(backups::verify)))
        .route("/backups/{id}/copy", guarded(post(backups::copy)))
        .route("/restores", guarded(post(restores::create)))
        .route("/runs", guarded(get(runs::list)))
        .route("/runs/{id}", guarded(get(runs::get)))
        .route("/runs/{id}/cancel", guarded(post(runs::cancel)))
        .route("/runs/{id}/log", guarded(get(runs::log)))
        .route("/whoami", guarded(get(whoami::whoami)))
        .route("/reload", guarded(post(reload::reload)))
}

async fn not_found() -> ApiError {
    ApiError::NotFound("no such resource".into())
}
