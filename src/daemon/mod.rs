//! The daemon (`tablevault serve`): assembled here and nowhere else, then run until a shutdown
//! signal.
//!
//! # Layout
//! - [`Daemon`]: [`Daemon::build`] takes the instance [`lock`], binds the listener (so port 0
//!   works and the address is known before serving), opens the catalog and the stores, restores
//!   the metrics and builds the run executor and the scheduler ([`startup`]), then hands their
//!   handles to the HTTP layer ([`crate::api`]), which assembles nothing.
//!   [`Daemon::run_until_stopped`] serves, and stops everything within one grace budget.
//! - One shutdown token ([`tokio_util::sync::CancellationToken`]), created here and handed to
//!   everything that stops: the HTTP server's graceful shutdown, the run executor, the
//!   scheduler's timer loop (through the executor), the capture loops, the store watch, the
//!   staged-data sweep and the SIGHUP listener.
//! - The config file's `[[schedules]]` are reconciled after the scheduler starts and on
//!   SIGHUP ([`crate::schedules_as_code`]).
//! - [`capture_loops`]: continuous schedules' table captures (issue 12), started and stopped
//!   as schedules change.
//! - [`store_watch`]: checks the stores on a timer for `tablevault_store_up`.
//! - [`supervisor`]: what the service manager hears (sd_notify READY/STOPPING/WATCHDOG).

pub mod capture_loops;
mod error;
mod gap_base;
pub mod lock;
pub mod startup;
pub mod store_watch;
pub mod supervisor;

use std::future::{Future, IntoFuture};
use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;
use tokio::net::TcpListener;
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

pub use error::DaemonError;

use crate::api::AppState;
use crate::catalog::Catalog;
use crate::config::Config;
use crate::runs::{spawn_staged_sweeper, SWEEP_INTERVAL};
use crate::scheduler::{catalog_clock, Clock, Scheduler, SystemClock};
use crate::schedules_as_code::{self, SchedulesFile};
use crate::telemetry::{build_info, Metrics};
use lock::InstanceLock;

/// A built daemon: listening, started (recovery done, scheduler running), not yet serving.
pub struct Daemon {
    listener: TcpListener,
    addr: SocketAddr,
    router: Router,
    state: AppState,
    /// Cancelled when shutdown begins; everything the daemon started stops on it.
    shutdown: CancellationToken,
    /// Held until the daemon has stopped and closed the database.
    lock: InstanceLock,
}

impl Daemon {
    /// Locks the state database (one daemon per file), binds `server.listen`, opens the state
    /// database and the stores, restores the metrics from the catalog, builds the run executor
    /// and starts the scheduler over it, starts the background loops and assembles the routes.
    pub async fn build(config: Config) -> Result<Daemon, DaemonError> {
        // Before anything else: a second daemon must not even recover "interrupted" runs.
        let lock = InstanceLock::acquire(&config.database.path)?;
        tracing::info!(
            version = build_info::VERSION,
            commit = build_info::COMMIT,
            lock = %lock.path().display(),
            "Starting."
        );
        let (listener, addr) = bind(config.server.listen).await?;
        let shutdown = CancellationToken::new();
        let clock: Arc<dyn Clock> = Arc::new(SystemClock);
        let catalog = Catalog::open(&config.database.path)
            .await?
            .with_clock(catalog_clock(clock.clone()));
        let stores = startup::open_stores(&config).await?;
        let metrics = Arc::new(Metrics::new());
        startup::restore_metrics(&catalog, &stores, &metrics, clock.now()).await?;
        let executor =
            startup::run_executor(&config, &catalog, &stores, &metrics, shutdown.clone())?;
        let scheduler =
            Scheduler::new(executor.clone(), clock, startup::scheduler_options(&config));
        scheduler.start().await?;
        let schedules_file = SchedulesFile::new(scheduler.clone(), config.file.clone());
        let reconciled = schedules_file.reconcile(&config).await?;
        if config.file.is_some() || !config.schedules.is_empty() {
            tracing::info!(
                created = reconciled.created.len(),
                updated = reconciled.updated.len(),
                unchanged = reconciled.unchanged.len(),
                paused_removed = reconciled.paused_removed.len(),
                deleted = reconciled.deleted.len(),
                "Reconciled the schedules of the config file."
            );
        }
        schedules_as_code::hangup::spawn(schedules_file.clone(), shutdown.clone());
        let state = AppState {
            config: Arc::new(config),
            stores: Arc::new(stores),
            catalog,
            metrics,
            executor: executor.clone(),
            scheduler,
            schedules_file,
            captures: Default::default(),
        };
        store_watch::spawn(state.clone(), shutdown.clone());
        capture_loops::spawn(state.clone(), shutdown.clone());
        // Staged data failed backups left in a store that was down.
        spawn_staged_sweeper(executor, SWEEP_INTERVAL, shutdown.clone());
        let router = crate::api::router(state.clone());
        Ok(Daemon {
            listener,
            addr,
            router,
            state,
            shutdown,
            lock,
        })
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    pub fn port(&self) -> u16 {
        self.addr.port()
    }

    /// The handles the HTTP layer holds (catalog, executor, scheduler, stores, metrics).
    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// Serves until `signal` resolves. Then one budget of `server.shutdown_grace_seconds`
    /// covers the whole stop: no new connections, the shutdown token cancelled, and, at the
    /// same time, requests in flight finish (or are dropped at the deadline) while the
    /// scheduler lets runs finish and cancels and records the rest before the same deadline
    /// (see [`crate::runs::RunExecutor::shutdown_by`]). Closes the state database last. A
    /// service manager's stop timeout can therefore be the grace plus a few seconds.
    pub async fn run_until_stopped(
        self,
        signal: impl Future<Output = ()> + Send + 'static,
    ) -> Result<(), DaemonError> {
        let Daemon {
            listener,
            router,
            state,
            shutdown,
            lock,
            ..
        } = self;
        let grace = state.config.server.shutdown_grace();
        let stop_serving = {
            let shutdown = shutdown.clone();
            async move {
                signal.await;
                tracing::info!(
                    grace_seconds = grace.as_secs(),
                    "Shutting down: no new connections; letting work in flight finish."
                );
                shutdown.cancel();
            }
        };
        let server = axum::serve(listener, router)
            .with_graceful_shutdown(stop_serving)
            .into_future();
        tokio::pin!(server);
        let failed_early = tokio::select! {
            result = &mut server => Some(result.map_err(DaemonError::Serve)),
            () = shutdown.cancelled() => None,
        };
        // The budget starts when the signal arrives (or the server failed on its own).
        shutdown.cancel();
        let deadline = Instant::now() + grace;
        let http = async {
            match failed_early {
                Some(result) => result,
                None => match tokio::time::timeout_at(deadline, server).await {
                    Ok(result) => result.map_err(DaemonError::Serve),
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

/// Binds `listen`, returning the address actually bound (port 0 picks one).
async fn bind(listen: SocketAddr) -> Result<(TcpListener, SocketAddr), DaemonError> {
    let bind_error = |source| DaemonError::Bind {
        addr: listen,
        source,
    };
    let listener = TcpListener::bind(listen).await.map_err(bind_error)?;
    let addr = listener.local_addr().map_err(bind_error)?;
    Ok((listener, addr))
}
