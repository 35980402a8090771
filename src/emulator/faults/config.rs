//! What the emulator is told to inject ([`FaultConfig`]): the control endpoint's JSON, every
//! field optional, checked before it replaces the current faults.

use serde::{Deserialize, Serialize};

use crate::tablestore::codes;

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

    pub(super) fn applies_to(&self, action: &str) -> bool {
        self.actions.is_empty() || self.actions.iter().any(|a| a == action)
    }
}
