//! Restore: a published backup back into a Tablestore instance, exactly.
//!
//! Steps, so that nothing is written unless every target can take its table:
//! 1. select the tables and their target names ([`plan`]);
//! 2. inspect each target: key compatible, empty under `--if-exists fail` ([`target`]);
//! 3. restore the tables in parallel ([`tables`]), all sharing `engine.writers` write tasks:
//!    create or adjust the target, then read the stored table once — each segment verified by the store as it
//!    is read, each batch checked against the target's max time deviation before it is
//!    written ([`deviation`]), every row added to the table's checksum — and write the rows
//!    ([`writer`]); set the deviation back, compare the checksum with the manifest, and create
//!    the indexes of a created table ([`indexes`]). A damaged segment or a checksum that does
//!    not match fails the restore (a mismatch says how many rows were already written); one
//!    table's failure stops the others, and only completed tables count as done.
//!
//! A dry run writes nothing, so it reads each table first: it checks it against the manifest
//! and reports what would be written and whether the deviation would be raised.

mod deviation;
mod expiry;
mod indexes;
mod partitions;
mod plan;
mod readiness;
mod report;
mod split;
mod tables;
mod target;
mod write_rate;
mod writer;

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Instant;

pub use report::{DeviationChange, IfExists, RestoreReport, TableRestoreReport};
pub use split::{row_writes, RowWrites};
pub use target::RestoreSettings;
pub use write_rate::WriteRateReport;

use super::measure::measure_stored;
use super::{EngineError, RunControls, TableMeasure};
use crate::store::BackupReader;
use crate::tablestore::client::Client;

pub struct RestoreJob {
    pub reader: Arc<dyn BackupReader>,
    /// The Tablestore instance restored into.
    pub client: Client,
    /// Tables to restore, by their name in the backup; empty means all.
    pub tables: Vec<String>,
    /// OLD → NEW: restore table OLD of the backup into table NEW.
    pub renames: BTreeMap<String, String>,
    pub if_exists: IfExists,
    /// Report what would be written; write nothing.
    pub dry_run: bool,
    /// Reserved throughput and encryption of created tables.
    pub settings: RestoreSettings,
}

use tables::{restore_tables, Prepared};

pub async fn run_restore(job: RestoreJob, ctx: &RunControls) -> Result<RestoreReport, EngineError> {
    let started = Instant::now();
    let manifest = job.reader.manifest().clone();
    let selected = plan::select(&manifest, &job.tables, &job.renames)?;
    ctx.progress.set_tables_total(selected.len() as u64);
    ctx.progress.add_ranges_total(selected.len() as u64);
    let targets: Vec<&str> = selected.iter().map(|s| s.target.as_str()).collect();
    ctx.cancellable(indexes::refuse_index_targets(&job.client, &targets))
        .await?;
    let mut report = RestoreReport {
        backup_id: manifest.backup_id.clone(),
        dry_run: job.dry_run,
        if_exists: job.if_exists,
        ..RestoreReport::default()
    };
    if job.dry_run {
        for selected in selected {
            let (p, measure) = prepare_dry_run(&job, selected, ctx).await?;
            let mut table = table_report(&p.selected, &p.target);
            let c = &measure.checksum;
            (table.rows, table.cells, table.bytes) = (c.rows, c.cells, c.bytes);
            report.notes.extend(notes(&p.target));
            report.tables.push(table);
        }
    } else {
        let mut prepared = Vec::new();
        for selected in selected {
            // Timestamps are met while writing ([`deviation`]): inspect as if they were now.
            prepared.push(prepare(&job, selected, 0, ctx).await?);
        }
        for (p, restored) in prepared
            .iter()
            .zip(restore_tables(&job, &prepared, ctx).await?)
        {
            let mut table = table_report(&p.selected, &restored.target);
            let counts = restored.counts;
            if let Some(created) = restored.created {
                table.partitions = Some(created.partitioning.partitions);
                table.partitions_refused = created.partitioning.refused;
            }
            (table.rows, table.cells, table.bytes) = (counts.rows, counts.cells, counts.bytes);
            (table.rows_skipped, table.rows_split) = (counts.skipped, counts.split);
            table.ready_after_ms = counts.ready_after_ms;
            table.write_rate = Some(counts.write_rate);
            (table.cells_expired, table.rows_expired) = (counts.cells_expired, counts.rows_expired);
            table.raised_deviation = restored.target.deviation;
            report.notes.extend(notes(&restored.target));
            report.tables.push(table);
        }
    }
    report.duration_seconds = started.elapsed().as_secs_f64();
    tracing::info!(
        backup = %report.backup_id,
        tables = report.tables.len(),
        rows = report.total_rows(),
        skipped = report.total_skipped(),
        cells_expired = report.tables.iter().map(|t| t.cells_expired).sum::<u64>(),
        dry_run = job.dry_run,
        "Restored the tables."
    );
    Ok(report)
}

/// Inspects the target of one table, planning for timestamps up to `distance` seconds away.
async fn prepare(
    job: &RestoreJob,
    selected: plan::Selected,
    distance: i64,
    ctx: &RunControls,
) -> Result<Prepared, EngineError> {
    let target = ctx
        .cancellable(target::inspect(
            &job.client,
            &selected.table.description,
            &selected.target,
            distance,
            job.if_exists,
            job.settings,
        ))
        .await?;
    if target.to_create.is_none() {
        indexes::refuse_indexed_target(&job.client, &target.name).await?;
    }
    Ok(Prepared { selected, target })
}

/// A dry run's look at one table: the stored rows checked against the manifest, the target
/// inspected for the timestamps they hold.
async fn prepare_dry_run(
    job: &RestoreJob,
    selected: plan::Selected,
    ctx: &RunControls,
) -> Result<(Prepared, TableMeasure), EngineError> {
    let name = &selected.table.description.name;
    let measure = measure_stored(job.reader.as_ref(), name, ctx).await?;
    check_measure(&measure, &selected, None)?;
    let distance = measure.max_timestamp_distance_secs(chrono::Utc::now().timestamp_millis());
    Ok((prepare(job, selected, distance, ctx).await?, measure))
}

/// Compares what was read of a table with its manifest entry; `written` (rows already in the
/// target) goes into the error so the operator knows the target holds unverified rows.
pub(super) fn check_measure(
    measure: &TableMeasure,
    selected: &plan::Selected,
    written: Option<u64>,
) -> Result<(), EngineError> {
    let differences = measure.differences(&selected.table);
    if differences.is_empty() {
        return Ok(());
    }
    let mut detail = differences.join("; ");
    if let Some(rows) = written {
        detail.push_str(&format!(
            "; {rows} rows were written to table {} before the mismatch was found",
            selected.target
        ));
    }
    Err(EngineError::Mismatch {
        table: selected.table.description.name.clone(),
        detail,
    })
}

fn table_report(selected: &plan::Selected, target: &target::Target) -> TableRestoreReport {
    let (secondary_indexes, search_indexes) = match target.to_create {
        Some(_) => indexes::planned(&selected.table.description, &target.name),
        None => (Vec::new(), Vec::new()),
    };
    TableRestoreReport {
        secondary_indexes,
        search_indexes,
        source_table: selected.table.description.name.clone(),
        target_table: target.name.clone(),
        created: target.to_create.is_some(),
        target_had_rows: target.holds_rows,
        raised_deviation: target.deviation,
        ..TableRestoreReport::default()
    }
}

fn notes(target: &target::Target) -> Vec<String> {
    let name = &target.name;
    let mut notes: Vec<String> = target
        .plain_auto_increment
        .iter()
        .map(|column| {
            format!(
                "table {name}: auto-increment key column {column} is created as a plain INTEGER \
                 key so every row keeps its original key; new rows must set {column} themselves"
            )
        })
        .collect();
    if target.allow_update_lifted {
        notes.push(format!(
            "table {name}: allow_update was true during the restore (rows over 4 MB are written \
             as a PutRow plus UpdateRows), then set back to false"
        ));
    }
    if let Some(d) = target.deviation {
        notes.push(format!(
            "table {name}: max time deviation raised from {} s to {} s during the restore for \
             old cell timestamps, then set back",
            d.saved, d.during_restore
        ));
    }
    notes
}
