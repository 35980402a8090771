//! A hook that sees every HTTP attempt, so the daemon can count requests per operation and
//! outcome (`tablevault_tablestore_requests_total{operation,code}`) without this module
//! depending on a metrics library.

use std::sync::Arc;
use std::time::Duration;

/// What one HTTP attempt did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestOutcome {
    /// The action, e.g. `GetRange`.
    pub operation: &'static str,
    /// `"OK"`, the OTS error code, or a transport class (`"transport"`, `"invalid_response"`,
    /// `"http_status"`); a small, bounded set suitable as a metric label.
    pub code: String,
    /// 1 for the first attempt of an operation, 2 for its first retry, and so on.
    pub attempt: u32,
    /// How long this attempt took.
    pub latency: Duration,
}

/// Called once per HTTP attempt, on the task that made it; keep it cheap.
pub type Observer = Arc<dyn Fn(&RequestOutcome) + Send + Sync>;

pub const OUTCOME_OK: &str = "OK";

/// Called with the error code each time a request, or a row of a batch, meets throttling
/// ([`crate::tablestore::codes::is_throttling`]), retried or not, so a caller can adapt its
/// rate (the restore's writers). Keep it cheap.
pub type ThrottleListener = Arc<dyn Fn(&str) + Send + Sync>;
