//! The sync engine: moves whole tables between Tablestore and a backup store, DataX-style but
//! async. Reader tasks scan split ranges → bounded channels → writer tasks write batches; the
//! bounded channels are the back-pressure that keeps memory flat whatever the table size.
//!
//! # Layout
//! - `backup`: [`run_backup`] and [`resume_backup`] (plan → stage → execute → publish/abort).
//! - `run`, `reader`, `writer`: one execution of a plan by reader and writer tasks;
//!   `store_retry`: how writers ride out a store that is briefly unreachable.
//! - `plan`: the plan and per-range state documents kept in a staged backup for resuming.
//! - `throttle`: the rows/s and bytes/s limits; `backup_id`: time-sortable ids.
//! - `job`, `error`, `progress`: the inputs, the error, and the live counters.
//! - [`restore`]: [`run_restore`], a published backup back into a Tablestore instance.
//! - [`verify`]: [`run_verify`], recompute a backup's checksums and compare with its manifest
//!   (and the live source); [`measure`]: the per-table measure both use.
//! - [`copy`]: [`run_copy`], a published backup into a second store, verified against its
//!   manifest before and after publishing.
//! - [`controls`]: [`RunControls`], the tuning, live counters and stop signal a restore,
//!   verify or measure run shares with its caller ([`BackupIo`] for a backup).

mod backup;
pub mod backup_id;
mod backup_job;
pub mod controls;
pub mod copy;
mod error;
pub mod measure;
mod pipeline;
pub mod plan;
pub mod progress;
mod reader;
pub mod restore;
mod store_retry;
pub mod throttle;
pub mod verify;
mod writer;

pub use backup::{resume_backup, run_backup};
pub use backup_id::{backup_id_at, backup_id_time, new_backup_id};
pub use backup_job::{BackupIo, BackupJob, BackupOutcome};
pub use controls::RunControls;
pub use copy::{run_copy, CopyJob};
pub use error::EngineError;
pub use measure::TableMeasure;
pub use plan::{BackupPlan, RangeState};
pub use progress::{Progress, ProgressSnapshot};
pub use restore::{
    run_restore, IfExists, RestoreJob, RestoreReport, RestoreSettings, WriteRateReport,
};
pub use verify::{run_verify, VerifyJob, VerifyReport};
