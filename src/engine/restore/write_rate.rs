//! The write rate of one restored table, adapted to the service's throttling (AIMD).
//!
//! A new table, or an instance near its capacity, answers a parallel restore with capacity
//! and busy errors (`OTSNotEnoughCapacityUnit`, `OTSCapacityUnitExhausted`, `OTSServerBusy`,
//! `OTSStorageServerBusy`, `OTSQuotaExhausted` on rows, `OTSOperationThrottled`). Each error
//! the client rides out costs a request, and a row it gives up on fails the restore, so the
//! table's writers share a limit on the batches in flight: halved when a batch met
//! throttling (at most once per batch generation, so one burst seen by many writers halves it
//! once), raised by one batch per limit's worth of clean batches, up to `engine.writers`.
//! A batch whose rows the client could not get through after all is sent again after
//! waiting, within [`THROTTLED_WAIT`]; only then does throttling fail the restore.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde::{Deserialize, Serialize};
use tokio::sync::Notify;

use crate::engine::Progress;
use crate::tablestore::client::{Client, ThrottleListener};

/// How long one batch may keep being throttled before the restore fails.
pub const THROTTLED_WAIT: Duration = Duration::from_secs(5 * 60);

/// What the write rate did during one table's restore (in the report).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct WriteRateReport {
    /// Batches that met throttling (capacity or busy errors), whether or not resent.
    pub throttled_batches: u64,
    /// Times the limit was halved / raised.
    pub decreases: u64,
    pub increases: u64,
    /// The allowed batches in flight: at the start (`engine.writers`), the lowest reached,
    /// and at the end.
    pub max_in_flight: u32,
    pub lowest_in_flight: u32,
    pub final_in_flight: u32,
}

#[derive(Debug)]
struct State {
    /// Allowed batches in flight; fractional so additive increase can be gradual.
    limit: f64,
    in_flight: u32,
    /// Bumped on every decrease; a batch started in an older generation cannot decrease again.
    generation: u64,
    report: WriteRateReport,
}

/// The shared limit of one table's writers.
#[derive(Debug)]
pub struct WriteRate {
    table: String,
    state: Mutex<State>,
    freed: Notify,
    progress: Arc<Progress>,
}

/// One batch's slot; give it back with [`WriteRate::finish`].
#[derive(Debug)]
pub struct Slot {
    generation: u64,
    throttled: Arc<AtomicBool>,
}

impl Slot {
    /// A client that marks this slot throttled whenever a request or row of it is.
    pub fn client(&self, client: &Client) -> Client {
        let flag = self.throttled.clone();
        let listener: ThrottleListener = Arc::new(move |_code: &str| {
            flag.store(true, Ordering::Relaxed);
        });
        client.clone().with_throttle_listener(listener)
    }

    pub fn was_throttled(&self) -> bool {
        self.throttled.load(Ordering::Relaxed)
    }
}

impl WriteRate {
    pub fn new(table: &str, writers: usize, progress: Arc<Progress>) -> Self {
        let max = u32::try_from(writers.max(1)).unwrap_or(u32::MAX);
        progress.set_write_rate(max);
        WriteRate {
            table: table.to_string(),
            state: Mutex::new(State {
                limit: f64::from(max),
                in_flight: 0,
                generation: 0,
                report: WriteRateReport {
                    max_in_flight: max,
                    lowest_in_flight: max,
                    final_in_flight: max,
                    ..WriteRateReport::default()
                },
            }),
            freed: Notify::new(),
            progress,
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Waits for a free slot under the current limit.
    pub async fn acquire(&self) -> Slot {
        loop {
            let freed = self.freed.notified();
            {
                let mut state = self.lock();
                if f64::from(state.in_flight) < state.limit.floor() {
                    state.in_flight += 1;
                    return Slot {
                        generation: state.generation,
                        throttled: Arc::new(AtomicBool::new(false)),
                    };
                }
            }
            freed.await;
        }
    }

    /// Gives the slot back and adapts the limit to whether its batch met throttling.
    pub fn finish(&self, slot: Slot) {
        let throttled = slot.was_throttled();
        let mut state = self.lock();
        state.in_flight = state.in_flight.saturating_sub(1);
        let max = f64::from(state.report.max_in_flight);
        let before = state.limit.floor() as u32;
        if throttled {
            state.report.throttled_batches += 1;
            if slot.generation == state.generation {
                state.generation += 1;
                state.limit = (state.limit / 2.0).floor().max(1.0);
                state.report.decreases += 1;
            }
        } else if state.limit < max {
            state.limit = (state.limit + 1.0 / state.limit.floor()).min(max);
        }
        let after = state.limit.floor() as u32;
        state.report.lowest_in_flight = state.report.lowest_in_flight.min(after);
        state.report.final_in_flight = after;
        if after > before {
            state.report.increases += 1;
        }
        drop(state);
        if after != before {
            self.progress.set_write_rate(after);
            if after < before {
                tracing::warn!(table = %self.table, batches_in_flight = after, "Write throttled by the service; fewer batches in flight.");
            } else {
                tracing::info!(table = %self.table, batches_in_flight = after, "No throttling; more batches in flight.");
            }
        }
        self.freed.notify_waiters();
    }

    pub fn report(&self) -> WriteRateReport {
        self.lock().report
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rate(writers: usize) -> WriteRate {
        WriteRate::new("t", writers, Arc::new(Progress::new()))
    }

    async fn batch(rate: &WriteRate, throttled: bool) {
        let slot = rate.acquire().await;
        slot.throttled.store(throttled, Ordering::Relaxed);
        rate.finish(slot);
    }

    #[tokio::test]
    async fn throttling_halves_the_limit_and_clean_batches_raise_it_back() {
        let rate = rate(8);
        batch(&rate, true).await;
        batch(&rate, true).await;
        assert_eq!(rate.report().final_in_flight, 2);
        for _ in 0..100 {
            batch(&rate, false).await;
        }
        let report = rate.report();
        assert_eq!(
            (report.lowest_in_flight, report.final_in_flight),
            (2, 8),
            "{report:?}"
        );
        assert_eq!((report.throttled_batches, report.decreases), (2, 2));
        assert_eq!(report.increases, 6);
    }

    #[tokio::test]
    async fn one_burst_seen_by_concurrent_batches_halves_once() {
        let rate = rate(4);
        let slots = [
            rate.acquire().await,
            rate.acquire().await,
            rate.acquire().await,
        ];
        for slot in slots {
            slot.throttled.store(true, Ordering::Relaxed);
            rate.finish(slot);
        }
        let report = rate.report();
        assert_eq!((report.decreases, report.final_in_flight), (1, 2));
        assert_eq!(report.throttled_batches, 3);
    }

    #[tokio::test]
    async fn the_limit_never_drops_below_one_batch() {
        let rate = rate(2);
        for _ in 0..5 {
            batch(&rate, true).await;
        }
        assert_eq!(rate.report().final_in_flight, 1);
        // A slot is still granted at the lowest limit.
        batch(&rate, false).await;
    }
}
