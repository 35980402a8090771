//! `GET /api/v1/runs/{id}/log` (issue 14) on the real binary: a finished backup's own log
//! lines, from "Run started." to "Run finished.", with level, time and fields, and none of
//! another run's; an unknown run is 404.

use serde_json::{json, Value};
use tablevault::emulator::{Emulator, EmulatorConfig};

use crate::orders_source::orders_source;
use crate::support::daemon::{config_text, Daemon, ADMIN_TOKEN, LIMIT};
use crate::support::poll::eventually;

async fn get(api: &reqwest::Client, daemon: &Daemon, path: &str) -> (u16, Value) {
    let response = api
        .get(daemon.url(path))
        .bearer_auth(ADMIN_TOKEN)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_finished_backup_shows_its_own_log_lines() {
    let emulator = Emulator::start(EmulatorConfig::default())
        .await
        .expect("emulator");
    let extra = orders_source(&emulator).await;
    let dir = tempfile::tempdir().unwrap();
    let daemon = Daemon::start(dir.path(), &config_text(dir.path(), 5, &extra), &[]);
    let api = reqwest::Client::new();
    let body = json!({"source": "prod", "store": "local", "tables": ["orders"]});
    let backup = |run: String| {
        let (api, daemon) = (&api, &daemon);
        async move {
            eventually("the backup finishes", LIMIT, || async {
                let (_, got) = get(api, daemon, &format!("/api/v1/runs/{run}")).await;
                (got["status"] == "succeeded").then_some(())
            })
            .await;
            let (status, log) = get(api, daemon, &format!("/api/v1/runs/{run}/log")).await;
            assert_eq!(status, 200, "{log}");
            log
        }
    };
    let first = daemon.start_run(&api, "/api/v1/backups", &body).await;
    let log = backup(first.clone()).await;

    assert_eq!(log["run_id"], first.as_str());
    assert_eq!(log["dropped"], 0);
    let lines = log["lines"].as_array().expect("lines");
    let messages: Vec<&str> = lines
        .iter()
        .map(|l| l["message"].as_str().unwrap())
        .collect();
    assert_eq!(messages.first(), Some(&"Run started."), "{log}");
    assert_eq!(messages.last(), Some(&"Run finished."), "{log}");
    assert_eq!(messages.iter().filter(|m| **m == "Run started.").count(), 1);
    let started = &lines[0];
    assert_eq!(started["level"], "INFO");
    assert_eq!(started["fields"]["kind"], "backup", "{started}");
    assert!(started["time"].as_str().is_some_and(|t| t.contains('T')));

    // A second run's lines are its own: the first run's log does not grow.
    let second = daemon.start_run(&api, "/api/v1/backups", &body).await;
    let other = backup(second).await;
    assert_eq!(other["lines"][0]["message"], "Run started.", "{other}");
    let (_, again) = get(&api, &daemon, &format!("/api/v1/runs/{first}/log")).await;
    assert_eq!(again, log);

    let (status, _) = get(&api, &daemon, "/api/v1/runs/run_unknown/log").await;
    assert_eq!(status, 404);
}
