//! kill -9 after a backup is published in the store but before the catalog records it. The
//! restarted daemon finds the manifest, records the backup `completed`, and its run
//! `succeeded`: the run used to stay `failed: interrupted` next to a completed backup, a
//! false alert on a good backup.

use serde_json::json;
use tablevault::catalog::{BackupStatus, RunStatus};
use tablevault::emulator::EmulatorConfig;
use tablevault::runs::crash_point::AFTER_PUBLISH;

use crate::api::Api;
use crate::rig::{catalog, wait_for_crash, Rig, ORDERS_ROWS};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_backup_published_just_before_a_crash_is_a_succeeded_run_after_restart() {
    let rig = Rig::new(EmulatorConfig::default(), "").await;
    let first = rig.start(Some(AFTER_PUBLISH));
    let accepted = Api::new(&first)
        .post(
            "/api/v1/backups",
            &json!({"source": "prod", "store": "local", "tables": ["orders"]}),
        )
        .await;
    let run_id = accepted["run_id"].as_str().expect("run id").to_string();
    wait_for_crash(first, AFTER_PUBLISH);

    // What the crash left: the data published, the catalog still saying "in progress".
    let state = catalog(rig.dir.path()).await;
    let run = state.get_run(&run_id).await.expect("run");
    assert_eq!(run.status, RunStatus::Running);
    let backup_id = run.backup_id.clone().expect("the run names its backup");
    let backup = state.get_backup(&backup_id).await.expect("backup");
    assert_eq!(backup.status, BackupStatus::Staged);
    state.close().await;
    assert_eq!(rig.published().await, std::slice::from_ref(&backup_id));

    let second = rig.start(None);
    let api = Api::new(&second);
    let run = api.get(&format!("/api/v1/runs/{run_id}")).await;
    assert_eq!(run["status"], "succeeded", "{run}");
    assert!(run["error"].is_null(), "{run}");
    let backup = api.get(&format!("/api/v1/backups/{backup_id}")).await;
    assert_eq!(backup["status"], "completed", "{backup}");
    assert_eq!(backup["rows"], ORDERS_ROWS, "{backup}");
    // The history agrees with itself: no failed backup run is left to alert on.
    let failed = api.all("/api/v1/runs?kind=backup&status=failed").await;
    assert!(failed.is_empty(), "{failed:#?}");
}
