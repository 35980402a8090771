//! Schedules, runs, backups and restores through the REST API, against the emulator as the
//! source and an archive store.

use serde_json::{json, Value as Json};
use tablevault::tablestore::client::ReadOptions;
use tablevault::tablestore::{PkValue, PrimaryKey, Value};

use crate::helpers::{assert_problem, READ_TOKEN};
use crate::resources_helpers::{rig, ORDERS_ROWS};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_scheduled_backup_is_listed_verified_and_restored_under_a_new_name() {
    let rig = rig().await;
    let schedule = rig.schedule("nightly").await;
    let id = schedule["id"].as_str().expect("id");
    assert!(schedule["next_run_at"].is_null(), "paused: {schedule}");
    assert_eq!(schedule["timezone"], "Europe/Berlin");

    // Run now: a backup run that succeeds with the table's figures.
    let run_id = rig
        .start_run(&format!("/api/v1/schedules/{id}/run"), &json!({}))
        .await;
    let run = rig.finished_run(&run_id).await;
    assert_eq!(run["status"], "succeeded", "{run}");
    assert_eq!(run["kind"], "backup");
    assert_eq!(run["schedule_id"], id);
    assert_eq!(run["progress"]["rows"], ORDERS_ROWS);
    let backup_id = run["backup_id"].as_str().expect("backup id").to_string();

    let listed = rig
        .get_json(&format!("/api/v1/backups?schedule_id={id}&table=orders"))
        .await;
    let items = listed["items"].as_array().expect("items");
    assert_eq!(items.len(), 1, "{listed}");
    let backup = &items[0];
    assert_eq!(backup["id"], backup_id.as_str());
    assert_eq!(backup["status"], "completed");
    assert_eq!(backup["source"], "prod");
    assert_eq!(backup["store"], "local");
    assert_eq!(backup["tables"][0]["name"], "orders");
    assert_eq!(backup["tables"][0]["rows"], ORDERS_ROWS);
    assert!(
        backup["tables"][0]["bytes"].as_u64().unwrap_or(0) > 0,
        "{backup}"
    );
    assert!(!backup["tables"][0]["checksum"]
        .as_str()
        .unwrap_or("")
        .is_empty());
    assert!(backup["verified_at"].is_null());

    // Verify: a verify run that passes and stamps the backup.
    let verify = rig
        .start_run(&format!("/api/v1/backups/{backup_id}/verify"), &json!({}))
        .await;
    assert_eq!(rig.finished_run(&verify).await["status"], "succeeded");
    let verified = rig.get_json(&format!("/api/v1/backups/{backup_id}")).await;
    assert!(verified["verified_at"].is_string(), "{verified}");

    // Restore into a renamed table: every row is there.
    let restore = rig
        .start_run(
            "/api/v1/restores",
            &json!({"backup_id": backup_id, "rename": {"orders": "orders_copy"}}),
        )
        .await;
    let run = rig.finished_run(&restore).await;
    assert_eq!(run["status"], "succeeded", "{run}");
    assert_eq!(run["kind"], "restore");
    let client = rig.app.state.tablestore_client("prod").expect("source");
    for i in [0, 7, ORDERS_ROWS - 1] {
        let key = PrimaryKey::new([("id", PkValue::Integer(i))]);
        let row = client
            .get_row("orders_copy", &key, &ReadOptions::default())
            .await
            .expect("get row")
            .expect("restored row exists");
        let note = row.cells.iter().find(|c| c.name == "note").expect("note");
        assert_eq!(note.value, Some(Value::String(format!("order {i}"))));
    }
    let runs = rig.get_json("/api/v1/runs?kind=restore").await;
    assert_eq!(runs["items"].as_array().map(Vec::len), Some(1), "{runs}");

    // The runs reached the metrics through the daemon's observer.
    let metrics = rig.app.metrics_text().await;
    for line in [
        "tablevault_backup_runs_total{result=\"succeeded\",schedule=\"nightly\"} 1",
        "tablevault_backup_rows_total{schedule=\"nightly\"} 30",
        "tablevault_restore_runs_total{result=\"succeeded\"} 1",
        "tablevault_runs_in_progress{kind=\"backup\"} 0",
    ] {
        assert!(metrics.contains(line), "{line} missing from\n{metrics}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn invalid_schedules_are_refused_with_what_to_fix() {
    let rig = rig().await;
    let base = json!({"name": "s", "cron": "0 3 * * *", "source": "prod", "store": "local"});
    let with = |field: &str, value: Json| {
        let mut body = base.clone();
        body[field] = value;
        body
    };
    for (body, fragment) in [
        (with("cron", json!("every day")), "cron"),
        (with("timezone", json!("Mars/Olympus")), "time zone"),
        (with("tables", json!(["1orders"])), "table name"),
        (with("tables", json!(["or-ders"])), "table name"),
        (with("source", json!("nope")), "source"),
        (with("store", json!("nope")), "store"),
    ] {
        let response = rig.post("/api/v1/schedules", &body).await;
        let problem = assert_problem(response, 422, "validation_failed").await;
        let detail = problem["detail"].as_str().unwrap_or("").to_lowercase();
        assert!(detail.contains(fragment), "{body} → {problem}");
    }
    let response = rig.post("/api/v1/schedules", &json!({"name": "s"})).await;
    assert_problem(response, 422, "validation_failed").await;
    let listed = rig.get_json("/api/v1/schedules").await;
    assert_eq!(listed["items"], json!([]), "nothing was created");
}

/// A change takes the catalog's `ScheduleUpdate` as its body: a bad zone is refused with
/// what to write, and `next_run_at` (the scheduler's own) is no field of it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn invalid_schedule_changes_are_refused_with_what_to_fix() {
    let rig = rig().await;
    let schedule = rig.schedule("nightly").await;
    let url = rig.app.url(&format!(
        "/api/v1/schedules/{}",
        schedule["id"].as_str().expect("id")
    ));
    for (body, fragment) in [
        (json!({"timezone": "Mars/Olympus"}), "time zone"),
        (json!({"next_run_at": null}), "next_run_at"),
        (json!({"paused": "yes"}), "paused"),
    ] {
        let response = rig
            .app
            .api
            .patch(url.clone())
            .bearer_auth(crate::helpers::ADMIN_TOKEN)
            .json(&body)
            .send()
            .await
            .expect("sent");
        let problem = assert_problem(response, 422, "validation_failed").await;
        let detail = problem["detail"].as_str().unwrap_or("").to_lowercase();
        assert!(detail.contains(fragment), "{body} → {problem}");
    }
    let unchanged = rig
        .get_json(&format!(
            "/api/v1/schedules/{}",
            schedule["id"].as_str().expect("id")
        ))
        .await;
    assert_eq!(unchanged["timezone"], "Europe/Berlin");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn restoring_an_unknown_backup_is_404() {
    let rig = rig().await;
    let response = rig
        .post("/api/v1/restores", &json!({"backup_id": "bkp_missing"}))
        .await;
    assert_problem(response, 404, "not_found").await;
    let response = rig.post("/api/v1/restores", &json!({})).await;
    assert_problem(response, 422, "validation_failed").await;
    let response = rig
        .app
        .get("/api/v1/runs/run_missing", Some(READ_TOKEN))
        .await;
    assert_problem(response, 404, "not_found").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn schedules_are_paged_with_tokens() {
    let rig = rig().await;
    for name in ["a", "b", "c"] {
        rig.schedule(name).await;
    }
    let first = rig.get_json("/api/v1/schedules?page_size=2").await;
    assert_eq!(first["items"].as_array().map(Vec::len), Some(2), "{first}");
    let token = first["next_page_token"].as_str().expect("a next page");
    let second = rig
        .get_json(&format!("/api/v1/schedules?page_size=2&page_token={token}"))
        .await;
    assert_eq!(
        second["items"].as_array().map(Vec::len),
        Some(1),
        "{second}"
    );
    assert!(second["next_page_token"].is_null());
    let mut names: Vec<String> = [&first, &second]
        .iter()
        .flat_map(|p| p["items"].as_array().cloned().unwrap_or_default())
        .map(|s| s["name"].as_str().unwrap_or("").to_string())
        .collect();
    names.sort();
    assert_eq!(names, ["a", "b", "c"]);
    let response = rig
        .app
        .get("/api/v1/schedules?page_token=garbage", Some(READ_TOKEN))
        .await;
    assert_problem(response, 400, "invalid_request").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deleting_a_schedule_keeps_its_backups() {
    let rig = rig().await;
    let schedule = rig.schedule("hourly").await;
    let id = schedule["id"].as_str().expect("id");
    let run_id = rig
        .start_run(&format!("/api/v1/schedules/{id}/run"), &json!({}))
        .await;
    let run = rig.finished_run(&run_id).await;
    let backup_id = run["backup_id"].as_str().expect("backup id");

    let response = rig
        .app
        .api
        .delete(rig.app.url(&format!("/api/v1/schedules/{id}")))
        .bearer_auth(crate::helpers::ADMIN_TOKEN)
        .send()
        .await
        .expect("sent");
    assert_eq!(response.status(), 204);
    let response = rig
        .app
        .get(&format!("/api/v1/schedules/{id}"), Some(READ_TOKEN))
        .await;
    assert_problem(response, 404, "not_found").await;
    let backup = rig.get_json(&format!("/api/v1/backups/{backup_id}")).await;
    assert_eq!(backup["status"], "completed", "{backup}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_read_token_can_list_but_not_start_anything() {
    let rig = rig().await;
    let body = json!({"source": "prod", "store": "local", "tables": ["orders"]});
    let response = rig
        .app
        .post_json("/api/v1/backups", Some(READ_TOKEN), &body.to_string())
        .await;
    assert_problem(response, 403, "forbidden").await;
    let response = rig.app.get("/api/v1/backups", Some(READ_TOKEN)).await;
    assert_eq!(response.status(), 200);
    let runs = rig.get_json("/api/v1/runs").await;
    assert_eq!(runs["items"], json!([]), "the refused POST started nothing");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn clashes_with_existing_state_are_409() {
    let rig = rig().await;
    let schedule = rig.schedule("nightly").await;
    let body = json!({"name": "nightly", "cron": "0 4 * * *", "source": "prod", "store": "local"});
    let response = rig.post("/api/v1/schedules", &body).await;
    assert_problem(response, 409, "conflict").await;

    let id = schedule["id"].as_str().expect("id");
    let run_id = rig
        .start_run(&format!("/api/v1/schedules/{id}/run"), &json!({}))
        .await;
    assert_eq!(rig.finished_run(&run_id).await["status"], "succeeded");
    let response = rig
        .post(&format!("/api/v1/runs/{run_id}/cancel"), &json!({}))
        .await;
    let problem = assert_problem(response, 409, "conflict").await;
    assert!(
        problem["detail"]
            .as_str()
            .unwrap_or("")
            .contains("succeeded"),
        "{problem}"
    );

    let plan = rig
        .get_json(&format!("/api/v1/schedules/{id}/retention"))
        .await;
    assert_eq!(plan["keep"].as_array().map(Vec::len), Some(1), "{plan}");
    assert_eq!(plan["remove"], json!([]));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_deleted_backup_stays_listed_as_deleted() {
    let rig = rig().await;
    let body = json!({"source": "prod", "store": "local", "tables": ["orders"]});
    let run_id = rig.start_run("/api/v1/backups", &body).await;
    let run = rig.finished_run(&run_id).await;
    assert_eq!(run["status"], "succeeded", "{run}");
    assert!(
        run["schedule_id"].is_null(),
        "an ad-hoc backup has no schedule"
    );
    let backup_id = run["backup_id"].as_str().expect("backup id");

    let response = rig
        .app
        .api
        .delete(rig.app.url(&format!("/api/v1/backups/{backup_id}")))
        .bearer_auth(crate::helpers::ADMIN_TOKEN)
        .send()
        .await
        .expect("sent");
    assert_eq!(response.status(), 204);
    let backup = rig.get_json(&format!("/api/v1/backups/{backup_id}")).await;
    assert_eq!(backup["status"], "deleted", "{backup}");
    let response = rig
        .post("/api/v1/restores", &json!({"backup_id": backup_id}))
        .await;
    assert!(
        response.status().is_client_error(),
        "a deleted backup cannot be restored"
    );
}
