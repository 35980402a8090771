//! The daemon's own machinery around the resources: `Idempotency-Key` replay and the
//! scheduler that `Daemon::build` starts, on real time.

use std::time::Duration;

use serde_json::{json, Value as Json};

use crate::helpers::assert_problem;
use crate::resources_helpers::rig;
use crate::support::poll::poll_until;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_idempotency_key_replays_the_first_answer() {
    let rig = rig().await;
    let body = json!({"source": "prod", "store": "local", "tables": ["orders"]}).to_string();
    let post = |key: &'static str, body: String| {
        rig.app
            .api
            .post(rig.app.url("/api/v1/backups"))
            .bearer_auth(crate::helpers::ADMIN_TOKEN)
            .header("content-type", "application/json")
            .header("idempotency-key", key)
            .body(body)
            .send()
    };
    let first = post("key-1", body.clone()).await.expect("sent");
    assert_eq!(first.status(), 202);
    assert!(first.headers().get("idempotent-replayed").is_none());
    let first: Json = first.json().await.expect("JSON");
    let again = post("key-1", body.clone()).await.expect("sent");
    assert_eq!(again.status(), 202);
    assert_eq!(again.headers()["idempotent-replayed"], "true");
    assert_eq!(
        again.headers()["location"],
        format!("/api/v1/runs/{}", first["run_id"].as_str().unwrap_or(""))
    );
    let again: Json = again.json().await.expect("JSON");
    assert_eq!(again["run_id"], first["run_id"]);
    rig.finished_run(first["run_id"].as_str().expect("run id"))
        .await;
    let runs = rig.get_json("/api/v1/runs?kind=backup").await;
    assert_eq!(
        runs["items"].as_array().map(Vec::len),
        Some(1),
        "one run: {runs}"
    );

    let other = json!({"source": "prod", "store": "local", "tables": []}).to_string();
    let mismatch = post("key-1", other).await.expect("sent");
    assert_problem(mismatch, 422, "validation_failed").await;

    // A refused request does not keep its key: the corrected retry runs.
    let bad = json!({"source": "nope", "store": "local"}).to_string();
    assert_problem(
        post("key-2", bad).await.expect("sent"),
        422,
        "validation_failed",
    )
    .await;
    let fixed = post("key-2", body).await.expect("sent");
    assert_eq!(fixed.status(), 202);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_daemons_scheduler_fires_a_due_schedule() {
    let rig = rig().await;
    let body = json!({
        "name": "every-second", "cron": "* * * * * *", "source": "prod", "store": "local",
        "tables": ["orders"],
    });
    let response = rig.post("/api/v1/schedules", &body).await;
    assert_eq!(response.status(), 201);
    let location = response.headers()["location"]
        .to_str()
        .expect("ascii")
        .to_string();
    let schedule: Json = response.json().await.expect("JSON");
    let id = schedule["id"].as_str().expect("id");
    assert_eq!(location, format!("/api/v1/schedules/{id}"));
    assert!(schedule["next_run_at"].is_string(), "{schedule}");
    assert_eq!(schedule["expected_interval_seconds"], 1);

    // Polls the history (the scheduler runs on real time here) until a scheduled run shows.
    let run_id = poll_until("a scheduled run", Duration::from_secs(30), || async {
        let runs = rig
            .get_json(&format!("/api/v1/runs?schedule_id={id}&kind=backup"))
            .await;
        let fired = runs["items"]
            .as_array()
            .and_then(|items| items.iter().find(|r| r["trigger"] == "schedule").cloned());
        match fired {
            Some(run) => Ok(run["id"].as_str().expect("run id").to_string()),
            None => Err(runs.to_string()),
        }
    })
    .await;
    let run = rig.finished_run(&run_id).await;
    assert!(
        matches!(run["status"].as_str(), Some("succeeded" | "skipped")),
        "{run}"
    );
    let paused = rig
        .app
        .api
        .patch(rig.app.url(&format!("/api/v1/schedules/{id}")))
        .bearer_auth(crate::helpers::ADMIN_TOKEN)
        .json(&json!({"paused": true}))
        .send()
        .await
        .expect("sent");
    assert_eq!(paused.status(), 200);
    let paused: Json = paused.json().await.expect("JSON");
    assert_eq!(paused["paused"], true);
    assert!(paused["next_run_at"].is_null(), "{paused}");
}
