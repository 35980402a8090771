//! Health checks of the daemon's dependencies: the state database and every configured store.
//! Each check is bounded by `server.readiness_timeout`, and all run concurrently, so a dead
//! MongoDB makes `/readyz` answer 503 quickly instead of hanging the probe.

use std::time::{Duration, Instant};

use futures::future::join_all;
use serde::Serialize;

use super::state::{AppState, NamedStore};
use crate::catalog::{Catalog, PageRequest};
use crate::telemetry::events::StoreChecked;
use crate::telemetry::Metrics;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Up,
    Down,
}

/// One dependency's state.
#[derive(Debug, Clone, Serialize)]
pub struct ComponentStatus {
    /// `database`, or the store's configured name.
    pub name: String,
    /// `sqlite`, `archive` or `mongodb`.
    pub kind: &'static str,
    pub status: Status,
    pub latency_ms: u64,
    /// Why it is down; shown only to authenticated callers.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// `/readyz`'s answer.
#[derive(Debug, Clone, Serialize)]
pub struct Readiness {
    /// `ready` when every component is up.
    pub status: &'static str,
    pub components: Vec<ComponentStatus>,
}

impl Readiness {
    pub fn is_ready(&self) -> bool {
        self.components.iter().all(|c| c.status == Status::Up)
    }

    /// Without the error texts (for unauthenticated callers).
    pub fn redacted(mut self) -> Readiness {
        for component in &mut self.components {
            component.error = None;
        }
        self
    }
}

/// Checks the database and every store concurrently.
pub async fn check_all(state: &AppState) -> Readiness {
    let timeout = state.config.server.readiness_timeout;
    let stores = state
        .stores
        .values()
        .map(|store| check_store(store, &state.metrics, timeout));
    let (database, stores) =
        tokio::join!(check_database(&state.catalog, timeout), join_all(stores));
    let mut components = vec![database];
    components.extend(stores);
    let ready = components.iter().all(|c| c.status == Status::Up);
    Readiness {
        status: if ready { "ready" } else { "not_ready" },
        components,
    }
}

/// Runs a store's health check (and records it in `tablevault_store_up`).
pub async fn check_store(
    store: &NamedStore,
    metrics: &Metrics,
    timeout: Duration,
) -> ComponentStatus {
    let started = Instant::now();
    let result = match tokio::time::timeout(timeout, store.store.healthcheck()).await {
        Ok(Ok(())) => Ok(()),
        Ok(Err(e)) => Err(e.to_string()),
        Err(_) => Err(format!("no answer within {}ms", timeout.as_millis())),
    };
    let kind = store.store.kind();
    StoreChecked {
        store: &store.name,
        kind,
        error: result.as_ref().err().map(String::as_str),
    }
    .emit(metrics);
    component(store.name.clone(), kind, started, result)
}

/// A cheap read and a cheap write of the state database. Reads alone said "up" while every
/// write was being lost on a full disk, so the probe also commits a one-page write (see
/// [`Catalog::check_writable`]): the database is ready only if it can keep what it is told.
async fn check_database(catalog: &Catalog, timeout: Duration) -> ComponentStatus {
    let started = Instant::now();
    let probe = async {
        catalog.list_schedules(&PageRequest::first(1)).await?;
        catalog.check_writable().await
    };
    let result = match tokio::time::timeout(timeout, probe).await {
        Ok(Ok(_)) => Ok(()),
        Ok(Err(e)) => Err(e.to_string()),
        Err(_) => Err(format!("no answer within {}ms", timeout.as_millis())),
    };
    if let Err(error) = &result {
        tracing::warn!(error = %error, "State database health check failed.");
    }
    component("database".to_string(), "sqlite", started, result)
}

fn component(
    name: String,
    kind: &'static str,
    started: Instant,
    result: Result<(), String>,
) -> ComponentStatus {
    ComponentStatus {
        name,
        kind,
        status: if result.is_ok() {
            Status::Up
        } else {
            Status::Down
        },
        latency_ms: started.elapsed().as_millis() as u64,
        error: result.err(),
    }
}
