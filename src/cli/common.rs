//! What the data commands share: loading the config, opening stores and backups, connecting
//! to sources (with a quick probe so a bad key or a dead endpoint is one clear line), and
//! printing results.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use clap::ValueEnum;
use serde::Serialize;

use super::failure::{store_failure, Failure, SourceRef};
use crate::config::Config;
use crate::store::{self, BackupReader, BackupStore};
use crate::tablestore::client::{Client, RetryPolicy};

/// How results are printed on stdout.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, ValueEnum)]
pub enum Output {
    /// Human-readable lines.
    #[default]
    Text,
    /// One JSON document.
    Json,
}

/// A short policy for the connection probe: a refused connection or a bad key is reported in
/// well under a second instead of after the client's minute of retries.
const PROBE_RETRY: RetryPolicy = RetryPolicy {
    max_elapsed: Duration::from_secs(3),
    base_delay: Duration::from_millis(50),
    max_delay: Duration::from_millis(500),
    max_attempts: 3,
};

pub fn load_config(path: &Path) -> Result<Config, Failure> {
    Ok(Config::load(path)?)
}

pub async fn open_store(config: &Config, name: &str) -> Result<Arc<dyn BackupStore>, Failure> {
    let settings = config.store(name)?;
    store::open(settings)
        .await
        .map_err(|e| Failure::Failed(format!("cannot open store {name}: {e}")))
}

/// Opens backup `id` of the store, or the newest one for `latest`.
pub async fn open_backup(
    store: &dyn BackupStore,
    store_name: &str,
    id: &str,
) -> Result<Arc<dyn BackupReader>, Failure> {
    let id = if id == "latest" {
        let backups = store
            .list()
            .await
            .map_err(|e| store_failure(store_name, e))?;
        match backups.last() {
            Some(newest) => newest.backup_id.clone(),
            None => return Err(Failure::Input(format!("store {store_name} has no backups"))),
        }
    } else {
        id.to_string()
    };
    store
        .open(&id)
        .await
        .map_err(|e| store_failure(store_name, e))
}

/// A client for source `name`, after a ListTable probe has shown the endpoint answers and
/// accepts the AccessKey.
pub async fn connect_source(config: &Config, name: &str) -> Result<(Client, SourceRef), Failure> {
    let source = config.source(name)?;
    let client = Client::new(&source.client_config())
        .map_err(|e| Failure::Input(format!("source {name}: {e}")))?;
    let source_ref = SourceRef {
        name: name.to_string(),
        endpoint: client.endpoint().to_string(),
    };
    let probe = client.clone().with_retry_policy(PROBE_RETRY);
    match probe.list_tables().await {
        Ok(_) => Ok((client, source_ref)),
        Err(e) => Err(source_ref.failure(&format!("connecting to source {name}"), e)),
    }
}

/// Prints `value` as one line of JSON on stdout.
pub fn print_json(value: &impl Serialize) -> Result<(), Failure> {
    let text = serde_json::to_string(value)
        .map_err(|e| Failure::Failed(format!("cannot encode the result: {e}")))?;
    println!("{text}");
    Ok(())
}

/// `1.5 MiB`-style sizes for text output.
pub fn human_bytes(bytes: u64) -> String {
    const UNITS: [&str; 5] = ["B", "KiB", "MiB", "GiB", "TiB"];
    let mut value = bytes as f64;
    let mut unit = 0;
    while value >= 1024.0 && unit + 1 < UNITS.len() {
        value /= 1024.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{bytes} B")
    } else {
        format!("{value:.1} {}", UNITS[unit])
    }
}
