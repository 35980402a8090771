//! Reader tasks: take a range from the queue, scan it (following `next_start_primary_key`),
//! cut the rows into batches and send them to the range's writer.

use std::sync::Arc;

use futures::StreamExt;
use tokio::sync::mpsc;

use super::error::EngineError;
use super::pipeline::{Batch, RangeSlot, RangeWork, Shared};
use crate::tablestore::client::RangeRequest;
use crate::tablestore::Row;

/// Scans ranges until the queue is empty or the run stops.
pub(super) async fn run_reader(shared: Arc<Shared>, writers: Arc<Vec<mpsc::Sender<Batch>>>) {
    while let Some(work) = shared.next_work() {
        if shared.stop.is_cancelled() {
            return;
        }
        let writer = &writers[work.slot.global % writers.len()];
        if let Err(error) = read_range(&shared, writer, work).await {
            shared.fail(error);
            return;
        }
    }
}

/// Why a range read ended early without an error of its own.
struct Stopped;

async fn read_range(
    shared: &Shared,
    writer: &mpsc::Sender<Batch>,
    work: RangeWork,
) -> Result<(), EngineError> {
    let slot = work.slot;
    let mut request = RangeRequest::new(slot.table.clone(), work.start, work.end);
    request.max_versions = Some(shared.max_versions);
    // GetRange's start is inclusive: resume *at* the checkpoint and drop that row again.
    let mut skip = work.after;
    if let Some(after) = &skip {
        request.start = after.clone();
    }
    let scan = shared.client.scan(request);
    futures::pin_mut!(scan);
    let mut pending: Vec<Row> = Vec::new();
    loop {
        let page = tokio::select! {
            biased;
            _ = shared.stop.cancelled() => return Ok(()),
            page = scan.next() => page,
        };
        let Some(page) = page else { break };
        let mut rows = page.map_err(|e| {
            EngineError::tablestore(
                format!("scanning table {} range {}", slot.table, slot.range),
                e,
            )
        })?;
        if let Some(after) = skip.take() {
            if rows.first().is_some_and(|r| r.primary_key == after) {
                rows.remove(0);
            }
        }
        if !shared.throttle.is_unlimited() {
            tokio::select! {
                biased;
                _ = shared.stop.cancelled() => return Ok(()),
                _ = shared.throttle.charge(&rows) => {}
            }
        }
        pending.extend(rows);
        // Hold back up to one batch so the range's final batch is never empty: it carries the
        // "range done" flag into the checkpoint.
        while pending.len() > shared.batch_rows {
            let rest = pending.split_off(shared.batch_rows);
            let rows = std::mem::replace(&mut pending, rest);
            if send(shared, writer, &slot, rows, false).await.is_err() {
                return Ok(());
            }
        }
    }
    let _ = send(shared, writer, &slot, pending, true).await;
    Ok(())
}

/// Sends one batch, waiting for room in the writer's channel unless the run stops.
async fn send(
    shared: &Shared,
    writer: &mpsc::Sender<Batch>,
    slot: &Arc<RangeSlot>,
    rows: Vec<Row>,
    last: bool,
) -> Result<(), Stopped> {
    let batch = Batch {
        slot: slot.clone(),
        rows,
        last,
    };
    tokio::select! {
        biased;
        _ = shared.stop.cancelled() => Err(Stopped),
        // A closed channel means the writer stopped on an error it has already reported.
        sent = writer.send(batch) => sent.map_err(|_| Stopped),
    }
}
