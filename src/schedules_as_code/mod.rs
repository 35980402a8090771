//! Schedules as code (issue 14): the config file's `[[schedules]]` reconciled with the
//! catalog at start, on `POST /api/v1/reload` (admin) and on SIGHUP.
//!
//! - [`plan`]: what a reconciliation would do, decided from the file and the catalog alone
//!   (pure): create the missing, update those whose entry changed in the file, leave the rest,
//!   and for a config-managed schedule no longer in the file pause-and-flag it, or delete it
//!   (its backups stay) with `[scheduler] prune = true`. Schedules created through the API are
//!   never paused or deleted; one whose name appears in the file is adopted by it.
//! - [`SchedulesFile`] (`apply.rs`): the daemon's handle that carries a plan out, one
//!   reconciliation at a time, and reloads the file: a file that does not load, or names a
//!   source or store the running daemon does not have, changes nothing.
//! - [`hangup`]: SIGHUP reloads.
//!
//! Only `[[schedules]]` (and `[scheduler] prune`) take effect at a reload; every other
//! section is read at start.

mod apply;
mod error;
pub mod hangup;
pub mod plan;

pub use apply::{ReconcileReport, SchedulesFile};
pub use error::ReloadError;
