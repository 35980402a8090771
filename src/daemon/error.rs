//! [`DaemonError`]: why the daemon cannot start, or stopped serving.

use std::net::SocketAddr;

use super::lock::LockError;
use crate::catalog::CatalogError;
use crate::store::StoreError;

/// Why the daemon cannot start (or stopped serving).
#[derive(Debug, thiserror::Error)]
pub enum DaemonError {
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
    #[error("cannot apply the config file's schedules: {0}")]
    Schedules(#[from] crate::schedules_as_code::ReloadError),
    #[error("the HTTP server failed: {0}")]
    Serve(std::io::Error),
}
