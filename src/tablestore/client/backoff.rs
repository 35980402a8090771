//! The client's retries: [`RetryBudget`] feeds the shared [`Backoff`] the real clock and a
//! random draw for one logical operation (all its HTTP attempts), shaped by the configured
//! [`RetryPolicy`].

use std::time::{Duration, Instant};

use super::config::RetryPolicy;
use crate::backoff::Backoff;

impl From<RetryPolicy> for Backoff {
    fn from(policy: RetryPolicy) -> Self {
        Backoff {
            max_elapsed: policy.max_elapsed,
            base_delay: policy.base_delay,
            max_delay: policy.max_delay,
            max_attempts: policy.max_attempts,
        }
    }
}

/// The retry state of one logical operation: when it started and how many attempts it made.
#[derive(Debug)]
pub struct RetryBudget {
    backoff: Backoff,
    started: Instant,
    attempts: u32,
}

impl RetryBudget {
    pub fn new(policy: RetryPolicy) -> Self {
        RetryBudget {
            backoff: policy.into(),
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

    /// The delay before the next attempt, or `None` when the budget is spent. The last
    /// attempt can still take up to one request timeout beyond `max_elapsed`.
    pub fn next_delay(&self) -> Option<Duration> {
        let unit: f64 = rand::random();
        self.backoff.next_delay(self.attempts, self.elapsed(), unit)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn never_policy_does_not_retry() {
        let backoff = Backoff::from(RetryPolicy::never());
        assert_eq!(backoff.next_delay(1, Duration::ZERO, 0.5), None);
    }

    #[test]
    fn the_policy_shapes_the_backoff() {
        let policy = RetryPolicy::default();
        let backoff = Backoff::from(policy);
        assert_eq!(backoff.ceiling(0), policy.base_delay);
        assert_eq!(backoff.max_elapsed, policy.max_elapsed);
        assert_eq!(backoff.max_attempts, policy.max_attempts);
    }
}
