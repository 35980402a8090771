//! The middleware stack every request goes through, outermost first:
//!
//! 1. `Authorization` marked sensitive (never printed by `Debug` or traces);
//! 2. `x-request-id` taken from the request or generated (UUID v4), and echoed on the response;
//! 3. a tracing span per request (method, path, request id) with one line when it finishes;
//! 4. [`json_newline::json_newline`]: every JSON answer ends with a newline;
//!    [`problem::problem_details`]: every error answer becomes problem+json with the request id;
//! 5. panics become 500s; 6. the request timeout (503 `timeout`);
//! 7. the body size limit (413 `payload_too_large`); 8. [`auth::require_token`]; and on each
//!    route, [`auth::require_role`] (see `routes`).

pub mod auth;
pub mod idempotency;
pub mod json_newline;
pub mod problem;

use std::sync::Arc;
use std::time::Duration;

use axum::extract::{DefaultBodyLimit, Request};
use axum::http::{header, HeaderName, StatusCode};
use axum::response::Response;
use axum::Router;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::sensitive_headers::SetSensitiveRequestHeadersLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;
use tracing::Span;

use crate::config::ServerConfig;

/// The request id header, generated when the client sends none.
pub const REQUEST_ID: &str = "x-request-id";

/// Wraps `router` in the whole stack.
pub fn apply(router: Router, server: &ServerConfig, auth: Arc<auth::Authenticator>) -> Router {
    let request_id = HeaderName::from_static(REQUEST_ID);
    // Each layer is added on its own, innermost first: axum adapts the request body between
    // them (the body limit changes its type), which one `ServiceBuilder` stack would not.
    router
        .layer(axum::middleware::from_fn_with_state(
            auth,
            auth::require_token,
        ))
        .layer(DefaultBodyLimit::max(server.body_limit_bytes))
        .layer(RequestBodyLimitLayer::new(server.body_limit_bytes))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::SERVICE_UNAVAILABLE,
            server.request_timeout,
        ))
        .layer(CatchPanicLayer::new())
        .layer(axum::middleware::from_fn(problem::problem_details))
        .layer(axum::middleware::from_fn(json_newline::json_newline))
        .layer(PropagateRequestIdLayer::new(request_id.clone()))
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(request_span)
                .on_request(())
                .on_response(log_response)
                .on_failure(()),
        )
        .layer(SetRequestIdLayer::new(request_id, MakeRequestUuid))
        .layer(SetSensitiveRequestHeadersLayer::new([
            header::AUTHORIZATION,
        ]))
}

fn request_span(req: &Request) -> Span {
    let request_id = req
        .headers()
        .get(REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    // The path only: query strings may carry page tokens, which are opaque but long.
    tracing::info_span!(
        "request",
        method = %req.method(),
        path = %req.uri().path(),
        request_id,
    )
}

fn log_response(response: &Response, latency: Duration, _span: &Span) {
    let status = response.status().as_u16();
    let latency_ms = latency.as_millis() as u64;
    if response.status().is_server_error() {
        tracing::warn!(
            status,
            latency_ms,
            "Answered a request with a server error."
        );
    } else {
        tracing::info!(status, latency_ms, "Answered a request.");
    }
}
