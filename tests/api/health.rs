//! Probes and request ids.

use crate::helpers::{closed_port, spawn_app, spawn_app_with, ADMIN_TOKEN};

#[tokio::test]
async fn healthz_answers_without_a_token() {
    let app = spawn_app().await;

    let response = app.get("/healthz", None).await;

    assert_eq!(response.status(), 200);
    assert!(response.headers().contains_key("x-request-id"));
    let body: serde_json::Value = response.json().await.unwrap();
    let build = serde_json::json!({
        "status": "ok",
        "version": env!("CARGO_PKG_VERSION"),
        "commit": tablevault::telemetry::build_info::COMMIT,
    });
    assert_eq!(body, build);
}

#[tokio::test]
async fn a_client_request_id_is_echoed_and_one_is_made_otherwise() {
    let app = spawn_app().await;

    let response = app
        .api
        .get(app.url("/nope"))
        .bearer_auth(ADMIN_TOKEN)
        .header("x-request-id", "trace-me-42")
        .send()
        .await
        .unwrap();
    assert_eq!(response.headers()["x-request-id"], "trace-me-42");
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["request_id"], "trace-me-42");

    let first = app.get("/healthz", None).await;
    let second = app.get("/healthz", None).await;
    let id = |r: &reqwest::Response| r.headers()["x-request-id"].to_str().unwrap().to_string();
    assert_eq!(id(&first).len(), 36, "a UUID");
    assert_ne!(id(&first), id(&second));
}

#[tokio::test]
async fn readyz_is_200_when_the_database_and_the_archive_answer() {
    let app = spawn_app().await;

    let response = app.get("/readyz", None).await;

    assert_eq!(response.status(), 200);
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["status"], "ready");
    let components: Vec<(String, String, String)> = body["components"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            let field = |k: &str| c[k].as_str().unwrap().to_string();
            (field("name"), field("kind"), field("status"))
        })
        .collect();
    let expected = [("database", "sqlite", "up"), ("local", "archive", "up")];
    let expected: Vec<(String, String, String)> = expected
        .iter()
        .map(|(a, b, c)| (a.to_string(), b.to_string(), c.to_string()))
        .collect();
    assert_eq!(components, expected);
}

#[tokio::test]
async fn readyz_is_503_when_a_store_is_unreachable() {
    let extra = format!(
        "[stores.mongo]\nkind = \"mongodb\"\nuri = \"mongodb://127.0.0.1:{}/?directConnection=true\"\n",
        closed_port()
    );
    let app = spawn_app_with(&extra).await;

    let response = app.get("/readyz", None).await;

    assert_eq!(response.status(), 503);
    assert_eq!(response.headers()["content-type"], "application/json");
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["status"], "not_ready");
    let mongo = body["components"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "mongo")
        .expect("the mongo store is listed")
        .clone();
    assert_eq!(mongo["kind"], "mongodb");
    assert_eq!(mongo["status"], "down");
    assert!(
        mongo.get("error").is_none(),
        "no error text for anonymous probes: {mongo}"
    );
    let local = body["components"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "local")
        .cloned();
    assert_eq!(local.unwrap()["status"], "up");

    let metrics = app.metrics_text().await;
    assert!(
        metrics.contains("tablevault_store_up{store=\"mongo\"} 0"),
        "{metrics}"
    );
    assert!(
        metrics.contains("tablevault_store_up{store=\"local\"} 1"),
        "{metrics}"
    );
}

#[tokio::test]
async fn the_store_check_explains_a_failure_to_an_authenticated_caller() {
    let extra = format!(
        "[stores.mongo]\nkind = \"mongodb\"\nuri = \"mongodb://127.0.0.1:{}/?directConnection=true\"\n",
        closed_port()
    );
    let app = spawn_app_with(&extra).await;

    let up = app
        .post_json("/api/v1/stores/local/check", Some(ADMIN_TOKEN), "{}")
        .await;
    assert_eq!(up.status(), 200);
    let up: serde_json::Value = up.json().await.unwrap();
    assert_eq!(
        (up["name"].as_str(), up["status"].as_str()),
        (Some("local"), Some("up"))
    );

    let down = app
        .post_json(
            "/api/v1/stores/mongo/check",
            Some(ADMIN_TOKEN),
            r#"{"timeout": "300ms"}"#,
        )
        .await;
    assert_eq!(down.status(), 200);
    let down: serde_json::Value = down.json().await.unwrap();
    assert_eq!(down["status"], "down");
    assert!(
        down["error"].as_str().is_some_and(|e| !e.is_empty()),
        "{down}"
    );

    let list = app.get("/api/v1/stores", Some(ADMIN_TOKEN)).await;
    let list: serde_json::Value = list.json().await.unwrap();
    assert_eq!(
        list,
        serde_json::json!({ "items": [
            { "name": "local", "kind": "archive" },
            { "name": "mongo", "kind": "mongodb" },
        ]})
    );
}
