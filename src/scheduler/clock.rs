//! Where the scheduler's "now" comes from, and how it waits for a moment to arrive.
//!
//! Tests cannot use `tokio::time::pause()` here: sqlx wraps every pool acquire in a tokio
//! timeout, and paused time auto-advances to that timeout whenever the runtime waits on the
//! SQLite worker thread, so every catalog query fails with `PoolTimedOut` (measured with the
//! real catalog). A [`ManualClock`] gives the same determinism the other way round: time
//! stands still until the test moves it, and only the scheduler's own waits observe it.

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use futures::future::BoxFuture;
use tokio::sync::watch;

/// Wall-clock time for the scheduler.
pub trait Clock: Send + Sync + 'static {
    fn now(&self) -> DateTime<Utc>;

    /// Completes once [`Clock::now`] has reached `deadline` (possibly later; never earlier).
    fn sleep_until(&self, deadline: DateTime<Utc>) -> BoxFuture<'static, ()>;
}

/// The system clock. Waits are cut into pieces of at most [`SystemClock::MAX_WAIT`] so a wall
/// clock that jumps (NTP, a suspended VM) is noticed within that time instead of after a long
/// monotonic sleep computed from the old reading.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl SystemClock {
    pub const MAX_WAIT: Duration = Duration::from_secs(30);
}

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }

    fn sleep_until(&self, deadline: DateTime<Utc>) -> BoxFuture<'static, ()> {
        Box::pin(async move {
            loop {
                let left = deadline - Utc::now();
                let Ok(left) = left.to_std() else { return };
                if left.is_zero() {
                    return;
                }
                tokio::time::sleep(left.min(Self::MAX_WAIT)).await;
            }
        })
    }
}

/// A clock that moves only when told to; for tests and simulations. Clones share the time.
#[derive(Debug, Clone)]
pub struct ManualClock {
    now: Arc<watch::Sender<DateTime<Utc>>>,
}

impl ManualClock {
    pub fn new(start: DateTime<Utc>) -> Self {
        ManualClock {
            now: Arc::new(watch::Sender::new(start)),
        }
    }

    /// Moves time to `at` (never backwards: a later `at` than now is required to wake sleepers).
    pub fn set(&self, at: DateTime<Utc>) {
        self.now.send_modify(|now| *now = (*now).max(at));
    }

    pub fn advance(&self, by: chrono::Duration) {
        self.now.send_modify(|now| *now += by);
    }
}

impl Clock for ManualClock {
    fn now(&self) -> DateTime<Utc> {
        *self.now.borrow()
    }

    fn sleep_until(&self, deadline: DateTime<Utc>) -> BoxFuture<'static, ()> {
        let mut rx = self.now.subscribe();
        Box::pin(async move {
            if rx.wait_for(|now| *now >= deadline).await.is_err() {
                // The clock is gone: time will never reach the deadline.
                std::future::pending::<()>().await;
            }
        })
    }
}

/// A [`Clock`] as the catalog's timestamp source, so run and backup stamps agree with the
/// scheduler's notion of now.
pub fn catalog_clock(clock: Arc<dyn Clock>) -> impl Fn() -> DateTime<Utc> + Send + Sync + 'static {
    move || clock.now()
}
