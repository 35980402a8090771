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
use crate::catalog::{RunKind, RunOutcome, RunStatus};
use crate::engine::{Progress, ProgressSnapshot};

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
    let reported = reporter.await.unwrap_or_default();
    // The last figures, so a finished run shows its totals.
    let last = ctx.progress.snapshot();
    report_live(&records, &info, &last, reported);
    let _ = records
        .catalog()
        .update_run_progress(&run_id, last.into())
        .await;
    records.finish(&info, outcome, started.elapsed()).await;
    records.release(slot);
}

/// What the reporter last told the telemetry, so each event carries only what changed.
#[derive(Debug, Default, Clone, Copy)]
struct Reported {
    store_retries: u64,
    write_batches_allowed: u64,
}

/// Writes the live counters to the run record until stopped, and reports store retries and a
/// restore's write rate as they change (an outage the run rides out, or throttling, shows
/// while it lasts). Failures are logged and ignored: progress is informative, the final
/// status is what matters. Returns what was reported.
async fn report_progress(
    records: Arc<RunRecords>,
    info: RunInfo,
    progress: Arc<Progress>,
    interval: Duration,
    stop: CancellationToken,
) -> Reported {
    let run_id = &info.run_id;
    let mut reported = Reported::default();
    let mut every = tokio::time::interval(interval.max(Duration::from_millis(10)));
    every.set_missed_tick_behavior(MissedTickBehavior::Delay);
    every.tick().await;
    loop {
        tokio::select! {
            _ = stop.cancelled() => return reported,
            _ = every.tick() => {
                let snapshot = progress.snapshot();
                reported = report_live(&records, &info, &snapshot, reported);
                if let Err(e) = records.catalog().update_run_progress(run_id, snapshot.into()).await {
                    tracing::debug!(%run_id, error = %e, "Progress update failed.");
                }
            }
        }
    }
}

/// Emits [`Event::StoreRetried`] for the retries counted since the last report, and, for a
/// restore, [`Event::RestoreWriteRate`] when its allowed batches in flight changed.
fn report_live(
    records: &RunRecords,
    info: &RunInfo,
    snapshot: &ProgressSnapshot,
    reported: Reported,
) -> Reported {
    if let (Some(store), true) = (
        &info.labels.store,
        snapshot.store_retries > reported.store_retries,
    ) {
        records.emit(&Event::StoreRetried {
            store: store.clone(),
            retries: snapshot.store_retries - reported.store_retries,
        });
    }
    let rate = snapshot.write_batches_allowed;
    if let (RunKind::Restore, Some(source), true) = (
        info.kind,
        &info.labels.source,
        rate != reported.write_batches_allowed,
    ) {
        records.emit(&Event::RestoreWriteRate {
            source: source.clone(),
            batches_allowed: rate,
        });
    }
    Reported {
        store_retries: snapshot.store_retries,
        write_batches_allowed: rate,
    }
}
