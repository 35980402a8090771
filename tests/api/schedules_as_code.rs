//! Schedules declared in the config file (issue 14): created at start, reconciled on
//! `POST /api/v1/reload` (changed, removed, added), shown as `"managed_by": "config"`, PATCH
//! and DELETE on them refused with 409 naming the file (pause, resume and run-now allowed),
//! `prune = true` deleting removed ones, and a broken file changing nothing.

use std::path::{Path, PathBuf};

use serde_json::{json, Value};
use tablevault::config::Config;
use tempfile::TempDir;

use crate::helpers::{
    assert_problem, closed_port, config_text, spawn_config, TestApp, ADMIN_TOKEN, READ_TOKEN,
};

/// A `[[schedules]]` entry on source `prod` and store `local`.
fn entry(name: &str, cron: &str) -> String {
    format!(
        "\n[[schedules]]\nname = \"{name}\"\ncron = \"{cron}\"\nsource = \"prod\"\n\
         store = \"local\"\ntables = [\"orders\"]\nretention = {{ keep_last = 3 }}\n"
    )
}

/// The test config with source `prod` (never reached: the crons do not fire during a test)
/// and `extra` ([[schedules]] entries, [scheduler] keys).
fn file_text(dir: &Path, port: u16, extra: &str) -> String {
    config_text(
        dir,
        &format!(
            "[sources.prod]\nendpoint = \"http://127.0.0.1:{port}\"\ninstance = \"prod\"\n\
             access_key_id = \"id\"\naccess_key_secret = \"secret\"\n{extra}"
        ),
    )
}

struct FileApp {
    app: TestApp,
    file: PathBuf,
    port: u16,
    temp: TempDir,
}

impl FileApp {
    async fn start(extra: &str) -> FileApp {
        let temp = tempfile::tempdir().expect("temp dir");
        let port = closed_port();
        let file = temp.path().join("tablevault.toml");
        std::fs::write(&file, file_text(temp.path(), port, extra)).expect("config written");
        let text = std::fs::read_to_string(&file).unwrap();
        let mut config = Config::parse_with_env(&text, &file, |_| None).expect("valid config");
        config.file = Some(file.clone());
        let app = spawn_config(config).await;
        FileApp {
            app,
            file,
            port,
            temp,
        }
    }

    fn rewrite(&self, extra: &str) {
        std::fs::write(&self.file, file_text(self.temp.path(), self.port, extra)).unwrap();
    }

    async fn reload(&self) -> reqwest::Response {
        self.app
            .post_json("/api/v1/reload", Some(ADMIN_TOKEN), "")
            .await
    }

    /// Every schedule by name.
    async fn schedules(&self) -> Vec<Value> {
        let response = self.app.get("/api/v1/schedules", Some(ADMIN_TOKEN)).await;
        assert_eq!(response.status(), 200);
        let page: Value = response.json().await.unwrap();
        page["items"].as_array().unwrap().clone()
    }

    async fn schedule(&self, name: &str) -> Option<Value> {
        self.schedules()
            .await
            .into_iter()
            .find(|s| s["name"] == name)
    }

    async fn request(&self, method: reqwest::Method, path: &str, body: Value) -> reqwest::Response {
        self.app
            .api
            .request(method, self.app.url(path))
            .bearer_auth(ADMIN_TOKEN)
            .json(&body)
            .send()
            .await
            .unwrap()
    }
}

fn names(schedules: &[Value]) -> Vec<&str> {
    schedules
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_file_s_schedules_are_created_and_a_reload_applies_edits() {
    let two = format!(
        "{}{}",
        entry("nightly", "0 2 * * *"),
        entry("hourly", "0 * * * *")
    );
    let app = FileApp::start(&two).await;
    let api_made = app
        .request(
            reqwest::Method::POST,
            "/api/v1/schedules",
            json!({"name": "adhoc", "cron": "0 4 * * *", "source": "prod", "store": "local"}),
        )
        .await;
    assert_eq!(api_made.status(), 201);

    let at_start = app.schedules().await;
    assert_eq!(names(&at_start), ["adhoc", "hourly", "nightly"]);
    let nightly = app.schedule("nightly").await.unwrap();
    assert_eq!(nightly["managed_by"], "config", "{nightly}");
    assert_eq!(nightly["tables"], json!(["orders"]));
    assert_eq!(nightly["retention"]["keep_last"], 3);
    assert_eq!(app.schedule("adhoc").await.unwrap()["managed_by"], "api");

    // nightly's cron changes, hourly leaves the file, weekly joins it.
    app.rewrite(&format!(
        "{}{}",
        entry("nightly", "30 1 * * *"),
        entry("weekly", "0 3 * * 0")
    ));
    let response = app.reload().await;
    assert_eq!(response.status(), 200);
    let report: Value = response.json().await.unwrap();
    assert_eq!(report["created"], json!(["weekly"]), "{report}");
    assert_eq!(report["updated"], json!(["nightly"]), "{report}");
    assert_eq!(report["paused_removed"], json!(["hourly"]), "{report}");
    assert_eq!(report["deleted"], json!([]), "{report}");

    let nightly = app.schedule("nightly").await.unwrap();
    assert_eq!(nightly["cron"], "30 1 * * *");
    let hourly = app
        .schedule("hourly")
        .await
        .expect("a removed schedule is kept");
    assert_eq!(hourly["paused"], true, "{hourly}");
    assert!(hourly["removed_from_config_at"].is_string(), "{hourly}");
    assert!(hourly["next_run_at"].is_null(), "{hourly}");
    let weekly = app.schedule("weekly").await.unwrap();
    assert_eq!(weekly["managed_by"], "config");
    assert!(weekly["next_run_at"].is_string(), "{weekly}");
    let adhoc = app.schedule("adhoc").await.unwrap();
    assert_eq!(
        adhoc["paused"], false,
        "API schedules are not the file's: {adhoc}"
    );

    // The same file again changes nothing.
    let again: Value = app.reload().await.json().await.unwrap();
    assert_eq!(again["unchanged"], json!(["nightly", "weekly"]), "{again}");
    assert_eq!(again["updated"], json!([]), "{again}");
    assert_eq!(again["paused_removed"], json!([]), "{again}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn changing_or_deleting_a_config_schedule_is_refused_but_pause_and_run_are_not() {
    let app = FileApp::start(&entry("nightly", "0 2 * * *")).await;
    let id = app.schedule("nightly").await.unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let path = format!("/api/v1/schedules/{id}");
    let file = app.file.display().to_string();

    let patch = app
        .request(reqwest::Method::PATCH, &path, json!({"cron": "0 5 * * *"}))
        .await;
    let problem = assert_problem(patch, 409, "conflict").await;
    let detail = problem["detail"].as_str().unwrap();
    assert!(detail.contains(&file), "names the file: {detail}");
    let delete = app.request(reqwest::Method::DELETE, &path, json!({})).await;
    let problem = assert_problem(delete, 409, "conflict").await;
    assert!(problem["detail"].as_str().unwrap().contains(&file));

    let pause = app
        .request(reqwest::Method::PATCH, &path, json!({"paused": true}))
        .await;
    assert_eq!(pause.status(), 200);
    let paused: Value = pause.json().await.unwrap();
    assert_eq!(paused["paused"], true);
    // An unchanged file leaves the API's pause alone.
    let report: Value = app.reload().await.json().await.unwrap();
    assert_eq!(report["unchanged"], json!(["nightly"]), "{report}");
    assert_eq!(app.schedule("nightly").await.unwrap()["paused"], true);
    let resume = app
        .request(reqwest::Method::PATCH, &path, json!({"paused": false}))
        .await;
    assert_eq!(resume.status(), 200);
    let run = app
        .request(reqwest::Method::POST, &format!("{path}/run"), json!({}))
        .await;
    assert_eq!(run.status(), 202, "run-now is allowed");
    assert_eq!(app.schedule("nightly").await.unwrap()["cron"], "0 2 * * *");

    // Once its entry left the file, the schedule is the API's to delete.
    app.rewrite("");
    assert_eq!(app.reload().await.status(), 200);
    let delete = app.request(reqwest::Method::DELETE, &path, json!({})).await;
    assert_eq!(delete.status(), 204);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn prune_deletes_removed_config_schedules_only() {
    let app = FileApp::start(&format!(
        "{}{}",
        entry("nightly", "0 2 * * *"),
        entry("hourly", "0 * * * *")
    ))
    .await;
    let made = app
        .request(
            reqwest::Method::POST,
            "/api/v1/schedules",
            json!({"name": "adhoc", "cron": "0 4 * * *", "source": "prod", "store": "local"}),
        )
        .await;
    assert_eq!(made.status(), 201);

    app.rewrite(&format!(
        "[scheduler]\nprune = true\n{}",
        entry("nightly", "0 2 * * *")
    ));
    let report: Value = app.reload().await.json().await.unwrap();

    assert_eq!(report["deleted"], json!(["hourly"]), "{report}");
    assert_eq!(names(&app.schedules().await), ["adhoc", "nightly"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_broken_file_changes_nothing_and_says_why() {
    let app = FileApp::start(&entry("nightly", "0 2 * * *")).await;
    let before = app.schedules().await;

    for (broken, says) in [
        (entry("nightly", "61 2 * * *"), "schedules[0].cron"),
        (entry("nightly", "0 2 * * *") + "[[schedules]]\nname = ", ""),
        (
            format!(
                "{}{}",
                entry("weekly", "0 3 * * 0"),
                entry("weekly", "0 4 * * 0")
            ),
            "declared twice",
        ),
        (
            entry("nightly", "0 2 * * *").replace("\"local\"", "\"elsewhere\""),
            "unknown store \"elsewhere\"",
        ),
    ] {
        app.rewrite(&broken);
        let response = app.reload().await;
        let problem = assert_problem(response, 422, "validation_failed").await;
        let detail = problem["detail"].as_str().unwrap();
        assert!(detail.contains(says), "{says:?} in {detail}");
        assert!(detail.contains("nothing was changed"), "{detail}");
        assert_eq!(app.schedules().await, before, "after {broken}");
    }
    // A read token may not reload.
    let read = app
        .app
        .post_json("/api/v1/reload", Some(READ_TOKEN), "")
        .await;
    assert_eq!(read.status(), 403);
}
