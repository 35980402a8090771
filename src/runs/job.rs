//! The work a recorded run does, resolved at submit time (sources, stores and backups looked
//! up, so bad requests fail before anything is recorded), and what the work can see.

use std::sync::Arc;

use tokio_util::sync::CancellationToken;

use super::backup::BackupSpec;
use super::events::RunInfo;
use super::executor::Inner;
use super::restore::{RestoreSpec, VerifySpec};
use super::resume::ResumeSpec;
use crate::catalog::{RunOutcome, RunStatus};
use crate::engine::{EngineError, Progress};

pub(crate) enum Job {
    Backup(BackupSpec),
    Resume(ResumeSpec),
    Restore(RestoreSpec),
    Verify(VerifySpec),
}

/// What a running job can reach: the executor, its own identity, counters and stop signal.
pub(crate) struct RunScope {
    pub inner: Arc<Inner>,
    pub info: RunInfo,
    pub progress: Arc<Progress>,
    pub cancel: CancellationToken,
}

impl Job {
    pub async fn execute(self, scope: &RunScope) -> RunOutcome {
        match self {
            Job::Backup(spec) => spec.run(scope).await,
            Job::Resume(spec) => spec.run(scope).await,
            Job::Restore(spec) => spec.run(scope).await,
            Job::Verify(spec) => spec.run(scope).await,
        }
    }
}

impl RunScope {
    /// The outcome for an engine error: `cancelled` (saying why) or `failed`.
    pub fn engine_failure(&self, error: &EngineError) -> RunOutcome {
        if error.is_cancelled() {
            RunOutcome::with(RunStatus::Cancelled, self.cancel_reason())
        } else {
            RunOutcome::with(RunStatus::Failed, error.to_string())
        }
    }

    pub fn cancel_reason(&self) -> &'static str {
        if self.inner.shutting_down() {
            "cancelled: the daemon is shutting down"
        } else {
            "cancelled on request"
        }
    }
}
