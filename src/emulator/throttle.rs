//! Capacity throttling: above a request rate the service answers capacity errors
//! (`OTSNotEnoughCapacityUnit` on a reserved-capacity table, `OTSServerBusy` or
//! `OTSCapacityUnitExhausted` elsewhere) instead of serving. Modelled as a token bucket per
//! emulator over the requests the fault settings match: `throttle_requests_per_second`
//! tokens a second, at most `throttle_burst` saved up; a request that finds no token is
//! refused with `throttle_code`. Off (rate 0) by default.

use std::time::Instant;

/// The bucket's state; the rate and burst come from the fault settings on every call, so a
/// changed setting applies to the next request.
#[derive(Debug, Clone)]
pub struct RequestBucket {
    tokens: f64,
    filled_at: Option<Instant>,
}

impl Default for RequestBucket {
    fn default() -> Self {
        RequestBucket {
            tokens: 0.0,
            filled_at: None,
        }
    }
}

impl RequestBucket {
    /// Takes a token for one request at `now`; false when the rate is exceeded. A rate of 0
    /// (or below) admits everything.
    pub fn admit(&mut self, per_second: f64, burst: u32, now: Instant) -> bool {
        if per_second <= 0.0 {
            return true;
        }
        let burst = f64::from(burst.max(1));
        let tokens = match self.filled_at {
            // A bucket starts full.
            None => burst,
            Some(at) => {
                (self.tokens + now.duration_since(at).as_secs_f64() * per_second).min(burst)
            }
        };
        self.filled_at = Some(now);
        if tokens >= 1.0 {
            self.tokens = tokens - 1.0;
            true
        } else {
            self.tokens = tokens;
            false
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn requests_above_the_rate_are_refused_until_tokens_refill() {
        let mut bucket = RequestBucket::default();
        let t0 = Instant::now();
        assert!(bucket.admit(10.0, 2, t0));
        assert!(bucket.admit(10.0, 2, t0));
        assert!(!bucket.admit(10.0, 2, t0), "burst spent");
        assert!(!bucket.admit(10.0, 2, t0 + Duration::from_millis(50)));
        assert!(bucket.admit(10.0, 2, t0 + Duration::from_millis(110)));
        assert!(bucket.admit(0.0, 1, t0), "rate 0 is off");
    }
}
