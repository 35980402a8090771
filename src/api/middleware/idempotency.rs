//! `Idempotency-Key` on POSTs (IETF draft, Stripe's semantics), over the catalog's key table:
//! the first request with a key claims it and its successful answer is stored; a retry gets
//! that answer replayed (with `Idempotent-Replayed: true`) instead of a second run. The same key
//! with another body or path is 422; a retry while the first is still being handled is 409.
//! Answers other than 2xx release the key, so a corrected retry runs afresh.
//!
//! The request's own effect is committed before the key's response is stored. If storing it
//! (or releasing the key) then fails on a full disk, the answer is still the request's real
//! outcome: the catalog keeps the key write in memory, replays it to retries and stores it
//! once writes work again (see `catalog::idempotency_backlog`).

use std::time::Duration;

use axum::body::{to_bytes, Body};
use axum::extract::{Request, State};
use axum::http::{HeaderName, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};

use crate::api::error::ApiError;
use crate::api::state::AppState;
use crate::catalog::{IdempotencyClaim, IdempotencyRequest, StoredResponse};

pub const IDEMPOTENCY_KEY: &str = "idempotency-key";
pub const REPLAYED: &str = "idempotent-replayed";
/// How long a key is remembered (the customary 24 hours).
const KEY_TTL: Duration = Duration::from_secs(24 * 60 * 60);
const MAX_KEY_LEN: usize = 255;

pub async fn idempotency(State(state): State<AppState>, request: Request, next: Next) -> Response {
    match handle(state, request, next).await {
        Ok(response) => response,
        Err(error) => error.into_response(),
    }
}

async fn handle(state: AppState, request: Request, next: Next) -> Result<Response, ApiError> {
    let key = match request.headers().get(IDEMPOTENCY_KEY) {
        Some(value) if request.method() == Method::POST => value
            .to_str()
            .ok()
            .filter(|k| is_valid_key(k))
            .ok_or_else(|| {
                ApiError::InvalidRequest(
                    "Idempotency-Key must be 1 to 255 visible ASCII characters (spaces only \
                     between them)"
                        .into(),
                )
            })?
            .to_string(),
        _ => return Ok(next.run(request).await),
    };
    let (parts, body) = request.into_parts();
    let bytes = to_bytes(body, state.config.server.body_limit_bytes)
        .await
        .map_err(|_| ApiError::PayloadTooLarge)?;
    let claim = IdempotencyRequest {
        key: key.clone(),
        method: parts.method.to_string(),
        path: parts.uri.path().to_string(),
        request_hash: hex::encode(Sha256::digest(&bytes)),
    };
    match state.catalog.claim_idempotency_key(&claim, KEY_TTL).await? {
        IdempotencyClaim::Claimed => {}
        IdempotencyClaim::Replay(stored) => return Ok(replay(stored)),
        IdempotencyClaim::InFlight => {
            return Err(ApiError::Conflict(
                "a request with this Idempotency-Key is still being handled; retry later".into(),
            ))
        }
        IdempotencyClaim::Mismatch => {
            return Err(ApiError::ValidationFailed(
                "this Idempotency-Key was used for a different request".into(),
            ))
        }
    }
    let response = next
        .run(Request::from_parts(parts, Body::from(bytes)))
        .await;
    if !response.status().is_success() {
        if let Err(error) = state.catalog.release_idempotency_key(&key).await {
            tracing::warn!(error = %error, "Could not release an idempotency key after a failed request.");
        }
        return Ok(response);
    }
    let (parts, body) = response.into_parts();
    let body = to_bytes(body, usize::MAX)
        .await
        .map_err(|e| ApiError::Internal(anyhow::anyhow!("buffering a response: {e}")))?;
    let stored = StoredResponse {
        status: parts.status.as_u16(),
        headers: parts
            .headers
            .iter()
            .filter_map(|(n, v)| Some((n.to_string(), v.to_str().ok()?.to_string())))
            .collect(),
        body: body.to_vec(),
    };
    if let Err(error) = state.catalog.complete_idempotency_key(&key, &stored).await {
        // The request's effect is committed: answering an error now would invite a retry
        // of something that happened. Only non-storage errors lose the replay.
        tracing::warn!(error = %error, "Could not store an idempotency key's response.");
    }
    Ok(Response::from_parts(parts, Body::from(body)))
}

/// openapi.yaml's pattern `^[!-~]([ -~]{0,253}[!-~])?$`: 1 to 255 printable ASCII characters
/// (spaces inside only), so a key means the same to every client and log line.
fn is_valid_key(key: &str) -> bool {
    let visible = |b: &u8| b.is_ascii_graphic();
    let bytes = key.as_bytes();
    (1..=MAX_KEY_LEN).contains(&bytes.len())
        && bytes.first().is_some_and(visible)
        && bytes.last().is_some_and(visible)
        && bytes.iter().all(|b| *b == b' ' || visible(b))
}

fn replay(stored: StoredResponse) -> Response {
    let status = StatusCode::from_u16(stored.status).unwrap_or(StatusCode::OK);
    let mut response = (status, stored.body).into_response();
    let headers = response.headers_mut();
    for (name, value) in stored.headers {
        if let (Ok(name), Ok(value)) = (HeaderName::try_from(name), HeaderValue::try_from(value)) {
            headers.insert(name, value);
        }
    }
    headers.insert(REPLAYED, HeaderValue::from_static("true"));
    response
}

#[cfg(test)]
mod tests {
    use super::is_valid_key;

    #[test]
    fn keys_follow_the_documented_pattern() {
        for key in ["a", "9f1c-uuid", "two words", &"k".repeat(255)] {
            assert!(is_valid_key(key), "{key:?}");
        }
        for key in ["", " lead", "trail ", "tab\there", "é", &"k".repeat(256)] {
            assert!(!is_valid_key(key), "{key:?}");
        }
    }
}
