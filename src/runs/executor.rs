//! [`RunExecutor`]: takes run requests, applies the exclusion rules and the global limit, and
//! drives each run on its own task from `queued` to a final status. Every method of the run
//! service is here; the work of each kind is in its own module (`backup`, `resume`,
//! `restore`, `retention`), which prepares a `Submission` and runs with a `JobContext`.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::Semaphore;
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;
use tracing::Instrument;

use super::claims::Claim;
use super::deletion::{self, DeletionError, SweepReport};
use super::events::{Event, NoObserver, Observer, RunLabels};
use super::job::Job;
use super::job_context::{JobContext, Submission};
use super::records::{run_info, RunRecords};
use super::retention::{self, Cause};
use super::{backup, copy, restore, resume, HeldClaims};
use super::{
    BackupRequest, CopyRequest, ExecutorOptions, Resources, RestoreRequest, RunError, VerifyRequest,
};
use crate::catalog::{Backup, Catalog, CatalogError, NewRun, Run, RunTrigger};
use crate::engine::Progress;
use crate::retention::RetentionPlan;

/// Starts and tracks runs. Cheap to clone; clones share the runs, the limit and the observer.
#[derive(Clone)]
pub struct RunExecutor {
    shared: Arc<Shared>,
}

struct Shared {
    records: Arc<RunRecords>,
    resources: Resources,
    options: ExecutorOptions,
    permits: Arc<Semaphore>,
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
        let observer = observer.unwrap_or_else(|| Arc::new(NoObserver));
        RunExecutor {
            shared: Arc::new(Shared {
                records: Arc::new(RunRecords::new(catalog, observer, shutdown)),
                resources,
                options,
                permits,
            }),
        }
    }

    pub fn catalog(&self) -> &Catalog {
        self.shared.records.catalog()
    }

    pub fn resources(&self) -> &Resources {
        &self.shared.resources
    }

    pub fn options(&self) -> &ExecutorOptions {
        &self.shared.options
    }

    /// The shutdown token this executor stops with.
    pub fn shutdown_token(&self) -> &CancellationToken {
        self.shared.records.shutdown_token()
    }

    /// Ids of the runs queued or running in this process.
    pub fn active_runs(&self) -> Vec<String> {
        self.shared.records.run_ids()
    }

    /// Queues a backup (or records it `skipped` if its schedule or one of its tables is busy).
    pub async fn submit_backup(&self, request: BackupRequest) -> Result<Run, RunError> {
        let prepared = backup::prepare(self.resources(), request)?;
        self.submit(prepared.map(Job::Backup)).await
    }

    /// Queues a run that continues a `staged` backup from its checkpoints (`resume`).
    pub async fn submit_resume(&self, backup_id: &str) -> Result<Run, RunError> {
        let prepared = resume::prepare(self.catalog(), self.resources(), backup_id).await?;
        self.submit(prepared.map(Job::Resume)).await
    }

    /// Queues a restore into `target_source` (or records it `skipped` if a target table is in
    /// use or the backup is being deleted).
    pub async fn submit_restore(&self, request: RestoreRequest) -> Result<Run, RunError> {
        let prepared = restore::prepare_restore(self.catalog(), self.resources(), request).await?;
        self.submit(prepared.map(Job::Restore)).await
    }

    /// Queues a verification; its verdict is stored on the backup.
    pub async fn submit_verify(&self, request: VerifyRequest) -> Result<Run, RunError> {
        let prepared = restore::prepare_verify(self.catalog(), self.resources(), request).await?;
        self.submit(prepared.map(Job::Verify)).await
    }

    /// Queues a copy of a completed backup into another store; the copy is catalogued as a
    /// new backup with `copy_of` naming the original.
    pub async fn submit_copy(&self, request: CopyRequest) -> Result<Run, RunError> {
        let prepared = copy::prepare(self.catalog(), self.resources(), request).await?;
        self.submit(prepared.map(Job::Copy)).await
    }

    /// What retention would keep and remove for the schedule now (a dry run: nothing is
    /// deleted). Serializes as `{"keep": [...], "remove": [...], "untouched": [...]}`.
    pub async fn retention_plan(&self, schedule_id: &str) -> Result<RetentionPlan, RunError> {
        let schedule = self.catalog().get_schedule(schedule_id).await?;
        Ok(retention::plan(self.catalog(), &schedule).await?)
    }

    /// Applies the schedule's policy again, as after a backup: start-up recovery calls it
    /// for a schedule whose backup or deletions a dead process left unfinished, so the rest
    /// of the plan is carried out instead of waiting for the next backup. `after_run` is
    /// the interrupted run the new deletions follow.
    pub async fn reapply_retention(
        &self,
        schedule_id: &str,
        after_run: &str,
    ) -> Result<(), RunError> {
        let cause = Cause {
            trigger: RunTrigger::CatchUp,
            after_run,
        };
        let shared = &self.shared;
        retention::apply(&shared.records, &shared.resources, schedule_id, &cause).await
    }

    /// Holds `claims` for `holder` (how refusals name it, e.g. "the API deletion of backup
    /// X") until the returned guard is dropped. [`RunError::Conflict`] names the run (or
    /// holder) in the way. While held, the daemon's shutdown waits for it like for a run.
    pub fn hold_claims(
        &self,
        holder: impl Into<String>,
        claims: Vec<Claim>,
    ) -> Result<HeldClaims, RunError> {
        HeldClaims::hold(&self.shared.records, holder.into(), claims)
    }

    /// Holds [`Claim::DeleteBackup`] on `backup_id` for the API's deletion of it.
    pub fn hold_backup_deletion(&self, backup_id: &str) -> Result<HeldClaims, RunError> {
        self.hold_claims(
            format!("the deletion of backup {backup_id}"),
            vec![Claim::DeleteBackup(backup_id.to_string())],
        )
    }

    /// Deletes `backup` (`deletion::delete_backup`) while the caller holds the exclusive
    /// claim on it ([`Self::hold_backup_deletion`]), as the API's deletion does.
    pub async fn delete_claimed_backup(
        &self,
        backup: &Backup,
        _claim: &HeldClaims,
    ) -> Result<(), DeletionError> {
        deletion::delete_backup(self.catalog(), self.resources(), backup).await
    }

    /// One pass: in every store, deletes the staged data of backups the catalog has as
    /// `failed` or `deleted`. The daemon calls it every [`super::SWEEP_INTERVAL`]
    /// ([`super::spawn_staged_sweeper`]); tests call it directly.
    pub async fn sweep_abandoned_staged(&self) -> Result<SweepReport, CatalogError> {
        deletion::sweep_abandoned_staged(self.catalog(), self.resources()).await
    }

    /// Cancels a queued or running run. `false` if this process is not running it (unknown,
    /// finished, or left by another process). The run records `cancelled` once it has stopped.
    pub fn cancel(&self, run_id: &str) -> bool {
        match self.shared.records.cancel_token(run_id) {
            Some(token) => {
                token.cancel();
                true
            }
            None => false,
        }
    }

    /// Waits until no run is queued or running.
    pub async fn wait_idle(&self) {
        self.shared.records.wait_idle().await;
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
        let records = &self.shared.records;
        records.shutdown_token().cancel();
        let mut report = ShutdownReport::default();
        records.cancel_queued();
        let left = deadline.saturating_duration_since(Instant::now());
        let final_state_wait = (left / FINAL_STATE_SHARE).min(MAX_FINAL_STATE_WAIT);
        if tokio::time::timeout_at(deadline - final_state_wait, self.wait_idle())
            .await
            .is_ok()
        {
            return report;
        }
        report.cancelled = records.cancel_all();
        tracing::warn!(runs = ?report.cancelled, "Grace period over; cancelling runs.");
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
        self.shared.records.emit(event);
    }

    /// Records a run that will not happen, with the reason (e.g. a missed tick not caught up).
    pub(crate) async fn record_skipped(
        &self,
        new: NewRun,
        labels: RunLabels,
        reason: &str,
    ) -> Result<Run, RunError> {
        self.shared
            .records
            .record_skipped(new, labels, reason)
            .await
    }

    /// Records a run that could not even be queued (e.g. its schedule names a source that is
    /// no longer configured) as `failed`, so the tick is visible in the history.
    pub(crate) async fn record_failed(
        &self,
        new: NewRun,
        labels: RunLabels,
        message: &str,
    ) -> Result<Run, RunError> {
        self.shared
            .records
            .record_failed(new, labels, message)
            .await
    }

    /// Records and starts a prepared run: `skipped` (with the reason) if a claim conflicts,
    /// otherwise `queued` and driven on its own task. Returns the run as recorded.
    async fn submit(&self, submission: Submission<Job>) -> Result<Run, RunError> {
        let records = &self.shared.records;
        if records.shutting_down() {
            return Err(RunError::ShuttingDown);
        }
        let Submission {
            new,
            labels,
            claims,
            spec: job,
        } = submission;
        let (slot, cancel) = match records.reserve(new.kind, claims) {
            Ok(reserved) => reserved,
            Err(reason) => return records.record_skipped(new, labels, &reason).await,
        };
        let run = records.record(slot, new).await?;
        let info = run_info(&run, labels);
        records.emit(&Event::RunQueued(info.clone()));
        let span = info.span(run.backup_id.as_deref());
        let ctx = JobContext {
            records: records.clone(),
            resources: self.shared.resources.clone(),
            options: self.shared.options.clone(),
            info,
            progress: Arc::new(Progress::new()),
            cancel,
        };
        let copies_follow = job.is_scheduled_backup();
        let drive = super::driver::drive(ctx, self.shared.permits.clone(), slot, job);
        let follow_up = copies_follow.then(|| self.copy_after_backup(run.id.clone()));
        tokio::spawn(
            async move {
                drive.await;
                if let Some(copies) = follow_up {
                    copies.await;
                }
            }
            .instrument(span),
        );
        Ok(run)
    }

    /// After a schedule's backup run: if it succeeded, one copy run per `copy_to` store of the
    /// schedule (each visible in the run list, with the backup's trigger).
    ///
    /// Boxed: it submits runs, and a submitted run may end in it again.
    fn copy_after_backup(&self, run_id: String) -> futures::future::BoxFuture<'static, ()> {
        let executor = self.clone();
        Box::pin(async move { copy::submit_copies_after(&executor, &run_id).await })
    }
}
