//! MongoDB killed mid-backup and kept down for longer than `store_retry_seconds`: the run
//! fails within the budget (each attempt cut at what is left of it, no cleanup attempt
//! against a dead server), the retries show in `tablevault_store_retries_total`, and the
//! staged database the failed backup leaves is deleted by the next start once MongoDB is
//! back, with no log line calling it unknown. (It used to take one 30 s attempt plus a 30 s
//! cleanup attempt, and the staged database stayed forever, "no catalogued backup claims".)

use std::time::{Duration, Instant};

use serde_json::json;
use tablevault::emulator::{EmulatorConfig, FaultConfig};
use tablevault::store::mongo::{MongoStore, MongoStoreConfig, MongoUri};
use tablevault::store::BackupStore;

use crate::api::Api;
use crate::daemon::LIMIT;
use crate::rig::Rig;
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
    let store = MongoStore::connect(&MongoStoreConfig {
        uri: MongoUri::new(server.uri()),
        database_prefix: PREFIX.to_owned(),
    })
    .await
    .expect("store connects");
    store.staged().await.expect("staged listed")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_backup_failed_by_a_mongodb_outage_fails_in_budget_and_is_cleaned_after() {
    let mut server = MongoServer::start();
    let extra = format!(
        "[engine]\nbatch_rows = 20\nstore_retry_seconds = {RETRY_SECONDS}\n\n\
         [stores.mongo]\nkind = \"mongodb\"\nuri = \"{}\"\ndatabase_prefix = \"{PREFIX}\"\n",
        default_timeouts_uri(&server)
    );
    // Five rows a page, 100 ms a page: the backup takes seconds, time to kill MongoDB.
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
    let mut first = rig.start(None);
    let api = Api::new(&first);
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
    let metrics = api.text("/metrics").await;
    let retries = metric(&metrics, "tablevault_store_retries_total{store=\"mongo\"}");
    assert!(retries >= 1.0, "{metrics}");
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
