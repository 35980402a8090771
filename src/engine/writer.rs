//! Writer tasks: write each batch to the staged backup together with the range's running
//! checksum, so a checkpoint always knows the checksum of the rows before it. A write that
//! fails for a transient reason is retried for `store_retry_seconds` (see `store_retry`).

use std::collections::HashMap;
use std::sync::Arc;

use tokio::sync::mpsc;

use super::error::EngineError;
use super::pipeline::{Batch, Shared};
use super::plan::RangeState;
use super::store_retry::retry_store;
use crate::store::EncodedRows;

/// Writes batches until every reader is finished or the run stops; returns the state of every
/// range it wrote to, by global range number.
pub(super) async fn run_writer(
    shared: Arc<Shared>,
    mut inbox: mpsc::Receiver<Batch>,
) -> HashMap<usize, RangeState> {
    let mut states = HashMap::new();
    loop {
        // A write in progress is never interrupted: the stop is noticed between batches.
        let batch = tokio::select! {
            biased;
            _ = shared.stop.cancelled() => break,
            batch = inbox.recv() => match batch {
                Some(batch) => batch,
                None => break,
            },
        };
        match write_batch(&shared, &mut states, batch).await {
            Ok(()) => {}
            // Stopped while waiting to retry: whoever stopped the run says why.
            Err(EngineError::Cancelled) => break,
            Err(error) => {
                shared.fail(error);
                break;
            }
        }
    }
    states
}

async fn write_batch(
    shared: &Shared,
    states: &mut HashMap<usize, RangeState>,
    batch: Batch,
) -> Result<(), EngineError> {
    let slot = &batch.slot;
    let mut state = states
        .get(&slot.global)
        .copied()
        .unwrap_or(shared.initial[slot.global]);
    // Each row is encoded once: the checksum reads these bytes, and a store that keeps
    // PlainBuffer writes them as they are.
    let encoded = EncodedRows::new(&batch.rows);
    let mut cells = 0;
    let mut bytes = 0;
    for (row, record) in encoded.iter() {
        let row_cells = row.cells.len() as u64;
        bytes += state.checksum.add_encoded(record, row_cells);
        cells += row_cells;
    }
    state.done = batch.last;
    if !batch.rows.is_empty() {
        let what = format!("writing table {} range {}", slot.table, slot.range);
        let state_json = state.to_json();
        let on_retry = || shared.progress.store_retry();
        let written = retry_store(&what, shared.store_retry, &shared.stop, on_retry, || {
            shared
                .staged
                .write_encoded_rows(&slot.table, slot.range, &encoded, &state_json)
        })
        .await;
        if let Err(failure) = written {
            return Err(failure.into_engine_error(what, shared.store_retry));
        }
        shared
            .progress
            .add_rows(batch.rows.len() as u64, cells, bytes);
    }
    // Only now: a failed write must not leave its rows in the state.
    states.insert(slot.global, state);
    if batch.last {
        shared.range_finished(slot);
    }
    Ok(())
}
