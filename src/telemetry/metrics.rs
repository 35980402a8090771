//! The Prometheus metric contract: every series the daemon exports, owned by one registry.
//!
//! Names follow the Prometheus rules (`_total` counters, `_seconds`/`_bytes` units, base units
//! only). Labels are bounded: schedule and store names from configuration and the catalog,
//! Tablestore action names, and the closed sets in [`super::labels`]. Per-schedule series are
//! created by [`Metrics::init_schedule`] (so `rate()` and `absent()` work from the first scrape)
//! and dropped by [`Metrics::remove_schedule`] (both in [`super::schedule_series`]). Values
//! change only through [`super::events`] and those two. `deploy/prometheus/alerts.yml` and
//! `deploy/grafana/tablevault.json` are built on these names; `docs/monitoring.md` lists them.

use std::collections::{BTreeSet, HashMap};
use std::sync::Mutex;

use chrono::{DateTime, Utc};
use prometheus::{
    Encoder, GaugeVec, HistogramOpts, HistogramVec, IntCounterVec, IntGaugeVec, Opts, Registry,
    TextEncoder,
};

use super::labels::{run_kinds, run_results};

/// Backups take from seconds (a small table) to hours (a large instance): 1 s … 6 h.
pub const BACKUP_DURATION_BUCKETS: &[f64] = &[
    1.0, 5.0, 15.0, 30.0, 60.0, 120.0, 300.0, 600.0, 1200.0, 1800.0, 3600.0, 7200.0, 10800.0,
    14400.0, 21600.0,
];

/// Every metric the daemon exports.
pub struct Metrics {
    registry: Registry,
    pub(super) backup_runs: IntCounterVec,
    pub(super) backup_last_success: GaugeVec,
    pub(super) backup_last_failure: GaugeVec,
    pub(super) backup_duration: HistogramVec,
    pub(super) backup_rows: IntCounterVec,
    pub(super) backup_bytes: IntCounterVec,
    pub(super) restore_runs: IntCounterVec,
    pub(super) copy_runs: IntCounterVec,
    pub(super) copy_last_success: GaugeVec,
    pub(super) schedule_next_run: GaugeVec,
    pub(super) schedule_expected_interval: GaugeVec,
    pub(super) schedule_paused: IntGaugeVec,
    pub(super) schedule_updated: GaugeVec,
    pub(super) backups_stored: IntGaugeVec,
    pub(super) retention_deletions: IntCounterVec,
    pub(super) runs_in_progress: IntGaugeVec,
    pub(super) tablestore_requests: IntCounterVec,
    pub(super) store_up: IntGaugeVec,
    pub(super) store_retries: IntCounterVec,
    pub(super) restore_write_rate: IntGaugeVec,
    pub(super) capture_lag: GaugeVec,
    pub(super) capture_records: IntCounterVec,
    pub(super) capture_up: IntGaugeVec,
    pub(super) capture_gaps: IntCounterVec,
    /// The stores each schedule has `backups_stored` series for, so removal finds them all.
    pub(super) schedule_stores: Mutex<HashMap<String, BTreeSet<String>>>,
    /// Held while `backups_stored` is recounted from the catalog and set: recounts run on
    /// their own tasks, and one that read the catalog earlier must not overwrite a newer count.
    backup_recounts: tokio::sync::Mutex<()>,
}

impl std::fmt::Debug for Metrics {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Metrics").finish_non_exhaustive()
    }
}

fn counter(registry: &Registry, name: &str, help: &str, labels: &[&str]) -> IntCounterVec {
    let metric = IntCounterVec::new(Opts::new(name, help), labels).expect("valid metric");
    registry
        .register(Box::new(metric.clone()))
        .expect("unique metric");
    metric
}

fn gauge(registry: &Registry, name: &str, help: &str, labels: &[&str]) -> GaugeVec {
    let metric = GaugeVec::new(Opts::new(name, help), labels).expect("valid metric");
    registry
        .register(Box::new(metric.clone()))
        .expect("unique metric");
    metric
}

fn int_gauge(registry: &Registry, name: &str, help: &str, labels: &[&str]) -> IntGaugeVec {
    let metric = IntGaugeVec::new(Opts::new(name, help), labels).expect("valid metric");
    registry
        .register(Box::new(metric.clone()))
        .expect("unique metric");
    metric
}

impl Metrics {
    /// A fresh registry holding the whole contract. Each `Metrics` has its own registry, so
    /// tests can build many apps in one process.
    pub fn new() -> Metrics {
        let r = Registry::new();
        let backup_duration = HistogramVec::new(
            HistogramOpts::new(
                "tablevault_backup_duration_seconds",
                "Wall-clock time of finished backup runs.",
            )
            .buckets(BACKUP_DURATION_BUCKETS.to_vec()),
            &["schedule"],
        )
        .expect("valid metric");
        r.register(Box::new(backup_duration.clone()))
            .expect("unique metric");
        let build_info = int_gauge(
            &r,
            "tablevault_build_info",
            "Always 1; the labels describe the running build (one series per process).",
            &["version", "commit"],
        );
        build_info
            .with_label_values(&[super::build_info::VERSION, super::build_info::COMMIT])
            .set(1);
        let metrics = Metrics {
            backup_runs: counter(
                &r,
                "tablevault_backup_runs_total",
                "Finished backup runs by schedule and result.",
                &["schedule", "result"],
            ),
            backup_last_success: gauge(
                &r,
                "tablevault_backup_last_success_timestamp_seconds",
                "Unix time the last successful backup of the schedule finished.",
                &["schedule"],
            ),
            backup_last_failure: gauge(
                &r,
                "tablevault_backup_last_failure_timestamp_seconds",
                "Unix time the last failed or partially failed backup of the schedule finished.",
                &["schedule"],
            ),
            backup_duration,
            backup_rows: counter(
                &r,
                "tablevault_backup_rows_total",
                "Rows written to stores by backup runs.",
                &["schedule"],
            ),
            backup_bytes: counter(
                &r,
                "tablevault_backup_bytes_total",
                "Row bytes written to stores by backup runs.",
                &["schedule"],
            ),
            copy_runs: counter(
                &r,
                "tablevault_copy_runs_total",
                "Copy runs of the schedule's backups into a store, by result.",
                &["schedule", "store", "result"],
            ),
            copy_last_success: gauge(
                &r,
                "tablevault_copy_last_success_timestamp_seconds",
                "Unix time the last successful copy of the schedule's backups into the store finished.",
                &["schedule", "store"],
            ),
            restore_runs: counter(
                &r,
                "tablevault_restore_runs_total",
                "Finished restore runs by result.",
                &["result"],
            ),
            schedule_next_run: gauge(
                &r,
                "tablevault_schedule_next_run_timestamp_seconds",
                "Unix time of the schedule's next tick.",
                &["schedule"],
            ),
            schedule_expected_interval: gauge(
                &r,
                "tablevault_schedule_expected_interval_seconds",
                "Seconds between two ticks of the schedule.",
                &["schedule"],
            ),
            schedule_paused: int_gauge(
                &r,
                "tablevault_schedule_paused",
                "1 if the schedule is paused (it does not fire), else 0.",
                &["schedule"],
            ),
            schedule_updated: gauge(
                &r,
                "tablevault_schedule_updated_timestamp_seconds",
                "Unix time the schedule was created or last changed (edited, paused, resumed).",
                &["schedule"],
            ),
            backups_stored: int_gauge(
                &r,
                "tablevault_backups_stored",
                "Completed backups of the schedule present in the store.",
                &["schedule", "store"],
            ),
            retention_deletions: counter(
                &r,
                "tablevault_retention_deletions_total",
                "Backups deleted by retention.",
                &["schedule"],
            ),
            runs_in_progress: int_gauge(
                &r,
                "tablevault_runs_in_progress",
                "Runs currently executing, by kind.",
                &["kind"],
            ),
            tablestore_requests: counter(
                &r,
                "tablevault_tablestore_requests_total",
                "HTTP attempts to Tablestore by action and outcome code.",
                &["operation", "code"],
            ),
            store_up: int_gauge(
                &r,
                "tablevault_store_up",
                "1 if the store answered its last health check, else 0.",
                &["store"],
            ),
            store_retries: counter(
                &r,
                "tablevault_store_retries_total",
                "Store writes retried after a transient failure (an outage being ridden out).",
                &["store"],
            ),
            restore_write_rate: int_gauge(
                &r,
                "tablevault_restore_write_batches_allowed",
                "Batch writes a running restore into the source may have in flight (its adaptive write rate); 0 when none runs.",
                &["source"],
            ),
            capture_lag: gauge(
                &r,
                "tablevault_capture_lag_seconds",
                "Seconds between now and the instant every table of the continuous schedule is captured up to.",
                &["schedule"],
            ),
            capture_records: counter(
                &r,
                "tablevault_capture_records_total",
                "Change records stored by continuous capture.",
                &["schedule", "table"],
            ),
            capture_up: int_gauge(
                &r,
                "tablevault_capture_up",
                "1 if the continuous schedule's last capture step succeeded, else 0.",
                &["schedule"],
            ),
            capture_gaps: counter(
                &r,
                "tablevault_capture_gaps_total",
                "Capture gaps: changes lost to continuous capture (a new base backup follows).",
                &["schedule"],
            ),
            registry: r,
            schedule_stores: Mutex::new(HashMap::new()),
            backup_recounts: tokio::sync::Mutex::new(()),
        };
        for kind in run_kinds() {
            metrics
                .runs_in_progress
                .with_label_values(&[kind.as_str()])
                .set(0);
        }
        for result in run_results() {
            metrics.restore_runs.with_label_values(&[result.as_str()]);
        }
        metrics
    }

    /// Serializes the recounts of `tablevault_backups_stored` (read the catalog, then set).
    pub fn backup_recounts(&self) -> &tokio::sync::Mutex<()> {
        &self.backup_recounts
    }

    pub fn registry(&self) -> &Registry {
        &self.registry
    }

    /// The text exposition format (what `GET /metrics` serves).
    pub fn render(&self) -> String {
        let mut buffer = Vec::new();
        // Encoding into a Vec fails only for invalid metric names, which the tests rule out.
        if let Err(e) = TextEncoder::new().encode(&self.registry.gather(), &mut buffer) {
            tracing::error!(error = %e, "Cannot encode the metrics.");
        }
        String::from_utf8_lossy(&buffer).into_owned()
    }
}

impl Default for Metrics {
    fn default() -> Self {
        Metrics::new()
    }
}

/// Seconds since the Unix epoch, with millisecond precision.
pub(super) fn timestamp(at: DateTime<Utc>) -> f64 {
    at.timestamp_millis() as f64 / 1000.0
}
