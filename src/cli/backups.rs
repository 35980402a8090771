//! `tablevault backups`: the published backups of a store, oldest first.

use std::path::PathBuf;

use chrono::{DateTime, Utc};
use clap::Args;
use serde::Serialize;

use super::common::{self, human_bytes, Output};
use super::failure::{store_failure, Failure};
use crate::store::Manifest;

#[derive(Debug, Args)]
pub struct BackupsArgs {
    /// The config file (TOML) naming the sources and stores.
    #[arg(long)]
    pub config: PathBuf,
    /// The store holding the backups.
    #[arg(long)]
    pub store: String,
    /// How to print the result: readable text, or one JSON document.
    #[arg(long, value_enum, default_value_t)]
    pub output: Output,
}

/// One line of the listing.
#[derive(Debug, Serialize)]
struct BackupSummary<'a> {
    id: &'a str,
    source: &'a str,
    started_at: DateTime<Utc>,
    finished_at: DateTime<Utc>,
    tables: Vec<&'a str>,
    rows: u64,
    bytes: u64,
}

impl<'a> From<&'a Manifest> for BackupSummary<'a> {
    fn from(m: &'a Manifest) -> Self {
        BackupSummary {
            id: &m.backup_id,
            source: &m.source.name,
            started_at: m.started_at,
            finished_at: m.finished_at,
            tables: m
                .tables
                .iter()
                .map(|t| t.description.name.as_str())
                .collect(),
            rows: m.total_rows(),
            bytes: m.total_bytes(),
        }
    }
}

pub async fn run(args: BackupsArgs) -> Result<(), Failure> {
    let config = common::load_config(&args.config)?;
    let store = common::open_store(&config, &args.store).await?;
    let manifests = store
        .list()
        .await
        .map_err(|e| store_failure(&args.store, e))?;
    let summaries: Vec<BackupSummary> = manifests.iter().map(BackupSummary::from).collect();
    match args.output {
        Output::Json => common::print_json(&summaries)?,
        Output::Text => {
            for s in &summaries {
                println!(
                    "{}  {}  source {}  {} table(s)  {} rows  {}",
                    s.id,
                    s.finished_at.format("%Y-%m-%d %H:%M:%S UTC"),
                    s.source,
                    s.tables.len(),
                    s.rows,
                    human_bytes(s.bytes)
                );
            }
        }
    }
    Ok(())
}
