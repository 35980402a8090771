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

use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::tablestore::codes;

use super::error::ServiceError;
use super::throttle::RequestBucket;

/// What to inject. Serialized as JSON by the control endpoint; every field is optional there.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct FaultConfig {
    /// Probability (0..=1) that a matching request fails with one of `error_codes`.
    pub error_rate: f64,
    /// Codes to inject (e.g. OTSServerBusy, OTSNotEnoughCapacityUnit, OTSTimeout); the HTTP
    /// status is the service's for that code. Random picks for `error_rate`, round robin for
    /// `fail_next`.
    pub error_codes: Vec<String>,
    /// Restricts every fault to these actions (e.g. `["GetRange"]`); empty means all actions.
    pub actions: Vec<String>,
    /// Added delay before a matching request is served, in milliseconds.
    pub latency_ms: u64,
    /// Probability (0..=1) that a matching request's connection is closed without a response.
    pub drop_connection_rate: f64,
    /// Probability (0..=1) that a row of a 200 OK BatchWriteRow fails (`is_ok=false`) and is
    /// not applied.
    pub batch_row_failure_rate: f64,
    /// The error code of failed batch rows.
    pub batch_row_error_code: String,
    /// Fail exactly the next N matching requests (counts down).
    pub fail_next: u32,
    /// Drop the connection of exactly the next N matching requests (counts down).
    pub drop_next: u32,
    /// Fail exactly the next N BatchWriteRow rows (counts down).
    pub fail_next_batch_rows: u32,
    /// Answer exactly the next N BatchWriteRow rows that write data (puts and updates, not
    /// deletes such as a restore's readiness probe) as written without applying them (a lost
    /// write, which only a read-back comparison can find; counts down).
    pub lose_next_batch_rows: u32,
    /// Answer exactly the next N matching requests with `301 Moved Permanently` to
    /// `redirect_location` (counts down).
    pub redirect_next: u32,
    /// The `Location` of injected redirects.
    pub redirect_location: String,
    /// Answer exactly the next N matching requests with an unsigned HTML `502 Bad Gateway`
    /// page, as a load balancer in front of the service does (counts down).
    pub gateway_error_next: u32,
    /// Serve exactly the next N matching requests but strip the response's `authorization` and
    /// `x-ots-contentmd5` headers (counts down).
    pub unsigned_next: u32,
    /// Answer exactly the next N GetRange requests with a page of no rows whose next start key
    /// is the request's own start, as the service does when it stops a page early (counts
    /// down).
    pub empty_range_pages_next: u32,
    /// Serve at most this many matching requests a second (0: no limit); above it answer
    /// `throttle_code`, as the service does when capacity runs out (see `throttle.rs`).
    pub throttle_requests_per_second: f64,
    /// Requests the throttle lets through at once after a quiet spell (at least 1).
    pub throttle_burst: u32,
    /// The capacity error of throttled requests.
    pub throttle_code: String,
    /// Seed of the random generator; the same seed and requests give the same faults.
    pub seed: Option<u64>,
}

impl Default for FaultConfig {
    fn default() -> Self {
        FaultConfig {
            error_rate: 0.0,
            error_codes: vec![codes::SERVER_BUSY.to_string()],
            actions: Vec::new(),
            latency_ms: 0,
            drop_connection_rate: 0.0,
            batch_row_failure_rate: 0.0,
            batch_row_error_code: codes::SERVER_BUSY.to_string(),
            fail_next: 0,
            drop_next: 0,
            fail_next_batch_rows: 0,
            lose_next_batch_rows: 0,
            redirect_next: 0,
            redirect_location: "https://moved.example.invalid".to_string(),
            gateway_error_next: 0,
            unsigned_next: 0,
            empty_range_pages_next: 0,
            throttle_requests_per_second: 0.0,
            throttle_burst: 1,
            throttle_code: codes::NOT_ENOUGH_CAPACITY.to_string(),
            seed: None,
        }
    }
}

impl FaultConfig {
    /// Rates within 0..=1 and codes that look like Tablestore codes.
    pub fn validate(&self) -> Result<(), String> {
        for (name, rate) in [
            ("error_rate", self.error_rate),
            ("drop_connection_rate", self.drop_connection_rate),
            ("batch_row_failure_rate", self.batch_row_failure_rate),
        ] {
            if !(0.0..=1.0).contains(&rate) {
                return Err(format!("{name} must be within 0..=1, got {rate}"));
            }
        }
        if self.error_codes.is_empty() {
            return Err("error_codes must name at least one code".into());
        }
        let rate = self.throttle_requests_per_second;
        if rate.is_nan() || rate < 0.0 {
            return Err("throttle_requests_per_second must be a number, not negative".into());
        }
        let codes = self
            .error_codes
            .iter()
            .chain([&self.batch_row_error_code, &self.throttle_code]);
        if let Some(bad) = codes.into_iter().find(|c| !c.starts_with("OTS")) {
            return Err(format!(
                "'{bad}' is not a Tablestore error code (they start with OTS)"
            ));
        }
        Ok(())
    }

    fn applies_to(&self, action: &str) -> bool {
        self.actions.is_empty() || self.actions.iter().any(|a| a == action)
    }
}

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
mod tests {
    use super::*;

    #[test]
    fn fail_next_is_exact_and_round_robin() {
        let mut state = FaultState::new(FaultConfig {
            fail_next: 3,
            error_codes: vec![codes::SERVER_BUSY.into(), codes::TIMEOUT.into()],
            ..FaultConfig::default()
        });
        let codes: Vec<_> = (0..4)
            .map(|_| match state.plan("GetRow").outcome {
                FaultOutcome::Fail(e) => e.code,
                other => format!("{other:?}"),
            })
            .collect();
        assert_eq!(
            codes,
            ["OTSServerBusy", "OTSTimeout", "OTSServerBusy", "Serve"]
        );
        assert_eq!(state.config().fail_next, 0);
    }

    #[test]
    fn countdown_switches_fire_exactly_n_times_in_order() {
        let mut state = FaultState::new(FaultConfig {
            redirect_next: 1,
            gateway_error_next: 1,
            unsigned_next: 1,
            empty_range_pages_next: 2,
            ..FaultConfig::default()
        });
        let first = state.plan("GetRange");
        assert!(
            matches!(first.outcome, FaultOutcome::Redirect(ref l) if l.starts_with("https://"))
        );
        assert_eq!(state.plan("GetRange").outcome, FaultOutcome::GatewayError);
        let third = state.plan("GetRange");
        assert!(third.unsigned && third.empty_range_page);
        let fourth = state.plan("GetRow");
        assert!(!fourth.unsigned && !fourth.empty_range_page);
        let fifth = state.plan("GetRange");
        assert!(!fifth.unsigned && fifth.empty_range_page);
        let sixth = state.plan("GetRange");
        assert_eq!(sixth.outcome, FaultOutcome::Serve);
        assert!(!sixth.empty_range_page);
    }

    #[test]
    fn actions_restrict_faults() {
        let mut state = FaultState::new(FaultConfig {
            error_rate: 1.0,
            actions: vec!["GetRange".into()],
            ..FaultConfig::default()
        });
        assert_eq!(state.plan("PutRow").outcome, FaultOutcome::Serve);
        assert!(matches!(
            state.plan("GetRange").outcome,
            FaultOutcome::Fail(_)
        ));
        assert!(state.row_fault(true).is_none());
    }

    #[test]
    fn lost_rows_come_before_failed_rows_and_count_down() {
        let mut state = FaultState::new(FaultConfig {
            lose_next_batch_rows: 1,
            fail_next_batch_rows: 1,
            ..FaultConfig::default()
        });
        assert!(matches!(
            state.row_fault(false),
            None | Some(RowFault::Fail(_))
        ));
        assert_eq!(state.row_fault(true), Some(RowFault::Lose));
        assert_eq!(state.row_fault(true), None);
    }

    #[test]
    fn the_same_seed_gives_the_same_faults() {
        let config = FaultConfig {
            error_rate: 0.5,
            seed: Some(42),
            ..FaultConfig::default()
        };
        let run = |mut s: FaultState| {
            (0..64)
                .map(|_| s.plan("GetRow").outcome == FaultOutcome::Serve)
                .collect::<Vec<_>>()
        };
        let a = run(FaultState::new(config.clone()));
        assert_eq!(a, run(FaultState::new(config)));
        let served = a.iter().filter(|x| **x).count();
        assert!(
            (16..48).contains(&served),
            "about half served, got {served}"
        );
    }

    #[test]
    fn validation_rejects_bad_rates_and_codes() {
        assert!(FaultConfig::default().validate().is_ok());
        let bad_rate = FaultConfig {
            error_rate: 1.5,
            ..FaultConfig::default()
        };
        assert!(bad_rate.validate().is_err());
        let bad_code = FaultConfig {
            error_codes: vec!["Busy".into()],
            ..FaultConfig::default()
        };
        assert!(bad_code.validate().is_err());
        let parsed: FaultConfig = serde_json::from_str(r#"{"error_rate": 0.25}"#).unwrap();
        assert_eq!(parsed.error_codes, ["OTSServerBusy"]);
        assert!(serde_json::from_str::<FaultConfig>(r#"{"eror_rate": 1}"#).is_err());
    }
}
