//! `tablevault copy`: copy a published backup from one configured store to another (any kinds:
//! archive, mongodb, s3), verified against its manifest; the copy gets a new id, printed. The
//! daemon's catalog is not involved (use `POST /api/v1/backups/{id}/copy` for a catalogued
//! copy).

use std::path::PathBuf;

use clap::Args;
use serde::Serialize;

use super::common::{self, Output};
use super::failure::{engine_failure, Failure};
use super::progress::ProgressDisplay;
use crate::engine::{new_backup_id, run_copy, CopyJob, RunControls};

#[derive(Debug, Args)]
pub struct CopyArgs {
    /// The config file (TOML) naming the stores.
    #[arg(long)]
    pub config: PathBuf,
    /// Backup id, or `latest`.
    #[arg(long)]
    pub backup: String,
    /// The store holding the backup.
    #[arg(long)]
    pub from: String,
    /// The store the copy is written to.
    #[arg(long)]
    pub to: String,
    /// How to print the result: readable text, or one JSON document.
    #[arg(long, value_enum, default_value_t)]
    pub output: Output,
}

#[derive(Debug, Serialize)]
struct CopyReport {
    copy_of: String,
    copy_id: String,
    from: String,
    to: String,
    tables: usize,
    rows: u64,
    bytes: u64,
}

pub async fn run(args: CopyArgs) -> Result<(), Failure> {
    if args.from == args.to {
        return Err(Failure::Input(format!(
            "--from and --to are both {}; copy to another store",
            args.from
        )));
    }
    let config = common::load_config(&args.config)?;
    let from = common::open_store(&config, &args.from).await?;
    let to = common::open_store(&config, &args.to).await?;
    let reader = common::open_backup(from.as_ref(), &args.from, &args.backup).await?;
    let copy_of = reader.manifest().backup_id.clone();
    let job = CopyJob {
        reader,
        target: to,
        copy_id: new_backup_id(),
    };
    let ctx = RunControls::new(config.engine.clone());
    let display = ProgressDisplay::start("copy", ctx.progress.clone(), ctx.cancel.clone());
    let result = run_copy(job, &ctx).await;
    display.finish().await;
    let manifest = result.map_err(|e| engine_failure(e, None))?;
    let report = CopyReport {
        copy_of,
        copy_id: manifest.backup_id.clone(),
        from: args.from,
        to: args.to,
        tables: manifest.tables.len(),
        rows: manifest.total_rows(),
        bytes: manifest.total_bytes(),
    };
    match args.output {
        Output::Json => common::print_json(&report)?,
        Output::Text => println!(
            "copied backup {} from {} to {} as {} ({} tables, {} rows, {}), verified",
            report.copy_of,
            report.from,
            report.to,
            report.copy_id,
            report.tables,
            report.rows,
            common::human_bytes(report.bytes)
        ),
    }
    Ok(())
}
