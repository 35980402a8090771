//! Tests of `store_retry`: paused time, so waits and budgets cost nothing.

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
    assert!(took <= budget + ATTEMPT_FLOOR, "{took:?}");
    let retries = retries.load(Ordering::SeqCst);
    assert!(retries >= 3, "unanswered attempts are retried ({retries})");
}

#[test]
fn attempts_get_a_share_of_what_is_left_of_the_budget_and_at_least_the_floor() {
    let secs = Duration::from_secs;
    assert_eq!(attempt_limit(Duration::ZERO, Duration::ZERO), None);
    assert_eq!(attempt_limit(secs(60), Duration::ZERO), Some(secs(15)));
    assert_eq!(attempt_limit(secs(60), secs(50)), Some(secs(10)));
    assert_eq!(attempt_limit(secs(60), secs(58)), Some(ATTEMPT_FLOOR));
    assert_eq!(attempt_limit(secs(20), Duration::ZERO), Some(ATTEMPT_FLOOR));
    assert_eq!(attempt_limit(secs(20), secs(25)), Some(ATTEMPT_FLOOR));
    // A tiny budget never cuts a write short of the floor.
    assert_eq!(attempt_limit(secs(2), Duration::ZERO), Some(ATTEMPT_FLOOR));
}
