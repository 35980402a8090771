//! kill -9 in the middle of retention: the first planned deletion has marked its backup
//! `deleting`, the store still holds it, the other deletions are not started. The restarted
//! daemon finishes that deletion, carries out the rest of the plan, and records the runs as
//! succeeded. The remaining deletions used to wait for the schedule's next backup, with the
//! backup and deletion runs left `failed: interrupted`.

use serde_json::{json, Value as Json};
use tablevault::catalog::{BackupStatus, RunKind, RunStatus};
use tablevault::emulator::EmulatorConfig;
use tablevault::runs::crash_point::RETENTION_DELETE;

use crate::api::Api;
use crate::rig::{catalog, wait_for_crash, Rig};

fn ids(items: &[Json], status: &str) -> Vec<String> {
    let mut ids: Vec<String> = items
        .iter()
        .filter(|b| b["status"] == status)
        .map(|b| b["id"].as_str().expect("id").to_string())
        .collect();
    ids.sort();
    ids
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deletions_interrupted_by_a_crash_are_finished_at_restart() {
    let rig = Rig::new(EmulatorConfig::default(), "").await;
    let first = rig.start(Some(RETENTION_DELETE));
    let api = Api::new(&first);
    let schedule = api
        .post(
            "/api/v1/schedules",
            &json!({
                "name": "nightly", "cron": "0 3 * * *", "source": "prod", "store": "local",
                "tables": ["orders"], "retention": {"keep_last": 10},
            }),
        )
        .await;
    let id = schedule["id"].as_str().expect("schedule id").to_string();
    let run_now = format!("/api/v1/schedules/{id}/run");
    for _ in 0..3 {
        let run = api.post(&run_now, &json!({})).await;
        let run = api
            .finished_run(run["run_id"].as_str().expect("run id"))
            .await;
        assert_eq!(run["status"], "succeeded", "{run}");
    }
    // Keeping one backup now removes the three older ones after the next backup.
    api.send(
        reqwest::Method::PATCH,
        &format!("/api/v1/schedules/{id}"),
        &json!({"retention": {"keep_last": 1}}),
    )
    .await;
    let last = api.post(&run_now, &json!({})).await;
    let last_run = last["run_id"].as_str().expect("run id").to_string();
    wait_for_crash(first, RETENTION_DELETE);

    let state = catalog(rig.dir.path()).await;
    let newest = state.get_run(&last_run).await.expect("run").backup_id;
    let newest = newest.expect("the backup run names its backup");
    let deleting: Vec<_> = state
        .list_backups(
            &tablevault::catalog::BackupFilter {
                statuses: vec![BackupStatus::Deleting],
                ..Default::default()
            },
            &tablevault::catalog::PageRequest::first(10),
        )
        .await
        .expect("listed")
        .items;
    assert_eq!(deleting.len(), 1, "one deletion had started: {deleting:?}");
    state.close().await;
    assert_eq!(
        rig.published().await.len(),
        4,
        "nothing deleted from the store yet"
    );

    let second = rig.start(None);
    let api = Api::new(&second);
    let backups = api.all(&format!("/api/v1/backups?schedule_id={id}")).await;
    assert_eq!(
        ids(&backups, "completed"),
        std::slice::from_ref(&newest),
        "{backups:#?}"
    );
    assert_eq!(ids(&backups, "deleted").len(), 3, "{backups:#?}");
    assert_eq!(rig.published().await, [newest]);
    let runs = api.all(&format!("/api/v1/runs?schedule_id={id}")).await;
    let deletions: Vec<&Json> = runs
        .iter()
        .filter(|r| r["kind"] == RunKind::RetentionDelete.as_str())
        .collect();
    assert_eq!(deletions.len(), 3, "{runs:#?}");
    for run in runs {
        assert_eq!(run["status"], RunStatus::Succeeded.as_str(), "{run}");
    }
}
