//! A schedule's `copy_to` (issue 13): each successful backup is copied to each target store
//! by a follow-up run of kind `copy`, and the copies in a store are retained by that target's
//! policy (the schedule's own when it names none).

use serde_json::{json, Value as Json};

use crate::resources_helpers::{rig_with, Rig};
use crate::support::poll::poll_until;

async fn rig_with_offsite() -> Rig {
    rig_with(tablevault::emulator::EmulatorConfig::default(), |dir| {
        format!(
            "[stores.offsite]\nkind = \"archive\"\npath = \"{}/offsite\"\n",
            dir.display()
        )
    })
    .await
}

fn schedule_body(name: &str, extra: Json) -> Json {
    let mut body = json!({
        "name": name, "cron": "0 3 * * *", "source": "prod", "store": "local",
        "tables": ["orders"], "paused": true,
    });
    body.as_object_mut()
        .unwrap()
        .extend(extra.as_object().unwrap().clone());
    body
}

/// Runs the schedule now and waits for its backup and then for its `copies`-th copy run.
async fn run_and_copy(rig: &Rig, schedule_id: &str, copies: usize) -> Json {
    let path = format!("/api/v1/schedules/{schedule_id}/run");
    let backup = rig
        .finished_run(&rig.start_run(&path, &json!({})).await)
        .await;
    assert_eq!(backup["status"], "succeeded", "{backup}");
    let what = format!("copy run {copies} of schedule {schedule_id} ends");
    poll_until(&what, std::time::Duration::from_secs(60), || async {
        let runs = rig.get_json("/api/v1/runs?kind=copy").await;
        let items = runs["items"].as_array().cloned().unwrap_or_default();
        match items.first() {
            Some(run)
                if items.len() == copies
                    && run["status"] != "queued"
                    && run["status"] != "running" =>
            {
                Ok(run.clone())
            }
            _ => Err(runs.to_string()),
        }
    })
    .await
}

async fn completed_in(rig: &Rig, store: &str) -> Vec<Json> {
    let page = rig
        .get_json(&format!("/api/v1/backups?store={store}&status=completed"))
        .await;
    page["items"].as_array().cloned().unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn copy_to_is_stored_in_one_shape_and_checked() {
    let rig = rig_with_offsite().await;
    let response = rig
        .post(
            "/api/v1/schedules",
            &schedule_body("nightly", json!({"copy_to": ["offsite"]})),
        )
        .await;
    assert_eq!(response.status(), 201);
    let schedule: Json = response.json().await.unwrap();
    assert_eq!(
        schedule["copy_to"],
        json!([{"store": "offsite"}]),
        "{schedule}"
    );
    let id = schedule["id"].as_str().unwrap();

    let change = json!({"copy_to": [{"store": "offsite", "retention": {"keep_last": 2}}]});
    let response = rig
        .app
        .api
        .patch(rig.app.url(&format!("/api/v1/schedules/{id}")))
        .bearer_auth(crate::helpers::ADMIN_TOKEN)
        .json(&change)
        .send()
        .await
        .expect("sent");
    assert_eq!(response.status(), 200);
    let shown = rig.get_json(&format!("/api/v1/schedules/{id}")).await;
    assert_eq!(shown["copy_to"], change["copy_to"], "{shown}");

    for (copy_to, expected) in [
        (json!(["local"]), "the schedule's own store"),
        (json!(["mars"]), "mars"),
        (json!(["offsite", {"store": "offsite"}]), "twice"),
        (json!([{"store": "offsite", "keep": 1}]), ""),
    ] {
        let body = schedule_body("refused", json!({ "copy_to": copy_to }));
        let response = rig.post("/api/v1/schedules", &body).await;
        let status = response.status().as_u16();
        let problem: Json = response.json().await.unwrap();
        assert!(
            status == 422 || status == 400,
            "{copy_to}: {status} {problem}"
        );
        assert!(
            problem["detail"].as_str().unwrap_or("").contains(expected),
            "{problem}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_backup_is_copied_and_copies_are_retained_per_store() {
    let rig = rig_with_offsite().await;
    let body = schedule_body(
        "nightly",
        json!({
            "retention": {"keep_last": 3},
            "copy_to": [{"store": "offsite", "retention": {"keep_last": 1}}],
        }),
    );
    let response = rig.post("/api/v1/schedules", &body).await;
    assert_eq!(response.status(), 201);
    let schedule: Json = response.json().await.unwrap();
    let id = schedule["id"].as_str().unwrap();

    let copy_run = run_and_copy(&rig, id, 1).await;
    assert_eq!(copy_run["status"], "succeeded", "{copy_run}");
    assert_eq!(copy_run["schedule_id"], id, "{copy_run}");
    let copies = completed_in(&rig, "offsite").await;
    assert_eq!(copies.len(), 1);
    assert_eq!(copies[0]["schedule_id"], id);
    assert_eq!(copies[0]["copy_of"], copy_run["report"]["copy_of"]);

    for n in 2..=3 {
        let copy_run = run_and_copy(&rig, id, n).await;
        assert_eq!(copy_run["status"], "succeeded", "{copy_run}");
    }
    let originals = completed_in(&rig, "local").await;
    let copies = completed_in(&rig, "offsite").await;
    assert_eq!(
        originals.len(),
        3,
        "the schedule's keep_last 3 in its store"
    );
    assert_eq!(
        copies.len(),
        1,
        "the target's keep_last 1 in offsite: {copies:?}"
    );
    assert_eq!(
        copies[0]["copy_of"], originals[0]["id"],
        "the newest copy is kept"
    );
    let deletions = rig.get_json("/api/v1/runs?kind=retention_delete").await;
    assert_eq!(
        deletions["items"].as_array().map(Vec::len),
        Some(2),
        "{deletions}"
    );
}
