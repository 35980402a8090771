//! Crash consistency on the real `tablevault serve` binary: a daemon killed at an exact
//! instant (the test-only `TABLEVAULT_TEST_CRASH_AT` crash points abort the process there,
//! which a signal from outside could only hit by luck), or a MongoDB store down for longer
//! than the retry budget, then a restart on the same state. Recovery must leave runs, backups
//! and store contents agreeing. Run with `cargo test --test recovery`.

#[path = "../support/mod.rs"]
mod support;

mod api;
mod capture_kill;
mod capture_stopped;
mod crash_after_publish;
mod crash_in_retention;
mod mongo_outage;
mod rig;
