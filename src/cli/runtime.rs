//! The tokio runtime every command runs on, and how it ends.
//!
//! Dropping a runtime waits, without limit, for every task still on its blocking pool. When a
//! command's future has returned, nothing awaits those tasks any more: a DNS lookup, or a file
//! write of a run the daemon abandoned at its shutdown deadline (start-up recovery treats that
//! run like one cut off by a crash). Waiting for them only kept the process alive after
//! `Stopped.`, so [`finish`] gives them a short moment and then exits without them.

use std::time::Duration;

use tokio::runtime::Runtime;

/// How long work left on the blocking pool may still finish before the process exits.
pub const LEFTOVER_WORK_GRACE: Duration = Duration::from_millis(200);

pub fn build() -> std::io::Result<Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
}

/// Shuts `runtime` down without waiting for leftover blocking work past
/// [`LEFTOVER_WORK_GRACE`].
pub fn finish(runtime: Runtime) {
    runtime.shutdown_timeout(LEFTOVER_WORK_GRACE);
}

#[cfg(test)]
mod tests {
    use std::sync::mpsc;
    use std::time::Instant;

    use super::*;

    /// What dropping the runtime did: wait until the blocked task gave up (a minute here).
    const BLOCKED_FOR: Duration = Duration::from_secs(60);

    #[test]
    fn blocking_work_nobody_awaits_does_not_hold_the_exit() {
        let runtime = build().unwrap();
        let (release, blocked) = mpsc::channel::<()>();
        let (started, has_started) = mpsc::channel();
        runtime.spawn_blocking(move || {
            started.send(()).unwrap();
            let _ = blocked.recv_timeout(BLOCKED_FOR);
        });
        has_started.recv().unwrap();

        let start = Instant::now();
        finish(runtime);

        let waited = start.elapsed();
        drop(release);
        assert!(waited < BLOCKED_FOR / 2, "finish waited {waited:?}");
    }
}
