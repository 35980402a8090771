//! The README's examples, run as written (bash + curl) against `serve --demo`: the "Try it"
//! block on the open demo and the restore runbook with a token, each twice in a row (a reader
//! pastes a block again), and every run they started must end `succeeded`. A changed route or
//! body, or a run skipped or failed behind a 202, breaks this test rather than a newcomer's
//! first minutes or an operator's restore.

use std::collections::HashMap;
use std::process::Command;
use std::time::Duration;

use chrono::{DateTime, Utc};
use serde_json::Value;

use crate::api::{finished_run, first_completed_backup, get_json};
use crate::daemon::Demo;
use crate::support::poll::eventually;

/// Bounds one run of a block (its `wait_run` loops poll until runs end).
const BLOCK_LIMIT_SECS: &str = "120";
/// How long before the demo schedule's next tick a block may start: a pass takes a few
/// seconds, and a block's backup of every table or restore into `orders` meeting the scheduled
/// backup of `orders` is (rightly) recorded `skipped`, which is not what the README shows.
const CLEAR_OF_THE_TICK: Duration = Duration::from_secs(25);

/// Waits until no run is active and the demo schedule's next tick is far enough away.
///
/// The schedule is read before the runs: a tick records its run before it moves `next_run_at`
/// (`scheduler/tick.rs`), so once `next_run_at` reads far away, the tick before it has its run
/// recorded and the runs read after it show that run while it is active. Read the other way
/// round, a tick falling between the two reads went unseen (the runs looked idle, then
/// `next_run_at` had already moved a minute on) and a block started beside the scheduled backup.
async fn between_scheduled_backups(address: &str, token: Option<&str>) {
    eventually("a quiet minute", Duration::from_secs(90), || async {
        let schedules = get_json(&format!("{address}/api/v1/schedules"), token).await;
        let next = schedules["items"][0]["next_run_at"]
            .as_str()
            .expect("next run");
        let next: DateTime<Utc> = next.parse().expect("RFC 3339");
        for status in ["queued", "running"] {
            let url = format!("{address}/api/v1/runs?status={status}");
            if get_json(&url, token).await["items"] != serde_json::json!([]) {
                return None;
            }
        }
        let left = (next - Utc::now()).to_std().unwrap_or_default();
        (left >= CLEAR_OF_THE_TICK).then_some(())
    })
    .await
}

const TOKEN: &str = "readme-admin-token-0123456789";

/// The first ```sh block after the heading `## {heading}` of README.md.
fn sh_block(heading: &str) -> String {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/README.md");
    let readme = std::fs::read_to_string(path).expect("README.md");
    let section = readme
        .split(&format!("\n## {heading}\n"))
        .nth(1)
        .unwrap_or_else(|| panic!("no `## {heading}` section"));
    let start = section.find("```sh\n").expect("a sh block") + "```sh\n".len();
    let end = section[start..].find("```").expect("the block ends") + start;
    section[start..end].to_string()
}

/// Runs `block` with bash against the demo at `address`, with `env`: whether it succeeded, and
/// its stdout and stderr. Every curl fails on an HTTP error status instead of printing the
/// problem and going on.
async fn run_block(block: &str, address: &str, env: &[(&str, &str)]) -> (bool, String, String) {
    assert!(block.contains("localhost:8080"), "{block}");
    let script = block
        .replace("localhost:8080", address.trim_start_matches("http://"))
        .replace("curl -s ", "curl -sS --fail-with-body ");
    let env: Vec<(String, String)> = env
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    let output = tokio::task::spawn_blocking(move || {
        Command::new("timeout")
            .args([BLOCK_LIMIT_SECS, "bash", "-euo", "pipefail", "-c", &script])
            .envs(env)
            .output()
            .expect("bash runs")
    })
    .await
    .unwrap();
    (
        output.status.success(),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

/// Like [`run_block`], and the block must succeed; returns stdout.
async fn run_block_ok(block: &str, address: &str, env: &[(&str, &str)]) -> String {
    let (ok, stdout, stderr) = run_block(block, address, env).await;
    assert!(ok, "stdout:\n{stdout}\nstderr:\n{stderr}");
    stdout
}

/// Every run the daemon has recorded, each polled until it has ended: (id, kind, run).
async fn every_run_ended(address: &str, token: Option<&str>) -> Vec<(String, String, Value)> {
    let page = get_json(&format!("{address}/api/v1/runs?page_size=500"), token).await;
    assert!(
        page["next_page_token"].is_null(),
        "one page holds them: {page}"
    );
    let mut runs = Vec::new();
    for run in page["items"].as_array().expect("items") {
        let id = run["id"].as_str().expect("id");
        let run = finished_run(address, id, token).await;
        let kind = run["kind"].as_str().expect("kind").to_string();
        runs.push((id.to_string(), kind, run));
    }
    runs
}

/// Asserts that every run ended `succeeded` and returns the restores, oldest first.
async fn all_succeeded_restores(address: &str, token: Option<&str>) -> Vec<Value> {
    let runs = every_run_ended(address, token).await;
    for (id, _, run) in &runs {
        assert_eq!(run["status"], "succeeded", "run {id}: {run}");
    }
    let mut restores: Vec<Value> = runs
        .into_iter()
        .filter(|(_, kind, _)| kind == "restore")
        .map(|(_, _, run)| run)
        .collect();
    restores.reverse();
    restores
}

/// The one table of a restore run's report.
fn reported_table(run: &Value) -> &Value {
    let tables = run["report"]["tables"].as_array().expect("report tables");
    assert_eq!(tables.len(), 1, "{run}");
    &tables[0]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_readme_try_it_examples_run_twice_against_the_demo() {
    let dir = tempfile::tempdir().unwrap();
    let demo = Demo::start(dir.path(), &[]);
    // The examples assume a completed backup exists, as it does a second after the start.
    first_completed_backup(&demo.command("the backups", 0), &HashMap::new()).await;

    let block = sh_block("Try it");
    for pass in 1..=2 {
        between_scheduled_backups(&demo.address, None).await;
        let stdout = run_block_ok(&block, &demo.address, &[]).await;
        assert!(stdout.contains("\"demo-every-minute\""), "{stdout}");
        assert!(
            stdout.contains(
                "tablevault_backup_last_success_timestamp_seconds{schedule=\"demo-every-minute\"}"
            ),
            "{stdout}"
        );
        // Each pass: a dry run, then the restore, both succeeded with their reports.
        let restores = all_succeeded_restores(&demo.address, None).await;
        assert_eq!(restores.len(), 2 * pass, "pass {pass}: {restores:?}");
        let (dry_run, restore) = (&restores[2 * pass - 2], &restores[2 * pass - 1]);
        assert_eq!(dry_run["report"]["dry_run"], true, "{dry_run}");
        assert_eq!(restore["report"]["dry_run"], false, "{restore}");
        let (planned, written) = (reported_table(dry_run), reported_table(restore));
        assert_eq!(planned["target_table"], "orders_restored");
        assert!(planned["rows"].as_u64().unwrap_or(0) > 0, "{dry_run}");
        assert_eq!(planned["rows"], written["rows"], "{dry_run}\n{restore}");
        // The first pass creates the table; the second finds it and overwrites.
        assert_eq!(planned["created"], pass == 1, "{dry_run}");
        assert_eq!(planned["target_had_rows"], pass == 2, "{dry_run}");
        assert_eq!(written["created"], pass == 1, "{restore}");
    }
    demo.terminate();
    assert_eq!(demo.wait().await, Some(0));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_readme_restore_runbook_runs_twice_against_the_demo_with_a_token() {
    let dir = tempfile::tempdir().unwrap();
    let demo = Demo::start(dir.path(), &[("TABLEVAULT_AUTH_ADMIN_TOKEN", TOKEN)]);
    let vars = HashMap::from([("TABLEVAULT_AUTH_ADMIN_TOKEN".to_string(), TOKEN.to_string())]);
    let backup = first_completed_backup(&demo.command("the backups", 0), &vars).await;

    let block = sh_block("Restore runbook");
    // One variable for the token, in the runbook and in the commands the demo prints.
    let variable = "Bearer $TABLEVAULT_AUTH_ADMIN_TOKEN";
    assert!(block.contains(variable), "{block}");
    assert!(
        demo.block.iter().any(|l| l.contains(variable)),
        "{:#?}",
        demo.block
    );
    for pass in 1..=2 {
        between_scheduled_backups(&demo.address, Some(TOKEN)).await;
        let stdout = run_block_ok(
            &block,
            &demo.address,
            &[("TABLEVAULT_AUTH_ADMIN_TOKEN", TOKEN)],
        )
        .await;
        // The backups found in step 1 include the demo's first completed one.
        assert!(stdout.contains(&backup), "{stdout}");
        // Each pass: the dry run, 3a and 3b, all succeeded; 3b kept every row already there.
        let restores = all_succeeded_restores(&demo.address, Some(TOKEN)).await;
        assert_eq!(restores.len(), 3 * pass, "pass {pass}: {restores:?}");
        let this_pass = &restores[3 * pass - 3..];
        let dry_run = this_pass
            .iter()
            .find(|r| r["report"]["dry_run"] == true)
            .expect("the dry run");
        assert_eq!(reported_table(dry_run)["created"], pass == 1, "{dry_run}");
        let kept = this_pass
            .iter()
            .map(reported_table)
            .find(|t| t["target_table"] == "orders")
            .expect("step 3b");
        assert!(kept["rows_skipped"].as_u64().unwrap_or(0) > 0, "{kept}");
    }

    // Without the right token the same block is refused at its first request.
    let (ok, stdout, _) = run_block(
        &block,
        &demo.address,
        &[("TABLEVAULT_AUTH_ADMIN_TOKEN", "not-the-token-0123456789")],
    )
    .await;
    assert!(!ok);
    assert!(stdout.contains("\"unauthorized\""), "{stdout}");
    demo.terminate();
    assert_eq!(demo.wait().await, Some(0));
}
