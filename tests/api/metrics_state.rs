//! Metric state that outlives a request: Tablestore codes folded into a bounded set, and the
//! per-schedule series rebuilt from SQLite when the daemon starts.

use std::time::Duration;

use chrono::{TimeZone, Utc};
use tablevault::catalog::{Catalog, NewBackup, NewSchedule};
use tablevault::store::{Manifest, SourceInfo, FORMAT_VERSION};
use tablevault::telemetry::events::tablestore_observer;

use crate::exposition::{samples, value};
use crate::helpers::{config_text, parse_config, spawn_app, spawn_config};

#[tokio::test]
async fn tablestore_codes_outside_the_known_set_fold_into_other() {
    let app = spawn_app().await;
    let observer = tablestore_observer(app.state.metrics.clone());
    for code in ["OTSServerBusy", "OTSBrandNewCode", "OTSAnotherNewOne"] {
        observer(&tablevault::tablestore::client::RequestOutcome {
            operation: "GetRange",
            code: code.into(),
            attempt: 1,
            latency: Duration::from_millis(3),
        });
    }

    let all = samples(&app.metrics_text().await);

    let count = |code| {
        value(
            &all,
            "tablevault_tablestore_requests_total",
            &[("operation", "GetRange"), ("code", code)],
        )
    };
    assert_eq!(count("OTSServerBusy"), Some(1.0));
    assert_eq!(count("other"), Some(2.0));
    assert_eq!(count("OTSBrandNewCode"), None);
}

#[tokio::test]
async fn schedule_series_and_last_success_are_rebuilt_from_sqlite_at_start() {
    // Arrange: the state a previous daemon left: a schedule and its completed backup.
    let dir = tempfile::tempdir().unwrap();
    let config = parse_config(&config_text(dir.path(), ""));
    let catalog = Catalog::open(&config.database.path).await.unwrap();
    let schedule = catalog
        .create_schedule(NewSchedule::new("hourly", "0 * * * *", "test", "local"))
        .await
        .unwrap();
    let finished_at =
        Utc.with_ymd_and_hms(2026, 1, 2, 3, 4, 5).unwrap() + chrono::Duration::milliseconds(678);
    let started_at = finished_at - chrono::Duration::minutes(2);
    let backup_id = "20260102T030205Z-abcd";
    catalog
        .create_backup(NewBackup {
            id: backup_id.into(),
            schedule_id: Some(schedule.id.clone()),
            source: "test".into(),
            store: "local".into(),
            started_at,
        })
        .await
        .unwrap();
    let manifest = Manifest {
        format_version: FORMAT_VERSION,
        tablevault_version: "test".into(),
        backup_id: backup_id.into(),
        source: SourceInfo {
            name: "test".into(),
            endpoint: "http://127.0.0.1:1".into(),
            instance: "i".into(),
        },
        started_at,
        finished_at,
        all_versions: true,
        tables: Vec::new(),
    };
    catalog
        .complete_backup(backup_id, &manifest, None)
        .await
        .unwrap();
    // Its copy off-site, finished a minute later.
    let copy_id = "20260102T030205Z-c0de";
    catalog
        .create_backup_copy(
            NewBackup {
                id: copy_id.into(),
                schedule_id: Some(schedule.id.clone()),
                source: "test".into(),
                store: "offsite".into(),
                started_at: finished_at,
            },
            backup_id,
        )
        .await
        .unwrap();
    let copy_manifest = Manifest {
        backup_id: copy_id.into(),
        finished_at: finished_at + chrono::Duration::minutes(1),
        ..manifest.clone()
    };
    catalog
        .complete_backup(copy_id, &copy_manifest, None)
        .await
        .unwrap();
    catalog.close().await;

    // Act
    let app = spawn_config(config).await;
    let all = samples(&app.metrics_text().await);

    // Assert
    let hourly = [("schedule", "hourly")];
    assert_eq!(
        value(
            &all,
            "tablevault_backup_last_success_timestamp_seconds",
            &hourly
        ),
        Some(1_767_323_045.678)
    );
    assert_eq!(
        value(
            &all,
            "tablevault_copy_last_success_timestamp_seconds",
            &[("schedule", "hourly"), ("store", "offsite")]
        ),
        Some(1_767_323_105.678),
        "the copy is not the schedule's last success, but its last copy"
    );
    assert_eq!(
        value(
            &all,
            "tablevault_backup_runs_total",
            &[("schedule", "hourly"), ("result", "succeeded")]
        ),
        Some(0.0)
    );
    assert_eq!(
        value(
            &all,
            "tablevault_backups_stored",
            &[("schedule", "hourly"), ("store", "local")]
        ),
        Some(1.0)
    );
    app.stop().await;
}
