//! Fault injection for reliability tests: injected errors, dropped connections, added latency
//! and per-row BatchWriteRow failures, either at a rate (seeded, so runs repeat) or for exactly
//! the next N requests.
//!
//! Order per matching request: latency first, then `drop_next`, `redirect_next`,
//! `gateway_error_next`, `fail_next`, the request-rate throttle, then the random
//! `drop_connection_rate` and `error_rate`.
//! A request that is served may still have its signature stripped (`unsigned_next`) or, for
//! GetRange, be answered with an empty page (`empty_range_pages_next`). Faults are injected
//! after authentication, so a faulted request is one the service would otherwise have served.
//!
//! The counted switches model what sits between a client and the real service: a 301 from an
//! endpoint that moved, a load balancer's HTML error page, a proxy that drops the response
//! headers, and the service's own habit of ending a GetRange page early with no rows.

mod config;

use std::time::Duration;

pub use config::FaultConfig;

use super::error::ServiceError;
use super::throttle::RequestBucket;
use crate::tablestore::codes;

/// What happens to one BatchWriteRow row instead of being applied.
#[derive(Debug, Clone, PartialEq)]
pub enum RowFault {
    /// The row fails with this error (`is_ok = false`).
    Fail(ServiceError),
    /// The row is answered `is_ok = true` but not applied.
    Lose,
}

/// What happens to one request.
#[derive(Debug, Clone, PartialEq)]
pub enum FaultOutcome {
    Serve,
    Drop,
    Fail(ServiceError),
    /// `301 Moved Permanently` to this location.
    Redirect(String),
    /// An unsigned HTML `502 Bad Gateway` page.
    GatewayError,
}

/// The decision for one request.
#[derive(Debug, Clone, PartialEq)]
pub struct FaultPlan {
    pub latency: Option<Duration>,
    pub outcome: FaultOutcome,
    /// Strip the signature and body MD5 from the response.
    pub unsigned: bool,
    /// Answer a GetRange with an empty page that does not advance.
    pub empty_range_page: bool,
}

/// Counts one use of a countdown switch; true when it was still armed.
fn take(counter: &mut u32) -> bool {
    let armed = *counter > 0;
    if armed {
        *counter -= 1;
    }
    armed
}

/// SplitMix64: tiny, seedable and good enough for fault dice.
#[derive(Debug, Clone)]
struct Dice(u64);

impl Dice {
    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    fn roll(&mut self, rate: f64) -> bool {
        rate > 0.0 && self.unit() < rate
    }
}

/// The live fault settings: the config (whose counters count down) and the dice.
#[derive(Debug, Clone)]
pub struct FaultState {
    config: FaultConfig,
    dice: Dice,
    round_robin: usize,
    bucket: RequestBucket,
}

impl FaultState {
    pub fn new(mut config: FaultConfig) -> Self {
        // An empty list would leave nothing to inject; fall back to the default code.
        if config.error_codes.is_empty() {
            config.error_codes.push(codes::SERVER_BUSY.to_string());
        }
        let seed = config.seed.unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_nanos() as u64)
                .unwrap_or(0)
        });
        FaultState {
            config,
            dice: Dice(seed),
            round_robin: 0,
            bucket: RequestBucket::default(),
        }
    }

    pub fn config(&self) -> &FaultConfig {
        &self.config
    }

    /// Decides what happens to a request for `action`.
    pub fn plan(&mut self, action: &str) -> FaultPlan {
        let c = &mut self.config;
        if !c.applies_to(action) {
            return FaultPlan {
                latency: None,
                outcome: FaultOutcome::Serve,
                unsigned: false,
                empty_range_page: false,
            };
        }
        let latency = (c.latency_ms > 0).then(|| Duration::from_millis(c.latency_ms));
        let outcome = if take(&mut c.drop_next) {
            FaultOutcome::Drop
        } else if take(&mut c.redirect_next) {
            FaultOutcome::Redirect(c.redirect_location.clone())
        } else if take(&mut c.gateway_error_next) {
            FaultOutcome::GatewayError
        } else if c.fail_next > 0 {
            c.fail_next -= 1;
            let code = &c.error_codes[self.round_robin % c.error_codes.len()];
            self.round_robin += 1;
            FaultOutcome::Fail(ServiceError::injected(code))
        } else if !self.bucket.admit(
            c.throttle_requests_per_second,
            c.throttle_burst,
            std::time::Instant::now(),
        ) {
            FaultOutcome::Fail(ServiceError::injected(&c.throttle_code))
        } else if self.dice.roll(c.drop_connection_rate) {
            FaultOutcome::Drop
        } else if self.dice.roll(c.error_rate) {
            let pick = (self.dice.next_u64() % c.error_codes.len() as u64) as usize;
            FaultOutcome::Fail(ServiceError::injected(&c.error_codes[pick]))
        } else {
            FaultOutcome::Serve
        };
        let served = outcome == FaultOutcome::Serve;
        let empty_range_page =
            served && action == "GetRange" && take(&mut c.empty_range_pages_next);
        let unsigned = served && take(&mut c.unsigned_next);
        FaultPlan {
            latency,
            outcome,
            unsigned,
            empty_range_page,
        }
    }

    /// Decides whether the next BatchWriteRow row is lost or fails. Only a row that writes
    /// data (`writes_data`: a put or an update) can be lost.
    pub fn row_fault(&mut self, writes_data: bool) -> Option<RowFault> {
        let c = &mut self.config;
        if !c.applies_to("BatchWriteRow") {
            return None;
        }
        if c.lose_next_batch_rows > 0 && writes_data {
            c.lose_next_batch_rows -= 1;
            return Some(RowFault::Lose);
        }
        let fail = if c.fail_next_batch_rows > 0 {
            c.fail_next_batch_rows -= 1;
            true
        } else {
            self.dice.roll(c.batch_row_failure_rate)
        };
        fail.then(|| RowFault::Fail(ServiceError::injected(&c.batch_row_error_code)))
    }
}

#[cfg(test)]
mod tests;
