//! The API's one error type and its one mapping to HTTP: `application/problem+json`
//! (RFC 9457) with a stable machine-readable `code`.
//!
//! Client errors say what to fix. Internal errors are logged with their cause chain and answered
//! with a generic detail: nothing from inside the daemon (paths, hosts, driver messages) leaks.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

/// `Content-Type` of every error body.
pub const PROBLEM_JSON: &str = "application/problem+json";

/// Every `code` an error can carry (documented in `openapi.yaml`).
pub const CODES: &[&str] = &[
    "unauthorized",
    "forbidden",
    "not_found",
    "method_not_allowed",
    "invalid_request",
    "validation_failed",
    "conflict",
    "payload_too_large",
    "unsupported_media_type",
    "timeout",
    "unavailable",
    "storage_unavailable",
    "internal",
];

/// `WWW-Authenticate` of every 401 (RFC 6750).
pub const BEARER_CHALLENGE: &str = "Bearer realm=\"tablevault\"";

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// No usable credentials: missing, malformed or unknown token, or none configured.
    #[error("{0}")]
    Unauthorized(String),
    /// Valid token, insufficient role.
    #[error("{0}")]
    Forbidden(String),
    #[error("{0}")]
    NotFound(String),
    #[error("this method is not allowed on this resource")]
    MethodNotAllowed,
    /// The request cannot be understood (malformed JSON, bad query string).
    #[error("{0}")]
    InvalidRequest(String),
    /// The request is well-formed but its content is not acceptable.
    #[error("{0}")]
    ValidationFailed(String),
    #[error("{0}")]
    Conflict(String),
    #[error("the request body is larger than the server accepts")]
    PayloadTooLarge,
    #[error("{0}")]
    UnsupportedMediaType(String),
    #[error("the request took longer than the server allows")]
    Timeout,
    /// A dependency (store, database) cannot serve the request right now.
    #[error("{0}")]
    Unavailable(String),
    /// The state database cannot store changes (disk full, I/O error); the write was rolled
    /// back whole. The cause is logged, never returned (it names paths).
    #[error(
        "the state database cannot store changes right now (for example, its disk is full); \
         nothing was changed, retry later"
    )]
    StorageUnavailable(String),
    /// A bug or an unexpected failure; the message is logged, never returned.
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

/// The problem document. `request_id` is filled in by the problem middleware, which knows it.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Problem {
    #[serde(rename = "type")]
    pub kind: String,
    pub title: &'static str,
    pub status: u16,
    pub detail: String,
    pub code: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
}

impl ApiError {
    pub fn status(&self) -> StatusCode {
        match self {
            ApiError::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            ApiError::Forbidden(_) => StatusCode::FORBIDDEN,
            ApiError::NotFound(_) => StatusCode::NOT_FOUND,
            ApiError::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            ApiError::InvalidRequest(_) => StatusCode::BAD_REQUEST,
            ApiError::ValidationFailed(_) => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::Conflict(_) => StatusCode::CONFLICT,
            ApiError::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ApiError::Timeout | ApiError::Unavailable(_) | ApiError::StorageUnavailable(_) => {
                StatusCode::SERVICE_UNAVAILABLE
            }
            ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The stable code clients branch on; never renamed once released.
    pub fn code(&self) -> &'static str {
        match self {
            ApiError::Unauthorized(_) => "unauthorized",
            ApiError::Forbidden(_) => "forbidden",
            ApiError::NotFound(_) => "not_found",
            ApiError::MethodNotAllowed => "method_not_allowed",
            ApiError::InvalidRequest(_) => "invalid_request",
            ApiError::ValidationFailed(_) => "validation_failed",
            ApiError::Conflict(_) => "conflict",
            ApiError::PayloadTooLarge => "payload_too_large",
            ApiError::UnsupportedMediaType(_) => "unsupported_media_type",
            ApiError::Timeout => "timeout",
            ApiError::Unavailable(_) => "unavailable",
            ApiError::StorageUnavailable(_) => "storage_unavailable",
            ApiError::Internal(_) => "internal",
        }
    }

    fn title(&self) -> &'static str {
        match self {
            ApiError::Unauthorized(_) => "Authentication required",
            ApiError::Forbidden(_) => "Not allowed for this token",
            ApiError::NotFound(_) => "Not found",
            ApiError::MethodNotAllowed => "Method not allowed",
            ApiError::InvalidRequest(_) => "Invalid request",
            ApiError::ValidationFailed(_) => "Validation failed",
            ApiError::Conflict(_) => "Conflict",
            ApiError::PayloadTooLarge => "Payload too large",
            ApiError::UnsupportedMediaType(_) => "Unsupported media type",
            ApiError::Timeout => "Request timed out",
            ApiError::Unavailable(_) => "Service unavailable",
            ApiError::StorageUnavailable(_) => "Storage unavailable",
            ApiError::Internal(_) => "Internal error",
        }
    }

    /// The problem document, without the request id.
    pub fn problem(&self) -> Problem {
        let detail = match self {
            ApiError::Internal(_) => {
                "An unexpected error occurred; the server log has the details.".to_string()
            }
            other => capitalise(&other.to_string()),
        };
        Problem {
            kind: format!("urn:tablevault:problem:{}", self.code()),
            title: self.title(),
            status: self.status().as_u16(),
            detail,
            code: self.code(),
            request_id: None,
        }
    }

    /// The error a bare status (from axum or a tower layer) stands for.
    pub fn from_status(status: StatusCode) -> ApiError {
        match status {
            StatusCode::NOT_FOUND => ApiError::NotFound("no such resource".into()),
            StatusCode::METHOD_NOT_ALLOWED => ApiError::MethodNotAllowed,
            StatusCode::PAYLOAD_TOO_LARGE => ApiError::PayloadTooLarge,
            StatusCode::UNSUPPORTED_MEDIA_TYPE => {
                ApiError::UnsupportedMediaType("unsupported content type".into())
            }
            StatusCode::REQUEST_TIMEOUT
            | StatusCode::SERVICE_UNAVAILABLE
            | StatusCode::GATEWAY_TIMEOUT => ApiError::Timeout,
            s if s.is_client_error() => {
                ApiError::InvalidRequest(s.canonical_reason().unwrap_or("bad request").into())
            }
            s => ApiError::Internal(anyhow::anyhow!("bare {s} response")),
        }
    }
}

fn capitalise(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        match &self {
            ApiError::Internal(error) => {
                tracing::error!(error = %format!("{error:#}"), "Request failed on an internal error.");
            }
            ApiError::StorageUnavailable(cause) => {
                tracing::warn!(error = %cause, "Request refused: the state database cannot store changes.");
            }
            _ => {}
        }
        let problem = self.problem();
        let mut response = problem_response(self.status(), &problem);
        if matches!(self, ApiError::Unauthorized(_)) {
            response.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static(BEARER_CHALLENGE),
            );
        }
        // The problem middleware re-renders it with the request id.
        response.extensions_mut().insert(problem);
        response
    }
}

/// A problem+json response with `problem` as its body.
pub fn problem_response(status: StatusCode, problem: &Problem) -> Response {
    let body = serde_json::to_vec(problem).unwrap_or_default();
    (
        status,
        [(header::CONTENT_TYPE, HeaderValue::from_static(PROBLEM_JSON))],
        body,
    )
        .into_response()
}

/// axum's JSON extractor rejections as API errors: malformed JSON 400, wrong or missing
/// content type 415, well-formed JSON of the wrong shape 422, too large 413.
impl From<axum::extract::rejection::JsonRejection> for ApiError {
    fn from(rejection: axum::extract::rejection::JsonRejection) -> Self {
        use axum::extract::rejection::JsonRejection as R;
        match rejection {
            R::MissingJsonContentType(_) => ApiError::UnsupportedMediaType(
                "expected a request body with Content-Type: application/json".into(),
            ),
            R::JsonSyntaxError(e) => {
                ApiError::InvalidRequest(format!("the body is not valid JSON: {}", e.body_text()))
            }
            R::JsonDataError(e) => ApiError::ValidationFailed(e.body_text()),
            other if other.status() == StatusCode::PAYLOAD_TOO_LARGE => ApiError::PayloadTooLarge,
            other => ApiError::InvalidRequest(other.body_text()),
        }
    }
}

/// Handlers return `Result<T>` and use `?`.
pub type ApiResult<T, E = ApiError> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    fn every_variant() -> Vec<ApiError> {
        vec![
            ApiError::Unauthorized("u".into()),
            ApiError::Forbidden("f".into()),
            ApiError::NotFound("n".into()),
            ApiError::MethodNotAllowed,
            ApiError::InvalidRequest("i".into()),
            ApiError::ValidationFailed("v".into()),
            ApiError::Conflict("c".into()),
            ApiError::PayloadTooLarge,
            ApiError::UnsupportedMediaType("m".into()),
            ApiError::Timeout,
            ApiError::Unavailable("a".into()),
            ApiError::StorageUnavailable("disk full /var/lib/x".into()),
            ApiError::Internal(anyhow::anyhow!("secret detail /var/lib/x")),
        ]
    }

    #[test]
    fn every_variant_has_a_listed_code_and_a_matching_problem() {
        let codes: Vec<&str> = every_variant().iter().map(ApiError::code).collect();
        assert_eq!(codes, CODES);
        for error in every_variant() {
            let problem = error.problem();
            assert_eq!(problem.status, error.status().as_u16());
            assert_eq!(
                problem.kind,
                format!("urn:tablevault:problem:{}", error.code())
            );
            assert!(
                problem.detail.starts_with(char::is_uppercase),
                "{problem:?}"
            );
        }
    }

    #[test]
    fn internal_errors_do_not_leak_their_message() {
        let problem = ApiError::Internal(anyhow::anyhow!("secret detail /var/lib/x")).problem();
        assert!(!problem.detail.contains("secret"), "{problem:?}");
        assert_eq!(problem.status, 500);
        let problem = ApiError::StorageUnavailable("disk full /var/lib/x".into()).problem();
        assert!(!problem.detail.contains("/var/lib"), "{problem:?}");
        assert_eq!((problem.status, problem.code), (503, "storage_unavailable"));
    }

    #[test]
    fn bare_statuses_map_to_their_codes() {
        let code = |s: u16| ApiError::from_status(StatusCode::from_u16(s).unwrap()).code();
        assert_eq!(code(404), "not_found");
        assert_eq!(code(405), "method_not_allowed");
        assert_eq!(code(413), "payload_too_large");
        assert_eq!(code(415), "unsupported_media_type");
        assert_eq!(code(503), "timeout");
        assert_eq!(code(418), "invalid_request");
        assert_eq!(code(500), "internal");
    }
}
