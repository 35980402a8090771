//! Retrying store writes that failed for a reason that can pass: a MongoDB server restarting,
//! a replica set electing a new primary, a full disk being cleaned up. A backup of a large
//! table runs for hours; failing it on the first dropped connection would throw all of that
//! away, while a bounded retry usually rides it out.
//!
//! Retrying is safe because a store's `write_rows` is idempotent for a repeated batch (the
//! archive replaces a segment with the same first key, MongoDB upserts by `_id`), so a batch
//! that was partly written before the error never duplicates a row.

use std::future::Future;
use std::time::Duration;

use tokio_util::sync::CancellationToken;

use super::error::EngineError;
use crate::store::StoreError;
use crate::tablestore::client::backoff::next_delay;
use crate::tablestore::client::RetryPolicy;

/// The first backoff ceiling; it doubles per retry up to [`MAX_DELAY`].
const BASE_DELAY: Duration = Duration::from_millis(200);
/// The largest wait between two attempts: a store that comes back is used within seconds.
const MAX_DELAY: Duration = Duration::from_secs(5);

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
/// `on_retry` before each wait. `stop` ends a wait at once. An attempt in flight is never cut short (a store write is never left
/// half done); the stores' own timeouts bound it.
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
    let policy = RetryPolicy {
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
        let error = match attempt().await {
            Ok(()) => {
                if number > 1 {
                    tracing::info!(
                        what,
                        attempts = number,
                        "Store write succeeded after retrying."
                    );
                }
                return Ok(());
            }
            Err(error) => error,
        };
        let elapsed = started.elapsed();
        let delay = match next_delay(&policy, number, elapsed, rand::random()) {
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

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicU32, Ordering};

    use super::*;

    fn unreachable() -> StoreError {
        StoreError::Unreachable("connection refused".into())
    }

    #[tokio::test(start_paused = true)]
    async fn transient_errors_are_retried_until_success() {
        let calls = AtomicU32::new(0);
        let retries = AtomicU32::new(0);
        let stop = CancellationToken::new();
        let on_retry = || {
            retries.fetch_add(1, Ordering::SeqCst);
        };
        let result = retry_store(
            "write",
            Duration::from_secs(60),
            &stop,
            on_retry,
            || async {
                match calls.fetch_add(1, Ordering::SeqCst) {
                    0..=2 => Err(unreachable()),
                    _ => Ok(()),
                }
            },
        )
        .await;
        assert!(result.is_ok(), "{result:?}");
        assert_eq!(calls.load(Ordering::SeqCst), 4);
        assert_eq!(retries.load(Ordering::SeqCst), 3);
    }

    #[tokio::test(start_paused = true)]
    async fn permanent_errors_fail_at_once() {
        let calls = AtomicU32::new(0);
        let stop = CancellationToken::new();
        let result = retry_store(
            "write",
            Duration::from_secs(60),
            &stop,
            || {},
            || async {
                calls.fetch_add(1, Ordering::SeqCst);
                Err(StoreError::InvalidId("..".into()))
            },
        )
        .await;
        assert!(
            matches!(
                result,
                Err(RetryFailure::Failed {
                    error: StoreError::InvalidId(_),
                    attempts: 1,
                    ..
                })
            ),
            "{result:?}"
        );
        assert_eq!(calls.load(Ordering::SeqCst), 1);
    }

    /// With paused time the waits advance the clock instantly, so the budget is what ends it.
    #[tokio::test(start_paused = true)]
    async fn transient_errors_give_up_when_the_budget_is_spent() {
        let stop = CancellationToken::new();
        let budget = Duration::from_secs(30);
        let result = retry_store(
            "write",
            budget,
            &stop,
            || {},
            || async { Err(unreachable()) },
        )
        .await;
        match result {
            Err(RetryFailure::Failed {
                error,
                attempts,
                elapsed,
            }) => {
                assert!(error.is_transient());
                assert!(attempts > 3, "{attempts} attempts");
                assert!(elapsed >= budget, "{elapsed:?}");
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn failures_name_the_attempts_only_for_transient_errors() {
        let what = || "writing table t range 3".to_string();
        let budget = Duration::from_secs(60);
        let gave_up = RetryFailure::Failed {
            error: unreachable(),
            attempts: 7,
            elapsed: Duration::from_millis(60_400),
        };
        assert_eq!(
            gave_up.into_engine_error(what(), budget).to_string(),
            "writing table t range 3 (gave up after 7 attempts in 60.4s; \
             engine.store_retry_seconds = 60): store is unreachable: connection refused"
        );
        let permanent = RetryFailure::Failed {
            error: StoreError::InvalidTableName("a/b".into()),
            attempts: 1,
            elapsed: Duration::ZERO,
        };
        assert_eq!(
            permanent.into_engine_error(what(), budget).to_string(),
            "writing table t range 3: invalid table name \"a/b\""
        );
        let stopped = RetryFailure::Stopped.into_engine_error(what(), budget);
        assert!(stopped.is_cancelled());
    }

    #[tokio::test(start_paused = true)]
    async fn no_budget_means_no_retry() {
        let calls = AtomicU32::new(0);
        let stop = CancellationToken::new();
        let result = retry_store(
            "write",
            Duration::ZERO,
            &stop,
            || {},
            || async {
                calls.fetch_add(1, Ordering::SeqCst);
                Err(unreachable())
            },
        )
        .await;
        assert!(matches!(
            result,
            Err(RetryFailure::Failed { attempts: 1, .. })
        ));
        assert_eq!(calls.load(Ordering::SeqCst), 1);
    }

    #[tokio::test(start_paused = true)]
    async fn a_stop_ends_the_wait() {
        let calls = AtomicU32::new(0);
        let stop = CancellationToken::new();
        let result = retry_store(
            "write",
            Duration::from_secs(3600),
            &stop,
            || {},
            || async {
                if calls.fetch_add(1, Ordering::SeqCst) == 2 {
                    stop.cancel();
                }
                Err(unreachable())
            },
        )
        .await;
        assert!(matches!(result, Err(RetryFailure::Stopped)), "{result:?}");
        assert_eq!(calls.load(Ordering::SeqCst), 3);
    }
}
