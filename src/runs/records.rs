//! The run service's bookkeeping, shared by the executor, each run's task and the claims held
//! outside runs: the registry of active runs (claims and stop signals) and the catalog writes
//! every kind of run shares (queued, skipped, finished), each reported to the observer so
//! metrics and records never disagree.

use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;

use super::claims::{ActiveRuns, Claim, Holder};
use super::events::{Event, RunInfo, RunLabels};
use super::RunError;
use crate::catalog::{Catalog, CatalogError, NewRun, Run, RunOutcome, RunStatus};

/// Between attempts to record a run's end while the database refuses writes.
const END_RETRY: Duration = Duration::from_secs(1);

/// The active runs of this process and the catalog and observer their records go to.
pub(crate) struct RunRecords {
    catalog: Catalog,
    observer: Arc<dyn super::Observer>,
    active: Mutex<ActiveRuns>,
    /// Signalled whenever a run leaves the registry.
    released: Notify,
    /// The daemon's one shutdown token. Once cancelled: no new runs, and cancellations are
    /// the shutdown's (the staged-data policy applies).
    shutdown: CancellationToken,
}

impl RunRecords {
    pub fn new(
        catalog: Catalog,
        observer: Arc<dyn super::Observer>,
        shutdown: CancellationToken,
    ) -> Self {
        RunRecords {
            catalog,
            observer,
            active: Mutex::new(ActiveRuns::default()),
            released: Notify::new(),
            shutdown,
        }
    }

    pub fn catalog(&self) -> &Catalog {
        &self.catalog
    }

    pub fn shutdown_token(&self) -> &CancellationToken {
        &self.shutdown
    }

    fn lock(&self) -> MutexGuard<'_, ActiveRuns> {
        self.active.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub fn emit(&self, event: &Event) {
        self.observer.event(event);
    }

    pub fn shutting_down(&self) -> bool {
        self.shutdown.is_cancelled()
    }

    /// Ids of the runs queued or running in this process.
    pub fn run_ids(&self) -> Vec<String> {
        self.lock().run_ids()
    }

    /// The stop signal of a queued or running run, if this process has it.
    pub fn cancel_token(&self, run_id: &str) -> Option<CancellationToken> {
        self.lock().by_run_id(run_id).map(|run| run.cancel.clone())
    }

    /// Cancels the queued runs (they have not started).
    pub fn cancel_queued(&self) {
        for token in self.lock().queued_tokens() {
            token.cancel();
        }
    }

    /// Cancels every active run; returns their ids.
    pub fn cancel_all(&self) -> Vec<String> {
        let (ids, tokens) = {
            let active = self.lock();
            (active.run_ids(), active.tokens())
        };
        for token in tokens {
            token.cancel();
        }
        ids
    }

    /// Waits until no run is queued or running.
    pub async fn wait_idle(&self) {
        loop {
            let released = self.released.notified();
            if self.lock().is_empty() {
                return;
            }
            released.await;
        }
    }

    pub fn reserve(
        &self,
        holder: impl Into<Holder>,
        claims: Vec<Claim>,
    ) -> Result<(u64, CancellationToken), String> {
        let cancel = CancellationToken::new();
        let slot = self.lock().reserve(holder, claims, cancel.clone())?;
        Ok((slot, cancel))
    }

    /// Inserts the run as `queued` for a reserved slot; releases the slot if that fails.
    pub async fn record(&self, slot: u64, new: NewRun) -> Result<Run, RunError> {
        match self.catalog.create_run(new).await {
            Ok(run) => {
                if let Some(active) = self.lock().get_mut(slot) {
                    active.run_id = Some(run.id.clone());
                }
                Ok(run)
            }
            Err(e) => {
                self.release(slot);
                Err(e.into())
            }
        }
    }

    /// Records a run that will not happen, with the reason.
    pub async fn record_skipped(
        &self,
        new: NewRun,
        labels: RunLabels,
        reason: &str,
    ) -> Result<Run, RunError> {
        let run = self.catalog.record_skipped_run(new, reason).await?;
        tracing::info!(run_id = %run.id, kind = %run.kind, %reason, "Run skipped.");
        self.emit(&Event::RunSkipped {
            run: run_info(&run, labels),
            reason: reason.to_string(),
        });
        Ok(run)
    }

    /// Records a run that could not even be queued as `failed`, so it is visible in the
    /// history.
    pub async fn record_failed(
        &self,
        new: NewRun,
        labels: RunLabels,
        message: &str,
    ) -> Result<Run, RunError> {
        let run = self.catalog.create_run(new).await?;
        let info = run_info(&run, labels);
        self.emit(&Event::RunQueued(info.clone()));
        let outcome = RunOutcome::with(RunStatus::Failed, message);
        self.finish(&info, outcome, Duration::ZERO).await;
        Ok(self.catalog.get_run(&run.id).await?)
    }

    /// A recorded run is running: marked so in the registry, reported, and logged (the one
    /// "Run started." line of a run; its span names the run).
    pub fn started(&self, slot: u64, info: &RunInfo) {
        self.mark_running(slot);
        self.emit(&Event::RunStarted(info.clone()));
        let (run_id, kind, trigger) = (&info.run_id, info.kind, info.trigger);
        tracing::info!(%run_id, %kind, %trigger, "Run started.");
    }

    pub fn mark_running(&self, slot: u64) {
        if let Some(active) = self.lock().get_mut(slot) {
            active.running = true;
        }
    }

    pub fn release(&self, slot: u64) {
        self.lock().release(slot);
        self.released.notify_waiters();
    }

    /// Records the final status (retried while the disk is full, see `record_end`) and
    /// reports it. Any other failure to write is logged: the run then stays unfinished in the
    /// database and start-up recovery marks it failed.
    pub async fn finish(&self, info: &RunInfo, outcome: RunOutcome, duration: Duration) {
        let status = outcome.status;
        let error = outcome.message.clone();
        let (rows, bytes, backup_id, finished_at) = match self
            .record_end(&info.run_id, outcome)
            .await
        {
            Ok(run) => (
                run.progress.rows,
                run.progress.bytes,
                run.backup_id,
                run.finished_at.unwrap_or_else(|| self.catalog.now()),
            ),
            Err(e) => {
                tracing::error!(run_id = %info.run_id, error = %e, "Could not record the end of a run.");
                (0, 0, None, self.catalog.now())
            }
        };
        log_end(
            info,
            status,
            &error,
            backup_id.as_deref(),
            duration,
            (rows, bytes),
        );
        self.emit(&Event::RunFinished {
            run: info.clone(),
            status,
            backup_id,
            finished_at,
            duration,
            rows,
            bytes,
            error,
        });
    }

    /// `finish_run`, retried while the database refuses writes (a full disk) until it keeps
    /// it or shutdown begins: a run left `running` would otherwise block deleting its backup
    /// and mislead every reader until a restart, although the disk came back long before.
    async fn record_end(&self, run_id: &str, outcome: RunOutcome) -> Result<Run, CatalogError> {
        let mut warned = false;
        loop {
            match self.catalog.finish_run(run_id, outcome.clone()).await {
                Err(e) if e.is_storage() && !self.shutting_down() => {
                    if !warned {
                        tracing::warn!(run_id, error = %e, "Could not record the end of a run yet; retrying until the database takes it.");
                        warned = true;
                    }
                    tokio::time::sleep(END_RETRY).await;
                }
                other => return other,
            }
        }
    }
}

/// The one line that says a run ended, with everything known about it (the span adds the
/// run's id, kind and schedule): a failure is an error, a run that ended otherwise without
/// success a warning.
fn log_end(
    info: &RunInfo,
    status: RunStatus,
    error: &Option<String>,
    backup_id: Option<&str>,
    duration: Duration,
    (rows, bytes): (u64, u64),
) {
    let (run_id, kind, trigger) = (&info.run_id, info.kind, info.trigger);
    let (store, source) = (info.labels.store.as_deref(), info.labels.source.as_deref());
    let (seconds, error) = (duration.as_secs_f64(), error.as_deref());
    macro_rules! end {
        ($level:ident) => {
            tracing::$level!(
                %run_id, %kind, %trigger, %status, store, source, backup_id,
                rows, bytes, seconds, error, "Run finished."
            )
        };
    }
    match status {
        RunStatus::Failed => end!(error),
        RunStatus::Succeeded | RunStatus::Skipped => end!(info),
        _ => end!(warn),
    }
}

pub(crate) fn run_info(run: &Run, labels: RunLabels) -> RunInfo {
    RunInfo {
        run_id: run.id.clone(),
        kind: run.kind,
        trigger: run.trigger,
        schedule_id: run.schedule_id.clone(),
        labels,
    }
}
