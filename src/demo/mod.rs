//! `tablevault serve --demo`: the product working without a Tablestore account.
//!
//! Starts the in-process emulator with a sample table, points the daemon at it as source
//! `demo`, keeps a schedule `demo-every-minute` that backs the table up every minute into the
//! store `local` (with a retention policy), runs it once at start, and prints the commands to
//! try. State lives apart from real state (`./data/demo` unless `--demo-dir` or a config file
//! says otherwise).
//!
//! # Layout
//! - [`sample`]: the sample table and its rows; [`source`]: the seeded emulator.
//! - [`settings`]: how the demo changes the config (state dir, source, auth).
//! - [`schedule`]: the idempotent schedule and the first run; [`guide`]: the printed block.

pub mod guide;
pub mod sample;
pub mod schedule;
pub mod settings;
pub mod source;

use std::net::SocketAddr;
use std::path::PathBuf;

use crate::catalog::CatalogError;
use crate::config::Config;
use crate::emulator::EmulatorError;
use crate::scheduler::{Scheduler, SchedulerError};
use crate::tablestore::client::TablestoreError;
use guide::Guide;
use settings::DemoAuth;
use source::DemoSource;

/// Why the demo cannot start.
#[derive(Debug, thiserror::Error)]
pub enum DemoError {
    #[error(
        "refusing to serve the demo on {0} without an API token: anyone who can reach it could \
         restore and delete; listen on 127.0.0.1, or set TABLEVAULT_AUTH_ADMIN_TOKEN \
         (at least 16 characters)"
    )]
    OpenNonLoopback(SocketAddr),
    #[error(
        "the config file already defines a source named \"demo\"; --demo adds its own, so \
         rename that one"
    )]
    SourceNameTaken,
    #[error("cannot start the demo emulator: {0}")]
    Emulator(#[from] EmulatorError),
    #[error("cannot seed the demo table: {0}")]
    Seed(String),
    #[error(transparent)]
    Schedule(#[from] SchedulerError),
    #[error(transparent)]
    Catalog(#[from] CatalogError),
}

impl From<TablestoreError> for DemoError {
    fn from(e: TablestoreError) -> Self {
        DemoError::Seed(e.to_string())
    }
}

impl DemoError {
    /// `true` for what the operator must change (flags, config), not a failure at run time.
    pub fn is_input(&self) -> bool {
        matches!(
            self,
            DemoError::OpenNonLoopback(_) | DemoError::SourceNameTaken
        )
    }
}

/// The demo's command-line choices.
#[derive(Debug, Clone)]
pub struct DemoOptions {
    /// Where the SQLite state and the `local` archive go; `None` keeps the config file's.
    pub state_dir: Option<PathBuf>,
    /// The emulator's address (port 0 picks one).
    pub emulator_listen: SocketAddr,
}

/// A prepared demo: the emulator runs and the config points at it.
pub struct Demo {
    source: DemoSource,
    auth: DemoAuth,
    archive: Option<PathBuf>,
}

impl Demo {
    /// Decides on auth (refusing an open non-loopback listener before starting anything),
    /// starts and seeds the emulator, and applies the demo to `config`.
    pub async fn prepare(config: &mut Config, options: &DemoOptions) -> Result<Demo, DemoError> {
        let auth = settings::decide_auth(config)?;
        if config.sources.contains_key(settings::SOURCE) {
            return Err(DemoError::SourceNameTaken);
        }
        let source = DemoSource::start(options.emulator_listen).await?;
        settings::apply(config, &source, options.state_dir.as_deref(), auth);
        if let DemoAuth::Open {
            disabled_by_demo: true,
        } = auth
        {
            tracing::warn!(
                listen = %config.server.listen,
                "Demo: no API token is configured, so auth is disabled (loopback only)."
            );
        }
        Ok(Demo {
            source,
            auth,
            archive: settings::archive_path(config),
        })
    }

    /// Once the daemon is built: ensures the schedule, starts the first backup, and returns
    /// the guide to print for a daemon at `addr`.
    pub async fn start(&self, scheduler: &Scheduler, addr: SocketAddr) -> Result<Guide, DemoError> {
        let (schedule, _run) = schedule::ensure(scheduler).await?;
        Ok(Guide {
            addr,
            schedule_id: schedule.id,
            auth: self.auth,
            archive: self.archive.clone(),
            emulator_endpoint: self.source.endpoint(),
            emulator_instance: source::INSTANCE.to_string(),
            access_key_id: self.source.access_key_id().to_string(),
            access_key_secret: self.source.access_key_secret().to_string(),
        })
    }

    /// Stops the emulator (after the daemon has stopped using it).
    pub async fn shutdown(self) {
        self.source.shutdown().await;
    }
}
