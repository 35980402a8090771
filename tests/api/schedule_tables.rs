//! A schedule's tables are checked against its source when it is created or they change: a
//! table that is not there is refused at once (422 naming it), not at the first backup hours
//! later; a source that does not answer does not block the schedule, the answer warns instead.

use serde_json::json;

use crate::helpers::{assert_problem, closed_port, spawn_app_with, ADMIN_TOKEN};
use crate::resources_helpers::rig;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_schedule_naming_a_table_missing_from_the_source_is_422() {
    let rig = rig().await;
    let body = json!({"name": "s", "cron": "0 3 * * *", "source": "prod", "store": "local",
                      "tables": ["orders", "ordres"]});
    let response = rig.post("/api/v1/schedules", &body).await;
    let problem = assert_problem(response, 422, "validation_failed").await;
    let detail = problem["detail"].as_str().unwrap_or("");
    assert!(
        detail.contains("ordres") && detail.contains("prod"),
        "{problem}"
    );
    assert!(
        detail.contains("orders"),
        "names what the source has: {problem}"
    );
    let listed = rig.get_json("/api/v1/schedules").await;
    assert_eq!(listed["items"], json!([]), "nothing was created");

    // Tables that exist: created, without warnings.
    let schedule = rig.schedule("nightly").await;
    assert!(schedule.get("warnings").is_none(), "{schedule}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_schedule_on_an_unreachable_source_is_created_with_a_warning() {
    let extra = format!(
        "[sources.down]\nendpoint = \"http://127.0.0.1:{}\"\ninstance = \"down\"\n\
         access_key_id = \"id\"\naccess_key_secret = \"secret\"\n",
        closed_port()
    );
    let app = spawn_app_with(&extra).await;
    let body = json!({"name": "s", "cron": "0 3 * * *", "source": "down", "store": "local",
                      "tables": ["orders"], "paused": true});
    let response = app
        .post_json("/api/v1/schedules", Some(ADMIN_TOKEN), &body.to_string())
        .await;
    assert_eq!(response.status(), 201);
    let schedule: serde_json::Value = response.json().await.expect("JSON");
    let warnings = schedule["warnings"].as_array().expect("warnings");
    assert_eq!(warnings.len(), 1, "{schedule}");
    let warning = warnings[0].as_str().unwrap_or("");
    assert!(
        warning.contains("could not be checked") && warning.contains("down"),
        "{warning}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn changing_a_schedule_to_a_table_missing_from_the_source_is_422() {
    let rig = rig().await;
    let schedule = rig.schedule("nightly").await;
    let path = format!("/api/v1/schedules/{}", schedule["id"].as_str().expect("id"));
    let patch = |body: serde_json::Value| {
        rig.app
            .api
            .patch(rig.app.url(&path))
            .bearer_auth(ADMIN_TOKEN)
            .json(&body)
            .send()
    };
    let response = patch(json!({"tables": ["ordres"]})).await.expect("sent");
    let problem = assert_problem(response, 422, "validation_failed").await;
    assert!(
        problem["detail"].as_str().unwrap_or("").contains("ordres"),
        "{problem}"
    );
    assert_eq!(
        rig.get_json(&path).await["tables"],
        json!(["orders"]),
        "unchanged"
    );
    let response = patch(json!({"tables": ["orders"], "paused": false}))
        .await
        .expect("sent");
    assert_eq!(response.status(), 200);
}
