//! The one error type of the Tablestore client.
//!
//! Every variant names the action it came from. Service errors keep what the operator needs
//! to open a ticket (code, message, HTTP status, request id). Nothing here ever holds a secret:
//! secrets live only in the signer, and error texts are built from response data and names.

use crate::tablestore::codes;

#[derive(Debug, thiserror::Error)]
pub enum TablestoreError {
    /// The service answered with an error (`Error` protobuf body).
    #[error("{action} failed: {code} (HTTP {http_status}): {message} [request id {}]", request_id.as_deref().unwrap_or("none"))]
    Service {
        action: &'static str,
        code: String,
        message: String,
        http_status: u16,
        request_id: Option<String>,
    },
    /// A non-2xx response without a decodable `Error` body: a proxy's or load balancer's
    /// page rather than the service's answer.
    #[error("{action} failed with HTTP {http_status} and no Tablestore error body ({detail}); a proxy or load balancer may have answered [request id {}]", request_id.as_deref().unwrap_or("none"))]
    HttpStatus {
        action: &'static str,
        http_status: u16,
        /// What came instead, e.g. `text/html page "502 Bad Gateway"`.
        detail: String,
        request_id: Option<String>,
    },
    /// A redirect (never followed: it would replay the request as a GET and send the signed
    /// headers to another host). The configured endpoint is out of date.
    #[error(
        "{action}: endpoint moved to {location} (HTTP {http_status}); update the source's endpoint"
    )]
    Moved {
        action: &'static str,
        http_status: u16,
        location: String,
    },
    /// No connection could be opened, so nothing was sent: safe to retry for any operation.
    #[error("{action}: cannot connect to the Tablestore endpoint: {source}")]
    Connect {
        action: &'static str,
        #[source]
        source: reqwest::Error,
    },
    /// The attempt ran out of time; the request may or may not have been applied.
    #[error("{action}: request timed out")]
    Timeout { action: &'static str },
    /// The connection failed after the request was (maybe) sent: reset, closed, bad framing.
    #[error("{action}: transport error: {source}")]
    Transport {
        action: &'static str,
        #[source]
        source: reqwest::Error,
    },
    /// The response failed verification (MD5, signature) or could not be decoded; its content
    /// is never used.
    #[error("{action}: invalid response: {reason} [request id {}]", request_id.as_deref().unwrap_or("none"))]
    InvalidResponse {
        action: &'static str,
        reason: String,
        request_id: Option<String>,
    },
    /// The request was refused before sending (too many rows, too large, bad argument).
    #[error("invalid request: {0}")]
    InvalidRequest(String),
    /// No credentials to sign with: the credentials file or the metadata service failed.
    #[error("cannot obtain Tablestore credentials: {0}")]
    Credentials(String),
    /// The client configuration is unusable.
    #[error("invalid Tablestore client configuration: {0}")]
    Config(String),
}

pub type Result<T, E = TablestoreError> = std::result::Result<T, E>;

impl TablestoreError {
    /// The OTS error code of a service error.
    pub fn code(&self) -> Option<&str> {
        match self {
            TablestoreError::Service { code, .. } => Some(code),
            _ => None,
        }
    }

    pub fn http_status(&self) -> Option<u16> {
        match self {
            TablestoreError::Service { http_status, .. }
            | TablestoreError::HttpStatus { http_status, .. }
            | TablestoreError::Moved { http_status, .. } => Some(*http_status),
            _ => None,
        }
    }

    pub fn request_id(&self) -> Option<&str> {
        match self {
            TablestoreError::Service { request_id, .. }
            | TablestoreError::HttpStatus { request_id, .. }
            | TablestoreError::InvalidResponse { request_id, .. } => request_id.as_deref(),
            _ => None,
        }
    }

    /// True for `OTSObjectNotExist` (missing table).
    pub fn is_not_found(&self) -> bool {
        self.code() == Some(codes::OBJECT_NOT_EXIST)
    }

    /// Whether sending the same request again may succeed and is safe.
    ///
    /// `idempotent` says whether applying the request twice is harmless; it decides for the
    /// errors after which the request may already have been applied.
    pub fn is_retryable(&self, idempotent: bool) -> bool {
        match self {
            TablestoreError::Service {
                code,
                message,
                http_status,
                ..
            } => {
                codes::is_retryable(code, message, idempotent)
                    || codes::is_retryable_status(*http_status, idempotent)
            }
            TablestoreError::HttpStatus { http_status, .. } => {
                codes::is_retryable_status(*http_status, idempotent)
            }
            TablestoreError::Connect { .. } => true,
            TablestoreError::Timeout { .. } | TablestoreError::Transport { .. } => idempotent,
            // A corrupted or forged response: the next one may be fine, but only a read may
            // be repeated without knowing whether the first was applied.
            TablestoreError::InvalidResponse { .. } => idempotent,
            TablestoreError::Moved { .. }
            | TablestoreError::InvalidRequest(_)
            | TablestoreError::Credentials(_)
            | TablestoreError::Config(_) => false,
        }
    }

    /// The low-cardinality outcome label for metrics: the OTS code, or a transport class.
    pub fn outcome_code(&self) -> &str {
        match self {
            TablestoreError::Service { code, .. } => code,
            TablestoreError::HttpStatus { .. } => "http_status",
            TablestoreError::Moved { .. } => "moved",
            TablestoreError::Connect { .. }
            | TablestoreError::Timeout { .. }
            | TablestoreError::Transport { .. } => "transport",
            TablestoreError::InvalidResponse { .. } => "invalid_response",
            TablestoreError::InvalidRequest(_) => "invalid_request",
            TablestoreError::Config(_) => "config",
            TablestoreError::Credentials(_) => "credentials",
        }
    }
}
