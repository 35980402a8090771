//! Runs recorded `skipped` (another run holds their schedule or tables) count in the run
//! counters under `result="skipped"`, so an alert on missed backups or restores sees them.

use serde_json::json;
use tablevault::runs::Claim;

use crate::resources_helpers::rig;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn skipped_backups_and_restores_are_counted() {
    let rig = rig().await;
    let schedule = rig.schedule("nightly").await;
    let id = schedule["id"].as_str().expect("id");
    let run = rig
        .finished_run(
            &rig.start_run(&format!("/api/v1/schedules/{id}/run"), &json!({}))
                .await,
        )
        .await;
    assert_eq!(run["status"], "succeeded", "{run}");
    let backup_id = run["backup_id"].as_str().expect("backup id");

    // The table held for as long as the test needs, through the executor's own claims.
    let tables = vec!["orders".to_string(), "orders_copy".to_string()];
    let held = rig
        .app
        .state
        .executor()
        .hold_claims("the test", vec![Claim::tables("prod", &tables)])
        .expect("nothing else holds the tables");
    let backup = rig
        .start_run(&format!("/api/v1/schedules/{id}/run"), &json!({}))
        .await;
    let body = json!({"backup_id": backup_id, "rename": {"orders": "orders_copy"}});
    let restore = rig.start_run("/api/v1/restores", &body).await;
    for run_id in [backup, restore] {
        let run = rig.finished_run(&run_id).await;
        assert_eq!(run["status"], "skipped", "{run}");
    }
    drop(held);

    let metrics = rig.app.metrics_text().await;
    for line in [
        "tablevault_backup_runs_total{result=\"skipped\",schedule=\"nightly\"} 1",
        "tablevault_backup_runs_total{result=\"succeeded\",schedule=\"nightly\"} 1",
        "tablevault_restore_runs_total{result=\"skipped\"} 1",
    ] {
        assert!(metrics.contains(line), "{line} missing from\n{metrics}");
    }
}
