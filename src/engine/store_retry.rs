//! Retrying store writes that failed for a reason that can pass: a MongoDB server restarting,
//! a replica set electing a new primary, a full disk being cleaned up. A backup of a large
//! table runs for hours; failing it on the first dropped connection would throw all of that
//! away, while a bounded retry usually rides it out.
//!
//! Retrying is safe because a store's `write_rows` is idempotent for a repeated batch (the
//! archive replaces a segment with the same first key, MongoDB upserts by `_id`), so a batch
//! that was partly written before the error never duplicates a row. For the same reason an
//! attempt may be cut short ([`attempt_limit`]): a store that does not answer would otherwise
//! hold one attempt for the driver's own timeout (MongoDB's server selection: 30 s) whatever
//! the budget says, and the outage would neither be retried nor show as retries.

use std::future::Future;
use std::time::Duration;

use tokio_util::sync::CancellationToken;

use super::error::EngineError;
use crate::backoff::Backoff;
use crate::store::StoreError;

/// The first backoff ceiling; it doubles per retry up to [`MAX_DELAY`].
const BASE_DELAY: Duration = Duration::from_millis(200);
/// The largest wait between two attempts: a store that comes back is used within seconds.
const MAX_DELAY: Duration = Duration::from_secs(5);
/// An attempt gets at most this share of the budget, so an unanswered one is retried within
/// it.
const ATTEMPT_SHARE: u32 = 4;
/// The least time an attempt gets, even from a small or nearly spent budget: a healthy batch
/// write takes well under a second, but a busy store can take seconds, and one that works
/// must not be cut off. So the whole retry ends within the budget plus this.
const ATTEMPT_FLOOR: Duration = Duration::from_secs(5);

/// Why a retried store operation ended without success.
#[derive(Debug)]
pub(super) enum RetryFailure {
    /// The error was permanent, or it was still failing when the budget ran out.
    Failed {
        error: StoreError,
        attempts: u32,
        elapsed: Duration,
    },
    /// The run stopped while waiting for the next attempt.
    Stopped,
}

impl RetryFailure {
    /// The engine error for a failed `what` ("writing table T range R"). A transient error
    /// that outlasted the retries says how long it was tried, and which setting bounds that.
    pub(super) fn into_engine_error(self, what: String, budget: Duration) -> EngineError {
        match self {
            RetryFailure::Stopped => EngineError::Cancelled,
            RetryFailure::Failed { error, .. } if !error.is_transient() => {
                EngineError::store(what, error)
            }
            RetryFailure::Failed {
                error,
                attempts,
                elapsed,
            } => {
                let plural = if attempts == 1 { "" } else { "s" };
                let context = format!(
                    "{what} (gave up after {attempts} attempt{plural} in {:.1}s; \
                     engine.store_retry_seconds = {})",
                    elapsed.as_secs_f64(),
                    budget.as_secs()
                );
                EngineError::store(context, error)
            }
        }
    }
}

/// Runs `attempt` until it succeeds, fails with a permanent error, or transient errors have
/// gone on for `budget`; waits with exponential backoff and full jitter in between, calling
/// `on_retry` before each wait. `stop` ends a wait at once (an attempt in flight is finished,
/// so a stop never leaves a write half done). Each attempt is limited to what is left of the
/// budget ([`attempt_limit`]); a zero budget means one attempt bounded by the store alone.
pub(super) async fn retry_store<F, Fut>(
    what: &str,
    budget: Duration,
    stop: &CancellationToken,
    on_retry: impl Fn(),
    mut attempt: F,
) -> Result<(), RetryFailure>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<(), StoreError>>,
{
    let backoff = Backoff {
        max_elapsed: budget,
        base_delay: BASE_DELAY,
        max_delay: MAX_DELAY,
        max_attempts: u32::MAX,
    };
    // Tokio's clock, not std's: tests run the waits on paused time.
    let started = tokio::time::Instant::now();
    let mut number = 0;
    loop {
        number += 1;
        let result = match attempt_limit(budget, started.elapsed()) {
            None => attempt().await,
            Some(limit) => tokio::time::timeout(limit, attempt())
                .await
                .unwrap_or_else(|_| Err(no_answer(limit))),
        };
        let error = match result {
            Ok(()) => {
                if number > 1 {
                    // An outage ridden out: no run fails, so only this line and the
                    // store-retries metric tell the operator it happened.
                    tracing::warn!(
                        what,
                        attempts = number,
                        outage_ms = started.elapsed().as_millis() as u64,
                        "Store write succeeded after retrying; the store was unavailable."
                    );
                }
                return Ok(());
            }
            Err(error) => error,
        };
        let elapsed = started.elapsed();
        let delay = match backoff.next_delay(number, elapsed, rand::random()) {
            Some(delay) if error.is_transient() => delay,
            _ => {
                return Err(RetryFailure::Failed {
                    error,
                    attempts: number,
                    elapsed,
                })
            }
        };
        tracing::warn!(
            what,
            attempt = number,
            delay_ms = delay.as_millis() as u64,
            %error,
            "Store write failed; retrying."
        );
        on_retry();
        tokio::select! {
            biased;
            _ = stop.cancelled() => return Err(RetryFailure::Stopped),
            _ = tokio::time::sleep(delay) => {}
        }
    }
}

/// How long the next attempt may take: a quarter of `budget`, no more than what is left of
/// it after `elapsed`, but always at least [`ATTEMPT_FLOOR`]; `None` (the store's own
/// timeouts) when retrying is off.
fn attempt_limit(budget: Duration, elapsed: Duration) -> Option<Duration> {
    if budget.is_zero() {
        return None;
    }
    let left = budget.saturating_sub(elapsed);
    Some((budget / ATTEMPT_SHARE).min(left).max(ATTEMPT_FLOOR))
}

/// An attempt that outlived its limit: transient, like any unanswered request.
fn no_answer(limit: Duration) -> StoreError {
    StoreError::Unreachable(format!(
        "no answer within {:.1}s (the rest of engine.store_retry_seconds)",
        limit.as_secs_f64()
    ))
}

#[cfg(test)]
#[path = "store_retry_tests.rs"]
mod tests;
