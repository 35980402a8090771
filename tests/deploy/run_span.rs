//! Every run logs inside one span carrying its id: with `logging.format = "json"`, each line a
//! backup or a restore writes while it runs (the executor's, the engine's, the store's) names
//! that run, so `grep run_id` follows it through every layer, and its start and its end are one
//! line each.

use serde_json::{json, Value};
use tablevault::emulator::{Emulator, EmulatorConfig};

use crate::orders_source::orders_source;
use crate::support::daemon::{config_text, Daemon, LIMIT};
use crate::support::poll::poll_until;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_line_of_a_run_carries_its_run_id_and_its_start_and_end_are_logged_once() {
    let emulator = Emulator::start(EmulatorConfig::default())
        .await
        .expect("emulator");
    let mut extra = orders_source(&emulator).await;
    extra.push_str("\n[logging]\nformat = \"json\"\nlevel = \"info,tablevault=debug\"\n");
    let dir = tempfile::tempdir().unwrap();
    let daemon = Daemon::start(dir.path(), &config_text(dir.path(), 5, &extra), &[]);
    let api = reqwest::Client::new();

    let body = json!({"source": "prod", "store": "local", "tables": ["orders"]});
    let backup = daemon.start_run(&api, "/api/v1/backups", &body).await;
    wait_for_end(&daemon, &backup).await;
    let backup_id = run_lines(&daemon.logs(), &backup)
        .iter()
        .find_map(|line| line["span"]["backup_id"].as_str().map(str::to_string))
        .expect("the backup run's span names its backup");
    let body = json!({"backup_id": backup_id, "rename": {"orders": "orders_restored"}});
    let restore = daemon.start_run(&api, "/api/v1/restores", &body).await;
    wait_for_end(&daemon, &restore).await;
    check_logs(&daemon.logs(), &backup, &restore, &backup_id);
}

fn check_logs(logs: &str, backup: &str, restore: &str, backup_id: &str) {
    for (run_id, layers) in [
        (backup, &["tablevault::engine", "tablevault::store"][..]),
        (restore, &["tablevault::engine"][..]),
    ] {
        let lines = run_lines(logs, run_id);
        for line in &lines {
            assert_eq!(line["span"]["name"], "run", "{line}\n{logs}");
            assert_eq!(line["span"]["run_id"], run_id, "{line}\n{logs}");
            // A backup names its backup once it has made one.
            if let Some(id) = line["span"].get("backup_id") {
                assert_eq!(id, backup_id, "{line}\n{logs}");
            }
        }
        for layer in layers.iter().copied() {
            assert!(
                lines.iter().any(|l| target(l).starts_with(layer)),
                "no {layer} line in run {run_id}:\n{logs}"
            );
        }
        for (message, said) in [("Run started.", "started"), ("Run finished.", "ended")] {
            let times = parsed(logs)
                .filter(|l| l["message"] == message && l["run_id"] == run_id)
                .count();
            assert_eq!(times, 1, "run {run_id} {said} {times} times:\n{logs}");
        }
    }
    for gone in ["Backup finished.", "Restore finished."] {
        assert!(
            !logs.contains(gone),
            "{gone:?} repeats the run's end:\n{logs}"
        );
    }
}

/// The lines logged from a run's "Run started." to its "Run finished.", apart from those of
/// HTTP requests answered meanwhile (the request that submitted the run may answer late).
fn run_lines(logs: &str, run_id: &str) -> Vec<Value> {
    let is = |l: &Value, message: &str| l["message"] == message && l["run_id"] == run_id;
    let lines: Vec<Value> = parsed(logs).collect();
    let start = lines.iter().position(|l| is(l, "Run started."));
    let end = lines.iter().position(|l| is(l, "Run finished."));
    let (Some(start), Some(end)) = (start, end) else {
        panic!("run {run_id} did not start and finish:\n{logs}");
    };
    lines[start..=end]
        .iter()
        .filter(|l| l["span"]["name"] != "request" && !target(l).starts_with("tower_http"))
        .cloned()
        .collect()
}

fn parsed(logs: &str) -> impl Iterator<Item = Value> + '_ {
    logs.lines().filter_map(|l| serde_json::from_str(l).ok())
}

fn target(line: &Value) -> &str {
    line["target"].as_str().unwrap_or("")
}

/// Waits on the log file, not the API: a request would log inside the run's window.
async fn wait_for_end(daemon: &Daemon, run_id: &str) {
    poll_until(&format!("run {run_id} ends"), LIMIT, || async {
        let logs = daemon.logs();
        let ended = parsed(&logs).any(|l| l["message"] == "Run finished." && l["run_id"] == run_id);
        if ended {
            Ok(())
        } else {
            Err(logs)
        }
    })
    .await
}
