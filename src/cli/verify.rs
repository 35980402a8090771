//! `tablevault verify`: recompute a backup's checksums and compare with its manifest (and,
//! optionally, with the live source tables).

use std::path::PathBuf;

use clap::Args;

use super::common::{self, Output};
use super::failure::{engine_failure, Failure};
use super::progress::ProgressDisplay;
use crate::engine::{run_verify, RunControls, VerifyJob, VerifyReport};

#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// The config file (TOML) naming the sources and stores.
    #[arg(long)]
    pub config: PathBuf,
    /// The store holding the backups.
    #[arg(long)]
    pub store: String,
    /// Backup id, or `latest`.
    #[arg(long)]
    pub backup: String,
    /// Also compare with the live tables of this source.
    #[arg(long, value_name = "NAME")]
    pub against_source: Option<String>,
    /// How to print the result: readable text, or one JSON document.
    #[arg(long, value_enum, default_value_t)]
    pub output: Output,
}

pub async fn run(args: VerifyArgs) -> Result<(), Failure> {
    let config = common::load_config(&args.config)?;
    let store = common::open_store(&config, &args.store).await?;
    let (client, source) = match &args.against_source {
        Some(name) => {
            let (client, source) = common::connect_source(&config, name).await?;
            (Some(client), Some(source))
        }
        None => (None, None),
    };
    let reader = common::open_backup(store.as_ref(), &args.store, &args.backup).await?;
    let job = VerifyJob {
        reader,
        source: client,
        tables: Vec::new(),
    };
    let ctx = RunControls::new(config.engine.clone());
    let display = ProgressDisplay::start("verify", ctx.progress.clone(), ctx.cancel.clone());
    let result = run_verify(job, &ctx).await;
    display.finish().await;
    let report = result.map_err(|e| engine_failure(e, source.as_ref()))?;
    match args.output {
        Output::Json => common::print_json(&report)?,
        Output::Text => print_text(&report),
    }
    if report.ok {
        Ok(())
    } else {
        Err(Failure::Failed(format!(
            "backup {} failed verification: {}",
            report.backup_id,
            report.problems().join("; ")
        )))
    }
}

fn print_text(report: &VerifyReport) {
    for t in &report.tables {
        if t.ok {
            println!(
                "table {}: ok ({} rows, {} cells, {})",
                t.table, t.manifest.rows, t.manifest.cells, t.manifest.checksum
            );
        } else {
            for problem in &t.problems {
                println!("table {}: {problem}", t.table);
            }
        }
    }
}
