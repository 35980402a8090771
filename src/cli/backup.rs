//! `tablevault backup`: back up tables of a source into a store.

use std::path::PathBuf;

use clap::Args;
use serde::Serialize;

use super::common::{self, human_bytes, Output};
use super::failure::{engine_failure, Failure};
use super::progress::ProgressDisplay;
use crate::engine::{run_backup, BackupIo, BackupJob, BackupOutcome};
use crate::store::SourceInfo;

#[derive(Debug, Args)]
pub struct BackupArgs {
    /// The config file (TOML) naming the sources and stores.
    #[arg(long)]
    pub config: PathBuf,
    /// The Tablestore source to back up.
    #[arg(long)]
    pub source: String,
    /// The store to write the backup to.
    #[arg(long)]
    pub store: String,
    /// A table to back up (repeatable, at least one).
    #[arg(long = "table", required = true)]
    pub tables: Vec<String>,
    /// How to print the result: readable text, or one JSON document.
    #[arg(long, value_enum, default_value_t)]
    pub output: Output,
}

/// The `--output json` document.
#[derive(Debug, Serialize)]
struct BackupSummary<'a> {
    id: &'a str,
    rows: u64,
    cells: u64,
    bytes: u64,
    tables: Vec<TableSummary<'a>>,
    duration_seconds: f64,
}

#[derive(Debug, Serialize)]
struct TableSummary<'a> {
    name: &'a str,
    rows: u64,
    bytes: u64,
    checksum: &'a str,
}

pub async fn run(args: BackupArgs) -> Result<(), Failure> {
    let config = common::load_config(&args.config)?;
    let store = common::open_store(&config, &args.store).await?;
    let (client, source) = common::connect_source(&config, &args.source).await?;
    let settings = config.source(&args.source)?;
    let info = SourceInfo {
        name: args.source.clone(),
        endpoint: settings.endpoint.clone(),
        instance: settings.instance.clone(),
    };
    let job = BackupJob::new(info, args.tables, config.engine.clone());
    let ctx = BackupIo::new(client, store);
    let display = ProgressDisplay::start("backup", ctx.progress.clone(), ctx.cancel.clone());
    let result = run_backup(job, &ctx).await;
    display.finish().await;
    let outcome = result.map_err(|e| engine_failure(e, Some(&source)))?;
    let summary = summary(&outcome);
    match args.output {
        Output::Json => common::print_json(&summary)?,
        Output::Text => println!(
            "backup {}: {} table(s), {} rows, {} in {:.1}s",
            summary.id,
            summary.tables.len(),
            summary.rows,
            human_bytes(summary.bytes),
            summary.duration_seconds
        ),
    }
    Ok(())
}

fn summary(outcome: &BackupOutcome) -> BackupSummary<'_> {
    let m = &outcome.manifest;
    BackupSummary {
        id: &outcome.backup_id,
        rows: m.total_rows(),
        cells: m.tables.iter().map(|t| t.cells).sum(),
        bytes: m.total_bytes(),
        tables: m
            .tables
            .iter()
            .map(|t| TableSummary {
                name: &t.description.name,
                rows: t.rows,
                bytes: t.bytes,
                checksum: &t.checksum,
            })
            .collect(),
        duration_seconds: (m.finished_at - m.started_at).num_milliseconds() as f64 / 1000.0,
    }
}
