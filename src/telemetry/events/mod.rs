//! Telemetry events: one type per notable occurrence, whose `emit` both logs it (a capitalised
//! sentence, fields first) and updates the metrics. This is the only place where metric values
//! change, so logs and metrics cannot drift apart.

mod backup;
mod capture;
mod copy;
mod dependencies;
mod runs;

pub use backup::{
    BackupFinished, BackupsCounted, LastFailureRestored, LastSuccessRestored, NextRunPlanned,
    RetentionDeleted,
};
pub use capture::{CaptureFailed, CaptureGapRecorded, CaptureStepped};
pub use copy::{CopyFinished, LastCopyRestored};
pub use dependencies::{
    tablestore_observer, RestoreWriteRate, StoreChecked, StoreRetried, TablestoreRequest,
};
pub use runs::{RestoreFinished, RunInProgress, RunSkipped, RunStarted};
