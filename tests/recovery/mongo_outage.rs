//! MongoDB killed mid-backup. Back within `store_retry_seconds`: the backup succeeds and the
//! outage shows in `tablevault_store_retries_total` and a WARN line (it used to leave
//! neither). Down for longer: the run fails within the budget (each attempt cut to its share,
//! no cleanup attempt against a dead server), and the staged database the failed backup
//! leaves is deleted by the next start once MongoDB is back, with no log line calling it
//! unknown. (It used to take one 30 s attempt plus a 30 s cleanup attempt, and the staged
//! database stayed forever, "no catalogued backup claims".)

use std::time::{Duration, Instant};

use serde_json::json;
use tablevault::emulator::{EmulatorConfig, FaultConfig};
use tablevault::store::mongo::{MongoStore, MongoStoreConfig, MongoUri};
use tablevault::store::BackupStore;

use crate::api::Api;
use crate::rig::Rig;
use crate::support::daemon::{Daemon, LIMIT};
use crate::support::mongo_server::MongoServer;
use crate::support::poll::eventually;

const PREFIX: &str = "tvrec";
/// Long enough for two attempts (each gets at least 5 s), far below MongoDB's 30 s.
const RETRY_SECONDS: u64 = 8;

/// The URI without the test server's short timeouts: MongoDB's defaults (30 s server
/// selection), so only the retry budget can make the failure quick.
fn default_timeouts_uri(server: &MongoServer) -> String {
    format!(
        "mongodb://127.0.0.1:{}/?directConnection=true",
        server.port()
    )
}

async fn staged_in(server: &MongoServer) -> Vec<String> {
    let store = MongoStore::connect(&MongoStoreConfig::new(MongoUri::new(server.uri()), PREFIX))
        .await
        .expect("store connects");
    store.staged().await.expect("staged listed")
}

/// A daemon with MongoDB store `mongo` at `uri` (`store_retry_seconds` as given) backing up
/// `orders` from a slow source (five rows a page, 100 ms a page: the backup takes seconds),
/// returned once rows are written. Also returns the run id.
async fn backup_under_way(uri: &str, retry_seconds: u64) -> (Rig, Daemon, String) {
    let extra = format!(
        "[engine]\nbatch_rows = 20\nstore_retry_seconds = {retry_seconds}\n\n\
         [stores.mongo]\nkind = \"mongodb\"\nuri = \"{uri}\"\ndatabase_prefix = \"{PREFIX}\"\n"
    );
    let emulator = EmulatorConfig {
        page_row_limit: 5,
        ..EmulatorConfig::default()
    };
    let rig = Rig::new(emulator, &extra).await;
    rig.emulator.set_faults(FaultConfig {
        latency_ms: 100,
        actions: vec!["GetRange".into()],
        ..FaultConfig::default()
    });
    let daemon = rig.start(None);
    let api = Api::new(&daemon);
    let accepted = api
        .post(
            "/api/v1/backups",
            &json!({"source": "prod", "store": "mongo", "tables": ["orders"]}),
        )
        .await;
    let run_id = accepted["run_id"].as_str().expect("run id").to_string();
    let run_path = format!("/api/v1/runs/{run_id}");
    eventually("rows written to MongoDB", LIMIT, || async {
        let run = api.get(&run_path).await;
        let status = run["status"].as_str().unwrap_or_default();
        assert!(matches!(status, "queued" | "running"), "{run}");
        (run["progress"]["rows"].as_u64() > Some(0)).then_some(())
    })
    .await;
    (rig, daemon, run_id)
}

/// Killed, and restarted once the daemon has counted a retry (seen on `/metrics` while the
/// run goes): the backup succeeds, and the outage it rode out shows in the metric and in a
/// WARN line.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_outage_ridden_out_is_logged_and_counted() {
    let mut server = MongoServer::start();
    // The test server's URI: 2 s server selection, so each attempt during the outage fails
    // and is retried.
    let (_rig, daemon, run_id) = backup_under_way(&server.uri(), 60).await;
    let api = Api::new(&daemon);

    tokio::task::block_in_place(|| server.kill());
    eventually("a store retry counted", LIMIT, || async {
        (store_retries(&api).await >= 1.0).then_some(())
    })
    .await;
    tokio::task::block_in_place(|| server.restart());
    let run = api.finished_run(&run_id).await;

    assert_eq!(run["status"], "succeeded", "{run}");
    assert!(store_retries(&api).await >= 1.0);
    let logs = daemon.logs();
    assert!(
        logs.contains("Store write succeeded after retrying; the store was unavailable."),
        "{logs}"
    );
}

async fn store_retries(api: &Api) -> f64 {
    let metrics = api.text("/metrics").await;
    metric(&metrics, "tablevault_store_retries_total{store=\"mongo\"}")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_backup_failed_by_a_mongodb_outage_fails_in_budget_and_is_cleaned_after() {
    let mut server = MongoServer::start();
    let (rig, mut first, run_id) =
        backup_under_way(&default_timeouts_uri(&server), RETRY_SECONDS).await;
    let api = Api::new(&first);

    tokio::task::block_in_place(|| server.kill());
    let killed = Instant::now();
    let run = api.finished_run(&run_id).await;
    let took = killed.elapsed();
    assert_eq!(run["status"], "failed", "{run}");
    let error = run["error"].as_str().unwrap_or_default();
    assert!(error.contains("gave up after"), "{error}");
    // The budget is 8 s; the old code needed 30 s for one attempt and 30 s more to clean up.
    assert!(took < Duration::from_secs(25), "failed after {took:?}");
    let backup_id = run["backup_id"].as_str().expect("backup id").to_string();
    let backup = api.get(&format!("/api/v1/backups/{backup_id}")).await;
    assert_eq!(backup["status"], "failed", "{backup}");
    assert!(store_retries(&api).await >= 1.0, "retries counted");
    first.signal("TERM");
    assert!(first.wait().success(), "{}", first.logs());

    tokio::task::block_in_place(|| server.restart());
    assert_eq!(
        staged_in(&server).await,
        std::slice::from_ref(&backup_id),
        "left by the outage"
    );
    let second = rig.start(None);
    assert!(staged_in(&server).await.is_empty(), "cleaned at start");
    let logs = second.logs();
    assert!(
        logs.contains("Deleted the staged data of a failed backup"),
        "{logs}"
    );
    assert!(!logs.contains("left in place"), "{logs}");
    let backup = Api::new(&second)
        .get(&format!("/api/v1/backups/{backup_id}"))
        .await;
    assert_eq!(backup["status"], "failed", "{backup}");
}

/// The value of the sample named exactly `series` (name and labels) in a text exposition.
fn metric(exposition: &str, series: &str) -> f64 {
    exposition
        .lines()
        .find_map(|line| line.strip_prefix(series)?.trim().parse().ok())
        .unwrap_or_else(|| panic!("no {series} in:\n{exposition}"))
}
