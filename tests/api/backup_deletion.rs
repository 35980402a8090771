//! `DELETE /api/v1/backups/{id}` and the runs that read the backup: the deletion and the
//! readers exclude each other through the executor's claims, whichever comes first.

use serde_json::{json, Value as Json};
use tablevault::emulator::FaultConfig;

use crate::helpers::{assert_problem, ADMIN_TOKEN};
use crate::resources_helpers::{rig, Rig};

/// Far beyond the test: a run waiting on the source stays active until it is cancelled.
const STALLED_MS: u64 = 600_000;

async fn delete(rig: &Rig, backup_id: &str) -> reqwest::Response {
    rig.app
        .api
        .delete(rig.app.url(&format!("/api/v1/backups/{backup_id}")))
        .bearer_auth(ADMIN_TOKEN)
        .send()
        .await
        .expect("sent")
}

/// `POST path` expecting 202; returns the run as recorded.
async fn submitted_run(rig: &Rig, path: &str, body: &Json) -> Json {
    let run_id = rig.start_run(path, body).await;
    rig.get_json(&format!("/api/v1/runs/{run_id}")).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_backup_read_by_a_run_is_not_deleted_until_the_run_has_ended() {
    let rig = rig().await;
    let backup_id = rig.completed_backup().await;

    // Every source request stalls: the restore stays active (claiming the backup) until it
    // is cancelled.
    rig._emulator.set_faults(FaultConfig {
        latency_ms: STALLED_MS,
        ..FaultConfig::default()
    });
    let body = json!({"backup_id": backup_id, "rename": {"orders": "orders_copy"}});
    let restore = rig.start_run("/api/v1/restores", &body).await;

    let problem = assert_problem(delete(&rig, &backup_id).await, 409, "conflict").await;
    let detail = problem["detail"].as_str().unwrap_or("");
    assert!(
        detail.contains(&format!("in use by run {restore} (restore)")),
        "{problem}"
    );
    let backup = rig.get_json(&format!("/api/v1/backups/{backup_id}")).await;
    assert_eq!(backup["status"], "completed", "untouched: {backup}");

    rig._emulator.set_faults(FaultConfig::default());
    let response = rig
        .post(&format!("/api/v1/runs/{restore}/cancel"), &json!({}))
        .await;
    assert_eq!(response.status(), 202);
    assert_eq!(rig.finished_run(&restore).await["status"], "cancelled");

    assert_eq!(delete(&rig, &backup_id).await.status(), 204);
    let backup = rig.get_json(&format!("/api/v1/backups/{backup_id}")).await;
    assert_eq!(backup["status"], "deleted", "{backup}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn readers_submitted_while_a_deletion_holds_the_backup_are_skipped() {
    let rig = rig().await;
    let backup_id = rig.completed_backup().await;

    // The claim `DELETE` holds while the store deletes, taken through the same executor call,
    // so the window is held open for as long as the test needs.
    let deletion = rig
        .app
        .state
        .executor()
        .hold_backup_deletion(&backup_id)
        .expect("nothing reads the backup");
    let holder = format!("backup {backup_id} is in use by the deletion of backup {backup_id}");

    let verify = submitted_run(
        &rig,
        &format!("/api/v1/backups/{backup_id}/verify"),
        &json!({}),
    )
    .await;
    let body = json!({"backup_id": backup_id, "rename": {"orders": "orders_copy"}});
    let restore = submitted_run(&rig, "/api/v1/restores", &body).await;
    for run in [&verify, &restore] {
        assert_eq!(run["status"], "skipped", "{run}");
        assert_eq!(run["skip_reason"], holder.as_str(), "{run}");
    }
    // A second deletion waits its turn too.
    let problem = assert_problem(delete(&rig, &backup_id).await, 409, "conflict").await;
    assert!(
        problem["detail"]
            .as_str()
            .unwrap_or("")
            .contains(&format!("in use by the deletion of backup {backup_id}")),
        "{problem}"
    );

    drop(deletion);
    assert_eq!(delete(&rig, &backup_id).await.status(), 204);
    let response = rig
        .post(&format!("/api/v1/backups/{backup_id}/verify"), &json!({}))
        .await;
    assert_problem(response, 422, "validation_failed").await;
    // Deleting a deleted backup is a no-op, not a conflict.
    assert_eq!(delete(&rig, &backup_id).await.status(), 204);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_backup_being_written_is_not_deleted_and_one_that_never_stored_data_is() {
    let rig = rig().await;
    rig._emulator.set_faults(FaultConfig {
        latency_ms: STALLED_MS,
        ..FaultConfig::default()
    });
    let body = json!({"source": "prod", "store": "local", "tables": ["orders"]});
    let run_id = rig.start_run("/api/v1/backups", &body).await;
    let backup_id = rig.backup_of(&run_id).await;

    let problem = assert_problem(delete(&rig, &backup_id).await, 409, "conflict").await;
    assert!(
        problem["detail"]
            .as_str()
            .unwrap_or("")
            .contains(&format!("in use by run {run_id} (backup)")),
        "{problem}"
    );

    rig._emulator.set_faults(FaultConfig::default());
    let response = rig
        .post(&format!("/api/v1/runs/{run_id}/cancel"), &json!({}))
        .await;
    assert_eq!(response.status(), 202);
    assert_eq!(rig.finished_run(&run_id).await["status"], "cancelled");
    // The cancelled backup left nothing in the store; deleting it only settles the record.
    assert_eq!(delete(&rig, &backup_id).await.status(), 204);
    let backup = rig.get_json(&format!("/api/v1/backups/{backup_id}")).await;
    assert_eq!(backup["status"], "deleted", "{backup}");
}
