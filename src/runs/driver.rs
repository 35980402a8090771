//! One run's life on its task: wait for a slot of the global limit (or a cancel), `running`,
//! the work with progress written every `progress_interval`, the final status, release. It runs
//! inside the run's span ([`RunInfo::span`]), and so do the tasks it starts.

use std::panic::AssertUnwindSafe;
use std::sync::Arc;
use std::time::{Duration, Instant};

use futures::FutureExt;
use tokio::time::MissedTickBehavior;
use tokio_util::sync::CancellationToken;
use tracing::Instrument;

use super::events::{Event, RunInfo};
use super::executor::Inner;
use super::job::{Job, RunScope};
use crate::catalog::{RunOutcome, RunStatus};
use crate::engine::Progress;

pub(crate) async fn drive(
    inner: Arc<Inner>,
    slot: u64,
    cancel: CancellationToken,
    run_id: String,
    info: RunInfo,
    job: Job,
) {
    let permit = tokio::select! {
        biased;
        _ = cancel.cancelled() => None,
        permit = inner.permits.clone().acquire_owned() => permit.ok(),
    };
    let Some(_permit) = permit else {
        let reason = if inner.shutting_down() {
            "cancelled while queued: the daemon is shutting down"
        } else {
            "cancelled while queued"
        };
        inner
            .finish(
                &info,
                RunOutcome::with(RunStatus::Cancelled, reason),
                Duration::ZERO,
            )
            .await;
        inner.release(slot);
        return;
    };
    if let Err(e) = inner.catalog.start_run(&run_id).await {
        tracing::error!(%run_id, error = %e, "Could not mark a run running.");
        let outcome = RunOutcome::with(RunStatus::Failed, format!("could not start: {e}"));
        inner.finish(&info, outcome, Duration::ZERO).await;
        inner.release(slot);
        return;
    }
    inner.mark_running(slot);
    inner.emit(&Event::RunStarted(info.clone()));
    tracing::info!(%run_id, kind = %info.kind, trigger = %info.trigger, "Run started.");

    let scope = RunScope {
        inner: inner.clone(),
        info: info.clone(),
        progress: Arc::new(Progress::new()),
        cancel,
    };
    let stop_reporting = CancellationToken::new();
    let reporter = tokio::spawn(
        report_progress(
            inner.clone(),
            info.clone(),
            scope.progress.clone(),
            stop_reporting.clone(),
        )
        .in_current_span(),
    );
    let started = Instant::now();
    let outcome = match AssertUnwindSafe(job.execute(&scope)).catch_unwind().await {
        Ok(outcome) => outcome,
        Err(_) => RunOutcome::with(RunStatus::Failed, "internal error: the run panicked"),
    };
    stop_reporting.cancel();
    let retries_reported = reporter.await.unwrap_or(0);
    // The last figures, so a finished run shows its totals.
    let last = scope.progress.snapshot();
    report_store_retries(&inner, &info, last.store_retries, retries_reported);
    let _ = inner
        .catalog
        .update_run_progress(&run_id, last.into())
        .await;
    inner.finish(&info, outcome, started.elapsed()).await;
    inner.release(slot);
}

/// Writes the live counters to the run record until stopped, and reports store retries as
/// they happen (an outage the run rides out shows while it lasts). Failures are logged and
/// ignored: progress is informative, the final status is what matters. Returns the store
/// retries reported.
async fn report_progress(
    inner: Arc<Inner>,
    info: RunInfo,
    progress: Arc<Progress>,
    stop: CancellationToken,
) -> u64 {
    let run_id = &info.run_id;
    let mut retries_reported = 0;
    let mut every = tokio::time::interval(
        inner
            .options
            .progress_interval
            .max(Duration::from_millis(10)),
    );
    every.set_missed_tick_behavior(MissedTickBehavior::Delay);
    every.tick().await;
    loop {
        tokio::select! {
            _ = stop.cancelled() => return retries_reported,
            _ = every.tick() => {
                let snapshot = progress.snapshot();
                retries_reported = report_store_retries(
                    &inner, &info, snapshot.store_retries, retries_reported,
                );
                if let Err(e) = inner.catalog.update_run_progress(run_id, snapshot.into()).await {
                    tracing::debug!(%run_id, error = %e, "Progress update failed.");
                }
            }
        }
    }
}

/// Emits [`Event::StoreRetried`] for the retries counted since `reported`; returns `total`.
fn report_store_retries(inner: &Inner, info: &RunInfo, total: u64, reported: u64) -> u64 {
    if let (Some(store), true) = (&info.labels.store, total > reported) {
        inner.emit(&Event::StoreRetried {
            store: store.clone(),
            retries: total - reported,
        });
    }
    total
}
