//! Copy: a published backup into a second store of any kind (archive ↔ mongodb ↔ s3), for
//! off-site copies. Rows are read through the source store's reader and written through the
//! target's staged writer one batch at a time, so memory holds about one batch whatever the
//! backup's size.
//!
//! The copy is checked twice against the source manifest (rows, cells, bytes and checksum of
//! every table): the rows read are measured while they are written, and a mismatch stops the
//! copy before it is published; after publishing, the copy is read back from the target and
//! measured again, and a copy that does not match is deleted. A copy that fails at any point
//! is aborted, so nothing of it is published in the target (when the target itself is down
//! the abort fails too; the staged data then stays for the daemon's staged sweep).

use std::sync::Arc;

use futures::StreamExt;

use super::measure::measure_stored;
use super::plan::RangeState;
use super::store_retry::retry_store;
use super::{EngineError, RunControls};
use crate::store::{BackupReader, BackupStore, EncodedRows, Manifest, StagedBackup, TableManifest};
use crate::tablestore::Row;

/// A copy of the backup `reader` opened into `target`, published there as `copy_id`.
pub struct CopyJob {
    pub reader: Arc<dyn BackupReader>,
    pub target: Arc<dyn BackupStore>,
    /// The id the copy gets in the target store (a new id: the catalog knows each backup by
    /// its id, and the original keeps its own).
    pub copy_id: String,
}

/// Copies, verifies and publishes; returns the manifest the copy was published with: the
/// source manifest with the copy's id.
pub async fn run_copy(job: CopyJob, ctx: &RunControls) -> Result<Manifest, EngineError> {
    let source = job.reader.manifest().clone();
    let mut manifest = source.clone();
    manifest.backup_id = job.copy_id.clone();
    let staged = job.target.create(&job.copy_id).await.map_err(|e| {
        EngineError::store(format!("creating copy {} in the target", job.copy_id), e)
    })?;
    ctx.progress.set_tables_total(source.tables.len() as u64);
    let written = async {
        for table in &source.tables {
            copy_table(job.reader.as_ref(), staged.as_ref(), table, ctx).await?;
            ctx.progress.table_done();
        }
        ctx.cancellable(async {
            staged
                .publish(&manifest)
                .await
                .map_err(|e| EngineError::store(format!("publishing copy {}", job.copy_id), e))
        })
        .await
    };
    if let Err(error) = written.await {
        abort(staged.as_ref(), &error).await;
        return Err(error);
    }
    if let Err(error) = verify_published(&job, &manifest, ctx).await {
        if let Err(e) = job.target.delete(&job.copy_id).await {
            tracing::error!(copy_id = %job.copy_id, error = %e, "Could not delete a copy that failed verification.");
        }
        return Err(error);
    }
    Ok(manifest)
}

/// Streams one table from the source backup into the staged copy, one store write per batch
/// read (retried like a backup's writes), and checks what was read against the manifest.
async fn copy_table(
    reader: &dyn BackupReader,
    staged: &dyn StagedBackup,
    table: &TableManifest,
    ctx: &RunControls,
) -> Result<(), EngineError> {
    let name = &table.description.name;
    let context = format!(
        "reading table {name} from backup {}",
        reader.manifest().backup_id
    );
    let mut batches = reader
        .read_table(name)
        .await
        .map_err(|e| EngineError::store(context.clone(), e))?;
    // The whole table is one range of the copy; its state is the running checksum, as for
    // a backup, so the stored state describes the rows written.
    let mut state = RangeState::default();
    loop {
        let batch = tokio::select! {
            biased;
            _ = ctx.cancel.cancelled() => return Err(EngineError::Cancelled),
            batch = batches.next() => batch,
        };
        let Some(batch) = batch else { break };
        let rows = batch.map_err(|e| EngineError::store(context.clone(), e))?;
        // Stores return batches of their own size (a segment, a cursor batch); the target
        // gets writes of the configured backup batch size, as a backup would write them.
        for chunk in rows.chunks(ctx.engine.batch_rows.max(1)) {
            write_chunk(staged, name, chunk, &mut state, ctx).await?;
        }
    }
    let read = super::TableMeasure {
        checksum: state.checksum,
        ..Default::default()
    };
    let differences = read.differences(table);
    if differences.is_empty() {
        Ok(())
    } else {
        Err(EngineError::Mismatch {
            table: name.clone(),
            detail: format!("source backup read back: {}", differences.join("; ")),
        })
    }
}

/// Adds `rows` to the range's running checksum and writes them with that state.
async fn write_chunk(
    staged: &dyn StagedBackup,
    name: &str,
    rows: &[Row],
    state: &mut RangeState,
    ctx: &RunControls,
) -> Result<(), EngineError> {
    let mut next = *state;
    let encoded = EncodedRows::new(rows);
    let (mut cells, mut bytes) = (0, 0);
    for (row, record) in encoded.iter() {
        let row_cells = row.cells.len() as u64;
        bytes += next.checksum.add_encoded(record, row_cells);
        cells += row_cells;
    }
    let what = format!("writing table {name} to the copy");
    let budget = ctx.engine.store_retry();
    let state_json = next.to_json();
    let on_retry = || ctx.progress.store_retry();
    retry_store(&what, budget, &ctx.cancel, on_retry, || {
        staged.write_encoded_rows(name, 0, &encoded, &state_json)
    })
    .await
    .map_err(|failure| failure.into_engine_error(what.clone(), budget))?;
    ctx.progress.add_rows(rows.len() as u64, cells, bytes);
    *state = next;
    Ok(())
}

/// Reads the published copy back from the target and compares every table with the manifest.
async fn verify_published(
    job: &CopyJob,
    manifest: &Manifest,
    ctx: &RunControls,
) -> Result<(), EngineError> {
    let reader =
        job.target.open(&job.copy_id).await.map_err(|e| {
            EngineError::store(format!("opening copy {} to verify it", job.copy_id), e)
        })?;
    for table in &manifest.tables {
        let measure = measure_stored(reader.as_ref(), &table.description.name, ctx).await?;
        let differences = measure.differences(table);
        if !differences.is_empty() {
            return Err(EngineError::Mismatch {
                table: table.description.name.clone(),
                detail: format!("copy read back: {}", differences.join("; ")),
            });
        }
    }
    Ok(())
}

async fn abort(staged: &dyn StagedBackup, error: &EngineError) {
    let copy_id = staged.backup_id().to_string();
    match staged.abort().await {
        Ok(()) => tracing::warn!(%copy_id, %error, "Copy failed; its staged data was removed."),
        Err(e) => tracing::error!(
            %copy_id, %error, abort_error = %e,
            "Copy failed; its staged data could not be removed (the staged sweep retries)."
        ),
    }
}
