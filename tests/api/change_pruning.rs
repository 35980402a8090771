//! Pruning captured changes in the running daemon (issue 12): a continuous schedule with
//! `keep_last: 2` and three base backups. Its changes are real captured writes plus one
//! segment planted with a record committed just after the first base's cut (its start less
//! the 60 s clock-skew margin): stream records carry the service's commit time, so capture
//! itself cannot store a record that old without the test waiting out the margin. While the
//! first base is kept, the record stays; the third base's retention pass deletes the first base
//! and, with it, the planted segment, while the captured changes inside the margin of the
//! oldest kept base stay. The restorable window then starts at that base, an instant before
//! it is refused, and a restore inside it (oldest kept base + kept changes) equals the table.

use std::time::Duration;

use chrono::{DateTime, Utc};
use serde_json::json;
use tablevault::capture::{ArchiveChangeStore, CapturedRecord, ChangeSegment, ChangeStore};
use tablevault::runs::change_pruning::CLOCK_SKEW_MARGIN_US;
use tablevault::tablestore::client::{Client, RecordAction, RowExistence, StreamRecord};
use tablevault::tablestore::plainbuffer::SequenceInfo;
use tablevault::tablestore::{Cell, PkValue, PrimaryKey, Row, Value};

use crate::capture_gap::{capture_status, changes};
use crate::pitr_restore::{problem_detail, restore};
use crate::resources_helpers::{rig, Rig};
use crate::support::emulator::read_table;
use crate::support::poll::poll_until;

const WAIT: Duration = Duration::from_secs(60);
/// The planted record's key: a row the table never had.
const PLANTED: i64 = 4000;

fn order(id: i64) -> PrimaryKey {
    PrimaryKey::new([("id", PkValue::Integer(id))])
}

/// Writes order `id` and waits until capture has stored it; returns its stored record.
async fn write_captured(client: &Client, changes: &ArchiveChangeStore, id: i64) -> CapturedRecord {
    let row = Row::new(
        order(id),
        vec![Cell::put("note", Value::String(format!("order {id}")))],
    );
    client
        .put_row("orders", &row, RowExistence::Ignore)
        .await
        .expect("row");
    poll_until(&format!("order {id} to be captured"), WAIT, || async {
        let records = changes.records().await.map_err(|e| e.to_string())?;
        records
            .into_iter()
            .find(|r| r.record.row.primary_key == order(id))
            .ok_or_else(|| "not yet".to_string())
    })
    .await
}

/// A segment numbered 0 (before every captured one) holding one put committed at
/// `committed_us`, with the newest checkpoint's chain, so only its age sets it apart. Returns
/// its path.
fn plant_a_segment(
    changes: &ArchiveChangeStore,
    shard_id: &str,
    committed_us: i64,
) -> std::path::PathBuf {
    let record = StreamRecord {
        action: RecordAction::Put,
        row: Row::new(
            order(PLANTED),
            vec![Cell::put_at(
                "note",
                Value::String("planted".into()),
                committed_us / 1000,
            )],
        ),
        sequence: SequenceInfo {
            epoch: 0,
            timestamp_us: committed_us,
            row_index: 0,
        },
    };
    let segment = ChangeSegment {
        records: vec![CapturedRecord {
            shard_id: shard_id.to_owned(),
            record,
        }],
        checkpoint: changes
            .latest_checkpoint()
            .expect("checkpoint")
            .expect("capture stored one"),
    };
    let path = changes.dir().join(format!("{:020}.tvchg", 0));
    std::fs::write(&path, segment.to_bytes().expect("segment")).expect("planted");
    path
}

/// Runs the schedule now; returns its (completed) backup's JSON.
async fn base_backup(rig: &Rig, schedule_id: &str) -> serde_json::Value {
    let run_id = rig
        .start_run(&format!("/api/v1/schedules/{schedule_id}/run"), &json!({}))
        .await;
    let run = rig.finished_run(&run_id).await;
    assert_eq!(run["status"], "succeeded", "{run}");
    let id = run["backup_id"].as_str().expect("backup id");
    rig.get_json(&format!("/api/v1/backups/{id}")).await
}

fn instant(value: &serde_json::Value) -> DateTime<Utc> {
    value
        .as_str()
        .and_then(|t| DateTime::parse_from_rfc3339(t).ok())
        .map(|t| t.with_timezone(&Utc))
        .unwrap_or_else(|| panic!("not an instant: {value}"))
}

/// Polls until the schedule's capture view passes `check`; returns it.
async fn capture_view(
    rig: &Rig,
    schedule_id: &str,
    what: &str,
    check: impl Fn(&serde_json::Value) -> bool,
) -> serde_json::Value {
    let path = format!("/api/v1/schedules/{schedule_id}");
    poll_until(what, WAIT, || async {
        let capture = rig.get_json(&path).await["capture"].clone();
        check(&capture)
            .then_some(capture.clone())
            .ok_or_else(|| capture.to_string())
    })
    .await
}

fn micros(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Micros, true)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn retention_prunes_the_changes_only_deleted_bases_replay_and_restores_still_work() {
    let rig = rig().await;
    let client = rig.app.state.tablestore_client("prod").expect("source");
    let body = json!({"name": "pitr", "cron": "0 3 * * *", "source": "prod", "store": "local",
                      "tables": ["orders"], "mode": "continuous", "retention": {"keep_last": 2}});
    let response = rig.post("/api/v1/schedules", &body).await;
    assert_eq!(response.status(), 201);
    let schedule: serde_json::Value = response.json().await.expect("JSON");
    let schedule_id = schedule["id"].as_str().expect("id").to_string();
    capture_status(&rig, &schedule_id, "running").await;
    let changes = changes(&rig, &schedule_id, "orders");
    let captured = write_captured(&client, &changes, 1000).await;

    let first = base_backup(&rig, &schedule_id).await;
    capture_view(&rig, &schedule_id, "the window at the first base", |c| {
        c["restorable_from"] == first["finished_at"]
    })
    .await;
    // Committed just after the first base's cut: kept while the first base is.
    let first_cut_us = instant(&first["started_at"]).timestamp_micros() - CLOCK_SKEW_MARGIN_US;
    let planted = plant_a_segment(&changes, &captured.shard_id, first_cut_us + 1_000);
    write_captured(&client, &changes, 1001).await;
    let between_first_and_second = Utc::now();

    // Retention ran after the second base (before its run finished): both bases are kept, so
    // nothing the first base can replay went.
    let second = base_backup(&rig, &schedule_id).await;
    assert!(planted.exists(), "pruned while the first base is kept");
    write_captured(&client, &changes, 1002).await;
    let inside = Utc::now();
    let expected = read_table(&client, "orders").await;

    // The third base deletes the first, and the changes only it could replay go with it.
    let third = base_backup(&rig, &schedule_id).await;
    let first_path = format!("/api/v1/backups/{}", first["id"].as_str().expect("id"));
    assert_eq!(rig.get_json(&first_path).await["status"], "deleted");
    assert!(
        !planted.exists(),
        "the planted segment outlived the first base"
    );
    let cut_us = instant(&second["started_at"]).timestamp_micros() - CLOCK_SKEW_MARGIN_US;
    let kept = changes.records().await.expect("records");
    assert!(
        kept.iter()
            .all(|r| r.record.sequence.timestamp_us >= cut_us),
        "a record older than the cut survived"
    );
    for id in [1000, 1001, 1002] {
        assert!(
            kept.iter().any(|r| r.record.row.primary_key == order(id)),
            "order {id}, inside the margin, was pruned"
        );
    }
    assert!(!kept
        .iter()
        .any(|r| r.record.row.primary_key == order(PLANTED)));

    // The window starts at the oldest kept base; inside it a restore equals the table then.
    capture_view(&rig, &schedule_id, "the window at the second base", |c| {
        c["restorable_from"] == second["finished_at"]
            && c["restorable_until"].is_string()
            && instant(&c["restorable_until"]) >= instant(&third["finished_at"])
    })
    .await;
    let response = restore(&rig, &schedule_id, "orders", &micros(inside), "orders_then").await;
    assert_eq!(response.status(), 202);
    let accepted: serde_json::Value = response.json().await.expect("JSON");
    let run = rig
        .finished_run(accepted["run_id"].as_str().expect("run_id"))
        .await;
    assert_eq!(run["status"], "succeeded", "{run}");
    assert_eq!(read_table(&client, "orders_then").await, expected);

    let before = micros(between_first_and_second);
    let detail = problem_detail(restore(&rig, &schedule_id, "orders", &before, "gone").await).await;
    assert!(detail.contains("before the restorable window"), "{detail}");
}
