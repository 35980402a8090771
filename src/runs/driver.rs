//! One run's life on its task: wait for a slot of the global limit (or a cancel), `running`,
//! the work with progress written every `progress_interval`, the final status, release. It runs
//! inside the run's span ([`RunInfo::span`]), and so do the tasks it starts.

use std::panic::AssertUnwindSafe;
use std::sync::Arc;
use std::time::{Duration, Instant};

use futures::FutureExt;
use tokio::sync::Semaphore;
use tokio::time::MissedTickBehavior;
use tokio_util::sync::CancellationToken;
use tracing::Instrument;

use super::events::{Event, RunInfo};
use super::job::Job;
use super::job_context::JobContext;
use super::records::RunRecords;
use crate::catalog::{RunOutcome, RunStatus};
use crate::engine::Progress;

/// Drives one queued run (its registry `slot`) with `ctx` until its final status is recorded.
pub(crate) async fn drive(ctx: JobContext, permits: Arc<Semaphore>, slot: u64, job: Job) {
    let records = ctx.records.clone();
    let info = ctx.info.clone();
    let run_id = info.run_id.clone();
    let permit = tokio::select! {
        biased;
        _ = ctx.cancel.cancelled() => None,
        permit = permits.acquire_owned() => permit.ok(),
    };
    let Some(_permit) = permit else {
        let reason = if records.shutting_down() {
            "cancelled while queued: the daemon is shutting down"
        } else {
            "cancelled while queued"
        };
        records
            .finish(
                &info,
                RunOutcome::with(RunStatus::Cancelled, reason),
                Duration::ZERO,
            )
            .await;
        records.release(slot);
        return;
    };
    if let Err(e) = records.catalog().start_run(&run_id).await {
        tracing::error!(%run_id, error = %e, "Could not mark a run running.");
        let outcome = RunOutcome::with(RunStatus::Failed, format!("could not start: {e}"));
        records.finish(&info, outcome, Duration::ZERO).await;
        records.release(slot);
        return;
    }
    records.started(slot, &info);

    let stop_reporting = CancellationToken::new();
    let reporter = tokio::spawn(
        report_progress(
            records.clone(),
            info.clone(),
            ctx.progress.clone(),
            ctx.options.progress_interval,
            stop_reporting.clone(),
        )
        .in_current_span(),
    );
    let started = Instant::now();
    let outcome = match AssertUnwindSafe(job.execute(&ctx)).catch_unwind().await {
        Ok(outcome) => outcome,
        Err(_) => RunOutcome::with(RunStatus::Failed, "internal error: the run panicked"),
    };
    stop_reporting.cancel();
    let retries_reported = reporter.await.unwrap_or(0);
    // The last figures, so a finished run shows its totals.
    let last = ctx.progress.snapshot();
    report_store_retries(&records, &info, last.store_retries, retries_reported);
    let _ = records
        .catalog()
        .update_run_progress(&run_id, last.into())
        .await;
    records.finish(&info, outcome, started.elapsed()).await;
    records.release(slot);
}

/// Writes the live counters to the run record until stopped, and reports store retries as
/// they happen (an outage the run rides out shows while it lasts). Failures are logged and
/// ignored: progress is informative, the final status is what matters. Returns the store
/// retries reported.
async fn report_progress(
    records: Arc<RunRecords>,
    info: RunInfo,
    progress: Arc<Progress>,
    interval: Duration,
    stop: CancellationToken,
) -> u64 {
    let run_id = &info.run_id;
    let mut retries_reported = 0;
    let mut every = tokio::time::interval(interval.max(Duration::from_millis(10)));
    every.set_missed_tick_behavior(MissedTickBehavior::Delay);
    every.tick().await;
    loop {
        tokio::select! {
            _ = stop.cancelled() => return retries_reported,
            _ = every.tick() => {
                let snapshot = progress.snapshot();
                retries_reported = report_store_retries(
                    &records, &info, snapshot.store_retries, retries_reported,
                );
                if let Err(e) = records.catalog().update_run_progress(run_id, snapshot.into()).await {
                    tracing::debug!(%run_id, error = %e, "Progress update failed.");
                }
            }
        }
    }
}

/// Emits [`Event::StoreRetried`] for the retries counted since `reported`; returns `total`.
fn report_store_retries(records: &RunRecords, info: &RunInfo, total: u64, reported: u64) -> u64 {
    if let (Some(store), true) = (&info.labels.store, total > reported) {
        records.emit(&Event::StoreRetried {
            store: store.clone(),
            retries: total - reported,
        });
    }
    total
}
