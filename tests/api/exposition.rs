//! Reading the Prometheus text exposition back: samples, values, and the metric contract.

use std::collections::BTreeMap;

/// (name, type, label names) of every series the daemon promises.
pub const CONTRACT: &[(&str, &str, &[&str])] = &[
    (
        "tablevault_backup_runs_total",
        "counter",
        &["result", "schedule"],
    ),
    (
        "tablevault_backup_last_success_timestamp_seconds",
        "gauge",
        &["schedule"],
    ),
    (
        "tablevault_backup_duration_seconds",
        "histogram",
        &["schedule"],
    ),
    ("tablevault_backup_rows_total", "counter", &["schedule"]),
    ("tablevault_backup_bytes_total", "counter", &["schedule"]),
    ("tablevault_restore_runs_total", "counter", &["result"]),
    (
        "tablevault_schedule_next_run_timestamp_seconds",
        "gauge",
        &["schedule"],
    ),
    (
        "tablevault_schedule_expected_interval_seconds",
        "gauge",
        &["schedule"],
    ),
    ("tablevault_schedule_paused", "gauge", &["schedule"]),
    (
        "tablevault_schedule_updated_timestamp_seconds",
        "gauge",
        &["schedule"],
    ),
    ("tablevault_backups_stored", "gauge", &["schedule", "store"]),
    (
        "tablevault_retention_deletions_total",
        "counter",
        &["schedule"],
    ),
    ("tablevault_runs_in_progress", "gauge", &["kind"]),
    (
        "tablevault_tablestore_requests_total",
        "counter",
        &["code", "operation"],
    ),
    ("tablevault_build_info", "gauge", &["commit", "version"]),
    ("tablevault_store_up", "gauge", &["store"]),
];

/// One sample line: metric name, labels, value.
#[derive(Debug)]
pub struct Sample {
    pub name: String,
    pub labels: BTreeMap<String, String>,
    pub value: f64,
}

pub fn samples(text: &str) -> Vec<Sample> {
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
        .map(|line| {
            let (series, value) = line.rsplit_once(' ').expect("sample has a value");
            let (name, labels) = match series.split_once('{') {
                Some((name, rest)) => (name, rest.trim_end_matches('}')),
                None => (series, ""),
            };
            let labels = labels
                .split(',')
                .filter(|p| !p.is_empty())
                .map(|pair| {
                    let (k, v) = pair.split_once('=').expect("label pair");
                    (k.to_string(), v.trim_matches('"').to_string())
                })
                .collect();
            Sample {
                name: name.to_string(),
                labels,
                value: value.parse().expect("numeric value"),
            }
        })
        .collect()
}

pub fn value(samples: &[Sample], name: &str, labels: &[(&str, &str)]) -> Option<f64> {
    let wanted: BTreeMap<String, String> = labels
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    samples
        .iter()
        .find(|s| s.name == name && s.labels == wanted)
        .map(|s| s.value)
}
