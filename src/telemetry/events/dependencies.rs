//! What the daemon depends on: Tablestore requests and store health.

use std::sync::Arc;

use crate::tablestore::client::{Observer, RequestOutcome, OUTCOME_OK};
use crate::telemetry::labels::tablestore_code;
use crate::telemetry::metrics::Metrics;

/// One HTTP attempt to Tablestore (the client's observer).
#[derive(Debug, Clone)]
pub struct TablestoreRequest<'a>(pub &'a RequestOutcome);

impl TablestoreRequest<'_> {
    pub fn emit(&self, metrics: &Metrics) {
        let outcome = self.0;
        let code = tablestore_code(&outcome.code);
        if outcome.code != OUTCOME_OK {
            // The client logs retries and final failures itself; this is the per-attempt trace.
            let (operation, attempt) = (outcome.operation, outcome.attempt);
            let latency_ms = outcome.latency.as_millis() as u64;
            tracing::debug!(operation, code = %outcome.code, attempt, latency_ms, "Tablestore request failed.");
        }
        metrics
            .tablestore_requests
            .with_label_values(&[outcome.operation, code])
            .inc();
    }
}

/// An observer for [`crate::tablestore::client::Client::with_observer`] that emits
/// [`TablestoreRequest`] for every attempt.
pub fn tablestore_observer(metrics: Arc<Metrics>) -> Observer {
    Arc::new(move |outcome: &RequestOutcome| TablestoreRequest(outcome).emit(&metrics))
}

/// A store's health check ran.
#[derive(Debug, Clone)]
pub struct StoreChecked<'a> {
    pub store: &'a str,
    pub kind: &'a str,
    /// The failure, if any (a store error: paths and hosts, never credentials).
    pub error: Option<&'a str>,
}

impl StoreChecked<'_> {
    pub fn emit(&self, metrics: &Metrics) {
        let (store, kind) = (self.store, self.kind);
        let gauge = metrics.store_up.with_label_values(&[store]);
        // Creates the store's retry series at 0 before any retry, so `increase()` sees the
        // first one.
        metrics.store_retries.with_label_values(&[store]);
        match self.error {
            Some(error) => {
                tracing::warn!(store, kind, error, "Store health check failed.");
                gauge.set(0);
            }
            None => {
                tracing::debug!(store, kind, "Store is healthy.");
                gauge.set(1);
            }
        }
    }
}

/// Store writes were retried after transient failures (the run goes on, or gives up once
/// `engine.store_retry_seconds` is spent). The engine logs each retry itself.
#[derive(Debug, Clone)]
pub struct StoreRetried<'a> {
    pub store: &'a str,
    pub retries: u64,
}

impl StoreRetried<'_> {
    pub fn emit(&self, metrics: &Metrics) {
        metrics
            .store_retries
            .with_label_values(&[self.store])
            .inc_by(self.retries);
    }
}

/// A restore's adaptive write rate into `source` changed (throttling halves it, quiet climbs
/// it back). The log lines are the engine's, where the rate changes; this is the gauge.
#[derive(Debug, Clone)]
pub struct RestoreWriteRate<'a> {
    pub source: &'a str,
    pub batches_allowed: u64,
}

impl RestoreWriteRate<'_> {
    pub fn emit(&self, metrics: &Metrics) {
        metrics
            .restore_write_rate
            .with_label_values(&[self.source])
            .set(i64::try_from(self.batches_allowed).unwrap_or(i64::MAX));
    }
}
