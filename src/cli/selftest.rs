//! `tablevault selftest`: a backup and a restore proven exact on a real instance (see
//! [`crate::selftest`]). This file is the command-line glue: arguments, the temporary archive
//! store used when no `--store` is named, the printed report and the exit code.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use clap::Args;
use tokio_util::sync::CancellationToken;

use super::common::{self, Output};
use super::failure::Failure;
use crate::selftest::{self, run_selftest, Selftest, SelftestReport};
use crate::store::{ArchiveStore, ArchiveStoreConfig, BackupStore, SourceInfo};

#[derive(Debug, Args)]
pub struct SelftestArgs {
    /// The config file (TOML) naming the sources and stores.
    #[arg(long)]
    pub config: PathBuf,
    /// The Tablestore source to test (scratch tables are created and deleted there).
    #[arg(long)]
    pub source: String,
    /// Back up into this store; default a temporary archive directory, removed afterwards.
    #[arg(long)]
    pub store: Option<String>,
    /// Keep the scratch tables, the backup (and the temporary archive) for inspection.
    #[arg(long)]
    pub keep: bool,
    /// How to print the report: readable text, or one JSON document.
    #[arg(long, value_enum, default_value_t)]
    pub output: Output,
}

pub async fn run(args: SelftestArgs) -> Result<(), Failure> {
    let config = common::load_config(&args.config)?;
    let settings = config.source(&args.source)?;
    let prefix = selftest::new_prefix();
    let (store, store_label, temporary) = match &args.store {
        Some(name) => (
            common::open_store(&config, name).await?,
            format!("store {name}"),
            None,
        ),
        None => {
            let dir = std::env::temp_dir().join(format!("tablevault-{prefix}"));
            let store = temporary_archive(&dir).await?;
            let label = format!("temporary archive {}", dir.display());
            (store, label, Some(dir))
        }
    };
    let result = async {
        let (client, _) = common::connect_source(&config, &args.source).await?;
        let test = Selftest {
            client,
            source: SourceInfo {
                name: args.source.clone(),
                endpoint: settings.endpoint.clone(),
                instance: settings.instance.clone(),
            },
            store,
            store_label,
            engine: config.engine.clone(),
            keep: args.keep,
            ready_timeout: selftest::DEFAULT_READY_TIMEOUT,
            cancel: cancel_on_signal(),
        };
        Ok::<_, Failure>(run_selftest(test, prefix).await)
    }
    .await;
    if let Some(dir) = temporary.filter(|_| !args.keep) {
        if let Err(e) = std::fs::remove_dir_all(&dir) {
            tracing::warn!(target: "tablevault::cli", "cannot remove {}: {e}", dir.display());
        }
    }
    let report = result?;
    match args.output {
        Output::Json => common::print_json(&report)?,
        Output::Text => print!("{}", report.to_text()),
    }
    verdict(&report)
}

/// A token cancelled by Ctrl-C / SIGTERM, so the self-test stops and still cleans up.
fn cancel_on_signal() -> CancellationToken {
    let cancel = CancellationToken::new();
    let on_signal = cancel.clone();
    tokio::spawn(async move {
        super::shutdown_signal().await;
        tracing::warn!(target: "tablevault::cli", "Interrupted; deleting what the selftest created.");
        on_signal.cancel();
    });
    cancel
}

async fn temporary_archive(dir: &Path) -> Result<Arc<dyn BackupStore>, Failure> {
    let store = ArchiveStore::open(ArchiveStoreConfig::new(dir.to_path_buf()))
        .await
        .map_err(|e| Failure::Failed(format!("cannot open a temporary archive store: {e}")))?;
    Ok(Arc::new(store))
}

/// Exit 0 only when everything matched; otherwise what went wrong, on one line.
fn verdict(report: &SelftestReport) -> Result<(), Failure> {
    let mut problems: Vec<String> = report
        .failed_steps()
        .map(|(name, error)| format!("step {name} failed: {error}"))
        .collect();
    if report.difference_count > 0 {
        problems.push(format!(
            "{} difference(s) between what was written and what was read back",
            report.difference_count
        ));
    }
    match problems.is_empty() {
        true => Ok(()),
        false => Err(Failure::Failed(format!(
            "selftest {} failed: {}",
            report.prefix,
            problems.join("; ")
        ))),
    }
}
