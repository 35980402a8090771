//! The run service: starts backups, restores, verifications and retention deletions as
//! recorded runs, with the daemon's concurrency rules. No HTTP here: the REST layer and the
//! scheduler call [`RunExecutor`].
//!
//! # Rules
//! - Never two runs of one schedule at once, never two runs touching the same table of a
//!   source at once, never a deletion of a backup being read: the newcomer is recorded as a
//!   `skipped` run with the reason ([`claims`]).
//! - At most [`ExecutorOptions::max_concurrent_runs`] runs at once; the others wait `queued`.
//! - Every run can be cancelled by id; the engine stops at a batch boundary.
//! - A run's progress is written every [`ExecutorOptions::progress_interval`]; its final
//!   status is `succeeded`, `failed` (with the error) or `cancelled` (with why).
//! - Telemetry goes through an [`Observer`]; this layer knows nothing of Prometheus.
//!
//! # Layout
//! - [`executor`]: [`RunExecutor`] (submit, cancel, shutdown); `driver`: one run's task;
//!   `records`: the active-run registry and the catalog writes all kinds share.
//! - `backup`, `restore`, `copy`, `retention`: the work of each kind; [`request`]: what callers ask.
//! - [`deletion`]: the one deletion of a backup (retention, the API, recovery) and the one
//!   removal of staged data (failed backups, start-up cleaning, the staged sweep).
//! - [`claims`]: exclusion (`held_claims`: claims held outside runs, e.g. the API's
//!   deletion of a backup); [`events`]: the observer; [`resources`]: sources and stores.
//! - [`recovery`]: start-up recovery (`interrupted_work`: settling what a dead process left);
//!   [`staged_sweep`]: staged data failed backups left in a store that was down.
//! - The executor is built by the daemon ([`crate::daemon`]) with the daemon's one shutdown
//!   token; the scheduler and the API hold handles to it.
//! - [`staged_sweep`]: deletes staged data failed backups left in an unreachable store;
//!   [`crash_point`]: test-only aborts at exact points, for recovery tests.

mod backup;
pub mod change_pruning;
pub mod claims;
mod copy;
pub mod crash_point;
pub mod deletion;
mod driver;
mod error;
pub mod events;
pub mod executor;
mod held_claims;
mod interrupted_work;
mod job;
mod job_context;
mod options;
mod records;
pub mod recovery;
mod recovery_report;
pub mod request;
pub mod resources;
mod restore;
mod resume;
mod retention;
pub mod staged_sweep;

pub use claims::Claim;
pub use deletion::{DeletionError, SweepReport};
pub use error::RunError;
pub use events::{ChannelObserver, Event, NoObserver, Observer, RunInfo, RunLabels};
pub use executor::{RunExecutor, ShutdownReport};
pub use held_claims::HeldClaims;
pub use options::ExecutorOptions;
pub use recovery::recover;
pub use recovery_report::{RecoveryReport, INTERRUPTED_REASON};
pub use request::{BackupRef, BackupRequest, CopyRequest, RestoreRequest, VerifyRequest};
pub use resources::{Resources, Source};
pub use staged_sweep::{spawn_staged_sweeper, SWEEP_INTERVAL};
