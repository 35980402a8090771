//! What a backup run is given (the job and its context) and what it returns.

use std::collections::HashSet;
use std::sync::Arc;

use tokio_util::sync::CancellationToken;

use super::backup_id::new_backup_id;
use super::error::EngineError;
use super::progress::{Progress, ProgressSnapshot};
use crate::config::EngineConfig;
use crate::store::{BackupStore, Manifest, SourceInfo};
use crate::tablestore::client::Client;

/// One backup to take: which tables of which source, with which engine settings.
#[derive(Debug, Clone)]
pub struct BackupJob {
    /// See [`super::new_backup_id`]; any id the store accepts works.
    pub backup_id: String,
    /// Recorded in the manifest (name, endpoint, instance; never credentials).
    pub source: SourceInfo,
    pub tables: Vec<String>,
    pub config: EngineConfig,
}

impl BackupJob {
    /// A job with a fresh time-based id.
    pub fn new(source: SourceInfo, tables: Vec<String>, config: EngineConfig) -> Self {
        BackupJob {
            backup_id: new_backup_id(),
            source,
            tables,
            config,
        }
    }

    /// Problems that make the job impossible, found before anything is read or written.
    pub(crate) fn validate(&self) -> Result<(), EngineError> {
        if self.tables.is_empty() {
            return Err(EngineError::Invalid("no table to back up".into()));
        }
        let mut seen = HashSet::new();
        if let Some(twice) = self.tables.iter().find(|t| !seen.insert(t.as_str())) {
            return Err(EngineError::Invalid(format!(
                "table {twice} is listed twice"
            )));
        }
        validate_config(&self.config)
    }
}

/// The settings the engine cannot run with (config files are validated earlier; this guards
/// jobs built in code).
pub(crate) fn validate_config(config: &EngineConfig) -> Result<(), EngineError> {
    let zero = [
        ("readers", config.readers),
        ("writers", config.writers),
        ("channel_capacity", config.channel_capacity),
        ("batch_rows", config.batch_rows),
    ]
    .into_iter()
    .find(|(_, v)| *v == 0);
    match zero {
        Some((name, _)) => Err(EngineError::Invalid(format!("{name} must be at least 1"))),
        None if config.split_size_bytes == 0 => Err(EngineError::Invalid(
            "split_size_bytes must be at least 1".into(),
        )),
        None => Ok(()),
    }
}

/// What a backup run reads and writes (the source client, the target store), with its live
/// counters and stop signal (as [`super::RunControls`] for the other runs). Cheap to clone.
#[derive(Clone)]
pub struct BackupIo {
    pub client: Client,
    pub store: Arc<dyn BackupStore>,
    pub progress: Arc<Progress>,
    /// Cancelling stops the run promptly; the staged backup is aborted.
    pub cancel: CancellationToken,
    /// On error or cancellation, leave the staged backup in place for
    /// [`super::resume_backup`] instead of aborting it (what a crash leaves behind). Off by
    /// default: a failed run removes everything it wrote.
    pub keep_staged_on_failure: bool,
}

impl BackupIo {
    pub fn new(client: Client, store: Arc<dyn BackupStore>) -> Self {
        BackupIo {
            client,
            store,
            progress: Arc::new(Progress::new()),
            cancel: CancellationToken::new(),
            keep_staged_on_failure: false,
        }
    }
}

/// A published backup.
#[derive(Debug, Clone)]
pub struct BackupOutcome {
    pub backup_id: String,
    pub manifest: Manifest,
    /// The counters at the end of this run (a resumed run counts only what it wrote itself).
    pub progress: ProgressSnapshot,
    /// Ranges this run found already complete (resume) and skipped.
    pub ranges_skipped: u64,
}
