//! A second start on the same directory: the emulator is new (and seeded again), but the
//! schedule is the same one and the earlier backups are still listed.

use std::collections::HashMap;

use serde_json::Value;

use crate::api::{first_completed_backup, get_json};
use crate::daemon::Demo;
use crate::support::poll::eventually;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_restart_keeps_one_schedule_and_the_earlier_backups() {
    let dir = tempfile::tempdir().unwrap();
    let vars = HashMap::new();
    let first = Demo::start(dir.path(), &[]);
    let earlier = first_completed_backup(&first.command("the backups", 0), &vars).await;
    let schedules = get_json(&format!("{}/api/v1/schedules", first.address), None).await;
    let schedule_id = schedules["items"][0]["id"].as_str().unwrap().to_string();
    first.terminate();
    assert_eq!(first.wait().await, Some(0));

    let second = Demo::start(dir.path(), &[]);
    let schedules = get_json(&format!("{}/api/v1/schedules", second.address), None).await;
    let items = schedules["items"].as_array().unwrap();
    assert_eq!(items.len(), 1, "{schedules}");
    assert_eq!(items[0]["id"], schedule_id.as_str());
    assert_eq!(items[0]["name"], "demo-every-minute");
    assert_eq!(items[0]["retention"]["keep_last"], 10);
    assert!(second
        .block
        .iter()
        .any(|l| l.contains(&format!("/api/v1/schedules/{schedule_id}/run"))));

    // The start's run-now (or a catch-up) backs up the new emulator's table.
    let list = format!("{}/api/v1/backups?status=completed", second.address);
    let backups: Vec<Value> = eventually(
        "a backup after the restart",
        std::time::Duration::from_secs(60),
        || async {
            let page = get_json(&list, None).await;
            let items = page["items"].as_array().unwrap().clone();
            (items.len() >= 2).then_some(items)
        },
    )
    .await;
    assert!(
        backups.iter().any(|b| b["id"] == earlier.as_str()),
        "{earlier} is still listed: {backups:#?}"
    );
    assert!(backups
        .iter()
        .all(|b| b["schedule_id"] == schedule_id.as_str()));
    second.terminate();
    assert_eq!(second.wait().await, Some(0));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_second_demo_on_a_busy_directory_is_pointed_to_demo_dir() {
    let dir = tempfile::tempdir().unwrap();
    let first = Demo::start(dir.path(), &[]);

    let mut second = crate::daemon::command(dir.path(), &["--listen", "127.0.0.1:0"], &[]);
    second.stderr(std::process::Stdio::piped());
    let second = tokio::task::spawn_blocking(move || second.output().expect("runs"))
        .await
        .unwrap();

    assert_eq!(second.status.code(), Some(1), "{second:?}");
    let stderr = String::from_utf8_lossy(&second.stderr);
    let error = stderr.lines().last().unwrap_or_default();
    assert!(
        error.starts_with("error: another tablevault daemon"),
        "{stderr}"
    );
    assert!(
        error.contains("give it its own directory: --demo-dir DIR (this one uses ./data/demo)"),
        "{error}"
    );
    first.terminate();
    assert_eq!(first.wait().await, Some(0));
}
