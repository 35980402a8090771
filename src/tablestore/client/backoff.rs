//! Exponential backoff with full jitter.
//!
//! The decision is a pure function of the policy, the attempts made, the time elapsed and a
//! random number in `[0, 1)`, so it is unit-tested without clocks. [`RetryBudget`] feeds it the
//! real clock and a random number for one logical operation (all its HTTP attempts).

use std::time::{Duration, Instant};

use super::config::RetryPolicy;

/// The ceiling of the delay before retry number `retry` (0 = the first retry):
/// `min(max_delay, base_delay · 2^retry)`.
pub fn delay_ceiling(policy: &RetryPolicy, retry: u32) -> Duration {
    let factor = 2u32.checked_pow(retry.min(31)).unwrap_or(u32::MAX);
    policy
        .base_delay
        .checked_mul(factor)
        .map_or(policy.max_delay, |d| d.min(policy.max_delay))
}

/// Full jitter: a uniformly random delay in `[0, ceiling]`; `unit` is the random draw in `[0, 1)`.
pub fn jittered_delay(policy: &RetryPolicy, retry: u32, unit: f64) -> Duration {
    delay_ceiling(policy, retry).mul_f64(unit.clamp(0.0, 1.0))
}

/// Whether to retry after `attempts_made` attempts and `elapsed` time, and after which delay.
///
/// `None` once the attempts are used up or the time budget is spent. The delay is cut so that
/// no retry starts after `max_elapsed`; the last attempt can still take up to one request
/// timeout beyond it, which bounds an operation's total time.
pub fn next_delay(
    policy: &RetryPolicy,
    attempts_made: u32,
    elapsed: Duration,
    unit: f64,
) -> Option<Duration> {
    if attempts_made >= policy.max_attempts || elapsed >= policy.max_elapsed {
        return None;
    }
    let delay = jittered_delay(policy, attempts_made.saturating_sub(1), unit);
    Some(delay.min(policy.max_elapsed - elapsed))
}

/// The retry state of one logical operation: when it started and how many attempts it made.
#[derive(Debug)]
pub struct RetryBudget {
    policy: RetryPolicy,
    started: Instant,
    attempts: u32,
}

impl RetryBudget {
    pub fn new(policy: RetryPolicy) -> Self {
        RetryBudget {
            policy,
            started: Instant::now(),
            attempts: 0,
        }
    }

    /// Records that an attempt is being made; returns its 1-based number.
    pub fn start_attempt(&mut self) -> u32 {
        self.attempts += 1;
        self.attempts
    }

    pub fn attempts(&self) -> u32 {
        self.attempts
    }

    pub fn elapsed(&self) -> Duration {
        self.started.elapsed()
    }

    /// The delay before the next attempt, or `None` when the budget is spent.
    pub fn next_delay(&self) -> Option<Duration> {
        let unit: f64 = rand::random();
        next_delay(&self.policy, self.attempts, self.elapsed(), unit)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy() -> RetryPolicy {
        RetryPolicy {
            max_elapsed: Duration::from_secs(10),
            base_delay: Duration::from_millis(100),
            max_delay: Duration::from_secs(1),
            max_attempts: 5,
        }
    }

    #[test]
    fn ceiling_doubles_then_caps() {
        let p = policy();
        let ceilings: Vec<u128> = (0..6).map(|n| delay_ceiling(&p, n).as_millis()).collect();
        assert_eq!(ceilings, [100, 200, 400, 800, 1000, 1000]);
        assert_eq!(
            delay_ceiling(&p, 200),
            p.max_delay,
            "huge exponents must not overflow"
        );
    }

    #[test]
    fn full_jitter_spans_zero_to_the_ceiling() {
        let p = policy();
        assert_eq!(jittered_delay(&p, 2, 0.0), Duration::ZERO);
        assert_eq!(jittered_delay(&p, 2, 0.5), Duration::from_millis(200));
        assert_eq!(jittered_delay(&p, 2, 1.0), Duration::from_millis(400));
        assert_eq!(
            jittered_delay(&p, 2, 7.0),
            Duration::from_millis(400),
            "draw is clamped"
        );
    }

    #[test]
    fn first_retry_uses_the_base_delay() {
        let p = policy();
        assert_eq!(next_delay(&p, 1, Duration::ZERO, 1.0), Some(p.base_delay));
        assert_eq!(
            next_delay(&p, 3, Duration::ZERO, 1.0),
            Some(Duration::from_millis(400))
        );
    }

    #[test]
    fn stops_after_max_attempts() {
        let p = policy();
        assert!(next_delay(&p, 4, Duration::ZERO, 0.5).is_some());
        assert_eq!(next_delay(&p, 5, Duration::ZERO, 0.5), None);
    }

    #[test]
    fn stops_when_time_is_spent_and_never_sleeps_past_the_budget() {
        let p = policy();
        assert_eq!(next_delay(&p, 1, Duration::from_secs(10), 0.0), None);
        let almost = Duration::from_millis(9_950);
        assert_eq!(
            next_delay(&p, 4, almost, 1.0),
            Some(Duration::from_millis(50))
        );
    }

    #[test]
    fn never_policy_does_not_retry() {
        assert_eq!(
            next_delay(&RetryPolicy::never(), 1, Duration::ZERO, 0.5),
            None
        );
    }
}
