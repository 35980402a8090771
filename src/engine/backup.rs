//! `run_backup` and `resume_backup`: plan, stage, execute, then publish the manifest, or abort.

use std::sync::Arc;

use chrono::Utc;

use super::backup_job::{validate_config, BackupIo, BackupJob, BackupOutcome};
use super::error::EngineError;
use super::pipeline::{execute, RangeSlot, RangeWork};
use super::plan::{BackupPlan, PlannedTable, RangeState, PLAN_VERSION};
use crate::store::{Manifest, StagedBackup, TableChecksum, TableManifest, FORMAT_VERSION};
use crate::tablestore::partitions::split_points_from_keys;
use crate::tablestore::TableDescription;

/// Backs up every table of `job` into a new backup of `ctx.store` and publishes it.
///
/// Every table is described before anything is written, so an unknown table fails with
/// [`EngineError::TableNotFound`] and leaves nothing behind. On error or cancellation the staged
/// backup is aborted (unless `ctx.keep_staged_on_failure`), so nothing is published.
pub async fn run_backup(job: BackupJob, ctx: &BackupIo) -> Result<BackupOutcome, EngineError> {
    job.validate()?;
    let started_at = Utc::now();
    tracing::info!(backup_id = %job.backup_id, tables = ?job.tables, "Starting backup.");
    let plan = until_cancelled(ctx, make_plan(&job, ctx, started_at)).await?;
    let staged = ctx
        .store
        .create(&job.backup_id)
        .await
        .map_err(|e| EngineError::store(format!("creating backup {}", job.backup_id), e))?;
    let saved = match plan.to_json() {
        Ok(text) => staged
            .save_plan(&text)
            .await
            .map_err(|e| EngineError::store("saving the backup plan", e)),
        Err(e) => Err(e),
    };
    if let Err(error) = saved {
        return Err(give_up(ctx, staged.as_ref(), error).await);
    }
    let ranges = plan.range_count();
    run_staged(
        ctx,
        staged,
        plan,
        vec![RangeState::default(); ranges],
        vec![None; ranges],
    )
    .await
}

/// Continues a staged backup left by an interrupted run: same plan, each range after its
/// checkpoint, finished ranges skipped, then publishes it like [`run_backup`].
///
/// Failing to read the plan or a checkpoint leaves the staged backup untouched.
pub async fn resume_backup(backup_id: &str, ctx: &BackupIo) -> Result<BackupOutcome, EngineError> {
    let staged = ctx
        .store
        .resume(backup_id)
        .await
        .map_err(|e| EngineError::store(format!("resuming backup {backup_id}"), e))?;
    let text = staged
        .load_plan()
        .await
        .map_err(|e| EngineError::store(format!("loading the plan of backup {backup_id}"), e))?
        .ok_or_else(|| {
            EngineError::Invalid(format!(
                "backup {backup_id} has no plan (it stopped before its first write); delete it"
            ))
        })?;
    let plan = BackupPlan::from_json(backup_id, &text)?;
    validate_config(&plan.config)?;
    let mut states = Vec::with_capacity(plan.range_count());
    let mut after = Vec::with_capacity(plan.range_count());
    for table in &plan.tables {
        let name = &table.description.name;
        for range in 0..table.ranges.len() as u32 {
            let checkpoint = staged.checkpoint(name, range).await.map_err(|e| {
                EngineError::store(format!("reading the checkpoint of {name} range {range}"), e)
            })?;
            match checkpoint {
                Some(checkpoint) => {
                    let state = RangeState::from_json(&checkpoint.state).map_err(|e| {
                        EngineError::Invalid(format!(
                            "backup {backup_id} {name} range {range}: {e}"
                        ))
                    })?;
                    states.push(state);
                    after.push(Some(checkpoint.last_key));
                }
                None => {
                    states.push(RangeState::default());
                    after.push(None);
                }
            }
        }
    }
    tracing::info!(
        %backup_id,
        ranges = states.len(),
        done = states.iter().filter(|s| s.done).count(),
        "Resuming backup."
    );
    run_staged(ctx, staged, plan, states, after).await
}

/// Describes every table, then computes its split ranges.
async fn make_plan(
    job: &BackupJob,
    ctx: &BackupIo,
    started_at: chrono::DateTime<Utc>,
) -> Result<BackupPlan, EngineError> {
    let mut descriptions = Vec::with_capacity(job.tables.len());
    for table in &job.tables {
        match ctx.client.describe_table(table).await {
            Ok(mut description) => {
                // Search indexes are not part of DescribeTable; the restore recreates them.
                description.search_indexes =
                    ctx.client.search_indexes(table).await.map_err(|e| {
                        EngineError::tablestore(
                            format!("describing the search indexes of {table}"),
                            e,
                        )
                    })?;
                descriptions.push(description)
            }
            Err(e) if e.is_not_found() => return Err(EngineError::TableNotFound(table.clone())),
            Err(e) => {
                return Err(EngineError::tablestore(
                    format!("describing table {table}"),
                    e,
                ))
            }
        }
    }
    let mut tables = Vec::with_capacity(descriptions.len());
    for description in descriptions {
        let name = &description.name;
        let ranges = ctx
            .client
            .compute_split_points(name, job.config.split_size_bytes)
            .await
            .map_err(|e| EngineError::tablestore(format!("splitting table {name}"), e))?;
        tracing::debug!(table = %name, ranges = ranges.len(), "Split table.");
        // Saved so a restore into a new table can start it split the same way (issue 11).
        let starts = ranges.iter().filter_map(|r| r.start.0.first());
        let split_points = split_points_from_keys(starts.map(|c| &c.value));
        tables.push(PlannedTable {
            description: TableDescription {
                split_points,
                ..description
            },
            ranges: ranges.into_iter().map(Into::into).collect(),
        });
    }
    Ok(BackupPlan {
        plan_version: PLAN_VERSION,
        backup_id: job.backup_id.clone(),
        source: job.source.clone(),
        started_at,
        config: job.config.clone(),
        tables,
    })
}

/// Executes the ranges that are not done, then publishes; aborts on failure.
async fn run_staged(
    ctx: &BackupIo,
    staged: Arc<dyn StagedBackup>,
    plan: BackupPlan,
    states: Vec<RangeState>,
    after: Vec<Option<Key>>,
) -> Result<BackupOutcome, EngineError> {
    let progress = &ctx.progress;
    progress.set_tables_total(plan.tables.len() as u64);
    progress.add_ranges_total(plan.range_count() as u64);
    let mut work = Vec::new();
    let mut after = after.into_iter();
    let mut global = 0;
    for (table_index, table) in plan.tables.iter().enumerate() {
        for (range, planned) in table.ranges.iter().enumerate() {
            let resume_at = after.next().flatten();
            if states[global].done {
                progress.range_done();
            } else {
                let slot = RangeSlot {
                    table: table.description.name.clone(),
                    table_index,
                    range: range as u32,
                    global,
                };
                work.push(RangeWork {
                    slot: Arc::new(slot),
                    start: planned.start.clone(),
                    end: planned.end.clone(),
                    after: resume_at,
                });
            }
            global += 1;
        }
    }
    let skipped = (plan.range_count() - work.len()) as u64;
    let result = async {
        let states = execute(
            ctx,
            staged.clone(),
            &plan.config,
            plan.tables.len(),
            work,
            states,
        )
        .await?;
        let manifest = build_manifest(&plan, &states);
        staged
            .publish(&manifest)
            .await
            .map_err(|e| EngineError::store(format!("publishing backup {}", plan.backup_id), e))?;
        Ok(manifest)
    }
    .await;
    match result {
        Ok(manifest) => {
            let snapshot = progress.snapshot();
            tracing::info!(
                backup_id = %plan.backup_id,
                rows = manifest.total_rows(),
                bytes = manifest.total_bytes(),
                seconds = snapshot.elapsed_seconds,
                "Backup published."
            );
            Ok(BackupOutcome {
                backup_id: plan.backup_id.clone(),
                manifest,
                progress: snapshot,
                ranges_skipped: skipped,
            })
        }
        Err(error) => Err(give_up(ctx, staged.as_ref(), error).await),
    }
}

type Key = crate::tablestore::PrimaryKey;

/// The manifest of a finished plan: per table, the merged checksums of its ranges.
fn build_manifest(plan: &BackupPlan, states: &[RangeState]) -> Manifest {
    let mut states = states.iter();
    let tables = plan
        .tables
        .iter()
        .map(|table| {
            let mut checksum = TableChecksum::default();
            for state in states.by_ref().take(table.ranges.len()) {
                checksum.merge(&state.checksum);
            }
            TableManifest {
                description: table.description.clone(),
                rows: checksum.rows,
                cells: checksum.cells,
                bytes: checksum.bytes,
                checksum: checksum.digest(),
            }
        })
        .collect();
    Manifest {
        format_version: FORMAT_VERSION,
        tablevault_version: env!("CARGO_PKG_VERSION").to_string(),
        backup_id: plan.backup_id.clone(),
        source: plan.source.clone(),
        started_at: plan.started_at,
        finished_at: Utc::now(),
        all_versions: plan.config.all_versions,
        tables,
    }
}

/// Aborts the staged backup (unless the context leaves it to the caller) and returns `error`.
async fn give_up(ctx: &BackupIo, staged: &dyn StagedBackup, error: EngineError) -> EngineError {
    let backup_id = staged.backup_id().to_owned();
    if ctx.keep_staged_on_failure {
        // The caller decides (the daemon removes it unless shutdown keeps it for a resume)
        // and logs what it decided; saying "kept" here would be wrong for most stops.
        tracing::debug!(%backup_id, %error, "Backup stopped; staged data left to the caller.");
        return error;
    }
    match staged.abort().await {
        Ok(()) => tracing::warn!(%backup_id, %error, "Backup stopped; staged data removed."),
        Err(abort_error) => tracing::error!(
            %backup_id, %error, %abort_error,
            "Backup stopped and its staged data could not be removed."
        ),
    }
    error
}

/// Runs `work` unless the run is cancelled first.
async fn until_cancelled<T>(
    ctx: &BackupIo,
    work: impl std::future::Future<Output = Result<T, EngineError>>,
) -> Result<T, EngineError> {
    tokio::select! {
        biased;
        _ = ctx.cancel.cancelled() => Err(EngineError::Cancelled),
        result = work => result,
    }
}
