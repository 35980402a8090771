//! Restore: a published backup back into a Tablestore instance, exactly.
//!
//! Steps, so that nothing is written unless every table can be restored:
//! 1. select the tables and their target names ([`plan`]);
//! 2. read each stored table once, checking it against the manifest and finding how far its
//!    timestamps are from now ([`crate::engine::measure`]);
//! 3. inspect each target: key compatible, empty under `--if-exists fail`, deviation enough
//!    ([`target`]) — a dry run stops here and reports;
//! 4. per table: create or adjust the target, write the rows ([`writer`]), set the deviation
//!    back, and create the indexes of a created table ([`indexes`]).

mod expiry;
mod indexes;
mod partitions;
mod plan;
mod readiness;
mod report;
mod split;
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

struct Prepared {
    selected: plan::Selected,
    measure: TableMeasure,
    target: target::Target,
}

pub async fn run_restore(job: RestoreJob, ctx: &RunControls) -> Result<RestoreReport, EngineError> {
    let started = Instant::now();
    let manifest = job.reader.manifest().clone();
    let selected = plan::select(&manifest, &job.tables, &job.renames)?;
    ctx.progress.set_tables_total(selected.len() as u64);
    ctx.progress.add_ranges_total(selected.len() as u64);
    let now_ms = chrono::Utc::now().timestamp_millis();
    let targets: Vec<&str> = selected.iter().map(|s| s.target.as_str()).collect();
    ctx.cancellable(indexes::refuse_index_targets(&job.client, &targets))
        .await?;
    let mut prepared = Vec::new();
    for selected in selected {
        let name = &selected.table.description.name;
        let measure = measure_stored(job.reader.as_ref(), name, ctx).await?;
        let differences = measure.differences(&selected.table);
        if !differences.is_empty() {
            return Err(EngineError::Mismatch {
                table: name.clone(),
                detail: differences.join("; "),
            });
        }
        let distance = measure.max_timestamp_distance_secs(now_ms);
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
        prepared.push(Prepared {
            selected,
            measure,
            target,
        });
    }
    let mut report = RestoreReport {
        backup_id: manifest.backup_id.clone(),
        dry_run: job.dry_run,
        if_exists: job.if_exists,
        notes: prepared.iter().flat_map(notes).collect(),
        ..RestoreReport::default()
    };
    for p in &prepared {
        let mut table = table_report(p);
        if job.dry_run {
            let c = &p.measure.checksum;
            (table.rows, table.cells, table.bytes) = (c.rows, c.cells, c.bytes);
        } else {
            let (counts, created) = restore_table(&job, p, ctx).await?;
            if let Some(created) = created {
                table.partitions = Some(created.partitioning.partitions);
                table.partitions_refused = created.partitioning.refused;
            }
            (table.rows, table.cells, table.bytes) = (counts.rows, counts.cells, counts.bytes);
            (table.rows_skipped, table.rows_split) = (counts.skipped, counts.split);
            table.ready_after_ms = counts.ready_after_ms;
            table.write_rate = Some(counts.write_rate);
            (table.cells_expired, table.rows_expired) = (counts.cells_expired, counts.rows_expired);
            ctx.progress.range_done();
            ctx.progress.table_done();
        }
        report.tables.push(table);
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

async fn restore_table(
    job: &RestoreJob,
    p: &Prepared,
    ctx: &RunControls,
) -> Result<(writer::WriteCounts, Option<target::Created>), EngineError> {
    let source = &p.selected.table.description.name;
    let target = &p.target;
    // Not cancellable: once UpdateTable may have been sent, settle must run.
    let created = target::prepare(&job.client, target, ctx).await?;
    let ready_after = created.as_ref().map(|c| c.ready_after);
    let written = async {
        let rows = job
            .reader
            .read_table(source)
            .await
            .map_err(|e| EngineError::store(format!("reading table {source}"), e))?;
        let ttl = target.options_after.time_to_live;
        writer::write_table(&job.client, &target.name, rows, job.if_exists, ttl, ctx).await
    }
    .await;
    // Set the deviation back whatever happened: a raised deviation must not outlive us.
    let settled = target::settle(&job.client, target).await;
    let written = written.map(|counts| writer::WriteCounts {
        ready_after_ms: ready_after.map(|d| d.as_millis() as u64),
        ..counts
    });
    match (written, settled) {
        (Ok(counts), Ok(())) if target.to_create.is_some() => {
            indexes::recreate(&job.client, &p.selected.table.description, &target.name).await?;
            Ok((counts, created))
        }
        (Ok(counts), Ok(())) => Ok((counts, created)),
        (Ok(_), Err(e)) => Err(e),
        (Err(e), Ok(())) => Err(e),
        (Err(e), Err(settle)) => {
            tracing::error!(table = %target.name, error = %settle, "Could not set the max time deviation back.");
            Err(e)
        }
    }
}

fn table_report(p: &Prepared) -> TableRestoreReport {
    let (secondary_indexes, search_indexes) = match p.target.to_create {
        Some(_) => indexes::planned(&p.selected.table.description, &p.target.name),
        None => (Vec::new(), Vec::new()),
    };
    TableRestoreReport {
        secondary_indexes,
        search_indexes,
        source_table: p.selected.table.description.name.clone(),
        target_table: p.target.name.clone(),
        created: p.target.to_create.is_some(),
        target_had_rows: p.target.holds_rows,
        raised_deviation: p.target.deviation,
        ..TableRestoreReport::default()
    }
}

fn notes(p: &Prepared) -> Vec<String> {
    let name = &p.target.name;
    let mut notes: Vec<String> = p
        .target
        .plain_auto_increment
        .iter()
        .map(|column| {
            format!(
                "table {name}: auto-increment key column {column} is created as a plain INTEGER \
                 key so every row keeps its original key; new rows must set {column} themselves"
            )
        })
        .collect();
    if p.target.allow_update_lifted {
        notes.push(format!(
            "table {name}: allow_update was true during the restore (rows over 4 MB are written \
             as a PutRow plus UpdateRows), then set back to false"
        ));
    }
    if let Some(d) = p.target.deviation {
        notes.push(format!(
            "table {name}: max time deviation raised from {} s to {} s during the restore for \
             old cell timestamps, then set back",
            d.saved, d.during_restore
        ));
    }
    notes
}
