//! `POST /api/v1/backups/{id}/copy` (issue 13): a completed backup copied to a second store is
//! a new catalogued backup with `copy_of`, made by a run of kind `copy`, and restores; a
//! missing backup is 404, an unfinished backup, an unknown store or the backup's own store 422.

use serde_json::{json, Value as Json};

use crate::resources_helpers::{rig_with, Rig, ORDERS_ROWS};

/// The rig with a second archive store, `offsite`.
async fn rig_with_offsite() -> Rig {
    rig_with(tablevault::emulator::EmulatorConfig::default(), |dir| {
        format!(
            "[stores.offsite]\nkind = \"archive\"\npath = \"{}/offsite\"\n",
            dir.display()
        )
    })
    .await
}

async fn status_of(rig: &Rig, path: &str, body: &Json) -> (u16, Json) {
    let response = rig.post(path, body).await;
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Json::Null))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_copy_is_a_new_backup_in_the_other_store_with_copy_of_and_restores() {
    let rig = rig_with_offsite().await;
    let original_id = rig.completed_backup().await;
    let original = rig
        .get_json(&format!("/api/v1/backups/{original_id}"))
        .await;
    assert_eq!(original["copy_of"], Json::Null, "{original}");

    let path = format!("/api/v1/backups/{original_id}/copy");
    let run = rig
        .finished_run(&rig.start_run(&path, &json!({"store": "offsite"})).await)
        .await;
    assert_eq!(run["status"], "succeeded", "{run}");
    assert_eq!(run["kind"], "copy", "{run}");
    assert_eq!(run["report"]["copy_of"], original_id.as_str(), "{run}");
    let copy_id = run["backup_id"].as_str().expect("the run names the copy");
    assert_ne!(copy_id, original_id);
    assert_eq!(run["report"]["copy_id"], copy_id, "{run}");

    let copy = rig.get_json(&format!("/api/v1/backups/{copy_id}")).await;
    assert_eq!(copy["copy_of"], original_id.as_str(), "{copy}");
    assert_eq!(copy["store"], "offsite", "{copy}");
    assert_eq!(copy["status"], "completed", "{copy}");
    assert_eq!(copy["rows"], ORDERS_ROWS, "{copy}");
    assert_eq!(
        copy["tables"], original["tables"],
        "same figures and checksums"
    );
    let listed = rig.get_json("/api/v1/backups?store=offsite").await;
    assert_eq!(
        listed["items"].as_array().map(Vec::len),
        Some(1),
        "{listed}"
    );
    let copies = rig.get_json("/api/v1/runs?kind=copy").await;
    assert_eq!(copies["items"][0]["id"], run["id"], "{copies}");

    let restore = json!({"backup_id": copy_id, "rename": {"orders": "orders_from_copy"}});
    let run = rig
        .finished_run(&rig.start_run("/api/v1/restores", &restore).await)
        .await;
    assert_eq!(run["status"], "succeeded", "{run}");
    assert_eq!(run["report"]["tables"][0]["rows"], ORDERS_ROWS, "{run}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn copies_of_missing_or_unfinished_backups_and_to_bad_stores_are_refused() {
    let rig = rig_with_offsite().await;
    let completed = rig.completed_backup().await;
    let copy = |id: &str| format!("/api/v1/backups/{id}/copy");

    let (status, problem) = status_of(&rig, &copy("nope"), &json!({"store": "offsite"})).await;
    assert_eq!(status, 404, "{problem}");
    let (status, problem) = status_of(&rig, &copy(&completed), &json!({"store": "mars"})).await;
    assert_eq!(status, 422, "{problem}");
    assert!(
        problem["detail"].as_str().unwrap_or("").contains("mars"),
        "{problem}"
    );
    let (status, problem) = status_of(&rig, &copy(&completed), &json!({"store": "local"})).await;
    assert_eq!(status, 422, "{problem}");
    assert!(
        problem["detail"]
            .as_str()
            .unwrap_or("")
            .contains("already in store local"),
        "{problem}"
    );
    let (status, problem) = status_of(&rig, &copy(&completed), &json!({})).await;
    assert_eq!(status, 422, "a body without `store`: {problem}");

    let schedule = rig.schedule_of_a_vanished_table("vanishing").await;
    let id = schedule["id"].as_str().expect("id");
    let run = rig
        .finished_run(
            &rig.start_run(&format!("/api/v1/schedules/{id}/run"), &json!({}))
                .await,
        )
        .await;
    assert_eq!(run["status"], "failed", "{run}");
    if let Some(failed) = run["backup_id"].as_str() {
        let (status, problem) = status_of(&rig, &copy(failed), &json!({"store": "offsite"})).await;
        assert_eq!(status, 422, "{problem}");
        assert!(
            problem["detail"]
                .as_str()
                .unwrap_or("")
                .contains("only completed backups"),
            "{problem}"
        );
    } else {
        panic!("the failed run names no backup: {run}");
    }
    let offsite = rig.get_json("/api/v1/backups?store=offsite").await;
    assert_eq!(offsite["items"], json!([]), "nothing copied: {offsite}");
}
