//! The accept loop and the per-request service: control endpoint, method and auth checks,
//! fault injection, dispatch, signed responses.
//!
//! hyper is used directly (not axum) so a fault can drop a connection: when the service
//! returns `Err`, hyper closes the connection without sending a response.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Method, Request, Response};
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinSet;

use crate::tablestore::codes;

use super::config::EmulatorConfig;
use super::control;
use super::dispatch::dispatch;
use super::error::ServiceError;
use super::faults::{FaultOutcome, FaultState};
use super::stats::EmulatorStats;
use super::tables::{lock, Tables};
use super::wire;

/// Largest request body read; larger ones get OTSRequestBodyTooLarge.
const MAX_BODY_BYTES: usize = 16 * 1024 * 1024;
/// How long shutdown waits for in-flight requests before closing their connections.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(5);

/// State shared by every connection.
#[derive(Debug)]
pub struct Shared {
    pub config: EmulatorConfig,
    pub store: Tables,
    pub faults: Mutex<FaultState>,
    pub stats: Mutex<EmulatorStats>,
}

impl Shared {
    pub fn new(config: EmulatorConfig) -> Self {
        let store = Tables::default();
        let hour_us = i64::try_from(config.stream_hour_ms.max(1))
            .unwrap_or(i64::MAX / 1000)
            .saturating_mul(1000);
        store.set_stream_hour_us(hour_us);
        Shared {
            faults: Mutex::new(FaultState::new(config.faults.clone())),
            config,
            store,
            stats: Mutex::new(EmulatorStats::default()),
        }
    }
}

/// Returned by the service to make hyper drop the connection (an injected fault).
#[derive(Debug, thiserror::Error)]
#[error("connection dropped by fault injection")]
pub struct DroppedConnection;

type HttpResponse = Response<Full<Bytes>>;

async fn read_body(body: Incoming) -> Result<Bytes, ServiceError> {
    match Limited::new(body, MAX_BODY_BYTES).collect().await {
        Ok(collected) => Ok(collected.to_bytes()),
        Err(e) if e.is::<http_body_util::LengthLimitError>() => Err(ServiceError::new(
            codes::REQUEST_BODY_TOO_LARGE,
            format!("The request body exceeds {MAX_BODY_BYTES} bytes."),
        )),
        Err(e) => Err(ServiceError::invalid(format!(
            "Failed to read the request body: {e}."
        ))),
    }
}

async fn serve(
    shared: Arc<Shared>,
    request: Request<Incoming>,
) -> Result<HttpResponse, DroppedConnection> {
    let (parts, body) = request.into_parts();
    let path = parts.uri.path().to_string();
    let config = &shared.config;

    if let Some(endpoint) = path.strip_prefix("/_emulator/") {
        let body = read_body(body).await.unwrap_or_default();
        return Ok(control::handle(&shared, &parts.method, endpoint, &body));
    }
    let action = path.trim_start_matches('/').to_string();
    *lock(&shared.stats)
        .requests
        .entry(action.clone())
        .or_default() += 1;

    if parts.method != Method::POST {
        let error = ServiceError::new(
            codes::METHOD_NOT_ALLOWED,
            "Only the POST method is allowed.",
        );
        return Ok(wire::error_response(config, &action, &error));
    }
    let body = match read_body(body).await {
        Ok(body) => body,
        Err(error) => return Ok(wire::error_response(config, &action, &error)),
    };
    if let Err(error) =
        wire::check_request(config, &action, &parts.headers, &body, chrono::Utc::now())
    {
        tracing::debug!(action, %error, "Request refused.");
        lock(&shared.stats).auth_failures += 1;
        return Ok(wire::error_response(config, &action, &error));
    }

    let plan = lock(&shared.faults).plan(&action);
    if let Some(latency) = plan.latency {
        lock(&shared.stats).delayed_requests += 1;
        tokio::time::sleep(latency).await;
    }
    match plan.outcome {
        FaultOutcome::Serve => {}
        FaultOutcome::Drop => {
            tracing::debug!(action, "Dropping the connection (injected fault).");
            lock(&shared.stats).dropped_connections += 1;
            return Err(DroppedConnection);
        }
        FaultOutcome::Fail(error) => {
            tracing::debug!(action, %error, "Failing the request (injected fault).");
            lock(&shared.stats).injected_errors += 1;
            return Ok(wire::error_response(config, &action, &error));
        }
    }

    Ok(match dispatch(&shared, &action, &body) {
        Ok(response) => wire::signed_response(config, &action, 200, response),
        Err(error) => {
            tracing::debug!(action, %error, "Request failed.");
            wire::error_response(config, &action, &error)
        }
    })
}

async fn serve_connection(
    shared: Arc<Shared>,
    stream: tokio::net::TcpStream,
    mut shutdown: watch::Receiver<bool>,
) {
    let service = service_fn(move |request| serve(shared.clone(), request));
    let connection = http1::Builder::new().serve_connection(TokioIo::new(stream), service);
    tokio::pin!(connection);
    tokio::select! {
        result = connection.as_mut() => {
            if let Err(e) = result {
                tracing::debug!(error = %e, "Connection closed with an error.");
            }
        }
        _ = shutdown.changed() => {
            connection.as_mut().graceful_shutdown();
            let _ = connection.await;
        }
    }
}

/// Accepts connections until `shutdown` turns true (or its sender is dropped), then lets
/// in-flight requests finish for up to [`SHUTDOWN_GRACE`].
pub async fn accept_loop(
    listener: TcpListener,
    shared: Arc<Shared>,
    mut shutdown: watch::Receiver<bool>,
) {
    let mut connections = JoinSet::new();
    loop {
        tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => {
                    let _ = stream.set_nodelay(true);
                    connections.spawn(serve_connection(shared.clone(), stream, shutdown.clone()));
                }
                Err(e) => {
                    tracing::warn!(error = %e, "Accepting a connection failed.");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
            },
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
            _ = shutdown.changed() => break,
        }
    }
    drop(listener);
    let drained = tokio::time::timeout(SHUTDOWN_GRACE, async {
        while connections.join_next().await.is_some() {}
    })
    .await;
    if drained.is_err() {
        connections.abort_all();
    }
}
