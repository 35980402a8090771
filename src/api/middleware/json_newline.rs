//! Ends every JSON answer (resources, problem documents, probes) with a newline, so `curl`
//! output leaves the shell prompt on its own line and the bodies are proper text files.
//! One place, after the handlers and the problem rendering, instead of a rule every handler
//! must remember.

use axum::body::{to_bytes, Body};
use axum::extract::Request;
use axum::http::header;
use axum::middleware::Next;
use axum::response::Response;

pub async fn json_newline(req: Request, next: Next) -> Response {
    let response = next.run(req).await;
    let json = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/") && v.contains("json"));
    if !json {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    // JSON answers are built in memory by the handlers: buffering them costs nothing new.
    let mut bytes = match to_bytes(body, usize::MAX).await {
        Ok(bytes) => bytes.to_vec(),
        Err(e) => {
            tracing::warn!(error = %e, "Could not read a JSON answer to end it with a newline.");
            return Response::from_parts(parts, Body::empty());
        }
    };
    if bytes.last() != Some(&b'\n') {
        bytes.push(b'\n');
    }
    parts.headers.remove(header::CONTENT_LENGTH);
    Response::from_parts(parts, Body::from(bytes))
}
