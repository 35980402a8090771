//! Waiting for something a test cannot be told about (another process's state, a store's
//! contents, a gauge recounted on its own task): poll with a deadline, never a fixed sleep.
//! The one polling loop of the integration tests; the first polls come quickly (most states
//! arrive within milliseconds), later ones back off so a slow wait costs little.

use std::future::Future;
use std::time::{Duration, Instant};

/// How long a wait on in-process state may take before the test fails.
pub const WAIT_LIMIT: Duration = Duration::from_secs(30);

/// The longest pause between two polls.
const MAX_PAUSE: Duration = Duration::from_millis(200);

/// Polls `check` until it returns `Ok`, for at most `limit`; panics naming `what` and the last
/// `Err` (the state seen instead) if it never does.
pub async fn poll_until<T, F, Fut>(what: &str, limit: Duration, check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, String>>,
{
    poll(what, limit, MAX_PAUSE, check).await
}

/// The loop: pauses start at 5 ms and double up to `max_pause`.
async fn poll<T, F, Fut>(what: &str, limit: Duration, max_pause: Duration, mut check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, String>>,
{
    let start = Instant::now();
    let mut pause = Duration::from_millis(5);
    loop {
        match check().await {
            Ok(value) => return value,
            Err(seen) => assert!(
                start.elapsed() < limit,
                "{what}: not within {limit:?}; last seen: {seen}"
            ),
        }
        tokio::time::sleep(pause).await;
        pause = (pause * 2).min(max_pause);
    }
}

/// Polls `check` until it returns `Some`, for at most `limit`; panics naming `what` if it
/// never does.
pub async fn eventually<T, F, Fut>(what: &str, limit: Duration, mut check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Option<T>>,
{
    poll_until(what, limit, || {
        let checked = check();
        async { checked.await.ok_or_else(|| "nothing yet".to_string()) }
    })
    .await
}

/// Polls a condition read without waiting (a counter, a progress snapshot) until it holds,
/// every 5 ms: the check is cheap, and a test that acts mid-run (cancels after the first
/// batches) must see the state before the run has moved far past it.
pub async fn wait_until(what: &str, limit: Duration, mut condition: impl FnMut() -> bool) {
    let check = || {
        std::future::ready(if condition() {
            Ok(())
        } else {
            Err("not yet".into())
        })
    };
    poll(what, limit, Duration::from_millis(5), check).await
}

/// [`wait_until`] for a test thread that is not async (a child process watched from
/// `spawn_blocking`): the same deadline and back-off, sleeping the thread.
pub fn block_until(what: &str, limit: Duration, mut condition: impl FnMut() -> Result<(), String>) {
    let start = Instant::now();
    let mut pause = Duration::from_millis(5);
    loop {
        match condition() {
            Ok(()) => return,
            Err(seen) => assert!(
                start.elapsed() < limit,
                "{what}: not within {limit:?}; last seen: {seen}"
            ),
        }
        std::thread::sleep(pause);
        pause = (pause * 2).min(MAX_PAUSE);
    }
}
