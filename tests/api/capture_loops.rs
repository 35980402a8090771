//! The daemon owns continuous capture (issue 12): a continuous, unpaused schedule gets a
//! capture loop per table that stores the table's changes as change segments under the
//! archive store's `.changes/<schedule id>/<table>/`, started by the daemon itself (no run).

use std::time::Duration;

use serde_json::json;
use tablevault::capture::{ArchiveChangeStore, ChangeStore, MongoChangeStore};
use tablevault::config::StoreConfig;
use tablevault::emulator::EmulatorConfig;
use tablevault::store::mongo::{MongoStore, MongoStoreConfig};
use tablevault::tablestore::client::RowExistence;
use tablevault::tablestore::{Cell, PkValue, PrimaryKey, Row, Value};

use crate::resources_helpers::{rig, rig_with};
use crate::support::mongo_server::MongoServer;
use crate::support::poll::poll_until;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_continuous_schedule_stores_the_tables_changes_without_a_run() {
    let rig = rig().await;
    let schedule = rig.continuous_schedule_with_a_captured_write("pitr").await;
    let schedule_id = schedule["id"].as_str().expect("id").to_string();
    let root = match rig.app.state.config.store("local").expect("local") {
        StoreConfig::Archive(archive) => archive.path.clone(),
        other => panic!("local is a {} store", other.kind()),
    };

    // The write counted by the metrics is in the schedule's change segments.
    let key = PrimaryKey::new([("id", PkValue::Integer(1000))]);
    let segments = ArchiveChangeStore::new(&root, &schedule_id, "orders")
        .expect("change store")
        .read_all()
        .expect("segments");
    assert!(
        segments
            .iter()
            .flat_map(|s| &s.records)
            .any(|r| r.record.row.primary_key == key),
        "{segments:?}"
    );

    // The schedule shows its capture, and the metrics count what was stored.
    let path = format!("/api/v1/schedules/{schedule_id}");
    let shown = poll_until("the capture to be shown", Duration::from_secs(30), || {
        let rig = &rig;
        let path = path.clone();
        async move {
            let shown = rig.get_json(&path).await;
            let capture = shown["capture"].clone();
            (capture["status"] == "running" && capture["captured_until"].is_string())
                .then_some(capture.clone())
                .ok_or_else(|| format!("{capture}"))
        }
    })
    .await;
    assert!(
        shown["lag_seconds"].as_f64().expect("lag") >= 0.0,
        "{shown}"
    );
    assert!(
        shown["restorable_from"].is_null(),
        "no base backup yet: {shown}"
    );
    let metrics = rig.app.metrics_text().await;
    let records = metrics
        .lines()
        .find(|l| {
            l.starts_with("tablevault_capture_records_total{")
                && l.contains(r#"schedule="pitr""#)
                && l.contains(r#"table="orders""#)
        })
        .and_then(|l| l.rsplit(' ').next()?.parse::<f64>().ok())
        .expect("tablevault_capture_records_total series");
    assert!(records >= 1.0, "{metrics}");
    assert!(
        metrics.contains(r#"tablevault_capture_up{schedule="pitr"} 1"#),
        "{metrics}"
    );
    assert!(
        metrics.contains("tablevault_capture_lag_seconds{schedule=\"pitr\"}"),
        "{metrics}"
    );

    // A base backup of the schedule makes it restorable from that backup's start.
    let run_id = rig
        .start_run(&format!("/api/v1/schedules/{schedule_id}/run"), &json!({}))
        .await;
    let run = rig.finished_run(&run_id).await;
    assert_eq!(run["status"], "succeeded", "{run}");
    let backup = rig
        .get_json(&format!(
            "/api/v1/backups/{}",
            run["backup_id"].as_str().expect("id")
        ))
        .await;
    let capture = poll_until(
        "restorable_until to pass the base",
        Duration::from_secs(30),
        || {
            let rig = &rig;
            let path = path.clone();
            async move {
                let capture = rig.get_json(&path).await["capture"].clone();
                capture["restorable_until"]
                    .is_string()
                    .then_some(capture.clone())
                    .ok_or_else(|| format!("{capture}"))
            }
        },
    )
    .await;
    assert_eq!(
        capture["restorable_from"], backup["finished_at"],
        "{capture} {backup}"
    );

    // Pausing the schedule stops its loop (the daemon forgets its status) and says so.
    let paused = rig
        .app
        .api
        .patch(rig.app.url(&path))
        .bearer_auth(crate::helpers::ADMIN_TOKEN)
        .json(&json!({"paused": true}))
        .send()
        .await
        .expect("sent");
    assert_eq!(paused.status(), 200);
    poll_until("the capture loop to stop", Duration::from_secs(30), || {
        let statuses = rig.app.state.captures.of(&schedule_id);
        async move {
            statuses
                .is_empty()
                .then_some(())
                .ok_or_else(|| format!("{statuses:?}"))
        }
    })
    .await;
    assert_eq!(rig.get_json(&path).await["capture"]["status"], "stopped");

    // A full schedule has no capture.
    let full = rig.schedule("nightly").await;
    let full = rig
        .get_json(&format!(
            "/api/v1/schedules/{}",
            full["id"].as_str().expect("id")
        ))
        .await;
    assert!(full.get("capture").is_none(), "{full}");
}

/// A continuous schedule's base backup turns the streams on before it scans, so the changes
/// after its start are in the stream even when no capture loop ran yet (here: paused).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_continuous_base_backup_turns_the_stream_on_before_it_scans() {
    let rig = rig().await;
    let body = json!({"name": "pitr", "cron": "0 3 * * *", "source": "prod", "store": "local",
                      "tables": ["orders"], "mode": "continuous", "paused": true});
    let response = rig.post("/api/v1/schedules", &body).await;
    assert_eq!(response.status(), 201);
    let schedule: serde_json::Value = response.json().await.expect("JSON");
    let schedule_id = schedule["id"].as_str().expect("id");
    let client = rig.app.state.tablestore_client("prod").expect("source");
    let before = client.stream_details("orders").await.expect("details");
    assert!(!before.enabled, "the stream starts off");

    let run_id = rig
        .start_run(&format!("/api/v1/schedules/{schedule_id}/run"), &json!({}))
        .await;
    let run = rig.finished_run(&run_id).await;
    assert_eq!(run["status"], "succeeded", "{run}");
    let after = client.stream_details("orders").await.expect("details");
    assert!(after.enabled, "the base backup turned the stream on");
}

/// On a MongoDB store, the daemon's capture loop stores the changes as change records in the
/// store's `<prefix>__changes` database, and a base backup there makes the schedule restorable.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_continuous_schedule_on_a_mongodb_store_stores_change_records() {
    let server = MongoServer::start();
    let rig = rig_with(EmulatorConfig::default(), |_| {
        format!(
            "[stores.mongo]\nkind = \"mongodb\"\nuri = \"{}\"\ndatabase_prefix = \"tv\"\n",
            server.uri()
        )
    })
    .await;
    let body = json!({"name": "pitr", "cron": "0 3 * * *", "source": "prod", "store": "mongo",
                      "tables": ["orders"], "mode": "continuous"});
    let response = rig.post("/api/v1/schedules", &body).await;
    assert_eq!(response.status(), 201);
    let schedule: serde_json::Value = response.json().await.expect("JSON");
    let schedule_id = schedule["id"].as_str().expect("id").to_string();
    let store = MongoStore::connect(&MongoStoreConfig::new(server.uri(), "tv"))
        .await
        .expect("store");
    let changes = MongoChangeStore::new(&store, &schedule_id, "orders").expect("changes");
    assert_eq!(changes.database_name(), "tv__changes");

    let client = rig.app.state.tablestore_client("prod").expect("source");
    poll_until("the stream to be on", Duration::from_secs(30), || {
        let client = client.clone();
        async move {
            let details = client
                .stream_details("orders")
                .await
                .map_err(|e| e.to_string())?;
            details
                .enabled
                .then_some(())
                .ok_or_else(|| "stream off".to_string())
        }
    })
    .await;
    let key = PrimaryKey::new([("id", PkValue::Integer(2000))]);
    let row = Row::new(
        key.clone(),
        vec![Cell::put("note", Value::String("in mongo".into()))],
    );
    client
        .put_row("orders", &row, RowExistence::Ignore)
        .await
        .expect("row");
    poll_until(
        "the write to be stored in MongoDB",
        Duration::from_secs(30),
        || {
            let changes = &changes;
            let row = row.clone();
            async move {
                let records = changes.records().await.map_err(|e| e.to_string())?;
                let stored = records.iter().any(|r| {
                    r.record.row.primary_key == row.primary_key
                        && r.record.row.cells[0].value == row.cells[0].value
                });
                stored
                    .then_some(())
                    .ok_or_else(|| format!("{} records, not yet", records.len()))
            }
        },
    )
    .await;

    let run_id = rig
        .start_run(&format!("/api/v1/schedules/{schedule_id}/run"), &json!({}))
        .await;
    let run = rig.finished_run(&run_id).await;
    assert_eq!(run["status"], "succeeded", "{run}");
    let path = format!("/api/v1/schedules/{schedule_id}");
    let capture = poll_until(
        "the schedule to be restorable",
        Duration::from_secs(30),
        || {
            let rig = &rig;
            let path = path.clone();
            async move {
                let capture = rig.get_json(&path).await["capture"].clone();
                (capture["status"] == "running" && capture["restorable_until"].is_string())
                    .then_some(capture.clone())
                    .ok_or_else(|| format!("{capture}"))
            }
        },
    )
    .await;
    assert!(capture["restorable_from"].is_string(), "{capture}");
}

/// Retention applies to chains: with `keep_last: 1`, the second base backup deletes the
/// first (through the one deletion path), and the schedule's restorable window starts at the
/// kept base's end from then on. The newest base is kept.
async fn retention_moves_the_restorable_window(rig: &crate::resources_helpers::Rig, store: &str) {
    let body = json!({"name": "pitr", "cron": "0 3 * * *", "source": "prod", "store": store,
                      "tables": ["orders"], "mode": "continuous", "retention": {"keep_last": 1}});
    let response = rig.post("/api/v1/schedules", &body).await;
    assert_eq!(response.status(), 201);
    let schedule: serde_json::Value = response.json().await.expect("JSON");
    let schedule_id = schedule["id"].as_str().expect("id").to_string();
    let path = format!("/api/v1/schedules/{schedule_id}");
    let restorable_from = |expected: serde_json::Value| {
        let path = path.clone();
        async move {
            poll_until("the restorable window", Duration::from_secs(60), || {
                let path = path.clone();
                let expected = expected.clone();
                async move {
                    let capture = rig.get_json(&path).await["capture"].clone();
                    (capture["restorable_from"] == expected
                        && capture["restorable_until"].is_string())
                    .then_some(())
                    .ok_or_else(|| format!("{capture}, want from {expected}"))
                }
            })
            .await
        }
    };
    let mut bases = Vec::new();
    for _ in 0..2 {
        let run_id = rig
            .start_run(&format!("/api/v1/schedules/{schedule_id}/run"), &json!({}))
            .await;
        let run = rig.finished_run(&run_id).await;
        assert_eq!(run["status"], "succeeded", "{run}");
        let id = run["backup_id"].as_str().expect("id").to_string();
        let backup = rig.get_json(&format!("/api/v1/backups/{id}")).await;
        if bases.is_empty() {
            restorable_from(backup["finished_at"].clone()).await;
        }
        bases.push(backup);
    }
    let first = format!("/api/v1/backups/{}", bases[0]["id"].as_str().expect("id"));
    poll_until(
        "retention to delete the first base",
        Duration::from_secs(60),
        || {
            let first = first.clone();
            async move {
                let status = rig.get_json(&first).await["status"].clone();
                (status == "deleted")
                    .then_some(())
                    .ok_or_else(|| format!("{status}"))
            }
        },
    )
    .await;
    restorable_from(bases[1]["finished_at"].clone()).await;
    let newest = format!("/api/v1/backups/{}", bases[1]["id"].as_str().expect("id"));
    assert_eq!(rig.get_json(&newest).await["status"], "completed");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn retention_of_an_archive_chain_moves_the_restorable_window() {
    let rig = rig().await;
    retention_moves_the_restorable_window(&rig, "local").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn retention_of_a_mongodb_chain_moves_the_restorable_window() {
    let server = MongoServer::start();
    let rig = rig_with(EmulatorConfig::default(), |_| {
        format!(
            "[stores.mongo]\nkind = \"mongodb\"\nuri = \"{}\"\ndatabase_prefix = \"tv\"\n",
            server.uri()
        )
    })
    .await;
    retention_moves_the_restorable_window(&rig, "mongo").await;
}
