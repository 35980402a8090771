//! Deleting the staged data of backups that will never be finished. A failed backup's data is
//! removed when it fails, but not if the store is what failed: a MongoDB down for longer than
//! `engine.store_retry_seconds` cannot drop the staged database either. The catalog knows the
//! backup is `failed`, so its data is garbage; this removes it once the store answers again,
//! at start-up (recovery) and every [`SWEEP_INTERVAL`] while the daemon runs.
//!
//! The pass itself is `deletion::sweep_abandoned_staged` (the one removal of staged data);
//! this is the loop the daemon runs it in.
//!
//! Staged data the catalog does not know is never touched: it may belong to a `tablevault
//! backup` command writing to the same store right now.

use std::time::Duration;

use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

use super::RunExecutor;

/// How often the daemon looks for staged data of failed backups. A store outage long enough
/// to leave some is rare, and the data only costs space until then.
pub const SWEEP_INTERVAL: Duration = Duration::from_secs(10 * 60);

/// Runs [`RunExecutor::sweep_abandoned_staged`] every `every` until `stop` is cancelled (the
/// daemon's shutdown token). The first pass is one interval after the start: recovery has
/// just done the same.
pub fn spawn_staged_sweeper(
    executor: RunExecutor,
    every: Duration,
    stop: CancellationToken,
) -> JoinHandle<()> {
    tokio::spawn(async move {
        let mut ticks = tokio::time::interval_at(tokio::time::Instant::now() + every, every);
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                () = stop.cancelled() => return,
                _ = ticks.tick() => {}
            }
            let swept = tokio::select! {
                () = stop.cancelled() => return,
                swept = executor.sweep_abandoned_staged() => swept,
            };
            if let Err(e) = swept {
                tracing::warn!(error = %e, "Staged sweep failed; trying again later.");
            }
        }
    })
}
