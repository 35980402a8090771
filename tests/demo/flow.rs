//! A newcomer's first minutes: start the demo, see a completed backup, and run every printed
//! command — back up now, restore (dry run and real) into a new table, verify, metrics.

use std::collections::HashMap;
use std::time::Instant;

use futures::TryStreamExt;
use serde_json::Value;
use tablevault::store::TableChecksum;
use tablevault::tablestore::client::{Client, ClientConfig, Direction, RangeRequest};

use crate::api::{accepted_run, finished_run, first_completed_backup};
use crate::commands;
use crate::daemon::{Demo, EmulatorInfo};

/// Every row and version of `table`, read back through the emulator, as one checksum.
async fn table_checksum(emulator: &EmulatorInfo, table: &str) -> TableChecksum {
    let client = Client::new(&ClientConfig::new(
        emulator.endpoint.clone(),
        emulator.instance.clone(),
        emulator.access_key_id.clone(),
        emulator.access_key_secret.clone(),
    ))
    .expect("client");
    let description = client.describe_table(table).await.expect("table exists");
    let names: Vec<&str> = description.pk_names().collect();
    let request = RangeRequest::whole_table(table, names, Direction::Forward);
    let pages: Vec<_> = client.scan(request).try_collect().await.expect("scan");
    let mut checksum = TableChecksum::default();
    for row in pages.iter().flatten() {
        checksum.add(row);
    }
    checksum
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demo_backs_up_within_a_minute_and_every_printed_command_works() {
    let dir = tempfile::tempdir().unwrap();
    let started = Instant::now();
    let demo = Demo::start(dir.path(), &[]);
    let vars = HashMap::new();
    let address = demo.address.clone();
    assert!(
        demo.block
            .iter()
            .any(|l| l.contains("API auth is off") && l.contains("loopback")),
        "{:#?}",
        demo.block
    );
    for (_, line) in demo.commands() {
        assert!(line.contains(&address), "{line} does not use {address}");
    }

    let backup_id = first_completed_backup(&demo.command("the backups", 0), &vars).await;
    eprintln!(
        "first completed backup {backup_id} listed {:.1} s after the start",
        started.elapsed().as_secs_f64()
    );
    assert!(dir.path().join("data/demo/tablevault.db").is_file());
    assert!(dir.path().join("data/demo/archive").is_dir());

    let (status, body) = commands::run(&demo.command("the runs", 0), &vars).await;
    assert_eq!(status, 200, "{body}");
    let runs: Value = serde_json::from_str(&body).unwrap();
    assert!(runs["items"]
        .as_array()
        .unwrap()
        .iter()
        .any(|r| r["kind"] == "backup" && r["status"] == "succeeded"));

    let (status, body) = commands::run(&demo.command("back up now", 0), &vars).await;
    let run = finished_run(&address, &accepted_run(status, &body), None).await;
    assert_eq!(run["status"], "succeeded", "{run}");
    assert_eq!(run["progress"]["rows"], 3000, "{run}");

    // The dry run writes nothing; the real restore creates orders_restored.
    let emulator = demo.emulator();
    let (status, body) = commands::run(&demo.command("restore", 0), &vars).await;
    let dry = finished_run(&address, &accepted_run(status, &body), None).await;
    assert_eq!(dry["status"], "succeeded", "{dry}");
    let (status, body) = commands::run(&demo.command("restore", 1), &vars).await;
    let restore = finished_run(&address, &accepted_run(status, &body), None).await;
    assert_eq!(restore["status"], "succeeded", "{restore}");
    let source = table_checksum(&emulator, "orders").await;
    let restored = table_checksum(&emulator, "orders_restored").await;
    assert_eq!(source.rows, 3000);
    assert!(
        source.cells > 3 * source.rows,
        "several cells and versions per row"
    );
    assert_eq!(
        restored, source,
        "the restored table equals the source, versions included"
    );
    // Both can be pasted again: the dry run reports the table it would overwrite, and the
    // restore overwrites its own table.
    let (status, body) = commands::run(&demo.command("restore", 0), &vars).await;
    let dry = finished_run(&address, &accepted_run(status, &body), None).await;
    assert_eq!(dry["status"], "succeeded", "{dry}");
    assert_eq!(dry["report"]["tables"][0]["target_had_rows"], true, "{dry}");
    let (status, body) = commands::run(&demo.command("restore", 1), &vars).await;
    let again = finished_run(&address, &accepted_run(status, &body), None).await;
    assert_eq!(again["status"], "succeeded", "{again}");

    let (name, newest) =
        commands::run_assignment(&demo.command("verify the newest backup", 0), &vars).await;
    assert_eq!(name, "BACKUP_ID");
    assert!(!newest.is_empty());
    let vars = HashMap::from([(name, newest.clone())]);
    let (status, body) = commands::run(&demo.command("verify the newest backup", 1), &vars).await;
    let verify = finished_run(&address, &accepted_run(status, &body), None).await;
    assert_eq!(verify["status"], "succeeded", "{verify}");
    let backup = crate::api::get_json(&format!("{address}/api/v1/backups/{newest}"), None).await;
    assert_eq!(backup["verify_result"], "passed", "{backup}");

    let (status, body) = commands::run(&demo.command("metrics", 0), &vars).await;
    assert_eq!(status, 200);
    let last_success = body
        .lines()
        .find(|l| {
            l.starts_with(
                r#"tablevault_backup_last_success_timestamp_seconds{schedule="demo-every-minute"}"#,
            )
        })
        .unwrap_or_else(|| panic!("no last-success series in\n{body}"));
    let value: f64 = last_success.rsplit(' ').next().unwrap().parse().unwrap();
    assert!(value > 1.7e9, "{last_success}");

    demo.terminate();
    assert_eq!(demo.wait().await, Some(0));
}
