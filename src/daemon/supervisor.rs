//! What `tablevault serve` tells the service manager that runs it, and how it treats SIGHUP.
//!
//! Under systemd with `Type=notify` (deploy/systemd/tablevault.service), `NOTIFY_SOCKET` names
//! a unix datagram socket; the daemon sends `STATUS=` lines while it starts, `READY=1` once it
//! is bound and warmed up (catalog migrated, stores opened, metrics restored, scheduler
//! started), `STOPPING=1` when a shutdown begins, and `WATCHDOG=1` pings when the unit sets
//! `WatchdogSec=` (`WATCHDOG_USEC`). Without `NOTIFY_SOCKET` every call here does nothing, so
//! the same binary runs unchanged in a container or a terminal.
//!
//! SIGHUP reloads the config file's `[[schedules]]` once the daemon is built
//! ([`crate::schedules_as_code::hangup`]); everything else in the file (stores, sources,
//! tokens, listen address) is read once at start. The handler here is installed first thing,
//! so a SIGHUP during start-up does not kill the daemon (the signal's default action); the
//! schedules are reconciled at start anyway. The unit's `ExecReload=` sends SIGHUP.

use std::time::Duration;

use sd_notify::NotifyState;
use tokio::task::JoinHandle;

/// Sends `states` to the service manager, if there is one; a failure is logged, never fatal
/// (a missing status line must not stop backups).
fn notify(states: &[NotifyState]) {
    if let Err(e) = sd_notify::notify(states) {
        tracing::warn!(error = %e, "Cannot notify the service manager.");
    }
}

/// Start-up has begun (before the listener is bound and the catalog opened).
pub fn starting() {
    notify(&[NotifyState::Status(
        "Starting: opening the catalog and the stores.",
    )]);
}

/// The daemon is bound and warmed up: requests will be served.
pub fn ready(status: &str) {
    notify(&[NotifyState::Ready, NotifyState::Status(status)]);
}

/// A shutdown has begun; `grace` is the budget it has (`server.shutdown_grace_seconds`).
pub fn stopping(grace: Duration) {
    let status = format!(
        "Stopping: letting requests and runs finish (at most {} s).",
        grace.as_secs()
    );
    notify(&[NotifyState::Stopping, NotifyState::Status(&status)]);
}

/// Background duties for the daemon's lifetime: watchdog pings and the SIGHUP handler.
/// Dropping the guard stops them.
pub struct Duties {
    tasks: Vec<JoinHandle<()>>,
}

impl Drop for Duties {
    fn drop(&mut self) {
        for task in &self.tasks {
            task.abort();
        }
    }
}

/// Starts the watchdog pings (if the service manager asked for them) and the SIGHUP handler.
/// Call it first thing: the handler is installed before this returns, so a SIGHUP during the
/// start-up no longer kills the daemon (the signal's default action).
pub fn start_duties() -> Duties {
    let mut tasks = vec![tokio::spawn(ignore_hangups(hangups()))];
    if let Some(interval) = sd_notify::watchdog_enabled() {
        tasks.push(tokio::spawn(watchdog(interval)));
    }
    Duties { tasks }
}

/// Pings at half the watchdog interval, as sd_watchdog_enabled(3) recommends. The pings come
/// from a task on the same runtime as the API and the runs, so a wedged runtime stops them
/// and the service manager restarts the daemon.
async fn watchdog(interval: Duration) {
    tracing::info!(
        interval_ms = interval.as_millis() as u64,
        "Service manager watchdog enabled."
    );
    let mut ticks = tokio::time::interval((interval / 2).max(Duration::from_millis(10)));
    loop {
        ticks.tick().await;
        notify(&[NotifyState::Watchdog]);
    }
}

#[cfg(unix)]
type Hangups = Option<tokio::signal::unix::Signal>;
#[cfg(not(unix))]
type Hangups = Option<()>;

/// Installs the SIGHUP handler now (not when a task first runs).
#[cfg(unix)]
fn hangups() -> Hangups {
    use tokio::signal::unix::{signal, SignalKind};
    signal(SignalKind::hangup())
        .inspect_err(|e| tracing::warn!(error = %e, "Cannot handle SIGHUP."))
        .ok()
}

#[cfg(not(unix))]
fn hangups() -> Hangups {
    None
}

/// Keeps the handler installed; the reload itself is the daemon's (it logs each one).
#[cfg(unix)]
async fn ignore_hangups(hangups: Hangups) {
    let Some(mut hangups) = hangups else { return };
    while hangups.recv().await.is_some() {}
}

#[cfg(not(unix))]
async fn ignore_hangups(_: Hangups) {}
