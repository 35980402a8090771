//! Counters a test can read to see what the emulator served and injected.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// A snapshot of the emulator's counters (also served by `GET /_emulator/stats`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct EmulatorStats {
    /// Requests received per action (path without the leading `/`), whatever their outcome.
    pub requests: BTreeMap<String, u64>,
    /// Requests refused with OTSAuthFailed.
    pub auth_failures: u64,
    /// Requests answered with an injected error.
    pub injected_errors: u64,
    /// Connections closed without a response.
    pub dropped_connections: u64,
    /// Requests delayed by the configured latency.
    pub delayed_requests: u64,
    /// BatchWriteRow rows failed by injection.
    pub failed_batch_rows: u64,
    /// Tables currently stored.
    pub tables: usize,
}
