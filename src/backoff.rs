//! Exponential backoff with full jitter: the one backoff both the Tablestore client (every
//! HTTP attempt of a request) and the engine (store writes, `engine::store_retry`) wait with.
//!
//! A pure function of the shape, the attempts made, the time elapsed and a random draw in
//! `[0, 1)`, so it is unit-tested without clocks; each caller brings its own clock (the
//! client std's, the engine tokio's, so its tests run on paused time) and its own limits on
//! an attempt. Not `backon`: its jitter adds a random share on top of the delay, where full
//! jitter draws the whole delay from `[0, ceiling]` (what the fault tests and the budgets were
//! sized for), and neither caller's time budget maps onto it without the same arithmetic.

use std::time::Duration;

/// How the waits between attempts grow and when retrying stops.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Backoff {
    /// No retry starts after this much time has passed since the first attempt.
    pub max_elapsed: Duration,
    /// The delay ceiling before the first retry; it doubles with every retry.
    pub base_delay: Duration,
    /// The largest delay ceiling.
    pub max_delay: Duration,
    /// Attempts in total, the first one included (1 = never retry).
    pub max_attempts: u32,
}

impl Backoff {
    /// The ceiling of the delay before retry number `retry` (0 = the first retry):
    /// `min(max_delay, base_delay · 2^retry)`.
    pub fn ceiling(&self, retry: u32) -> Duration {
        let factor = 2u32.checked_pow(retry.min(31)).unwrap_or(u32::MAX);
        self.base_delay
            .checked_mul(factor)
            .map_or(self.max_delay, |d| d.min(self.max_delay))
    }

    /// Full jitter: a uniformly random delay in `[0, ceiling]`; `unit` is the draw in `[0, 1)`.
    pub fn jittered(&self, retry: u32, unit: f64) -> Duration {
        self.ceiling(retry).mul_f64(unit.clamp(0.0, 1.0))
    }

    /// Whether to retry after `attempts_made` attempts and `elapsed` time, and after which
    /// delay.
    ///
    /// `None` once the attempts are used up or the time budget is spent. The delay is cut so
    /// that no retry starts after `max_elapsed`; the last attempt can still take as long as
    /// the caller lets one attempt take, which bounds an operation's total time.
    pub fn next_delay(&self, attempts_made: u32, elapsed: Duration, unit: f64) -> Option<Duration> {
        if attempts_made >= self.max_attempts || elapsed >= self.max_elapsed {
            return None;
        }
        let delay = self.jittered(attempts_made.saturating_sub(1), unit);
        Some(delay.min(self.max_elapsed - elapsed))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn backoff() -> Backoff {
        Backoff {
            max_elapsed: Duration::from_secs(10),
            base_delay: Duration::from_millis(100),
            max_delay: Duration::from_secs(1),
            max_attempts: 5,
        }
    }

    #[test]
    fn ceiling_doubles_then_caps() {
        let b = backoff();
        let ceilings: Vec<u128> = (0..6).map(|n| b.ceiling(n).as_millis()).collect();
        assert_eq!(ceilings, [100, 200, 400, 800, 1000, 1000]);
        assert_eq!(
            b.ceiling(200),
            b.max_delay,
            "huge exponents must not overflow"
        );
    }

    #[test]
    fn full_jitter_spans_zero_to_the_ceiling() {
        let b = backoff();
        assert_eq!(b.jittered(2, 0.0), Duration::ZERO);
        assert_eq!(b.jittered(2, 0.5), Duration::from_millis(200));
        assert_eq!(b.jittered(2, 1.0), Duration::from_millis(400));
        assert_eq!(
            b.jittered(2, 7.0),
            Duration::from_millis(400),
            "draw is clamped"
        );
    }

    #[test]
    fn first_retry_uses_the_base_delay() {
        let b = backoff();
        assert_eq!(b.next_delay(1, Duration::ZERO, 1.0), Some(b.base_delay));
        assert_eq!(
            b.next_delay(3, Duration::ZERO, 1.0),
            Some(Duration::from_millis(400))
        );
    }

    #[test]
    fn stops_after_max_attempts() {
        let b = backoff();
        assert!(b.next_delay(4, Duration::ZERO, 0.5).is_some());
        assert_eq!(b.next_delay(5, Duration::ZERO, 0.5), None);
    }

    #[test]
    fn stops_when_time_is_spent_and_never_sleeps_past_the_budget() {
        let b = backoff();
        assert_eq!(b.next_delay(1, Duration::from_secs(10), 0.0), None);
        let almost = Duration::from_millis(9_950);
        assert_eq!(
            b.next_delay(4, almost, 1.0),
            Some(Duration::from_millis(50))
        );
    }
}
