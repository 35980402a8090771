//! JSON request bodies whose every rejection is a problem+json [`ApiError`].

use axum::body::{Body, Bytes};
use axum::extract::{FromRequest, Request};
use axum::http::header;
use axum::Json;
use serde::de::DeserializeOwned;

use super::error::ApiError;

/// A required JSON body (`Content-Type: application/json`).
#[derive(Debug, Clone)]
pub struct ApiJson<T>(pub T);

impl<T, S> FromRequest<S> for ApiJson<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    /// Two steps, so the status says what is wrong: axum's extractor checks the content type
    /// and the JSON syntax (400), then the value is mapped onto `T` (422 naming the field).
    /// Straight into `T`, serde_json reports some wrong types as syntax errors (`null` where
    /// an enum's string is expected is "expected value"), which would answer 400 "not valid
    /// JSON" to well-formed JSON.
    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let Json(value) = Json::<serde_json::Value>::from_request(req, state).await?;
        serde_path_to_error::deserialize(value)
            .map(ApiJson)
            .map_err(|e| match e.path().to_string().as_str() {
                "." => ApiError::ValidationFailed(e.inner().to_string()),
                path => ApiError::ValidationFailed(format!("`{path}`: {}", e.inner())),
            })
    }
}

/// A JSON body that may be left out: no body (with or without `Content-Type:
/// application/json`, which many clients send on every request) means `T::default()`. A body
/// that is sent must be JSON, like [`ApiJson`].
#[derive(Debug, Clone)]
pub struct OptionalJson<T>(pub T);

impl<T, S> FromRequest<S> for OptionalJson<T>
where
    T: DeserializeOwned + Default,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let (parts, body) = req.into_parts();
        let typed = parts.headers.contains_key(header::CONTENT_TYPE);
        let bytes = Bytes::from_request(Request::from_parts(parts.clone(), body), state)
            .await
            .map_err(|e| match e.status() {
                axum::http::StatusCode::PAYLOAD_TOO_LARGE => ApiError::PayloadTooLarge,
                _ => ApiError::InvalidRequest(e.body_text()),
            })?;
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return Ok(OptionalJson(T::default()));
        }
        if !typed {
            return Err(ApiError::UnsupportedMediaType(
                "expected a request body with Content-Type: application/json".into(),
            ));
        }
        let req = Request::from_parts(parts, Body::from(bytes));
        let ApiJson(value) = ApiJson::<T>::from_request(req, state).await?;
        Ok(OptionalJson(value))
    }
}
