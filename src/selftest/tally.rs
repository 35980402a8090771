//! Counting what the instance answered, through the client's per-attempt observer: requests,
//! retries and error codes, so the report can say which instance behaviours the run met
//! (throttling, a table not yet ready, timeouts) and in which step.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use serde::Serialize;

use crate::tablestore::client::{Observer, RequestOutcome, OUTCOME_OK};
use crate::tablestore::codes;

/// Codes the service answers when it wants the client to slow down.
const THROTTLING: [&str; 4] = [
    codes::SERVER_BUSY,
    codes::NOT_ENOUGH_CAPACITY,
    codes::QUOTA_EXHAUSTED,
    codes::OPERATION_THROTTLED,
];

/// What the instance answered, in total or during one step.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Answers {
    /// HTTP attempts.
    pub requests: u64,
    /// Attempts that were a retry of an earlier one.
    pub retries: u64,
    /// Attempts answered with a throttling code (busy, capacity, quota).
    pub throttled: u64,
    /// Every non-OK outcome by code (OTS code or transport class), except
    /// `OTSObjectNotExist`: checking that a table does not exist yet answers it by design.
    pub errors: BTreeMap<String, u64>,
}

impl Answers {
    fn add(&mut self, outcome: &RequestOutcome) {
        self.requests += 1;
        if outcome.attempt > 1 {
            self.retries += 1;
        }
        if outcome.code != OUTCOME_OK && outcome.code != codes::OBJECT_NOT_EXIST {
            if THROTTLING.contains(&outcome.code.as_str()) {
                self.throttled += 1;
            }
            *self.errors.entry(outcome.code.clone()).or_default() += 1;
        }
    }

    /// What happened since `earlier` (a snapshot of the same tally).
    pub fn since(&self, earlier: &Answers) -> Answers {
        let errors = self
            .errors
            .iter()
            .map(|(code, n)| {
                (
                    code.clone(),
                    n - earlier.errors.get(code).copied().unwrap_or(0),
                )
            })
            .filter(|(_, n)| *n > 0)
            .collect();
        Answers {
            requests: self.requests - earlier.requests,
            retries: self.retries - earlier.retries,
            throttled: self.throttled - earlier.throttled,
            errors,
        }
    }
}

/// A shared tally fed by the client's observer.
#[derive(Debug, Clone, Default)]
pub struct Tally(Arc<Mutex<Answers>>);

impl Tally {
    /// The observer to give the client.
    pub fn observer(&self) -> Observer {
        let inner = self.0.clone();
        Arc::new(move |outcome: &RequestOutcome| {
            if let Ok(mut answers) = inner.lock() {
                answers.add(outcome);
            }
        })
    }

    pub fn snapshot(&self) -> Answers {
        self.0.lock().map(|a| a.clone()).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    fn outcome(code: &str, attempt: u32) -> RequestOutcome {
        RequestOutcome {
            operation: "BatchWriteRow",
            code: code.into(),
            attempt,
            latency: Duration::from_millis(1),
        }
    }

    #[test]
    fn retries_throttling_and_codes_are_counted_per_step() {
        let tally = Tally::default();
        let observe = tally.observer();
        observe(&outcome(OUTCOME_OK, 1));
        let before = tally.snapshot();
        observe(&outcome(codes::SERVER_BUSY, 1));
        observe(&outcome(codes::TABLE_NOT_READY, 2));
        observe(&outcome(OUTCOME_OK, 3));
        observe(&outcome(codes::OBJECT_NOT_EXIST, 1));
        let step = tally.snapshot().since(&before);
        assert_eq!((step.requests, step.retries, step.throttled), (4, 2, 1));
        assert_eq!(
            step.errors.into_iter().collect::<Vec<_>>(),
            [
                (codes::SERVER_BUSY.to_string(), 1),
                (codes::TABLE_NOT_READY.to_string(), 1)
            ]
        );
    }
}
