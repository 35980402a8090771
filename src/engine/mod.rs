//! The sync engine: moves whole tables between Tablestore and a backup store, DataX-style but
//! async. Reader tasks scan split ranges → bounded channels → writer tasks write batches; the
//! bounded channels are the back-pressure that keeps memory flat whatever the table size.
//!
//! - [`restore`]: a published backup back into a Tablestore instance.
//! - [`verify`]: recompute a backup's checksums and compare with its manifest (and the source).

pub mod context;
pub mod error;
pub mod measure;
pub mod progress;
pub mod restore;
pub mod verify;

pub use context::RunContext;
pub use error::EngineError;
pub use measure::TableMeasure;
pub use progress::{Progress, ProgressSnapshot};
pub use restore::{run_restore, IfExists, RestoreJob, RestoreReport};
pub use verify::{run_verify, VerifyJob, VerifyReport};
