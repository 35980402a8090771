//! The monitoring files against the real exposition: every metric that
//! `deploy/prometheus/alerts.yml` and `deploy/grafana/tablevault.json` query exists in what the
//! daemon serves after real runs, and every exported metric is documented in
//! `docs/monitoring.md`. A renamed metric breaks this test rather than an operator's pager.
//! (`deploy/prometheus/check` validates the PromQL itself with promtool.)

use std::collections::BTreeSet;
use std::path::Path;
use std::time::Duration;

use serde_json::{json, Value as Json};

use crate::exposition::{samples, value};
use crate::resources_helpers::{rig_with, Rig};
use crate::support::poll::poll_until;

/// Safety net for the first periodic store check; a test that reaches it has failed.
const STORE_CHECK_LIMIT: Duration = Duration::from_secs(20);

fn repository_file(path: &str) -> String {
    let full = Path::new(env!("CARGO_MANIFEST_DIR")).join(path);
    std::fs::read_to_string(&full).unwrap_or_else(|e| panic!("{}: {e}", full.display()))
}

/// Every `tablevault_…` name in `text`.
fn metric_names(text: &str) -> BTreeSet<String> {
    let mut names = BTreeSet::new();
    let mut rest = text;
    while let Some(at) = rest.find("tablevault_") {
        let tail = &rest[at..];
        let end = tail
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .unwrap_or(tail.len());
        names.insert(tail[..end].to_string());
        rest = &tail[end..];
    }
    names
}

/// The PromQL of every panel target and query variable of a dashboard.
fn dashboard_queries(node: &Json, out: &mut Vec<String>) {
    match node {
        Json::Object(map) => {
            for (key, child) in map {
                match (key.as_str(), child) {
                    ("expr", Json::String(expr)) => out.push(expr.clone()),
                    ("query", Json::String(query)) if query.contains("label_values") => {
                        out.push(query.clone())
                    }
                    _ => dashboard_queries(child, out),
                }
            }
        }
        Json::Array(items) => items.iter().for_each(|item| dashboard_queries(item, out)),
        _ => {}
    }
}

/// The rig with a second archive store, `offsite`, for copies.
async fn rig() -> Rig {
    rig_with(tablevault::emulator::EmulatorConfig::default(), |dir| {
        format!(
            "[stores.offsite]\nkind = \"archive\"\npath = \"{}/offsite\"\n",
            dir.display()
        )
    })
    .await
}

/// Runs one successful scheduled backup (copied off-site) and one failed one, leaves one
/// schedule active and one continuous schedule capturing, so every series the files use
/// exists.
async fn exercise(rig: &Rig) {
    let schedule = rig.schedule("nightly").await;
    let id = schedule["id"].as_str().expect("id");
    let run = rig
        .start_run(&format!("/api/v1/schedules/{id}/run"), &json!({}))
        .await;
    let run = rig.finished_run(&run).await;
    assert_eq!(run["status"], "succeeded");
    let backup_id = run["backup_id"].as_str().expect("backup id");
    let copy = rig
        .start_run(
            &format!("/api/v1/backups/{backup_id}/copy"),
            &json!({"store": "offsite"}),
        )
        .await;
    assert_eq!(rig.finished_run(&copy).await["status"], "succeeded");
    // Resumed, so it has a next run (a paused schedule has no such series).
    let resumed = rig
        .app
        .api
        .patch(rig.app.url(&format!("/api/v1/schedules/{id}")))
        .bearer_auth(crate::helpers::ADMIN_TOKEN)
        .json(&json!({"paused": false}))
        .send()
        .await
        .expect("sent");
    assert_eq!(resumed.status(), 200);
    // A continuous schedule, so the capture series exist.
    rig.continuous_schedule_with_a_captured_write("pitr").await;
    let broken = rig.schedule_of_a_vanished_table("broken").await;
    let id = broken["id"].as_str().expect("id");
    let run = rig
        .start_run(&format!("/api/v1/schedules/{id}/run"), &json!({}))
        .await;
    assert_eq!(rig.finished_run(&run).await["status"], "failed");
}

/// The exposition once the periodic store check has run (nothing here calls `/readyz`).
async fn metrics_after_store_check(rig: &Rig) -> String {
    poll_until("the store is checked", STORE_CHECK_LIMIT, || async {
        let text = rig.app.metrics_text().await;
        let up = value(
            &samples(&text),
            "tablevault_store_up",
            &[("store", "local")],
        );
        match up {
            Some(1.0) => Ok(text),
            _ => Err(format!("tablevault_store_up {up:?}")),
        }
    })
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_metric_the_alerts_and_the_dashboard_query_is_exported() {
    // Arrange: a daemon with real runs behind its metrics.
    let rig = rig().await;
    exercise(&rig).await;

    // Act
    let text = metrics_after_store_check(&rig).await;

    // Assert: what the files reference is a subset of the exposition's sample names.
    let exported: BTreeSet<String> = samples(&text).into_iter().map(|s| s.name).collect();
    let alerts = metric_names(&repository_file("deploy/prometheus/alerts.yml"));
    let dashboard: Json = serde_json::from_str(&repository_file("deploy/grafana/tablevault.json"))
        .expect("dashboard JSON");
    let mut queries = Vec::new();
    dashboard_queries(&dashboard, &mut queries);
    let panels = metric_names(&queries.join("\n"));
    for must in [
        "tablevault_backup_last_success_timestamp_seconds",
        "tablevault_schedule_paused",
        "tablevault_store_up",
        "tablevault_capture_lag_seconds",
        "tablevault_capture_up",
        "tablevault_capture_gaps_total",
        "tablevault_copy_last_success_timestamp_seconds",
    ] {
        assert!(alerts.contains(must), "alerts.yml reads {must}: {alerts:?}");
    }
    assert!(
        panels.len() >= 10,
        "the dashboard's queries were found: {panels:?}"
    );
    for (file, names) in [("alerts.yml", &alerts), ("tablevault.json", &panels)] {
        let missing: Vec<&String> = names.difference(&exported).collect();
        assert!(
            missing.is_empty(),
            "{file} queries metrics the daemon does not export: {missing:?}\n{text}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_exported_metric_is_documented() {
    let rig = rig().await;
    exercise(&rig).await;
    let text = rig.app.metrics_text().await;
    let docs = repository_file("docs/monitoring.md");

    let families: BTreeSet<&str> = text
        .lines()
        .filter_map(|line| line.strip_prefix("# TYPE "))
        .filter_map(|rest| rest.split(' ').next())
        .collect();

    assert!(families.len() >= 17, "{families:?}");
    for family in families {
        assert!(
            docs.contains(&format!("`{family}`")),
            "docs/monitoring.md does not document {family}"
        );
    }
}
