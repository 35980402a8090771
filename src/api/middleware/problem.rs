//! Makes every error response problem+json with the request id, whoever produced it: handlers
//! ([`ApiError`] leaves its [`Problem`] in the response extensions), axum (404/405 without a
//! body) or tower layers (413, timeouts, panics).

use axum::body::Body;
use axum::extract::Request;
use axum::http::{header, HeaderValue};
use axum::middleware::Next;
use axum::response::Response;

use crate::api::error::{ApiError, Problem, PROBLEM_JSON};
use crate::api::middleware::REQUEST_ID;

pub async fn problem_details(req: Request, next: Next) -> Response {
    let request_id = req
        .headers()
        .get(REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let response = next.run(req).await;
    let (mut parts, body) = response.into_parts();
    let problem = match parts.extensions.remove::<Problem>() {
        Some(problem) => problem,
        None if is_bare_error(&parts) => ApiError::from_status(parts.status).problem(),
        None => return Response::from_parts(parts, body),
    };
    let problem = Problem {
        request_id,
        // A bare status the mapping does not know keeps its own status.
        status: parts.status.as_u16(),
        ..problem
    };
    parts
        .headers
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(PROBLEM_JSON));
    parts.headers.remove(header::CONTENT_LENGTH);
    let body_bytes = serde_json::to_vec(&problem).unwrap_or_default();
    drop(body);
    Response::from_parts(parts, Body::from(body_bytes))
}

/// An error status with no body of its own (JSON bodies, like `/readyz`'s 503, are kept).
fn is_bare_error(parts: &axum::http::response::Parts) -> bool {
    let error = parts.status.is_client_error() || parts.status.is_server_error();
    let json = parts
        .headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("json"));
    error && !json
}
