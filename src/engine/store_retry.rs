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
use crate::store::StoreError;
use crate::tablestore::client::backoff::next_delay;
use crate::tablestore::client::RetryPolicy;

/// The first backoff ceiling; it doubles per retry up to [`MAX_DELAY`].
const BASE_DELAY: Duration = Duration::from_millis(200);
/// The largest wait between two attempts: a store that comes back is used within seconds.
const MAX_DELAY: Duration = Duration::from_secs(5);
/// The least time an attempt gets, even when the budget is (nearly) spent: the last attempt
/// after the last wait must be able to answer at all.
const MIN_ATTEMPT: Duration = Duration::from_millis(500);
/// An attempt gets at most this share of the budget (so an unanswered one is retried within
/// it) but not less than [`ATTEMPT_FLOOR`]: a healthy batch write takes well under a second,
/// and a slow but working store must not be cut off.
const ATTEMPT_SHARE: u32 = 4;
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

/// How long the next attempt may take: a quarter of `budget` (at least [`ATTEMPT_FLOOR`]),
/// never more than what is left of it after `elapsed`, at least [`MIN_ATTEMPT`]; `None` (the
/// store's own timeouts) when retrying is off.
fn attempt_limit(budget: Duration, elapsed: Duration) -> Option<Duration> {
    if budget.is_zero() {
        return None;
    }
    let share = (budget / ATTEMPT_SHARE).max(ATTEMPT_FLOOR);
    Some(budget.saturating_sub(elapsed).min(share).max(MIN_ATTEMPT))
}

/// An attempt that outlived its limit: transient, like any unanswered request.
fn no_answer(limit: Duration) -> StoreError {
    StoreError::Unreachable(format!(
        "no answer within {:.1}s (the rest of engine.store_retry_seconds)",
        limit.as_secs_f64()
    ))
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

    /// A store that never answers (MongoDB's server selection waits 30 s): attempts are cut
    /// at a quarter of the budget and retried, and the retry gives up after the budget, not
    /// after one attempt's own timeout. Paused time: the guard elapses only if it hangs.
    #[tokio::test(start_paused = true)]
    async fn an_attempt_that_never_answers_is_cut_at_the_budget() {
        let stop = CancellationToken::new();
        let budget = Duration::from_secs(20);
        let started = tokio::time::Instant::now();
        let retries = AtomicU32::new(0);
        let on_retry = || {
            retries.fetch_add(1, Ordering::SeqCst);
        };
        let result = tokio::time::timeout(
            Duration::from_secs(3600),
            retry_store("write", budget, &stop, on_retry, std::future::pending),
        )
        .await
        .expect("the retry ends within the budget, not the store's timeout");
        let took = started.elapsed();
        match result {
            Err(RetryFailure::Failed { error, .. }) => {
                assert!(error.is_transient(), "{error}");
                assert!(error.to_string().contains("no answer within"), "{error}");
            }
            other => panic!("{other:?}"),
        }
        assert!(took >= budget, "{took:?}");
        assert!(took <= budget + MIN_ATTEMPT, "{took:?}");
        let retries = retries.load(Ordering::SeqCst);
        assert!(retries >= 3, "unanswered attempts are retried ({retries})");
    }

    #[test]
    fn attempts_get_a_share_of_the_budget_and_never_more_than_is_left() {
        let budget = Duration::from_secs(20);
        let secs = Duration::from_secs;
        assert_eq!(attempt_limit(Duration::ZERO, Duration::ZERO), None);
        assert_eq!(attempt_limit(secs(60), Duration::ZERO), Some(secs(15)));
        assert_eq!(attempt_limit(budget, Duration::ZERO), Some(secs(5)));
        assert_eq!(attempt_limit(budget, secs(17)), Some(secs(3)));
        assert_eq!(attempt_limit(budget, secs(25)), Some(MIN_ATTEMPT));
        assert_eq!(attempt_limit(secs(2), Duration::ZERO), Some(secs(2)));
    }
}
