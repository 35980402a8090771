//! `tablevault restore --backup ID --until RFC3339`: the backup with the changes captured for
//! its continuous schedule replayed up to the instant (issue 12), without the daemon.
//!
//! The changes are the archive store's `.changes/<schedule id>/<table>/`; the schedule is
//! found as the one capture that holds the backup's first table, or named with `--schedule`.
//! The instant is checked as the API checks it (after the base's end, captured, no gap).

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

use chrono::{DateTime, Utc};

use super::failure::Failure;
use crate::capture::pitr::{self, BaseBackup, PitrError};
use crate::capture::pitr_reader::PointInTimeReader;
use crate::capture::store::CHANGES_DIR;
use crate::capture::ChangeStore;
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
    let root = match config.store(store_name)? {
        StoreConfig::Archive(archive) => archive.path.clone(),
        other => {
            return Err(Failure::Input(format!(
                "--until needs captured changes; store {store_name} is a {} store (continuous capture writes them to archive stores)",
                other.kind()
            )))
        }
    };
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
    let schedule = match schedule {
        Some(id) => id.to_string(),
        None => find_capture(&root, selected.first().map(String::as_str).unwrap_or(""))?,
    };
    let stores = selected
        .iter()
        .map(|t| Ok((t.clone(), ChangeStore::new(&root, &schedule, t)?)))
        .collect::<Result<Vec<_>, String>>()
        .map_err(Failure::Input)?;
    let bases = [BaseBackup {
        id: manifest.backup_id.clone(),
        started_at: manifest.started_at,
        finished_at: manifest.finished_at,
    }];
    let plan = pitr::plan(&bases, &stores, until).map_err(|e| match e {
        PitrError::NotRestorable(message) => Failure::Input(message),
        other => Failure::Failed(format!("the captured changes cannot be read: {other}")),
    })?;
    let changes: BTreeMap<String, ChangeStore> = stores.into_iter().collect();
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
