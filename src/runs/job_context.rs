//! What a run kind's module is given: [`JobContext`] while its run executes, and what it
//! hands back when asked to prepare one ([`Submission`]). Plain data, so each kind sees the
//! catalog, stores, observer and stop signals it needs and nothing of the executor.

use std::sync::Arc;

use tokio_util::sync::CancellationToken;

use super::claims::Claim;
use super::events::{Event, RunInfo, RunLabels};
use super::records::RunRecords;
use super::{ExecutorOptions, Resources};
use crate::catalog::{Catalog, NewRun, RunOutcome, RunStatus};
use crate::engine::{EngineError, Progress};

/// A run about to be recorded: its catalog row, metric labels, claims and the work itself
/// (`S` is the kind's spec; the executor wraps it in its [`super::job::Job`]).
pub(crate) struct Submission<S> {
    pub new: NewRun,
    pub labels: RunLabels,
    pub claims: Vec<Claim>,
    pub spec: S,
}

impl<S> Submission<S> {
    pub fn map<T>(self, wrap: impl FnOnce(S) -> T) -> Submission<T> {
        Submission {
            new: self.new,
            labels: self.labels,
            claims: self.claims,
            spec: wrap(self.spec),
        }
    }
}

/// What a running job can reach: the run records (catalog, observer, shutdown), the sources
/// and stores, the options, its own identity, counters and stop signal.
pub(crate) struct JobContext {
    pub records: Arc<RunRecords>,
    pub resources: Resources,
    pub options: ExecutorOptions,
    pub info: RunInfo,
    pub progress: Arc<Progress>,
    pub cancel: CancellationToken,
}

impl JobContext {
    pub fn catalog(&self) -> &Catalog {
        self.records.catalog()
    }

    pub fn emit(&self, event: &Event) {
        self.records.emit(event);
    }

    /// The outcome for an engine error: `cancelled` (saying why) or `failed`.
    pub fn engine_failure(&self, error: &EngineError) -> RunOutcome {
        if error.is_cancelled() {
            RunOutcome::with(RunStatus::Cancelled, self.cancel_reason())
        } else {
            RunOutcome::with(RunStatus::Failed, error.to_string())
        }
    }

    pub fn cancel_reason(&self) -> &'static str {
        if self.records.shutting_down() {
            "cancelled: the daemon is shutting down"
        } else {
            "cancelled on request"
        }
    }
}
