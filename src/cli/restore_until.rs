//! `tablevault restore --backup ID --until RFC3339`: the backup with the changes captured for
//! its continuous schedule replayed up to the instant (issue 12), without the daemon.
//!
//! The changes are those captured next to the store's backups (an archive store's
//! `.changes/<schedule id>/<table>/`, a MongoDB store's change collections). The schedule is
//! named with `--schedule`, or, in an archive store, found as the one capture that holds the
//! backup's first table.
//! The instant is checked as the API checks it (after the base's end, captured, no gap).

use std::path::Path;
use std::sync::Arc;

use chrono::{DateTime, Utc};

use super::failure::Failure;
use crate::capture::pitr::{self, BaseBackup, PitrError};
use crate::capture::pitr_reader::{PointInTimeReader, TableChanges};
use crate::capture::store::CHANGES_DIR;
use crate::capture::{open_change_store, ChangeStore};
use crate::config::{Config, StoreConfig};
use crate::store::BackupReader;

/// `base` seen at `until`, or why that instant cannot be restored.
pub async fn reader_at(
    config: &Config,
    store_name: &str,
    schedule: Option<&str>,
    base: Arc<dyn BackupReader>,
    tables: &[String],
    until: DateTime<Utc>,
) -> Result<Arc<dyn BackupReader>, Failure> {
    let store_config = config.store(store_name)?;
    let manifest = base.manifest();
    let selected: Vec<String> = if tables.is_empty() {
        manifest
            .tables
            .iter()
            .map(|t| t.description.name.clone())
            .collect()
    } else {
        tables.to_vec()
    };
    let first = selected.first().map(String::as_str).unwrap_or("");
    let schedule = match (schedule, store_config) {
        (Some(id), _) => id.to_string(),
        (None, StoreConfig::Archive(archive)) => find_capture(&archive.path, first)?,
        (None, other) => {
            return Err(Failure::Input(format!(
                "--until on a {} store needs --schedule ID (the continuous schedule that captured the changes)",
                other.kind()
            )))
        }
    };
    let mut stores: Vec<(String, Arc<dyn ChangeStore>)> = Vec::new();
    for table in &selected {
        let store = open_change_store(store_name, store_config, &schedule, table)
            .await
            .map_err(|e| Failure::Input(format!("captured changes of table {table}: {e}")))?;
        stores.push((table.clone(), store));
    }
    let bases = [BaseBackup {
        id: manifest.backup_id.clone(),
        started_at: manifest.started_at,
        finished_at: manifest.finished_at,
    }];
    let plan = pitr::plan(&bases, &stores, until)
        .await
        .map_err(|e| match e {
            PitrError::NotRestorable(message) => Failure::Input(message),
            other => Failure::Failed(format!("the captured changes cannot be read: {other}")),
        })?;
    let changes: TableChanges = stores.into_iter().collect();
    let reader = PointInTimeReader::open(base, changes, plan.until_us)
        .await
        .map_err(|e| Failure::Failed(format!("replaying the captured changes: {e}")))?;
    Ok(Arc::new(reader))
}

/// The one capture (schedule id) under `root` holding changes of `table`.
fn find_capture(root: &Path, table: &str) -> Result<String, Failure> {
    let dir = root.join(CHANGES_DIR);
    let entries = std::fs::read_dir(&dir).map_err(|e| {
        Failure::Input(format!(
            "no captured changes under {}: {e} (is the backup's schedule continuous?)",
            dir.display()
        ))
    })?;
    let mut found: Vec<String> = entries
        .filter_map(Result::ok)
        .filter(|e| e.path().join(table).is_dir())
        .filter_map(|e| e.file_name().to_str().map(str::to_string))
        .collect();
    found.sort();
    match found.as_slice() {
        [one] => Ok(one.clone()),
        [] => Err(Failure::Input(format!(
            "no captured changes of table {table} under {}",
            dir.display()
        ))),
        many => Err(Failure::Input(format!(
            "changes of table {table} were captured by several schedules ({}); name one with --schedule",
            many.join(", ")
        ))),
    }
}
