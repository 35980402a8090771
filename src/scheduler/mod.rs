//! The scheduler: fires the schedules kept in the catalog, as backup runs of the
//! [`crate::runs::RunExecutor`]. No HTTP here; the REST layer calls [`Scheduler`].
//!
//! # Design
//! - **Cron** ([`cron`]): 5-field (seconds = 0) or 6-field expressions, evaluated in each
//!   schedule's IANA zone with the DST rules documented there; parsed by `croner`.
//! - **Firing**: our own timer loop, not tokio-cron-scheduler's. That crate keeps its jobs in
//!   memory (ours live in SQLite, with `next_run_at` persisted), checks due jobs by polling
//!   `Utc::now()` every 500 ms (so it cannot be driven by a test clock), and has had TZ/DST
//!   bugs in exactly the path we need (issues #105, #107). We use its parser (`croner`) and
//!   own the loop: [`Scheduler::tick_once`] fires everything due at a given `now`; the loop
//!   calls it, then sleeps on the [`Clock`] until the earliest `next_run_at`, a change
//!   ([`Scheduler::notify`], called by every change method) or stop.
//! - **Time in tests**: a [`ManualClock`], not `tokio::time::pause()`, which cannot work with
//!   the sqlx catalog (see [`clock`]).
//! - **Missed ticks**: a due schedule fires once however many ticks passed; at start, a tick
//!   missed while the daemon was down gets at most one `catch_up` run
//!   ([`SchedulerOptions::catch_up`]), otherwise a `skipped` record.
//! - **Overlap, table conflicts, the global limit**: the executor's rules; a tick that would
//!   overlap is recorded as a `skipped` run with the reason.
//! - **Pause / resume / run-now**: pause clears `next_run_at`; resume sets it to the next tick
//!   after now (no immediate run); run-now starts a manual run and leaves `next_run_at` alone.
//! - **Lifecycle** ([`Scheduler::start`], [`Scheduler::shutdown`]): recovery (the run
//!   service's, [`crate::runs::recover`]), catch-up, loop; the loop ends when the daemon's
//!   shutdown token (the executor's) is cancelled; on SIGTERM stop firing, give runs a grace
//!   period, cancel the rest, record their state.
//! - **Ownership**: the scheduler holds a handle to the daemon's [`crate::runs::RunExecutor`]
//!   and submits to it; it does not own it (a restore through the API never passes here).

pub mod clock;
pub mod cron;
mod error;
mod options;
mod service;
mod tick;
mod timer;

pub use clock::{catalog_clock, Clock, ManualClock, SystemClock};
pub use cron::{CronError, CronSchedule};
pub use error::SchedulerError;
pub use options::SchedulerOptions;
pub use service::{ScheduleTiming, Scheduler};
pub use tick::TickReport;
pub use timer::StartReport;
