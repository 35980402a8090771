use std::time::Duration;

use chrono::Utc;

use super::events::{BackupFinished, BackupsCounted, RunStarted};
use super::{Metrics, ScheduleSeries};
use crate::catalog::{RunKind, RunStatus};

fn series(name: &str) -> ScheduleSeries<'_> {
    ScheduleSeries {
        name,
        store: "local",
        expected_interval: Some(Duration::from_secs(3600)),
        next_run: None,
        paused: false,
        updated_at: None,
    }
}

#[test]
fn a_new_schedule_has_zeroed_counters_and_no_last_success() {
    let metrics = Metrics::new();
    metrics.init_schedule(&series("s1"));
    let text = metrics.render();
    assert!(
        text.contains("tablevault_backup_runs_total{result=\"failed\",schedule=\"s1\"} 0"),
        "{text}"
    );
    assert!(
        text.contains("tablevault_backups_stored{schedule=\"s1\",store=\"local\"} 0"),
        "{text}"
    );
    assert!(
        text.contains("tablevault_schedule_expected_interval_seconds{schedule=\"s1\"} 3600"),
        "{text}"
    );
    assert!(
        !text.contains("tablevault_backup_last_success_timestamp_seconds{"),
        "{text}"
    );
}

#[test]
fn removing_a_schedule_removes_every_series_of_it_and_only_those() {
    let metrics = Metrics::new();
    metrics.init_schedule(&series("gone"));
    metrics.init_schedule(&series("kept"));
    BackupsCounted {
        schedule: "gone",
        store: "other-store",
        count: 3,
    }
    .emit(&metrics);
    BackupFinished {
        schedule: Some("gone"),
        store: "local",
        backup_id: "b1",
        result: RunStatus::Succeeded,
        rows: 1,
        bytes: 2,
        duration: Duration::from_secs(1),
        finished_at: Utc::now(),
        error: None,
    }
    .emit(&metrics);
    metrics.remove_schedule("gone");
    let text = metrics.render();
    assert!(!text.contains("\"gone\""), "{text}");
    assert!(text.contains("schedule=\"kept\""), "{text}");
}

#[test]
fn a_dropped_run_guard_still_ends_the_run() {
    let metrics = std::sync::Arc::new(Metrics::new());
    let gauge = || {
        metrics
            .runs_in_progress
            .with_label_values(&["restore"])
            .get()
    };
    let guard = RunStarted {
        kind: RunKind::Restore,
        run_id: "r1",
    }
    .emit(&metrics);
    assert_eq!(gauge(), 1);
    drop(guard);
    assert_eq!(gauge(), 0);
    let guard = RunStarted {
        kind: RunKind::Restore,
        run_id: "r2",
    }
    .emit(&metrics);
    guard.end(RunStatus::Failed);
    assert_eq!(gauge(), 0);
}

#[test]
fn every_metric_name_follows_the_prometheus_rules() {
    let metrics = Metrics::new();
    metrics.init_schedule(&series("s"));
    for family in metrics.registry().gather() {
        let name = family.name();
        assert!(name.starts_with("tablevault_"), "{name}");
        assert!(
            name.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_'),
            "{name}"
        );
        let counter = family.get_field_type() == prometheus::proto::MetricType::COUNTER;
        assert_eq!(counter, name.ends_with("_total"), "{name}");
        assert!(!family.help().is_empty(), "{name}");
    }
}
