//! Test-only crash points. With `TABLEVAULT_TEST_CRASH_AT=<name>` in its environment, the
//! process aborts the first time it reaches the point called `<name>`: a kill -9 at an exact
//! instant, which a signal sent from outside can only hit by luck. Tests of start-up recovery
//! set it on the real binary; nothing else may. Without the variable a point costs one
//! `OnceLock` read.
//!
//! `std::process::abort` stands in for SIGKILL: no destructor runs, nothing is flushed, and
//! SQLite keeps only what was committed, exactly as after a kill.

use std::sync::OnceLock;

/// The variable naming the point to crash at. Test-only.
pub const CRASH_AT_VAR: &str = "TABLEVAULT_TEST_CRASH_AT";

/// A backup's manifest is published in the store; the catalog does not know yet.
pub const AFTER_PUBLISH: &str = "after_publish";
/// A deletion (`deletion::delete_backup`; in the recovery tests, retention's) marked a backup
/// `deleting`; the store still holds it and the rest of the plan is not started.
pub const RETENTION_DELETE: &str = "retention_delete";

/// Aborts the process if `TABLEVAULT_TEST_CRASH_AT` names `point`.
pub(crate) fn crash_point(point: &str) {
    static CRASH_AT: OnceLock<Option<String>> = OnceLock::new();
    let chosen = CRASH_AT.get_or_init(|| std::env::var(CRASH_AT_VAR).ok());
    if chosen.as_deref() == Some(point) {
        eprintln!("{CRASH_AT_VAR}={point}: aborting the process (test crash point).");
        std::process::abort();
    }
}
