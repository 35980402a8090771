//! The timer loop and the scheduler's life: start (recovery, catch-up, loop) and shutdown
//! (stop firing, let runs finish within a grace period, cancel the rest, record their state).

use std::time::Duration;

use tokio::time::Instant;

use super::tick::TickReport;
use super::{Scheduler, SchedulerError};
use crate::runs::{recover, RecoveryReport, ShutdownReport};

/// After a failed step (e.g. the database is briefly unavailable), wait this long before the
/// next attempt instead of spinning.
const RETRY_AFTER_ERROR: Duration = Duration::from_secs(5);

/// What [`Scheduler::start`] found and did.
#[derive(Debug, Clone, Default)]
pub struct StartReport {
    pub recovery: RecoveryReport,
    pub catch_up: TickReport,
}

impl Scheduler {
    /// Start-up: recovery (interrupted runs failed, staged data cleaned or resumed, catalog
    /// reconciled with every store), then the catch-up step, then the timer loop on its own
    /// task. Call once.
    pub async fn start(&self) -> Result<StartReport, SchedulerError> {
        if self.lock_task().is_some() {
            return Err(SchedulerError::AlreadyStarted);
        }
        let recovery = recover(&self.inner.executor).await?;
        let catch_up = self.catch_up(self.now()).await?;
        let this = self.clone();
        let handle = tokio::spawn(async move { this.run_loop().await });
        *self.lock_task() = Some(handle);
        tracing::info!(
            interrupted = recovery.interrupted_runs.len(),
            caught_up = catch_up.runs.len(),
            "Scheduler started."
        );
        Ok(StartReport { recovery, catch_up })
    }

    /// [`Self::shutdown_by`] with a deadline `grace` from now.
    pub async fn shutdown(&self, grace: Duration) -> ShutdownReport {
        self.shutdown_by(Instant::now() + grace).await
    }

    /// SIGTERM: stop firing at once, then [`crate::runs::RunExecutor::shutdown_by`]: runs
    /// finish, or are cancelled and recorded, before `deadline`.
    pub async fn shutdown_by(&self, deadline: Instant) -> ShutdownReport {
        self.inner.stop.cancel();
        let handle = self.lock_task().take();
        if let Some(handle) = handle {
            // A tick in progress (e.g. waiting on a busy database) may not hold up the stop
            // past the deadline; it fires nothing more once `stop` is cancelled.
            let _ = tokio::time::timeout_at(deadline, handle).await;
        }
        let report = self.inner.executor.shutdown_by(deadline).await;
        tracing::info!(?report, "Scheduler stopped.");
        report
    }

    /// Tick, sleep until the earliest `next_run_at` (or a change, or stop), repeat.
    async fn run_loop(&self) {
        let stop = self.inner.stop.clone();
        while !stop.is_cancelled() {
            let wake_at = match self.tick_once(self.now()).await {
                Ok(report) => report.next_wake,
                Err(e) => {
                    tracing::error!(error = %e, "Scheduler step failed; retrying.");
                    tokio::select! {
                        _ = stop.cancelled() => return,
                        _ = tokio::time::sleep(RETRY_AFTER_ERROR) => continue,
                    }
                }
            };
            let sleep = wake_at.map(|at| self.inner.clock.sleep_until(at));
            tokio::select! {
                _ = stop.cancelled() => return,
                _ = self.inner.wake.notified() => {}
                _ = async { match sleep { Some(s) => s.await, None => std::future::pending().await } } => {}
            }
        }
    }

    fn lock_task(&self) -> std::sync::MutexGuard<'_, Option<tokio::task::JoinHandle<()>>> {
        self.inner.task.lock().unwrap_or_else(|p| p.into_inner())
    }
}
