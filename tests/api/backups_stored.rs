//! `tablevault_backups_stored{schedule,store}` follows the catalog while the daemon runs, not
//! only at start-up: a schedule's backups add to it, retention and deletions through the API
//! take from it, and ad-hoc backups (no schedule) have no series. Scraped from `/metrics`.

use std::time::Duration;

use serde_json::{json, Value as Json};

use crate::exposition::{samples, value};
use crate::helpers::ADMIN_TOKEN;
use crate::resources_helpers::{rig, Rig};
use crate::support::poll::poll_until;

/// Safety net for a recount to show; a test that reaches it has failed.
const RECOUNT_LIMIT: Duration = Duration::from_secs(30);

async fn stored(rig: &Rig, schedule: &str) -> Option<f64> {
    let all = samples(&rig.app.metrics_text().await);
    value(
        &all,
        "tablevault_backups_stored",
        &[("schedule", schedule), ("store", "local")],
    )
}

/// Polls `/metrics` until the schedule's gauge reads `expected` (recounts run on their own
/// task after a run ends).
async fn wait_stored(rig: &Rig, schedule: &str, expected: f64) {
    let what = format!("backups_stored of {schedule} reads {expected}");
    poll_until(&what, RECOUNT_LIMIT, || async {
        match stored(rig, schedule).await {
            Some(now) if now == expected => Ok(()),
            now => Err(format!("{now:?}")),
        }
    })
    .await
}

async fn run_now(rig: &Rig, schedule_id: &str) -> String {
    let run_id = rig
        .start_run(&format!("/api/v1/schedules/{schedule_id}/run"), &json!({}))
        .await;
    let run = rig.finished_run(&run_id).await;
    assert_eq!(run["status"], "succeeded", "{run}");
    run["backup_id"].as_str().expect("backup id").to_string()
}

/// The ids of the schedule's backups the catalog lists as completed.
async fn completed(rig: &Rig, schedule_id: &str) -> Vec<String> {
    let listed = rig
        .get_json(&format!(
            "/api/v1/backups?schedule_id={schedule_id}&status=completed"
        ))
        .await;
    listed["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|b| b["id"].as_str().expect("id").to_string())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn backups_stored_follows_backups_retention_and_deletions() {
    // Arrange: a schedule that keeps only its newest backup.
    let rig = rig().await;
    let body = json!({
        "name": "hourly", "cron": "0 * * * *", "source": "prod", "store": "local",
        "tables": ["orders"], "paused": true, "retention": {"keep_last": 1},
    });
    let response = rig.post("/api/v1/schedules", &body).await;
    assert_eq!(response.status(), 201);
    let schedule: Json = response.json().await.expect("JSON");
    let id = schedule["id"].as_str().expect("id");
    assert_eq!(stored(&rig, "hourly").await, Some(0.0), "a new schedule");

    // A first backup: counted while the daemon runs, not at the next start.
    let first = run_now(&rig, id).await;
    wait_stored(&rig, "hourly", 1.0).await;

    // A second: retention deletes the first, so the count stays 1 (not 2).
    let second = run_now(&rig, id).await;
    let deletions = rig
        .get_json(&format!(
            "/api/v1/runs?kind=retention_delete&backup_id={first}"
        ))
        .await;
    let deletion = deletions["items"][0]["id"].as_str().expect("deletion run");
    assert_eq!(rig.finished_run(deletion).await["status"], "succeeded");
    assert_eq!(completed(&rig, id).await, std::slice::from_ref(&second));
    wait_stored(&rig, "hourly", 1.0).await;
    let all = samples(&rig.app.metrics_text().await);
    assert_eq!(
        value(
            &all,
            "tablevault_retention_deletions_total",
            &[("schedule", "hourly")]
        ),
        Some(1.0)
    );

    // Deleting the remaining (newest) backup through the API: the API allows it, and the
    // count follows at once (the handler recounts before answering).
    let response = rig
        .app
        .api
        .delete(rig.app.url(&format!("/api/v1/backups/{second}")))
        .bearer_auth(ADMIN_TOKEN)
        .send()
        .await
        .expect("sent");
    assert_eq!(response.status(), 204);
    assert_eq!(stored(&rig, "hourly").await, Some(0.0));

    // From 0, a new backup shows as 1 again.
    run_now(&rig, id).await;
    wait_stored(&rig, "hourly", 1.0).await;

    // An ad-hoc backup belongs to no schedule: no series of it appears.
    let body = json!({"source": "prod", "store": "local", "tables": ["orders"]});
    let run_id = rig.start_run("/api/v1/backups", &body).await;
    assert_eq!(rig.finished_run(&run_id).await["status"], "succeeded");
    let all = samples(&rig.app.metrics_text().await);
    let series: Vec<_> = all
        .iter()
        .filter(|s| s.name == "tablevault_backups_stored")
        .map(|s| s.labels.clone())
        .collect();
    assert_eq!(series.len(), 1, "only the schedule's series: {series:?}");
    assert_eq!(stored(&rig, "hourly").await, Some(1.0));
}
