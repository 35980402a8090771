//! The metric contract after a real backup run: names, types, help, label sets and values;
//! per-schedule series removed with the schedule.

use std::time::Duration;

use chrono::Utc;
use tablevault::catalog::{RunKind, RunStatus};
use tablevault::config::EngineConfig;
use tablevault::emulator::{Emulator, EmulatorConfig};
use tablevault::engine::{run_backup, BackupIo, BackupJob};
use tablevault::store::SourceInfo;
use tablevault::tablestore::client::RowExistence;
use tablevault::tablestore::{
    Cell, PkSchema, PkType, PkValue, PrimaryKey, Row, TableDescription, Value,
};
use tablevault::telemetry::events::{
    BackupFinished, BackupsCounted, RestoreFinished, RetentionDeleted, RunStarted,
};
use tablevault::telemetry::ScheduleSeries;

use crate::exposition::{samples, value, Sample, CONTRACT};
use crate::helpers::spawn_app_with;

fn orders_table() -> TableDescription {
    TableDescription::new("orders", vec![PkSchema::new("id", PkType::Integer)])
}

fn order(i: i64) -> Row {
    let at = Utc::now().timestamp_millis() - 60_000 + i;
    Row::new(
        PrimaryKey::new([("id", PkValue::Integer(i))]),
        vec![Cell::put_at(
            "note",
            Value::String(format!("order {i}")),
            at,
        )],
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_whole_contract_is_exposed_after_a_backup_run() {
    // Arrange: a source table, a schedule's series, a client that reports to the metrics.
    let emulator = Emulator::start(EmulatorConfig::default()).await.unwrap();
    let e = emulator.config();
    let app = spawn_app_with(&format!(
        "[sources.test]\nendpoint = \"{}\"\ninstance = \"{}\"\naccess_key_id = \"{}\"\n\
         access_key_secret = \"{}\"\n",
        emulator.endpoint(),
        e.instance,
        e.access_key_id,
        e.access_key_secret
    ))
    .await;
    let metrics = app.state.metrics.clone();
    let client = app.state.tablestore_client("test").unwrap();
    client.create_table(&orders_table()).await.unwrap();
    for i in 0..25 {
        client
            .put_row("orders", &order(i), RowExistence::Ignore)
            .await
            .unwrap();
    }
    let next_run = Utc::now() + chrono::Duration::hours(1);
    metrics.init_schedule(&ScheduleSeries {
        name: "nightly",
        store: "local",
        expected_interval: Some(Duration::from_secs(86_400)),
        next_run: Some(next_run),
        paused: false,
        updated_at: Some(Utc::now()),
    });
    let store = app.state.store("local").unwrap().store.clone();
    let source = SourceInfo {
        name: "test".into(),
        endpoint: emulator.endpoint(),
        instance: e.instance.clone(),
    };

    // Act: two real backup runs, as the scheduler will report them, then retention.
    let mut ids = Vec::new();
    for run in 0..2 {
        let guard = RunStarted {
            kind: RunKind::Backup,
            run_id: &format!("run_{run}"),
        }
        .emit(&metrics);
        let during = samples(&app.metrics_text().await);
        assert_eq!(
            value(
                &during,
                "tablevault_runs_in_progress",
                &[("kind", "backup")]
            ),
            Some(1.0)
        );
        let job = BackupJob::new(
            source.clone(),
            vec!["orders".into()],
            EngineConfig::default(),
        );
        let ctx = BackupIo::new(client.clone(), store.clone());
        let outcome = run_backup(job, &ctx).await.expect("backup succeeds");
        guard.end(RunStatus::Succeeded);
        let m = &outcome.manifest;
        BackupFinished {
            schedule: Some("nightly"),
            store: "local",
            backup_id: &outcome.backup_id,
            result: RunStatus::Succeeded,
            rows: m.total_rows(),
            bytes: m.total_bytes(),
            duration: (m.finished_at - m.started_at).to_std().unwrap_or_default(),
            finished_at: m.finished_at,
            error: None,
        }
        .emit(&metrics);
        ids.push((outcome.backup_id.clone(), m.finished_at, m.total_bytes()));
    }
    store.delete(&ids[0].0).await.unwrap();
    RetentionDeleted {
        schedule: "nightly",
        store: "local",
        backup_id: &ids[0].0,
    }
    .emit(&metrics);
    let stored = store.list().await.unwrap().len() as u64;
    BackupsCounted {
        schedule: "nightly",
        store: "local",
        count: stored,
    }
    .emit(&metrics);
    RestoreFinished {
        store: "local",
        backup_id: &ids[1].0,
        source: "test",
        result: RunStatus::Failed,
        rows: 0,
        duration: Duration::from_millis(5),
        error: Some("table orders exists"),
    }
    .emit(&metrics);
    assert_eq!(app.get("/readyz", None).await.status(), 200);
    let text = app.metrics_text().await;

    // Assert: every metric with HELP and TYPE, only its own labels, and the run's values.
    let all = samples(&text);
    for (name, kind, labels) in CONTRACT {
        assert!(
            text.contains(&format!("# HELP {name} ")),
            "no HELP for {name}:\n{text}"
        );
        assert!(
            text.contains(&format!("# TYPE {name} {kind}\n")),
            "no TYPE {kind} for {name}:\n{text}"
        );
        let series: Vec<&Sample> = all
            .iter()
            .filter(|s| {
                s.name == *name
                    || s.name
                        .strip_prefix(*name)
                        .is_some_and(|r| ["_bucket", "_sum", "_count"].contains(&r))
            })
            .collect();
        assert!(!series.is_empty(), "no sample of {name}");
        for s in series {
            let mut keys: Vec<&str> = s
                .labels
                .keys()
                .map(String::as_str)
                .filter(|k| *k != "le")
                .collect();
            keys.sort();
            assert_eq!(keys, *labels, "labels of {s:?}");
        }
    }
    let nightly = [("schedule", "nightly")];
    let runs = |result| {
        value(
            &all,
            "tablevault_backup_runs_total",
            &[("schedule", "nightly"), ("result", result)],
        )
    };
    assert_eq!(runs("succeeded"), Some(2.0));
    assert_eq!(runs("failed"), Some(0.0), "initialised at creation");
    assert_eq!(
        value(&all, "tablevault_backup_rows_total", &nightly),
        Some(50.0)
    );
    assert_eq!(
        value(&all, "tablevault_backup_bytes_total", &nightly),
        Some((ids[0].2 + ids[1].2) as f64)
    );
    assert_eq!(
        value(&all, "tablevault_backup_duration_seconds_count", &nightly),
        Some(2.0)
    );
    assert!(
        value(
            &all,
            "tablevault_backup_duration_seconds_bucket",
            &[("schedule", "nightly"), ("le", "21600")]
        )
        .is_some(),
        "buckets reach 6 h"
    );
    let last = value(
        &all,
        "tablevault_backup_last_success_timestamp_seconds",
        &nightly,
    )
    .unwrap();
    assert_eq!(last, ids[1].1.timestamp_millis() as f64 / 1000.0);
    assert_eq!(
        value(
            &all,
            "tablevault_schedule_expected_interval_seconds",
            &nightly
        ),
        Some(86_400.0)
    );
    assert_eq!(
        value(
            &all,
            "tablevault_schedule_next_run_timestamp_seconds",
            &nightly
        ),
        Some(next_run.timestamp_millis() as f64 / 1000.0)
    );
    assert_eq!(
        value(
            &all,
            "tablevault_backups_stored",
            &[("schedule", "nightly"), ("store", "local")]
        ),
        Some(1.0)
    );
    assert_eq!(
        value(&all, "tablevault_retention_deletions_total", &nightly),
        Some(1.0)
    );
    assert_eq!(
        value(
            &all,
            "tablevault_restore_runs_total",
            &[("result", "failed")]
        ),
        Some(1.0)
    );
    assert_eq!(
        value(&all, "tablevault_runs_in_progress", &[("kind", "backup")]),
        Some(0.0)
    );
    let scans = value(
        &all,
        "tablevault_tablestore_requests_total",
        &[("operation", "GetRange"), ("code", "OK")],
    );
    assert!(
        scans.is_some_and(|n| n >= 2.0),
        "GetRange attempts counted: {scans:?}"
    );
    let build = [
        ("version", tablevault::telemetry::build_info::VERSION),
        ("commit", tablevault::telemetry::build_info::COMMIT),
    ];
    assert_eq!(value(&all, "tablevault_build_info", &build), Some(1.0));
    assert_eq!(
        value(&all, "tablevault_store_up", &[("store", "local")]),
        Some(1.0)
    );

    // A deleted schedule leaves no series behind.
    metrics.remove_schedule("nightly");
    let after = app.metrics_text().await;
    assert!(!after.contains("schedule=\"nightly\""), "{after}");
}
