//! Auth in the demo: open only on loopback with no token; with a token, the printed commands
//! carry it.

use std::collections::HashMap;

use crate::daemon::{command, Demo};

const ADMIN_TOKEN: &str = "demo-admin-token-0123456789";

#[tokio::test]
async fn a_non_loopback_listener_without_a_token_is_refused_before_anything_starts() {
    let dir = tempfile::tempdir().unwrap();
    let output = command(dir.path(), &["--listen", "0.0.0.0:0"], &[])
        .output()
        .expect("runs");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("error: refusing to serve the demo on 0.0.0.0:0"),
        "{stderr}"
    );
    assert!(stderr.contains("TABLEVAULT_AUTH_ADMIN_TOKEN"), "{stderr}");
    assert!(output.stdout.is_empty());
    assert!(!dir.path().join("data").exists(), "no state was created");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_a_token_the_printed_commands_carry_it() {
    let dir = tempfile::tempdir().unwrap();
    let demo = Demo::start(dir.path(), &[("TABLEVAULT_AUTH_ADMIN_TOKEN", ADMIN_TOKEN)]);
    assert!(demo.block.iter().any(|l| l.contains("API auth is on")));
    let list = demo.command("the backups", 0);
    assert!(
        list.contains(r#"-H "Authorization: Bearer $TABLEVAULT_AUTH_ADMIN_TOKEN""#),
        "{list}"
    );

    let anonymous = reqwest::get(format!("{}/api/v1/backups", demo.address))
        .await
        .unwrap();
    assert_eq!(anonymous.status(), 401);
    let vars = HashMap::from([(
        "TABLEVAULT_AUTH_ADMIN_TOKEN".to_string(),
        ADMIN_TOKEN.to_string(),
    )]);
    let (status, body) = crate::commands::run(&list, &vars).await;
    assert_eq!(status, 200, "{body}");
    let (status, body) = crate::commands::run(&demo.command("back up now", 0), &vars).await;
    assert_eq!(status, 202, "{body}");
    demo.terminate();
    assert_eq!(demo.wait().await, Some(0));
}
