//! Polling the demo's API until something has happened (bounded; no fixed sleeps).

use std::collections::HashMap;
use std::time::Duration;

use serde_json::Value;

use crate::support::poll::eventually;

/// Runs end in one of these.
const FINAL: [&str; 5] = [
    "succeeded",
    "partially_failed",
    "failed",
    "cancelled",
    "skipped",
];

/// GETs `url` (with `token` if given) and returns the JSON body of a 200.
pub async fn get_json(url: &str, token: Option<&str>) -> Value {
    let mut request = reqwest::Client::new().get(url);
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let response = request.send().await.expect("answered");
    assert_eq!(response.status(), 200, "GET {url}");
    response.json().await.expect("JSON")
}

/// Runs the printed "list backups" line until it lists a completed backup; returns its id.
pub async fn first_completed_backup(line: &str, vars: &HashMap<String, String>) -> String {
    eventually("a completed backup", Duration::from_secs(60), || async {
        let (status, body) = crate::commands::run(line, vars).await;
        assert_eq!(status, 200, "{body}");
        let page: Value = serde_json::from_str(&body).expect("JSON");
        page["items"]
            .as_array()
            .expect("items")
            .iter()
            .find(|b| b["status"] == "completed")
            .map(|b| b["id"].as_str().expect("id").to_string())
    })
    .await
}

/// Waits for run `id` to end and returns it.
pub async fn finished_run(address: &str, id: &str, token: Option<&str>) -> Value {
    let url = format!("{address}/api/v1/runs/{id}");
    eventually("the run to end", Duration::from_secs(60), || async {
        let run = get_json(&url, token).await;
        let status = run["status"].as_str().expect("status").to_string();
        FINAL.contains(&status.as_str()).then_some(run)
    })
    .await
}

/// The run id of a `202 {run_id}` answer.
pub fn accepted_run(status: u16, body: &str) -> String {
    assert_eq!(status, 202, "{body}");
    let value: Value = serde_json::from_str(body).expect("JSON");
    value["run_id"].as_str().expect("run_id").to_string()
}
