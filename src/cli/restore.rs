//! `tablevault restore`: a backup back into a Tablestore instance.

use std::collections::BTreeMap;
use std::path::PathBuf;

use clap::Args;

use super::common::{self, human_bytes, Output};
use super::failure::{engine_failure, Failure};
use super::progress::ProgressDisplay;
use crate::engine::{
    run_restore, IfExists, RestoreJob, RestoreReport, RestoreSettings, RunControls,
};

#[derive(Debug, Args)]
pub struct RestoreArgs {
    /// The config file (TOML) naming the sources and stores.
    #[arg(long)]
    pub config: PathBuf,
    /// The store holding the backup.
    #[arg(long)]
    pub store: String,
    /// The Tablestore source to restore into.
    #[arg(long)]
    pub source: String,
    /// Backup id, or `latest`.
    #[arg(long)]
    pub backup: String,
    /// Restore only this table (repeatable); default all tables of the backup.
    #[arg(long = "table")]
    pub tables: Vec<String>,
    /// Restore table OLD into table NEW (repeatable).
    #[arg(long = "rename", value_name = "OLD=NEW", value_parser = parse_rename)]
    pub renames: Vec<(String, String)>,
    /// A target table that already holds rows: `fail` (refuse before writing), `skip` (keep
    /// existing rows) or `overwrite` (replace them).
    #[arg(long, default_value = "fail")]
    pub if_exists: IfExists,
    /// Report what would be written; write nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Give created tables the saved reserved read/write capacity units (default: none;
    /// capacity-mode instances refuse them, elsewhere they cost money).
    #[arg(long)]
    pub restore_reserved_throughput: bool,
    /// Create tables without the saved server-side encryption.
    #[arg(long)]
    pub without_encryption: bool,
    /// Restore the tables as they were at this instant (RFC 3339): the backup plus the changes
    /// its continuous schedule captured, replayed up to and including it.
    #[arg(long, value_name = "RFC3339")]
    pub until: Option<chrono::DateTime<chrono::Utc>>,
    /// With --until: the schedule whose captured changes to replay (default: the one capture
    /// holding the backup's tables).
    #[arg(long, requires = "until")]
    pub schedule: Option<String>,
    /// How to print the result: readable text, or one JSON document.
    #[arg(long, value_enum, default_value_t)]
    pub output: Output,
}

fn parse_rename(text: &str) -> Result<(String, String), String> {
    match text.split_once('=') {
        Some((old, new)) if !old.is_empty() && !new.is_empty() => {
            Ok((old.to_string(), new.to_string()))
        }
        _ => Err(format!("expected OLD=NEW, got {text:?}")),
    }
}

pub async fn run(args: RestoreArgs) -> Result<(), Failure> {
    let config = common::load_config(&args.config)?;
    let store = common::open_store(&config, &args.store).await?;
    let (client, source) = common::connect_source(&config, &args.source).await?;
    let mut reader = common::open_backup(store.as_ref(), &args.store, &args.backup).await?;
    if let Some(until) = args.until {
        reader = super::restore_until::reader_at(
            &config,
            &args.store,
            args.schedule.as_deref(),
            reader,
            &args.tables,
            until,
        )
        .await?;
    }
    let mut renames = BTreeMap::new();
    for (old, new) in args.renames {
        if renames.insert(old.clone(), new).is_some() {
            return Err(Failure::Input(format!("--rename {old}=… is given twice")));
        }
    }
    let job = RestoreJob {
        reader,
        client,
        tables: args.tables,
        renames,
        if_exists: args.if_exists,
        dry_run: args.dry_run,
        settings: RestoreSettings {
            restore_reserved_throughput: args.restore_reserved_throughput,
            without_encryption: args.without_encryption,
        },
    };
    let ctx = RunControls::new(config.engine.clone());
    let display = ProgressDisplay::start("restore", ctx.progress.clone(), ctx.cancel.clone());
    let result = run_restore(job, &ctx).await;
    display.finish().await;
    let report = result.map_err(|e| engine_failure(e, Some(&source)))?;
    match args.output {
        Output::Json => common::print_json(&report),
        Output::Text => {
            print_text(&report);
            Ok(())
        }
    }
}

fn print_text(report: &RestoreReport) {
    let verb = if report.dry_run {
        "would restore"
    } else {
        "restored"
    };
    for t in &report.tables {
        let created = if t.created { " (new table)" } else { "" };
        let expired = if t.cells_expired > 0 {
            format!(
                ", {} cells past the TTL dropped ({} rows wholly)",
                t.cells_expired, t.rows_expired
            )
        } else {
            String::new()
        };
        println!(
            "{verb} {} -> {}{created}: {} rows, {} cells, {}{}{expired}",
            t.source_table,
            t.target_table,
            t.rows,
            t.cells,
            human_bytes(t.bytes),
            if t.rows_skipped > 0 {
                format!(", {} existing rows kept", t.rows_skipped)
            } else {
                String::new()
            }
        );
    }
    for note in &report.notes {
        println!("note: {note}");
    }
}
