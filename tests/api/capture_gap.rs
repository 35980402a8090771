//! A capture gap through the daemon (issue 12): records expire from the stream while a
//! continuous schedule's capture is paused. On resuming, the gap is recorded with the changes,
//! counted in `tablevault_capture_gaps_total`, a new base backup of the schedule is run, and
//! capture is `running` again — instead of failing on its stale position forever.

use std::time::Duration;

use chrono::{DateTime, Utc};
use serde_json::json;
use tablevault::capture::{ArchiveChangeStore, CaptureGap};
use tablevault::config::StoreConfig;
use tablevault::emulator::EmulatorConfig;

use crate::helpers::ADMIN_TOKEN;
use crate::resources_helpers::{rig_with, Rig};
use crate::support::poll::poll_until;
use crate::support::stream::{wait_until_the_stream_retains_nothing, write_an_unread_change};

const WAIT: Duration = Duration::from_secs(60);

/// A stream hour of 125 ms: the 24 h retention capture enables is 3 s.
pub async fn short_stream_rig() -> Rig {
    rig_with(
        EmulatorConfig {
            stream_hour_ms: 125,
            ..EmulatorConfig::default()
        },
        |_| String::new(),
    )
    .await
}

pub async fn set_paused(rig: &Rig, schedule_id: &str, paused: bool) {
    let response = rig
        .app
        .api
        .patch(rig.app.url(&format!("/api/v1/schedules/{schedule_id}")))
        .bearer_auth(ADMIN_TOKEN)
        .json(&json!({"paused": paused}))
        .send()
        .await
        .expect("sent");
    assert_eq!(response.status(), 200);
}

/// Polls until the schedule's capture reports `status`; returns the capture view.
pub async fn capture_status(rig: &Rig, schedule_id: &str, status: &str) -> serde_json::Value {
    let path = format!("/api/v1/schedules/{schedule_id}");
    poll_until(&format!("capture {status}"), WAIT, || {
        let path = path.clone();
        async move {
            let capture = rig.get_json(&path).await["capture"].clone();
            (capture["status"] == status)
                .then_some(capture.clone())
                .ok_or_else(|| capture.to_string())
        }
    })
    .await
}

/// Pauses the schedule's capture, writes a row and waits until its record has expired from
/// the stream, then resumes: the capture's position is lost.
pub async fn lose_a_change_behind_a_paused_capture(rig: &Rig, schedule_id: &str) {
    set_paused(rig, schedule_id, true).await;
    poll_until("the capture loop to stop", WAIT, || {
        let statuses = rig.app.state.captures.of(schedule_id);
        async move {
            statuses
                .is_empty()
                .then_some(())
                .ok_or_else(|| format!("{statuses:?}"))
        }
    })
    .await;
    let client = rig.app.state.tablestore_client("prod").expect("source");
    write_an_unread_change(&client, "orders").await;
    wait_until_the_stream_retains_nothing(&client, "orders", WAIT).await;
    set_paused(rig, schedule_id, false).await;
}

pub fn changes(rig: &Rig, schedule_id: &str, table: &str) -> ArchiveChangeStore {
    let root = match rig.app.state.config.store("local").expect("local") {
        StoreConfig::Archive(archive) => archive.path.clone(),
        other => panic!("local is a {} store", other.kind()),
    };
    ArchiveChangeStore::new(&root, schedule_id, table).expect("change store")
}

/// The first gap stored with the changes of the schedule's `orders`, once there is one.
async fn recorded_gap(rig: &Rig, schedule_id: &str) -> CaptureGap {
    let changes = changes(rig, schedule_id, "orders");
    poll_until("the gap to be recorded", WAIT, || {
        let changes = changes.clone();
        async move {
            let checkpoint = changes
                .latest_checkpoint()
                .map_err(|e| e.to_string())?
                .ok_or("no checkpoint")?;
            checkpoint
                .gaps
                .first()
                .cloned()
                .ok_or_else(|| "no gap yet".to_string())
        }
    })
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_gap_is_recorded_and_a_new_base_is_taken_and_capture_runs_again() {
    let rig = short_stream_rig().await;
    let body = json!({"name": "pitr", "cron": "0 3 * * *", "source": "prod", "store": "local",
                      "tables": ["orders"], "mode": "continuous"});
    let response = rig.post("/api/v1/schedules", &body).await;
    assert_eq!(response.status(), 201);
    let schedule: serde_json::Value = response.json().await.expect("JSON");
    let schedule_id = schedule["id"].as_str().expect("id").to_string();
    capture_status(&rig, &schedule_id, "running").await;

    lose_a_change_behind_a_paused_capture(&rig, &schedule_id).await;

    // The gap is stored with the changes.
    let gap = recorded_gap(&rig, &schedule_id).await;
    assert!(gap.reason.contains("expired"), "{gap:?}");

    // A new base backup of the schedule, started after the gap, completes through a run.
    let gap_end = DateTime::<Utc>::from_timestamp_micros(gap.until_us).expect("instant");
    let backups_path = format!("/api/v1/backups?schedule_id={schedule_id}&status=completed");
    let base = poll_until("a base backup after the gap", WAIT, || {
        let path = backups_path.clone();
        let rig = &rig;
        async move {
            let listed = rig.get_json(&path).await;
            listed["items"]
                .as_array()
                .into_iter()
                .flatten()
                .find(|b| {
                    b["started_at"]
                        .as_str()
                        .and_then(|t| DateTime::parse_from_rfc3339(t).ok())
                        .is_some_and(|t| t >= gap_end)
                })
                .cloned()
                .ok_or_else(|| listed.to_string())
        }
    })
    .await;
    let runs = rig
        .get_json(&format!("/api/v1/runs?schedule_id={schedule_id}"))
        .await;
    assert!(
        runs["items"]
            .as_array()
            .expect("runs")
            .iter()
            .any(|r| r["backup_id"] == base["id"] && r["status"] == "succeeded"),
        "the base is a real run: {runs}"
    );

    // Capture runs again, and the gap was counted.
    capture_status(&rig, &schedule_id, "running").await;
    let metrics = rig.app.metrics_text().await;
    assert!(
        metrics.contains(r#"tablevault_capture_gaps_total{schedule="pitr"} 1"#),
        "{metrics}"
    );
    // One gap, one base: capture did not find the gap again.
    let checkpoint = changes(&rig, &schedule_id, "orders")
        .latest_checkpoint()
        .expect("read")
        .expect("stored");
    assert_eq!(checkpoint.gaps, [gap]);
}

/// After a gap: an instant inside it is refused naming the gap; once the new base completed,
/// an instant after it restores.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_restore_to_an_instant_in_a_gap_is_refused_naming_the_gap() {
    let rig = short_stream_rig().await;
    let body = json!({"name": "pitr", "cron": "0 3 * * *", "source": "prod", "store": "local",
                      "tables": ["orders"], "mode": "continuous"});
    let response = rig.post("/api/v1/schedules", &body).await;
    assert_eq!(response.status(), 201);
    let schedule: serde_json::Value = response.json().await.expect("JSON");
    let schedule_id = schedule["id"].as_str().expect("id").to_string();
    capture_status(&rig, &schedule_id, "running").await;
    let run_id = rig
        .start_run(&format!("/api/v1/schedules/{schedule_id}/run"), &json!({}))
        .await;
    assert_eq!(rig.finished_run(&run_id).await["status"], "succeeded");
    let before_gap = poll_until("capture past the first base", WAIT, || {
        let rig = &rig;
        let path = format!("/api/v1/schedules/{schedule_id}");
        async move {
            let capture = rig.get_json(&path).await["capture"].clone();
            capture["restorable_until"]
                .as_str()
                .map(str::to_string)
                .ok_or_else(|| capture.to_string())
        }
    })
    .await;

    lose_a_change_behind_a_paused_capture(&rig, &schedule_id).await;
    let gap = recorded_gap(&rig, &schedule_id).await;
    let inside =
        DateTime::<Utc>::from_timestamp_micros((gap.from_us + gap.until_us) / 2).expect("instant");
    // Wait for capture to pass the gap, so only the gap can be the reason for refusing.
    capture_status(&rig, &schedule_id, "running").await;
    let restore = |at: String| {
        json!({"schedule_id": schedule_id, "point_in_time": at,
               "rename": {"orders": "orders_at"}, "dry_run": true})
    };
    let refused = rig
        .post("/api/v1/restores", &restore(inside.to_rfc3339()))
        .await;
    assert_eq!(refused.status(), 422);
    assert_eq!(
        refused.headers()["content-type"],
        "application/problem+json"
    );
    let problem: serde_json::Value = refused.json().await.expect("problem");
    let detail = problem["detail"].as_str().expect("detail");
    assert!(detail.contains("capture gap"), "{problem}");
    assert!(detail.contains("orders"), "{problem}");

    // Before the gap, from the first base, is still restorable (a dry run).
    let run_id = rig
        .start_run("/api/v1/restores", &restore(before_gap))
        .await;
    let run = rig.finished_run(&run_id).await;
    assert_eq!(run["status"], "succeeded", "{run}");
}
