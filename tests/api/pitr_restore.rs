//! Point-in-time restore through the daemon (issue 12): a continuous schedule on an archive
//! store; writes in waves (puts, updates that add and delete versions, deletes, a row
//! rewritten more often than the table keeps versions, batches) with the instant after each
//! wave and the table as read then; a base backup in the middle of a wave. A restore to each
//! instant after the base into a renamed table equals that snapshot exactly — rows, versions
//! and timestamps. An instant before the window, or after what is captured, is a 422.
//! The same through an archive store that encrypts: its bases and change segments are sealed,
//! no column name or cell value is in any byte under its root, and the restores are as exact.

use std::time::Duration;

use chrono::{DateTime, Utc};
use serde_json::json;
use tablevault::tablestore::Row;

use tablevault::config::StoreConfig;
use tablevault::emulator::EmulatorConfig;
use tablevault::store::encryption::MasterKey;
use tablevault::tablestore::client::RowExistence;
use tablevault::tablestore::{Cell, PkValue, PrimaryKey, Value};

use crate::capture_gap::capture_status;
use crate::resources_helpers::{rig, rig_with, Rig};
use crate::support::emulator::read_table;
use crate::support::poll::poll_until;
use crate::support::sealed::{assert_no_plaintext, files_under};
use crate::support::waves::{wave_table, write_wave};

/// A row of `t` whose key, column name and value must never be stored in the clear.
const SECRETS: [&str; 3] = [
    "confidential-key",
    "confidential_column",
    "sealed-canary-value",
];

/// Asks for `table` of the schedule as it was at `at`, restored as `target`.
pub async fn restore(
    rig: &Rig,
    schedule_id: &str,
    table: &str,
    at: &str,
    target: &str,
) -> reqwest::Response {
    let body = json!({"schedule_id": schedule_id, "point_in_time": at, "tables": [table],
                      "rename": {table: target}});
    rig.post("/api/v1/restores", &body).await
}

pub async fn problem_detail(response: reqwest::Response) -> String {
    assert_eq!(response.status(), 422);
    let problem: serde_json::Value = response.json().await.expect("problem");
    problem["detail"].as_str().expect("detail").to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_restore_to_each_recorded_instant_equals_the_table_then() {
    restore_each_instant(&rig().await, "local").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn through_an_encrypting_archive_the_restores_are_exact_and_nothing_is_in_the_clear() {
    let rig = rig_with(EmulatorConfig::default(), |dir| {
        let key = dir.join("sealed.key");
        MasterKey::generate().write_new(&key).expect("key file");
        format!(
            "[stores.sealed]\nkind = \"archive\"\npath = \"{}\"\nencryption_key_file = \"{}\"\n",
            dir.join("sealed").display(),
            key.display()
        )
    })
    .await;
    let (schedule_id, last) = restore_each_instant(&rig, "sealed").await;
    let root = match rig.app.state.config.store("sealed").expect("sealed") {
        StoreConfig::Archive(archive) => archive.path.clone(),
        other => panic!("sealed is a {} store", other.kind()),
    };
    let files = files_under(&root);
    assert!(
        files
            .iter()
            .any(|f| f.to_string_lossy().contains(".changes"))
            && files.iter().any(|f| f.ends_with("manifest.json")),
        "a base and change segments: {files:?}"
    );
    let secrets: Vec<Vec<u8>> = SECRETS.iter().map(|s| s.as_bytes().to_vec()).collect();
    for file in &files {
        let bytes = std::fs::read(file).expect("stored file");
        assert_no_plaintext(&file.display().to_string(), &bytes, &secrets);
    }

    // A flipped byte in the oldest change segment (capture only reads the newest) fails the
    // restore, naming the segment.
    let oldest = files
        .iter()
        .find(|f| f.extension().is_some_and(|e| e == "tvchg"))
        .expect("a change segment");
    let mut bytes = std::fs::read(oldest).expect("segment");
    let middle = bytes.len() / 2;
    bytes[middle] ^= 0x08;
    std::fs::write(oldest, &bytes).expect("flipped");
    let response = restore(&rig, &schedule_id, "t", &last, "t_flipped").await;
    assert_eq!(response.status(), 202);
    let accepted: serde_json::Value = response.json().await.expect("JSON");
    let run = rig
        .finished_run(accepted["run_id"].as_str().expect("run_id"))
        .await;
    let error = run["error"].as_str().unwrap_or("");
    let name = oldest.file_name().expect("name").to_string_lossy();
    assert!(
        run["status"] == "failed"
            && error.contains("failed authentication")
            && error.contains(&*name),
        "{run}"
    );
}

/// A continuous schedule of `t` on `store`; waves with a base mid-wave; each instant after the
/// base restored into a renamed table equals the table then, earlier ones and later ones 422.
/// Returns the schedule's id and the last instant (restorable, RFC 3339).
async fn restore_each_instant(rig: &Rig, store: &str) -> (String, String) {
    let client = rig.app.state.tablestore_client("prod").expect("source");
    client.create_table(&wave_table()).await.expect("table");
    let body = json!({"name": "pitr", "cron": "0 3 * * *", "source": "prod", "store": store,
                      "tables": ["t"], "mode": "continuous"});
    let response = rig.post("/api/v1/schedules", &body).await;
    assert_eq!(response.status(), 201);
    let schedule: serde_json::Value = response.json().await.expect("JSON");
    let schedule_id = schedule["id"].as_str().expect("id").to_string();
    capture_status(rig, &schedule_id, "running").await;
    let secret = Row::new(
        PrimaryKey::new([
            ("s", PkValue::String(SECRETS[0].into())),
            ("i", PkValue::Integer(0)),
        ]),
        vec![Cell::put(SECRETS[1], Value::String(SECRETS[2].into()))],
    );
    client
        .put_row("t", &secret, RowExistence::Ignore)
        .await
        .expect("secret row");

    let base_ms = Utc::now().timestamp_millis() - 60_000;
    let mut snapshots: Vec<(DateTime<Utc>, Vec<Row>)> = Vec::new();
    let mut base_finished: Option<DateTime<Utc>> = None;
    for w in 1..=4 {
        write_wave(&client, w, base_ms, 5).await;
        if w == 2 {
            // The base backup in the middle of a wave: the wave goes on after it.
            let run_id = rig
                .start_run(&format!("/api/v1/schedules/{schedule_id}/run"), &json!({}))
                .await;
            let run = rig.finished_run(&run_id).await;
            assert_eq!(run["status"], "succeeded", "{run}");
            let backup = rig
                .get_json(&format!(
                    "/api/v1/backups/{}",
                    run["backup_id"].as_str().unwrap()
                ))
                .await;
            base_finished = Some(
                backup["finished_at"]
                    .as_str()
                    .and_then(|t| DateTime::parse_from_rfc3339(t).ok())
                    .expect("finished_at")
                    .with_timezone(&Utc),
            );
            write_wave(&client, 20 + w, base_ms, 5).await;
        }
        let instant = Utc::now();
        snapshots.push((instant, read_table(&client, "t").await));
        // Instants are µs; the next wave's writes commit strictly after this one.
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    let base_finished = base_finished.expect("base");
    let last = snapshots.last().expect("snapshots").0;
    poll_until(
        "capture to pass the last instant",
        Duration::from_secs(60),
        || {
            let path = format!("/api/v1/schedules/{schedule_id}");
            async move {
                let capture = rig.get_json(&path).await["capture"].clone();
                capture["restorable_until"]
                    .as_str()
                    .and_then(|t| DateTime::parse_from_rfc3339(t).ok())
                    .filter(|t| *t >= last)
                    .map(|_| ())
                    .ok_or_else(|| capture.to_string())
            }
        },
    )
    .await;

    let mut restored = 0;
    for (n, (instant, expected)) in snapshots.iter().enumerate() {
        let at = instant.to_rfc3339_opts(chrono::SecondsFormat::Micros, true);
        let target = format!("t_at_{n}");
        let response = restore(rig, &schedule_id, "t", &at, &target).await;
        if *instant < base_finished {
            let detail = problem_detail(response).await;
            assert!(detail.contains("before the restorable window"), "{detail}");
            continue;
        }
        assert_eq!(response.status(), 202, "restore to {at}");
        let accepted: serde_json::Value = response.json().await.expect("JSON");
        let run = rig
            .finished_run(accepted["run_id"].as_str().expect("run_id"))
            .await;
        assert_eq!(run["status"], "succeeded", "{run}");
        let got = read_table(&client, &target).await;
        assert!(!expected.is_empty());
        assert_eq!(&got, expected, "the table at {at}");
        restored += 1;
    }
    assert!(restored >= 2, "instants after the base were restored");

    // After what is captured: refused naming the window.
    let future = (Utc::now() + chrono::Duration::hours(1)).to_rfc3339();
    let detail = problem_detail(restore(rig, &schedule_id, "t", &future, "t_future").await).await;
    assert!(detail.contains("after the restorable window"), "{detail}");
    assert!(detail.contains("restorable window is from"), "{detail}");
    (
        schedule_id,
        last.to_rfc3339_opts(chrono::SecondsFormat::Micros, true),
    )
}
