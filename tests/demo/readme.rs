//! The README's "Try it" block, run as written (with bash and curl) against `serve --demo`:
//! the examples a newcomer copies must work, so a changed route or body breaks this test
//! rather than the first minutes of someone's evaluation.

use std::collections::HashMap;
use std::process::Command;

use crate::api::first_completed_backup;
use crate::daemon::Demo;

/// The first ```sh block after the `## Try it` heading of README.md.
fn try_it_block() -> String {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/README.md");
    let readme = std::fs::read_to_string(path).expect("README.md");
    let section = readme
        .split("\n## Try it\n")
        .nth(1)
        .expect("a `## Try it` section");
    let start = section.find("```sh\n").expect("a sh block") + "```sh\n".len();
    let end = section[start..].find("```").expect("the block ends") + start;
    section[start..end].to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_readme_try_it_examples_run_against_the_demo() {
    let block = try_it_block();
    assert!(block.contains("localhost:8080"), "{block}");

    let dir = tempfile::tempdir().unwrap();
    let demo = Demo::start(dir.path(), &[]);
    // The examples assume a completed backup exists, as it does a second after the start.
    first_completed_backup(&demo.command("the backups", 0), &HashMap::new()).await;

    let host = demo.address.trim_start_matches("http://");
    // As written, but on the test's port, and failing on any HTTP error instead of printing it.
    let script = block
        .replace("localhost:8080", host)
        .replace("curl -s ", "curl -sS --fail-with-body ");
    let output = tokio::task::spawn_blocking(move || {
        Command::new("bash")
            .args(["-euo", "pipefail", "-c", &script])
            .output()
            .expect("bash runs")
    })
    .await
    .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "stdout:\n{stdout}\nstderr:\n{stderr}"
    );

    // What each part should have shown.
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
