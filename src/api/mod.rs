//! The daemon's REST API: axum + tower-http, JSON bodies, errors as `application/problem+json`
//! with stable codes. HTTP only: it holds the handles [`crate::daemon::Daemon::build`] made
//! and assembles nothing.
//!
//! # Layout
//! - [`router`]: the routes wrapped in the middleware, over an [`AppState`].
//! - [`state`]: [`AppState`], the handles handlers share; [`error`]: [`ApiError`], the one
//!   mapping to HTTP; [`json`]: body extractors whose rejections are problems too.
//! - [`middleware`]: request id, tracing, problem rendering, timeout, body limit, bearer auth.
//! - [`routes`]: `/healthz`, `/readyz`, `/metrics`, `/api/v1/...`; [`readiness`]: the checks.
//! - [`status_page`]: the embedded status page at `/`, a client of the same API.

pub mod error;
mod error_mapping;
pub mod json;
pub mod middleware;
pub mod readiness;
pub mod routes;
pub mod state;
pub mod status_page;

use std::sync::Arc;

use axum::Router;

pub use error::{ApiError, ApiResult, Problem, PROBLEM_JSON};
pub use state::{AppState, NamedStore};

use middleware::auth::Authenticator;

/// Every route, wrapped in the middleware configured in `[server]` and `[auth]`.
pub fn router(state: AppState) -> Router {
    if state.config.auth.disabled {
        tracing::warn!("API authentication is disabled: every request is served without a token.");
    } else if state.config.auth.tokens.is_empty() {
        tracing::warn!("No API token is configured: every request except the probes is refused.");
    }
    let auth = Arc::new(Authenticator::from_config(&state.config));
    let config = state.config.clone();
    middleware::apply(routes::router(state), &config.server, auth)
}
