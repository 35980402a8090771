//! The unsigned control endpoint under `/_emulator/` (JSON in, JSON out):
//!
//! - `GET /_emulator/faults`: the current [`FaultConfig`] (counters show what is left).
//! - `POST /_emulator/faults`: replace it (missing fields take their defaults); answers the
//!   new config, or 400 with `{"error": ...}`.
//! - `POST /_emulator/reset`: drop every table; answers `{"tables_dropped": N}`.
//! - `GET /_emulator/stats`: the [`EmulatorStats`] counters.
//! - `POST /_emulator/streams/split` (`{"table": "t", "shard_id": optional}`): split a stream
//!   shard; answers `{"children": [id, id]}`, or 409 with `{"error": ...}`.

use bytes::Bytes;
use http_body_util::Full;
use hyper::{Method, Response, StatusCode};
use serde::Serialize;

use super::faults::{FaultConfig, FaultState};
use super::server::Shared;
use super::stats::EmulatorStats;
use super::stream;
use super::tables::lock;

fn json(status: StatusCode, value: &impl Serialize) -> Response<Full<Bytes>> {
    let body = serde_json::to_vec(value).unwrap_or_else(|_| b"{}".to_vec());
    let mut response = Response::new(Full::new(Bytes::from(body)));
    *response.status_mut() = status;
    response.headers_mut().insert(
        hyper::header::CONTENT_TYPE,
        hyper::header::HeaderValue::from_static("application/json"),
    );
    response
}

fn error(status: StatusCode, message: impl Into<String>) -> Response<Full<Bytes>> {
    json(status, &serde_json::json!({ "error": message.into() }))
}

/// Replaces the fault settings (and reseeds the dice).
pub fn set_faults(shared: &Shared, config: FaultConfig) {
    tracing::info!(faults = ?config, "Fault settings replaced.");
    *lock(&shared.faults) = FaultState::new(config);
}

pub fn stats(shared: &Shared) -> EmulatorStats {
    let mut stats = lock(&shared.stats).clone();
    stats.tables = shared.store.table_count();
    stats
}

#[derive(serde::Deserialize)]
struct SplitRequest {
    table: String,
    shard_id: Option<String>,
}

fn split(shared: &Shared, body: &[u8]) -> Response<Full<Bytes>> {
    match serde_json::from_slice::<SplitRequest>(body) {
        Err(e) => error(
            StatusCode::BAD_REQUEST,
            format!("invalid split request: {e}"),
        ),
        Ok(req) => match stream::split_shard(&shared.store, &req.table, req.shard_id.as_deref()) {
            Ok(children) => json(StatusCode::OK, &serde_json::json!({ "children": children })),
            Err(e) => error(StatusCode::CONFLICT, e),
        },
    }
}

/// Serves `/_emulator/<endpoint>`.
pub fn handle(
    shared: &Shared,
    method: &Method,
    endpoint: &str,
    body: &[u8],
) -> Response<Full<Bytes>> {
    match (method, endpoint) {
        (&Method::GET, "faults") => json(StatusCode::OK, lock(&shared.faults).config()),
        (&Method::POST, "faults") => match serde_json::from_slice::<FaultConfig>(body) {
            Err(e) => error(
                StatusCode::BAD_REQUEST,
                format!("invalid fault config: {e}"),
            ),
            Ok(config) => match config.validate() {
                Err(e) => error(StatusCode::BAD_REQUEST, e),
                Ok(()) => {
                    set_faults(shared, config.clone());
                    json(StatusCode::OK, &config)
                }
            },
        },
        (&Method::POST, "reset") => {
            let dropped = shared.store.table_count();
            shared.store.reset();
            tracing::info!(dropped, "Emulator reset: every table dropped.");
            json(
                StatusCode::OK,
                &serde_json::json!({ "tables_dropped": dropped }),
            )
        }
        (&Method::GET, "stats") => json(StatusCode::OK, &stats(shared)),
        (&Method::POST, "streams/split") => split(shared, body),
        (_, "faults" | "reset" | "stats" | "streams/split") => {
            error(StatusCode::METHOD_NOT_ALLOWED, "method not allowed")
        }
        _ => error(
            StatusCode::NOT_FOUND,
            format!("unknown control endpoint: /_emulator/{endpoint}"),
        ),
    }
}
