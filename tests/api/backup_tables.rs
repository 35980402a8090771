//! Requests that name tables of a known backup are checked against the catalog up front (422
//! naming the table), and a restore refused for a non-empty target explains itself in the
//! API's terms.

use serde_json::json;

use crate::helpers::assert_problem;
use crate::resources_helpers::{rig, Rig};

/// A schedule and one completed backup of its `orders` table: `(schedule_id, backup_id)`.
async fn backed_up(rig: &Rig) -> (String, String) {
    let schedule = rig.schedule("nightly").await;
    let id = schedule["id"].as_str().expect("id").to_string();
    let run_id = rig
        .start_run(&format!("/api/v1/schedules/{id}/run"), &json!({}))
        .await;
    let run = rig.finished_run(&run_id).await;
    assert_eq!(run["status"], "succeeded", "{run}");
    (
        id,
        run["backup_id"].as_str().expect("backup id").to_string(),
    )
}

/// A 422 `validation_failed` whose detail names `table` and what the backup holds.
async fn assert_not_in_backup(response: reqwest::Response, table: &str) {
    let problem = assert_problem(response, 422, "validation_failed").await;
    // The problem's detail starts with a capital letter.
    let detail = problem["detail"].as_str().unwrap_or("").to_lowercase();
    assert!(
        detail.contains(&format!("table {table} is not in backup")) && detail.contains("orders"),
        "{problem}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tables_not_in_the_backup_are_refused_before_a_run_starts() {
    let rig = rig().await;
    let (schedule_id, backup_id) = backed_up(&rig).await;
    let runs_before = rig.get_json("/api/v1/runs").await["items"].clone();

    let verify = format!("/api/v1/backups/{backup_id}/verify");
    let response = rig
        .post(&verify, &json!({"tables": ["orders", "invoices"]}))
        .await;
    assert_not_in_backup(response, "invoices").await;

    let body = json!({"backup_id": backup_id, "tables": ["invoices"]});
    let response = rig.post("/api/v1/restores", &body).await;
    assert_not_in_backup(response, "invoices").await;
    let body = json!({
        "backup_id": backup_id, "rename": {"orders": "orders_a", "invoices": "invoices_a"},
    });
    let response = rig.post("/api/v1/restores", &body).await;
    assert_not_in_backup(response, "invoices").await;
    let runs_after = rig.get_json("/api/v1/runs").await["items"].clone();
    assert_eq!(
        runs_after, runs_before,
        "the refused requests started nothing"
    );

    // The tables of the backup are accepted.
    let run_id = rig.start_run(&verify, &json!({"tables": ["orders"]})).await;
    assert_eq!(rig.finished_run(&run_id).await["status"], "succeeded");

    // For a schedule the backup is chosen when the run starts: accepted, and the run says why
    // it failed.
    let body = json!({"schedule_id": schedule_id, "tables": ["invoices"]});
    let run_id = rig.start_run("/api/v1/restores", &body).await;
    let run = rig.finished_run(&run_id).await;
    assert_eq!(run["status"], "failed", "{run}");
    let error = run["error"].as_str().unwrap_or("");
    assert!(error.contains("table invoices is not in backup"), "{run}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_restore_onto_a_non_empty_table_names_the_api_field_to_change() {
    let rig = rig().await;
    let (_, backup_id) = backed_up(&rig).await;

    // `orders` still holds its rows; if_exists defaults to fail.
    let body = json!({"backup_id": backup_id});
    let run_id = rig.start_run("/api/v1/restores", &body).await;
    let run = rig.finished_run(&run_id).await;

    assert_eq!(run["status"], "failed", "{run}");
    let error = run["error"].as_str().unwrap_or("");
    assert_eq!(
        error, "target table orders is not empty (set if_exists to skip or overwrite)",
        "{run}"
    );
}
