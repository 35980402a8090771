//! The daemon's REST API (`tablevault serve`): axum + tower-http, JSON bodies, errors as
//! `application/problem+json` with stable codes.
//!
//! # Layout
//! - [`App`]: builds everything from a [`Config`] (locking the state database first, see
//!   [`instance_lock`], then binding the listener, so port 0 works and the address is known
//!   before serving) and runs until a shutdown signal.
//! - [`state`]: [`AppState`], what handlers share; [`error`]: [`ApiError`], the one mapping
//!   to HTTP; [`json`]: body extractors whose rejections are problems too.
//! - [`middleware`]: request id, tracing, problem rendering, timeout, body limit, bearer auth.
//! - `store_watch`: checks the stores on a timer for `tablevault_store_up`.
//! - [`routes`]: `/healthz`, `/readyz`, `/metrics`, `/api/v1/...`; [`readiness`]: the checks.

mod backups_stored;
pub mod error;
mod error_mapping;
pub mod instance_lock;
pub mod json;
pub mod middleware;
pub mod readiness;
pub mod routes;
pub mod run_telemetry;
pub mod state;
mod store_watch;
mod warm_up;

use std::future::{Future, IntoFuture};
use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;
use tokio::net::TcpListener;
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

pub use error::{ApiError, ApiResult, Problem, PROBLEM_JSON};
pub use state::{AppState, NamedStore};

use crate::catalog::{Catalog, CatalogError};
use crate::config::Config;
use crate::scheduler::{catalog_clock, Clock, SystemClock};
use crate::store::StoreError;
use crate::telemetry::{build_info, Metrics};
use instance_lock::{InstanceLock, LockError};
use middleware::auth::Authenticator;

/// Why the daemon cannot start (or stopped serving).
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error(transparent)]
    Locked(#[from] LockError),
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        addr: SocketAddr,
        source: std::io::Error,
    },
    #[error(transparent)]
    Catalog(#[from] CatalogError),
    #[error("cannot open store {name}: {source}")]
    Store { name: String, source: StoreError },
    #[error(transparent)]
    Run(#[from] crate::runs::RunError),
    #[error(transparent)]
    Scheduler(#[from] crate::scheduler::SchedulerError),
    #[error("the HTTP server failed: {0}")]
    Serve(std::io::Error),
}

/// A built daemon: listening, not yet serving.
pub struct App {
    listener: TcpListener,
    addr: SocketAddr,
    router: Router,
    state: AppState,
    /// Held until the daemon has stopped and closed the database.
    lock: InstanceLock,
}

impl App {
    /// Locks the state database (one daemon per file), binds `server.listen`, opens the state
    /// database and the stores, restores the metrics from the catalog and assembles the routes
    /// and middleware.
    pub async fn build(config: Config) -> Result<App, AppError> {
        // Before anything else: a second daemon must not even recover "interrupted" runs.
        let lock = InstanceLock::acquire(&config.database.path)?;
        tracing::info!(
            version = build_info::VERSION,
            commit = build_info::COMMIT,
            lock = %lock.path().display(),
            "Starting."
        );
        let listen = config.server.listen;
        let listener = TcpListener::bind(listen)
            .await
            .map_err(|source| AppError::Bind {
                addr: listen,
                source,
            })?;
        let addr = listener.local_addr().map_err(|source| AppError::Bind {
            addr: listen,
            source,
        })?;
        let clock: Arc<dyn Clock> = Arc::new(SystemClock);
        let catalog = Catalog::open(&config.database.path)
            .await?
            .with_clock(catalog_clock(clock.clone()));
        let stores = warm_up::open_stores(&config).await?;
        let metrics = Arc::new(Metrics::new());
        warm_up::restore_metrics(&catalog, &stores, &metrics, clock.now()).await?;
        let scheduler =
            warm_up::start_scheduler(&config, &catalog, &stores, &metrics, clock).await?;
        if config.auth.disabled {
            tracing::warn!(
                "API authentication is disabled: every request is served without a token."
            );
        } else if config.auth.tokens.is_empty() {
            tracing::warn!(
                "No API token is configured: every request except the probes is refused."
            );
        }
        let state = AppState {
            config: Arc::new(config),
            stores: Arc::new(stores),
            catalog,
            metrics,
            shutdown: CancellationToken::new(),
            scheduler,
        };
        store_watch::spawn(state.clone());
        // Staged data failed backups left in a store that was down; stops with the daemon.
        crate::runs::spawn_staged_sweeper(
            state.scheduler.executor().clone(),
            crate::runs::SWEEP_INTERVAL,
            state.shutdown.clone(),
        );
        let auth = Arc::new(Authenticator::from_config(&state.config));
        let router = middleware::apply(routes::router(state.clone()), &state.config.server, auth);
        Ok(App {
            listener,
            addr,
            router,
            state,
            lock,
        })
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    pub fn port(&self) -> u16 {
        self.addr.port()
    }

    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// Serves until `shutdown` resolves. Then one budget of `server.shutdown_grace_seconds`
    /// covers the whole stop: no new connections, [`AppState::shutdown`] cancelled, and, at
    /// the same time, requests in flight finish (or are dropped at the deadline) while the
    /// scheduler lets runs finish and cancels and records the rest before the same deadline
    /// (see [`crate::runs::RunExecutor::shutdown_by`]). Closes the state database last. A
    /// service manager's stop timeout can therefore be the grace plus a few seconds.
    pub async fn run_until_stopped(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> Result<(), AppError> {
        let App {
            listener,
            router,
            state,
            lock,
            ..
        } = self;
        let grace = state.config.server.shutdown_grace();
        let stopping = state.shutdown.clone();
        let signal = {
            let stopping = stopping.clone();
            async move {
                shutdown.await;
                tracing::info!(
                    grace_seconds = grace.as_secs(),
                    "Shutting down: no new connections; letting work in flight finish."
                );
                stopping.cancel();
            }
        };
        let server = axum::serve(listener, router)
            .with_graceful_shutdown(signal)
            .into_future();
        tokio::pin!(server);
        let failed_early = tokio::select! {
            result = &mut server => Some(result.map_err(AppError::Serve)),
            () = stopping.cancelled() => None,
        };
        // The budget starts when the signal arrives (or the server failed on its own).
        stopping.cancel();
        let deadline = Instant::now() + grace;
        let http = async {
            match failed_early {
                Some(result) => result,
                None => match tokio::time::timeout_at(deadline, server).await {
                    Ok(result) => result.map_err(AppError::Serve),
                    Err(_) => {
                        tracing::warn!(
                            grace_seconds = grace.as_secs(),
                            "Grace period over; dropping requests still in flight."
                        );
                        Ok(())
                    }
                },
            }
        };
        let (result, report) = tokio::join!(http, state.scheduler.shutdown_by(deadline));
        if !report.cancelled.is_empty() || !report.abandoned.is_empty() {
            tracing::warn!(
                cancelled = report.cancelled.len(),
                abandoned = report.abandoned.len(),
                "Runs still active at shutdown were cancelled."
            );
        }
        state.catalog.close().await;
        drop(lock);
        tracing::info!("Stopped.");
        result
    }
}
