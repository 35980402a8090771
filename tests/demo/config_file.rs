//! `serve --demo --config FILE`: the file's database and stores are used, the demo adds its
//! source and schedule; a file that already has a source `demo` is refused.

use std::collections::HashMap;

use crate::api::first_completed_backup;
use crate::daemon::{command, Demo};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_a_config_file_its_database_and_store_are_used() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("tablevault.toml");
    std::fs::write(
        &config,
        "[database]\npath = \"state/tv.db\"\n\n[stores.local]\nkind = \"archive\"\npath = \"backups\"\n",
    )
    .unwrap();
    let demo = Demo::start_with(dir.path(), &["--config", config.to_str().unwrap()], &[]);
    assert!(
        demo.block.iter().any(|l| l.contains("(backups)")),
        "{:#?}",
        demo.block
    );
    let id = first_completed_backup(&demo.command("the backups", 0), &HashMap::new()).await;
    assert!(dir.path().join("state/tv.db").is_file());
    assert!(
        dir.path().join("backups").join(&id).is_dir(),
        "backup {id} in the file's store"
    );
    assert!(
        !dir.path().join("data").exists(),
        "no ./data/demo with a config file"
    );
    demo.terminate();
    assert_eq!(demo.wait().await, Some(0));
}

#[test]
fn a_config_file_with_its_own_source_demo_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("tablevault.toml");
    std::fs::write(
        &config,
        "[sources.demo]\nendpoint = \"http://127.0.0.1:1\"\ninstance = \"x\"\n\
         access_key_id = \"a\"\naccess_key_secret = \"b\"\n",
    )
    .unwrap();
    let output = command(dir.path(), &["--config", config.to_str().unwrap()], &[])
        .output()
        .expect("runs");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("already defines a source named \"demo\""),
        "{stderr}"
    );
}
