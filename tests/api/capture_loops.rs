//! The daemon owns continuous capture (issue 12): a continuous, unpaused schedule gets a
//! capture loop per table that stores the table's changes as change segments under the
//! archive store's `.changes/<schedule id>/<table>/`, started by the daemon itself (no run).

use std::time::Duration;

use serde_json::json;
use tablevault::capture::ChangeStore;
use tablevault::config::StoreConfig;
use tablevault::tablestore::client::RowExistence;
use tablevault::tablestore::{Cell, PkValue, PrimaryKey, Row, Value};

use crate::resources_helpers::rig;
use crate::support::poll::poll_until;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_continuous_schedule_stores_the_tables_changes_without_a_run() {
    let rig = rig().await;
    let body = json!({"name": "pitr", "cron": "0 3 * * *", "source": "prod", "store": "local",
                      "tables": ["orders"], "mode": "continuous"});
    let response = rig.post("/api/v1/schedules", &body).await;
    assert_eq!(response.status(), 201);
    let schedule: serde_json::Value = response.json().await.expect("JSON");
    let schedule_id = schedule["id"].as_str().expect("id").to_string();
    let root = match rig.app.state.config.store("local").expect("local") {
        StoreConfig::Archive(archive) => archive.path.clone(),
        other => panic!("local is a {} store", other.kind()),
    };
    let changes = ChangeStore::new(&root, &schedule_id, "orders").expect("change store");

    // Once capture has turned the table's stream on, a write is captured.
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
    let key = PrimaryKey::new([("id", PkValue::Integer(1000))]);
    let row = Row::new(
        key.clone(),
        vec![Cell::put("note", Value::String("captured".into()))],
    );
    client
        .put_row("orders", &row, RowExistence::Ignore)
        .await
        .expect("row");

    poll_until("the write to be captured", Duration::from_secs(30), || {
        let changes = changes.clone();
        let key = key.clone();
        async move {
            let segments = changes.read_all().map_err(|e| e.to_string())?;
            let captured = segments
                .iter()
                .flat_map(|s| &s.records)
                .any(|r| r.record.row.primary_key == key);
            captured
                .then_some(())
                .ok_or_else(|| format!("{} segments, not yet", segments.len()))
        }
    })
    .await;

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
