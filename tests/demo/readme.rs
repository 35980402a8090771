//! The README's examples, run as written (bash + curl) against `serve --demo`: the "Try it"
//! block on the open demo and the restore runbook with a token. A changed route or body breaks
//! this test rather than a newcomer's first minutes or an operator's restore.

use std::collections::HashMap;
use std::process::Command;

use crate::api::first_completed_backup;
use crate::daemon::Demo;

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
        Command::new("bash")
            .args(["-euo", "pipefail", "-c", &script])
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_readme_try_it_examples_run_against_the_demo() {
    let dir = tempfile::tempdir().unwrap();
    let demo = Demo::start(dir.path(), &[]);
    // The examples assume a completed backup exists, as it does a second after the start.
    first_completed_backup(&demo.command("the backups", 0), &HashMap::new()).await;

    let stdout = run_block_ok(&sh_block("Try it"), &demo.address, &[]).await;
    assert!(stdout.contains("\"demo-every-minute\""), "{stdout}");
    assert_eq!(
        stdout.matches("\"run_id\"").count(),
        4,
        "backup, verify, 2 restores: {stdout}"
    );
    assert!(stdout.contains("\"kind\":\"restore\""), "{stdout}");
    assert!(
        stdout.contains(
            "tablevault_backup_last_success_timestamp_seconds{schedule=\"demo-every-minute\"}"
        ),
        "{stdout}"
    );
    demo.terminate();
    assert_eq!(demo.wait().await, Some(0));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_readme_restore_runbook_runs_against_the_demo_with_a_token() {
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
    let stdout = run_block_ok(
        &block,
        &demo.address,
        &[("TABLEVAULT_AUTH_ADMIN_TOKEN", TOKEN)],
    )
    .await;
    // The backup found in step 1 is the demo's completed one; the dry run says it would create
    // the new table; the dry run, 3b and the verify printed their accepted runs (3a's run id
    // went into $RUN) and step 4 showed 3a's run.
    assert!(stdout.contains(&backup), "{stdout}");
    assert_eq!(stdout.matches("\"run_id\"").count(), 3, "{stdout}");
    assert!(stdout.contains("\"kind\":\"restore\""), "{stdout}");

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
