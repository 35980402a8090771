//! [`RunExecutor`]: takes run requests, applies the exclusion rules and the global limit, and
//! drives each run on its own task from `queued` to a final status.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::{Notify, Semaphore};
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;
use tracing::Instrument;

use super::claims::{ActiveRuns, Claim};
use super::events::{Event, NoObserver, Observer, RunLabels};
use super::job::Job;
use super::records::run_info;
use super::{ExecutorOptions, Resources, RunError};
use crate::catalog::{Catalog, NewRun, Run, RunOutcome, RunStatus};

/// Starts and tracks runs. Cheap to clone; clones share the runs, the limit and the observer.
#[derive(Clone)]
pub struct RunExecutor {
    pub(crate) inner: Arc<Inner>,
}

pub(crate) struct Inner {
    pub catalog: Catalog,
    pub resources: Resources,
    pub options: ExecutorOptions,
    pub(super) observer: Arc<dyn Observer>,
    pub permits: Arc<Semaphore>,
    pub(super) active: Mutex<ActiveRuns>,
    /// Signalled whenever a run leaves the registry.
    pub(super) released: Notify,
    /// The daemon's one shutdown token. Once cancelled: no new runs, and cancellations are
    /// the shutdown's (the staged-data policy applies).
    pub(super) shutdown: CancellationToken,
}

/// How [`RunExecutor::shutdown`] went.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ShutdownReport {
    /// Runs still active when the grace period ended, and therefore cancelled.
    pub cancelled: Vec<String>,
    /// Runs that had not recorded a final status when the shutdown gave up waiting.
    pub abandoned: Vec<String>,
}

/// The share of a shutdown budget kept, at its end, for cancelled runs to stop at a batch
/// boundary and record their final state (capped by [`MAX_FINAL_STATE_WAIT`]); runs may finish
/// on their own during the rest.
const FINAL_STATE_SHARE: u32 = 3;
const MAX_FINAL_STATE_WAIT: Duration = Duration::from_secs(10);

impl RunExecutor {
    /// An executor that stops taking runs once `shutdown` is cancelled (the daemon hands the
    /// same token to the scheduler, the HTTP server and its background loops).
    pub fn new(
        catalog: Catalog,
        resources: Resources,
        options: ExecutorOptions,
        observer: Option<Arc<dyn Observer>>,
        shutdown: CancellationToken,
    ) -> Self {
        let permits = Arc::new(Semaphore::new(options.max_concurrent_runs.max(1)));
        RunExecutor {
            inner: Arc::new(Inner {
                catalog,
                resources,
                options,
                observer: observer.unwrap_or_else(|| Arc::new(NoObserver)),
                permits,
                active: Mutex::new(ActiveRuns::default()),
                released: Notify::new(),
                shutdown,
            }),
        }
    }

    pub fn catalog(&self) -> &Catalog {
        &self.inner.catalog
    }

    pub fn resources(&self) -> &Resources {
        &self.inner.resources
    }

    pub fn options(&self) -> &ExecutorOptions {
        &self.inner.options
    }

    /// The shutdown token this executor stops with.
    pub fn shutdown_token(&self) -> &CancellationToken {
        &self.inner.shutdown
    }

    /// Ids of the runs queued or running in this process.
    pub fn active_runs(&self) -> Vec<String> {
        self.inner.lock().run_ids()
    }

    /// Cancels a queued or running run. `false` if this process is not running it (unknown,
    /// finished, or left by another process). The run records `cancelled` once it has stopped.
    pub fn cancel(&self, run_id: &str) -> bool {
        match self.inner.lock().by_run_id(run_id) {
            Some(run) => {
                run.cancel.cancel();
                true
            }
            None => false,
        }
    }

    /// Waits until no run is queued or running.
    pub async fn wait_idle(&self) {
        loop {
            let released = self.inner.released.notified();
            if self.inner.lock().is_empty() {
                return;
            }
            released.await;
        }
    }

    /// [`Self::shutdown_by`] with a deadline `grace` from now.
    pub async fn shutdown(&self, grace: Duration) -> ShutdownReport {
        self.shutdown_by(Instant::now() + grace).await
    }

    /// Stops taking runs and cancels the queued ones (they have not started; starting them
    /// now would only waste the budget), lets running ones finish, then cancels the rest (the
    /// engine stops at a batch boundary, so checkpoints are consistent) and waits for them to
    /// record their final status. Everything happens before `deadline`: the last third of the
    /// time left (at most [`MAX_FINAL_STATE_WAIT`]) is kept for the cancelled runs, so the
    /// process can exit within one grace period and a service manager's stop timeout can be
    /// set from it. Runs still active at the deadline are left for start-up recovery.
    pub async fn shutdown_by(&self, deadline: Instant) -> ShutdownReport {
        self.inner.shutdown.cancel();
        let mut report = ShutdownReport::default();
        for token in self.inner.lock().queued_tokens() {
            token.cancel();
        }
        let left = deadline.saturating_duration_since(Instant::now());
        let final_state_wait = (left / FINAL_STATE_SHARE).min(MAX_FINAL_STATE_WAIT);
        if tokio::time::timeout_at(deadline - final_state_wait, self.wait_idle())
            .await
            .is_ok()
        {
            return report;
        }
        let tokens = {
            let active = self.inner.lock();
            report.cancelled = active.run_ids();
            active.tokens()
        };
        tracing::warn!(runs = ?report.cancelled, "Grace period over; cancelling runs.");
        for token in tokens {
            token.cancel();
        }
        if tokio::time::timeout_at(deadline, self.wait_idle())
            .await
            .is_err()
        {
            report.abandoned = self.active_runs();
            tracing::error!(runs = ?report.abandoned, "Runs did not stop; leaving them for start-up recovery.");
        }
        report
    }

    pub(crate) fn emit(&self, event: &Event) {
        self.inner.emit(event);
    }

    /// Records a run that will not happen, with the reason (e.g. a missed tick not caught up).
    pub(crate) async fn record_skipped(
        &self,
        new: NewRun,
        labels: RunLabels,
        reason: &str,
    ) -> Result<Run, RunError> {
        self.inner.record_skipped(new, labels, reason).await
    }

    /// Records a run that could not even be queued (e.g. its schedule names a source that is
    /// no longer configured) as `failed`, so the tick is visible in the history.
    pub(crate) async fn record_failed(
        &self,
        new: NewRun,
        labels: RunLabels,
        message: &str,
    ) -> Result<Run, RunError> {
        let run = self.inner.catalog.create_run(new).await?;
        let info = run_info(&run, labels);
        self.inner.emit(&Event::RunQueued(info.clone()));
        let outcome = RunOutcome::with(RunStatus::Failed, message);
        self.inner.finish(&info, outcome, Duration::ZERO).await;
        Ok(self.inner.catalog.get_run(&run.id).await?)
    }

    /// Records and starts `job`: `skipped` (with the reason) if a claim conflicts, otherwise
    /// `queued` and driven on its own task. Returns the run as recorded.
    pub(crate) async fn submit(
        &self,
        new: NewRun,
        labels: RunLabels,
        claims: Vec<Claim>,
        job: Job,
    ) -> Result<Run, RunError> {
        if self.inner.shutting_down() {
            return Err(RunError::ShuttingDown);
        }
        let (slot, cancel) = match self.inner.reserve(new.kind, claims) {
            Ok(reserved) => reserved,
            Err(reason) => return self.inner.record_skipped(new, labels, &reason).await,
        };
        let run = self.inner.record(slot, new).await?;
        let info = run_info(&run, labels);
        self.inner.emit(&Event::RunQueued(info.clone()));
        let span = info.span(run.backup_id.as_deref());
        let drive =
            super::driver::drive(self.inner.clone(), slot, cancel, run.id.clone(), info, job);
        tokio::spawn(drive.instrument(span));
        Ok(run)
    }
}
