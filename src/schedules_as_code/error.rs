//! [`ReloadError`]: why a reload changed nothing.

use crate::catalog::CatalogError;
use crate::config::ConfigError;
use crate::scheduler::SchedulerError;

#[derive(Debug, thiserror::Error)]
pub enum ReloadError {
    #[error("the daemon was started without --config: there is no file to reload")]
    NoFile,
    /// The file does not load; the running configuration stays.
    #[error("{0}; nothing was changed")]
    Invalid(#[from] ConfigError),
    /// The file names a source or store the running daemon does not have.
    #[error(
        "{}; sources and stores are read at start: restart the daemon to add them; nothing \
         was changed",
        .0.join("; ")
    )]
    NeedsRestart(Vec<String>),
    /// Applying a valid plan failed part-way (the catalog or the scheduler refused).
    #[error("reconciling the schedules failed: {0}")]
    Scheduler(#[from] SchedulerError),
    #[error("reconciling the schedules failed: {0}")]
    Catalog(#[from] CatalogError),
}
