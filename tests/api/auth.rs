//! Bearer tokens and roles.

use crate::helpers::{
    assert_problem, config_text, spawn_app, spawn_app_from, ADMIN_TOKEN, READ_TOKEN,
};

const CHALLENGE: &str = "Bearer realm=\"tablevault\"";

#[tokio::test]
async fn no_token_is_401_with_a_bearer_challenge() {
    let app = spawn_app().await;

    let response = app.get("/api/v1/stores", None).await;

    assert_eq!(response.headers()["www-authenticate"], CHALLENGE);
    let body = assert_problem(response, 401, "unauthorized").await;
    assert!(
        body["detail"].as_str().unwrap().contains("Bearer"),
        "{body}"
    );
}

#[tokio::test]
async fn a_wrong_or_malformed_token_is_401() {
    let app = spawn_app().await;

    let wrong = app
        .get("/api/v1/stores", Some("not-a-configured-token-000"))
        .await;
    assert_eq!(wrong.headers()["www-authenticate"], CHALLENGE);
    assert_problem(wrong, 401, "unauthorized").await;

    // The right token under another scheme, and a prefix of the right token.
    let basic = app
        .api
        .get(app.url("/api/v1/stores"))
        .header("authorization", format!("Basic {ADMIN_TOKEN}"))
        .send()
        .await
        .unwrap();
    assert_problem(basic, 401, "unauthorized").await;
    let prefix = app.get("/api/v1/stores", Some(&ADMIN_TOKEN[..10])).await;
    assert_problem(prefix, 401, "unauthorized").await;
}

#[tokio::test]
async fn a_read_token_may_get_but_not_post() {
    let app = spawn_app().await;

    let get = app.get("/api/v1/stores", Some(READ_TOKEN)).await;
    assert_eq!(get.status(), 200);

    let post = app
        .post_json("/api/v1/stores/local/check", Some(READ_TOKEN), "{}")
        .await;
    let body = assert_problem(post, 403, "forbidden").await;
    assert!(body["detail"].as_str().unwrap().contains("admin"), "{body}");
}

#[tokio::test]
async fn an_admin_token_may_post() {
    let app = spawn_app().await;

    let response = app
        .api
        .post(app.url("/api/v1/stores/local/check"))
        .bearer_auth(ADMIN_TOKEN)
        .send()
        .await
        .unwrap();

    assert_eq!(response.status(), 200);
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["status"], "up");
}

pub(crate) fn without_tokens(dir: &std::path::Path, auth: &str) -> String {
    format!(
        "[server]\nlisten = \"127.0.0.1:0\"\n[database]\npath = \"{d}/tv.db\"\n\
         [stores.local]\nkind = \"archive\"\npath = \"{d}/archive\"\n{auth}",
        d = dir.display()
    )
}

#[tokio::test]
async fn with_no_token_configured_everything_but_the_probes_is_refused() {
    let app = spawn_app_from(|dir| without_tokens(dir, "")).await;

    assert_eq!(app.get("/healthz", None).await.status(), 200);
    assert_eq!(app.get("/readyz", None).await.status(), 200);
    let response = app.get("/api/v1/stores", Some(ADMIN_TOKEN)).await;
    let body = assert_problem(response, 401, "unauthorized").await;
    let detail = body["detail"].as_str().unwrap();
    assert!(detail.contains("TABLEVAULT_AUTH_ADMIN_TOKEN"), "{detail}");
    assert!(detail.contains("[[auth.tokens]]"), "{detail}");
}

#[tokio::test]
async fn auth_disabled_serves_without_a_token() {
    let app = spawn_app_from(|dir| without_tokens(dir, "[auth]\ndisabled = true\n")).await;

    let response = app
        .post_json("/api/v1/stores/local/check", None, "{}")
        .await;

    assert_eq!(response.status(), 200);
}

#[tokio::test]
async fn metrics_are_open_by_default_and_can_require_a_token() {
    let open = spawn_app().await;
    assert_eq!(open.get("/metrics", None).await.status(), 200);

    let guarded = spawn_app_from(|dir| {
        config_text(dir, "").replace("[server]\n", "[server]\nmetrics_require_auth = true\n")
    })
    .await;
    let refused = guarded.get("/metrics", None).await;
    assert_problem(refused, 401, "unauthorized").await;
    assert_eq!(
        guarded.get("/metrics", Some(READ_TOKEN)).await.status(),
        200
    );
}
