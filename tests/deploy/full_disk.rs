//! The real daemon with its state database on a full filesystem (a small tmpfs filled to the
//! last byte): every write over HTTP answers 503 `storage_unavailable` and changes nothing,
//! `/readyz` says the database is down, the log says writes fail; once space is back the same
//! process answers, records and runs again, and the log says so. Skipped, with a printed
//! reason, where a tmpfs cannot be mounted.

use reqwest::{RequestBuilder, Response};
use serde_json::{json, Value as Json};
use tablevault::emulator::{Emulator, EmulatorConfig, EmulatorHandle, FaultConfig};
use tempfile::TempDir;

use crate::orders_source::orders_source;
use crate::support::daemon::{config_text, Daemon, ADMIN_TOKEN, LIMIT};
use crate::support::poll::poll_until;
use crate::support::small_disk::SmallDisk;

/// The daemon's API as the admin.
struct Api {
    http: reqwest::Client,
    address: String,
}

impl Api {
    fn of(daemon: &Daemon) -> Api {
        Api {
            http: reqwest::Client::new(),
            address: daemon.address.clone(),
        }
    }

    fn call(&self, method: reqwest::Method, path: &str) -> RequestBuilder {
        self.http
            .request(method, format!("{}{path}", self.address))
            .bearer_auth(ADMIN_TOKEN)
    }

    async fn send(&self, request: RequestBuilder) -> Response {
        request.send().await.expect("the daemon answers")
    }

    async fn get_json(&self, path: &str) -> Json {
        let response = self.send(self.call(reqwest::Method::GET, path)).await;
        assert_eq!(response.status(), 200, "GET {path}");
        response.json().await.expect("JSON")
    }

    async fn post(&self, path: &str, body: &Json, key: Option<&str>) -> Response {
        let mut request = self.call(reqwest::Method::POST, path).json(body);
        if let Some(key) = key {
            request = request.header("Idempotency-Key", key);
        }
        self.send(request).await
    }

    /// `POST /backups` of `orders` expecting 202; returns the run id.
    async fn start_backup(&self, key: Option<&str>) -> String {
        let response = self.post("/api/v1/backups", &adhoc_backup(), key).await;
        assert_eq!(response.status(), 202, "POST /backups with key {key:?}");
        let accepted: Json = response.json().await.expect("JSON");
        accepted["run_id"].as_str().expect("run_id").to_string()
    }

    /// Polls a run until it has a final status (at most [`LIMIT`]).
    async fn finished_run(&self, run_id: &str) -> Json {
        self.run_until(run_id, |s| !matches!(s, "queued" | "running"))
            .await
    }

    /// Polls a run until its status passes `wanted` (at most [`LIMIT`]).
    async fn run_until(&self, run_id: &str, wanted: impl Fn(&str) -> bool) -> Json {
        let what = format!("run {run_id} reaches the wanted status");
        poll_until(&what, LIMIT, || async {
            let run = self.get_json(&format!("/api/v1/runs/{run_id}")).await;
            match wanted(run["status"].as_str().unwrap_or_default()) {
                true => Ok(run),
                false => Err(run.to_string()),
            }
        })
        .await
    }

    /// Polls `/readyz` until it answers `status` (at most [`LIMIT`]); returns the body.
    async fn readyz_until(&self, status: u16) -> Json {
        poll_until(&format!("/readyz answers {status}"), LIMIT, || async {
            let response = self.send(self.call(reqwest::Method::GET, "/readyz")).await;
            let got = response.status().as_u16();
            let body: Json = response.json().await.expect("readiness JSON");
            match got == status {
                true => Ok(body),
                false => Err(format!("{got}: {body}")),
            }
        })
        .await
    }
}

/// A 503 problem+json naming storage.
async fn assert_storage_unavailable(what: &str, response: Response) {
    assert_eq!(response.status(), 503, "{what}");
    let content_type = response.headers()["content-type"]
        .to_str()
        .unwrap()
        .to_string();
    assert_eq!(content_type, "application/problem+json", "{what}");
    let problem: Json = response.json().await.expect("problem JSON");
    assert_eq!(problem["code"], "storage_unavailable", "{what}: {problem}");
    let detail = problem["detail"].as_str().unwrap_or_default();
    assert!(!detail.contains('/'), "{what}: no path leaks: {problem}");
}

/// The daemon with its state (database and archive) on a fresh small disk and the emulator,
/// with `faults`, as source `prod`. Fields drop in order: the daemon before its disk.
struct Rig {
    daemon: Daemon,
    api: Api,
    disk: SmallDisk,
    _emulator: EmulatorHandle,
    _dir: TempDir,
}

/// `None` (after printing why) where no tmpfs can be mounted.
async fn rig(faults: FaultConfig) -> Option<Rig> {
    let disk = SmallDisk::mount("4m")?;
    let emulator = Emulator::start(EmulatorConfig::default())
        .await
        .expect("emulator");
    let source = orders_source(&emulator).await;
    emulator.set_faults(faults);
    let dir = tempfile::tempdir().unwrap();
    let daemon = Daemon::start(dir.path(), &config_text(disk.path(), 5, &source), &[]);
    Some(Rig {
        api: Api::of(&daemon),
        daemon,
        disk,
        _emulator: emulator,
        _dir: dir,
    })
}

fn adhoc_backup() -> Json {
    json!({"source": "prod", "store": "local", "tables": ["orders"]})
}

fn database_status(readiness: &Json) -> &str {
    readiness["components"]
        .as_array()
        .and_then(|c| c.iter().find(|c| c["name"] == "database"))
        .and_then(|c| c["status"].as_str())
        .unwrap_or("missing")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_a_full_disk_writes_answer_503_and_nothing_is_lost_or_half_done() {
    let Some(rig) = rig(FaultConfig::default()).await else {
        return;
    };
    let Rig {
        daemon, api, disk, ..
    } = &rig;
    let backup = adhoc_backup();
    let schedule = |name: &str| {
        json!({"name": name, "cron": "0 3 * * *", "source": "prod", "store": "local",
               "tables": ["orders"], "paused": true})
    };

    // Before: a schedule and a completed backup.
    let nightly = api
        .post("/api/v1/schedules", &schedule("nightly"), None)
        .await;
    assert_eq!(nightly.status(), 201);
    let nightly: Json = nightly.json().await.unwrap();
    let nightly_path = format!("/api/v1/schedules/{}", nightly["id"].as_str().unwrap());
    let run = api.finished_run(&api.start_backup(None).await).await;
    assert_eq!(run["status"], "succeeded", "{run}");
    let backup_path = format!("/api/v1/backups/{}", run["backup_id"].as_str().unwrap());

    disk.fill();
    let weekly = api
        .post("/api/v1/schedules", &schedule("weekly"), None)
        .await;
    assert_storage_unavailable("POST /schedules", weekly).await;
    let pause = api
        .call(reqwest::Method::PATCH, &nightly_path)
        .json(&json!({"paused": false}));
    assert_storage_unavailable("PATCH /schedules/{id}", api.send(pause).await).await;
    let delete = api.call(reqwest::Method::DELETE, &nightly_path);
    assert_storage_unavailable("DELETE /schedules/{id}", api.send(delete).await).await;
    let keyed = api.post("/api/v1/backups", &backup, Some("k-1")).await;
    assert_storage_unavailable("POST /backups with a key", keyed).await;
    let delete = api.call(reqwest::Method::DELETE, &backup_path);
    assert_storage_unavailable("DELETE /backups/{id}", api.send(delete).await).await;
    let readiness = api.readyz_until(503).await;
    assert_eq!(database_status(&readiness), "down", "{readiness}");
    assert!(
        daemon.logs().contains("Catalog writes are failing"),
        "{}",
        daemon.logs()
    );

    // Nothing was recorded or half-recorded.
    let schedules = api.get_json("/api/v1/schedules").await;
    assert_eq!(
        schedules["items"].as_array().unwrap().len(),
        1,
        "{schedules}"
    );
    assert_eq!(api.get_json(&nightly_path).await["paused"], true);
    let runs = api.get_json("/api/v1/runs").await;
    assert_eq!(runs["items"].as_array().unwrap().len(), 1, "{runs}");
    assert_eq!(api.get_json(&backup_path).await["status"], "completed");

    disk.free();
    let readiness = api.readyz_until(200).await;
    assert_eq!(database_status(&readiness), "up", "{readiness}");
    // The key of the refused request is free: the retry runs, and its retry replays.
    let retried = api.start_backup(Some("k-1")).await;
    let run = api.finished_run(&retried).await;
    assert_eq!(run["status"], "succeeded", "{run}");
    let replayed = api.post("/api/v1/backups", &backup, Some("k-1")).await;
    assert_eq!(replayed.headers()["idempotent-replayed"], "true");
    let replayed: Json = replayed.json().await.unwrap();
    assert_eq!(replayed["run_id"], retried.as_str());
    let weekly = api
        .post("/api/v1/schedules", &schedule("weekly"), None)
        .await;
    assert_eq!(weekly.status(), 201);
    let weekly: Json = weekly.json().await.unwrap();
    api.get_json(&format!(
        "/api/v1/schedules/{}",
        weekly["id"].as_str().unwrap()
    ))
    .await;
    let resume = api
        .call(reqwest::Method::PATCH, &nightly_path)
        .json(&json!({"paused": false}));
    assert_eq!(api.send(resume).await.status(), 200);
    let delete = api
        .send(api.call(reqwest::Method::DELETE, &backup_path))
        .await;
    assert_eq!(delete.status(), 204);
    let delete = api
        .send(api.call(reqwest::Method::DELETE, &nightly_path))
        .await;
    assert_eq!(delete.status(), 204);
    assert!(
        daemon.logs().contains("Catalog writes work again"),
        "{}",
        daemon.logs()
    );
    daemon.signal("TERM");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_run_that_ends_on_a_full_disk_is_recorded_once_space_is_back() {
    // Every scan takes a minute: the run is still scanning when the disk fills.
    let slow_scans = FaultConfig {
        latency_ms: 60_000,
        actions: vec!["GetRange".into()],
        ..FaultConfig::default()
    };
    let Some(mut rig) = rig(slow_scans).await else {
        return;
    };
    let Rig {
        daemon, api, disk, ..
    } = &mut rig;
    let run_id = api.start_backup(None).await;
    api.run_until(&run_id, |s| s == "running").await;

    disk.fill();
    let cancel = api.call(
        reqwest::Method::POST,
        &format!("/api/v1/runs/{run_id}/cancel"),
    );
    assert_eq!(api.send(cancel).await.status(), 202);
    tokio::task::block_in_place(|| daemon.wait_for_log("Could not record the end of a run yet"));
    let run = api.get_json(&format!("/api/v1/runs/{run_id}")).await;
    assert_eq!(
        run["status"], "running",
        "the end is not recorded yet: {run}"
    );

    disk.free();
    let run = api.finished_run(&run_id).await;
    // Cancelled, or failed when the run was writing its staging files as the disk filled:
    // either way its end is recorded without a restart.
    let status = run["status"].as_str().unwrap_or_default();
    assert!(matches!(status, "cancelled" | "failed"), "{run}");
    daemon.signal("TERM");
}
