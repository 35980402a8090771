//! Scheduler and run executor tests: real SQLite catalogs in temp dirs, the in-process
//! Tablestore emulator and an archive store in a temp dir; time from a `ManualClock`.

#[path = "../support/mod.rs"]
mod support;

mod backups;
mod control;
mod cron;
mod firing;
mod gate;
mod helpers;
mod recovery;
mod shutdown;
mod staged_sweep;
