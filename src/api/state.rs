//! What every handler can reach: the configuration, the opened stores, the catalog, the
//! metrics, the run executor and the scheduler, all built by [`crate::daemon::Daemon::build`].
//! Cheap to clone (everything is behind an `Arc` or a pool).

use std::collections::BTreeMap;
use std::sync::Arc;

use super::error::ApiError;
use crate::catalog::Catalog;
use crate::config::Config;
use crate::runs::RunExecutor;
use crate::scheduler::Scheduler;
use crate::store::BackupStore;
use crate::tablestore::client::Client;
use crate::telemetry::events::tablestore_observer;
use crate::telemetry::Metrics;

/// A configured store, opened.
#[derive(Clone)]
pub struct NamedStore {
    pub name: String,
    pub store: Arc<dyn BackupStore>,
}

#[derive(Clone)]
pub struct AppState {
    pub config: Arc<Config>,
    /// Every configured store, by name.
    pub stores: Arc<BTreeMap<String, NamedStore>>,
    /// The SQLite state: schedules, runs, backups, idempotency keys.
    pub catalog: Catalog,
    pub metrics: Arc<Metrics>,
    /// Runs every backup, restore and verification (the scheduler holds the same handle).
    pub executor: RunExecutor,
    /// Fires the schedules; schedule changes go through it.
    pub scheduler: Scheduler,
    /// The config file's `[[schedules]]`: reconciled at start, on reload and on SIGHUP.
    pub schedules_file: crate::schedules_as_code::SchedulesFile,
    /// What the continuous capture loops last did (issue 12).
    pub captures: crate::capture::CaptureStatuses,
}

impl std::fmt::Debug for AppState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AppState")
            .field("stores", &self.stores.keys().collect::<Vec<_>>())
            .field("catalog", &self.catalog)
            .finish_non_exhaustive()
    }
}

impl AppState {
    pub fn executor(&self) -> &RunExecutor {
        &self.executor
    }

    /// The store called `name`, or a 404 naming the configured ones.
    pub fn store(&self, name: &str) -> Result<&NamedStore, ApiError> {
        self.stores.get(name).ok_or_else(|| {
            let known: Vec<&str> = self.stores.keys().map(String::as_str).collect();
            ApiError::NotFound(format!(
                "no store named {name:?} (configured: {})",
                known.join(", ")
            ))
        })
    }

    /// A Tablestore client for source `name` whose every request is counted in
    /// `tablevault_tablestore_requests_total`; the daemon makes its clients only here.
    pub fn tablestore_client(&self, name: &str) -> Result<Client, ApiError> {
        let source = self
            .config
            .source(name)
            .map_err(|e| ApiError::NotFound(e.to_string()))?;
        let client = Client::new(&source.client_config())
            .map_err(|e| ApiError::Internal(anyhow::anyhow!("source {name}: {e}")))?;
        Ok(client.with_observer(tablestore_observer(self.metrics.clone())))
    }
}
