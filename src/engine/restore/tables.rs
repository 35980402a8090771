//! Step 3 of a restore: the prepared tables restored at once. Every write request takes a slot
//! of one `engine.writers` budget shared by all tables; each table is read once, its batches
//! measured and admitted (timestamps against the deviation) on their way to the writers, and
//! its deviation set back whatever happened.

use std::sync::Mutex;

use futures::{FutureExt, StreamExt, TryStreamExt};
use tokio::sync::Semaphore;

use super::{check_measure, deviation, indexes, plan, target, writer, RestoreJob};
use crate::engine::{EngineError, RunControls, TableMeasure};

pub(super) struct Prepared {
    pub selected: plan::Selected,
    pub target: target::Target,
}

/// What restoring one table did: its counts and the target as it ended (deviation raised).
pub(super) struct Restored {
    pub counts: writer::WriteCounts,
    pub target: target::Target,
    /// Set when the restore created the table: how long it took to accept writes and how
    /// it was partitioned.
    pub created: Option<target::Created>,
}

/// Restores the tables at once, sharing `engine.writers` write tasks between them. Every
/// table runs to its end (settling its options); the first failure stops the others and is
/// the error returned; the tables left incomplete are logged.
pub(super) async fn restore_tables(
    job: &RestoreJob,
    prepared: &[Prepared],
    ctx: &RunControls,
) -> Result<Vec<Restored>, EngineError> {
    let writers = Semaphore::new(ctx.engine.writers.max(1));
    let stop = ctx.cancel.child_token();
    let tables_ctx = RunControls {
        cancel: stop.clone(),
        ..ctx.clone()
    };
    // Futures made up front (not in a stream closure) so the whole stays `Send`.
    let tables: Vec<_> = prepared
        .iter()
        .map(|p| {
            async {
                let result = restore_table(job, p, &tables_ctx, &writers).await;
                if result.is_err() {
                    stop.cancel();
                } else {
                    ctx.progress.range_done();
                    ctx.progress.table_done();
                }
                result
            }
            .boxed()
        })
        .collect();
    let results: Vec<Result<Restored, EngineError>> = futures::stream::iter(tables)
        .buffered(ctx.engine.writers.max(1))
        .collect()
        .await;
    if ctx.cancel.is_cancelled() {
        return Err(EngineError::Cancelled);
    }
    let incomplete: Vec<&str> = prepared
        .iter()
        .zip(&results)
        .filter(|(_, r)| r.is_err())
        .map(|(p, _)| p.target.name.as_str())
        .collect();
    let mut first_error = None;
    let mut restored = Vec::new();
    for result in results {
        match result {
            Ok(r) => restored.push(r),
            // Tables stopped because another failed are not the cause.
            Err(EngineError::Cancelled) => {}
            Err(e) if first_error.is_none() => first_error = Some(e),
            Err(_) => {}
        }
    }
    match first_error {
        None => Ok(restored),
        Some(e) => {
            // The error keeps its kind (the CLI classifies it); progress counts only the
            // tables that completed.
            tracing::error!(error = %e, incomplete = ?incomplete, "The restore failed; these target tables are incomplete.");
            Err(e)
        }
    }
}

async fn restore_table(
    job: &RestoreJob,
    p: &Prepared,
    ctx: &RunControls,
    writers: &Semaphore,
) -> Result<Restored, EngineError> {
    let source = &p.selected.table.description.name;
    let target = &p.target;
    // Not cancellable: once UpdateTable may have been sent, settle must run.
    let created = target::prepare(&job.client, target, ctx).await?;
    let ready_after = created.as_ref().map(|c| c.ready_after);
    let guard = deviation::DeviationGuard::new(&job.client, target);
    let measure = Mutex::new(TableMeasure::default());
    let written = async {
        let context = format!(
            "reading table {source} from backup {}",
            job.reader.manifest().backup_id
        );
        let rows = job
            .reader
            .read_table(source)
            .await
            .map_err(|e| EngineError::store(context.clone(), e))?;
        // One pass: each batch is measured (checksum) and its timestamps admitted before any
        // writer takes it.
        let rows = rows
            .map_err(move |e| EngineError::store(context.clone(), e))
            .and_then(|batch| admit(&guard, &measure, batch))
            .boxed(); // a named type keeps the restore future `Send` (rustc #100013)
        let ttl = target.options_after.time_to_live;
        let counts = writer::write_table(
            &job.client,
            &target.name,
            rows,
            job.if_exists,
            ttl,
            ctx,
            writers,
        )
        .await?;
        check_measure(&lock(&measure), &p.selected, Some(counts.rows))?;
        Ok(counts)
    }
    .await;
    let target = guard.target().await;
    // Set the deviation back whatever happened: a raised deviation must not outlive us.
    let settled = target::settle(&job.client, &target).await;
    let written = written.map(|counts| writer::WriteCounts {
        ready_after_ms: ready_after.map(|d| d.as_millis() as u64),
        ..counts
    });
    match (written, settled) {
        (Ok(counts), Ok(())) => {
            if target.to_create.is_some() {
                indexes::recreate(&job.client, &p.selected.table.description, &target.name).await?;
            }
            Ok(Restored {
                counts,
                target,
                created,
            })
        }
        (Ok(_), Err(e)) => Err(e),
        (Err(e), Ok(())) => Err(e),
        (Err(e), Err(settle)) => {
            tracing::error!(table = %target.name, error = %settle, "Could not set the max time deviation back.");
            Err(e)
        }
    }
}

/// Lets one batch go to the writers: its timestamps admitted, its rows added to the checksum.
async fn admit(
    guard: &deviation::DeviationGuard<'_>,
    measure: &Mutex<TableMeasure>,
    batch: Vec<crate::tablestore::Row>,
) -> Result<Vec<crate::tablestore::Row>, EngineError> {
    guard.admit(&batch).await?;
    lock(measure).add_rows(&batch);
    Ok(batch)
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|e| e.into_inner())
}
