//! A stream that expires behind a stopped daemon (issue 12): the daemon is stopped while a
//! continuous schedule captures, a change is written and expires from the stream before the
//! daemon comes back. On restart the capture finds its position lost: the gap is recorded,
//! counted and logged, a new base backup is taken at once, capture runs again, and a restore
//! to an instant inside the gap is refused naming it.

use std::time::Duration;

use chrono::{DateTime, Utc};
use serde_json::json;
use tablevault::capture::ArchiveChangeStore;
use tablevault::emulator::EmulatorConfig;

use crate::api::Api;
use crate::rig::Rig;
use crate::support::emulator::production_client;
use crate::support::poll::{eventually, poll_until};
use crate::support::stream::{wait_until_the_stream_retains_nothing, write_an_unread_change};

const WAIT: Duration = Duration::from_secs(60);

async fn capture_running(api: &Api, schedule_id: &str) -> serde_json::Value {
    let path = format!("/api/v1/schedules/{schedule_id}");
    eventually("capture running", WAIT, || async {
        let capture = api.get(&path).await["capture"].clone();
        (capture["status"] == "running").then_some(capture)
    })
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn records_expired_behind_a_stopped_daemon_are_a_gap_and_a_new_base_follows() {
    // A stream hour of 125 ms: the 24 h retention capture enables is 3 s.
    let emulator = EmulatorConfig {
        stream_hour_ms: 125,
        ..EmulatorConfig::default()
    };
    let rig = Rig::new(emulator, "").await;
    let mut daemon = rig.start(None);
    let api = Api::new(&daemon);
    let schedule_id = api.continuous_schedule().await;
    capture_running(&api, &schedule_id).await;
    let run = api
        .post(&format!("/api/v1/schedules/{schedule_id}/run"), &json!({}))
        .await;
    let first_run = api
        .finished_run(run["run_id"].as_str().expect("run id"))
        .await;
    assert_eq!(first_run["status"], "succeeded", "{first_run}");

    daemon.signal("TERM");
    assert!(daemon.wait().success(), "a clean stop");
    let client = production_client(&rig.emulator);
    write_an_unread_change(&client, "orders").await;
    wait_until_the_stream_retains_nothing(&client, "orders", WAIT).await;

    let daemon = rig.start(None);
    let api = Api::new(&daemon);
    let changes = ArchiveChangeStore::new(&rig.dir.path().join("archive"), &schedule_id, "orders")
        .expect("change store");
    let gap = poll_until("the gap to be recorded", WAIT, || async {
        let checkpoint = changes.latest_checkpoint().map_err(|e| e.to_string())?;
        checkpoint
            .and_then(|c| c.gaps.first().cloned())
            .ok_or_else(|| "no gap yet".to_string())
    })
    .await;
    assert!(gap.reason.contains("expired"), "{gap:?}");

    // A new base, started after the gap, completes through a run of the schedule.
    let gap_end = DateTime::<Utc>::from_timestamp_micros(gap.until_us).expect("instant");
    let backups = format!("/api/v1/backups?schedule_id={schedule_id}&status=completed");
    eventually("a base backup after the gap", WAIT, || async {
        let listed = api.all(&backups).await;
        listed.into_iter().find(|b| {
            b["started_at"]
                .as_str()
                .and_then(|t| DateTime::parse_from_rfc3339(t).ok())
                .is_some_and(|t| t >= gap_end)
        })
    })
    .await;
    capture_running(&api, &schedule_id).await;
    let metrics = api.text("/metrics").await;
    assert!(
        metrics.contains(r#"tablevault_capture_gaps_total{schedule="pitr"} 1"#),
        "{metrics}"
    );

    // An instant inside the gap is refused, naming it.
    let inside =
        DateTime::<Utc>::from_timestamp_micros((gap.from_us + gap.until_us) / 2).expect("instant");
    let refused = reqwest::Client::new()
        .post(format!("{}/api/v1/restores", daemon.address))
        .bearer_auth(crate::support::daemon::ADMIN_TOKEN)
        .json(
            &json!({"schedule_id": schedule_id, "point_in_time": inside.to_rfc3339(),
                      "rename": {"orders": "orders_at"}, "dry_run": true}),
        )
        .send()
        .await
        .expect("answered");
    assert_eq!(refused.status(), 422);
    let problem: serde_json::Value = refused.json().await.expect("problem");
    let detail = problem["detail"].as_str().expect("detail");
    assert!(detail.contains("capture gap"), "{problem}");
}
