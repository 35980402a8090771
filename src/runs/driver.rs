//! One run's life on its task: wait for a slot of the global limit (or a cancel), `running`,
//! the work with progress written every `progress_interval`, the final status, release.

use std::panic::AssertUnwindSafe;
use std::sync::Arc;
use std::time::{Duration, Instant};

use futures::FutureExt;
use tokio::time::MissedTickBehavior;
use tokio_util::sync::CancellationToken;

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
    let reporter = tokio::spawn(report_progress(
        inner.clone(),
        run_id.clone(),
        scope.progress.clone(),
        stop_reporting.clone(),
    ));
    let started = Instant::now();
    let outcome = match AssertUnwindSafe(job.execute(&scope)).catch_unwind().await {
        Ok(outcome) => outcome,
        Err(_) => RunOutcome::with(RunStatus::Failed, "internal error: the run panicked"),
    };
    stop_reporting.cancel();
    let _ = reporter.await;
    // The last figures, so a finished run shows its totals.
    let _ = inner
        .catalog
        .update_run_progress(&run_id, scope.progress.snapshot().into())
        .await;
    inner.finish(&info, outcome, started.elapsed()).await;
    inner.release(slot);
}

/// Writes the live counters to the run record until stopped. Failures are logged and
/// ignored: progress is informative, the final status is what matters.
async fn report_progress(
    inner: Arc<Inner>,
    run_id: String,
    progress: Arc<Progress>,
    stop: CancellationToken,
) {
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
            _ = stop.cancelled() => return,
            _ = every.tick() => {
                let snapshot = progress.snapshot().into();
                if let Err(e) = inner.catalog.update_run_progress(&run_id, snapshot).await {
                    tracing::debug!(%run_id, error = %e, "Progress update failed.");
                }
            }
        }
    }
}
