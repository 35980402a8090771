//! The status page's server side: its files are served without a token and with a strict
//! Content-Security-Policy, the API behind it still needs one, and `GET /api/v1/whoami` tells
//! the page which role its token has. (The page itself is tested in a browser: tests/status_page.)

use crate::auth::without_tokens;
use crate::helpers::{assert_problem, spawn_app, spawn_app_from, ADMIN_TOKEN, READ_TOKEN};
use tablevault::api::status_page::CONTENT_SECURITY_POLICY;

#[tokio::test]
async fn the_page_and_its_files_are_served_without_a_token_under_a_strict_policy() {
    let app = spawn_app().await;

    for (path, content_type) in [
        ("/", "text/html; charset=utf-8"),
        ("/ui/app.js", "text/javascript; charset=utf-8"),
        ("/ui/app.css", "text/css; charset=utf-8"),
    ] {
        let response = app.get(path, None).await;
        assert_eq!(response.status(), 200, "{path}");
        let headers = response.headers();
        assert_eq!(headers["content-type"], content_type, "{path}");
        assert_eq!(headers["content-security-policy"], CONTENT_SECURITY_POLICY);
        assert_eq!(headers["x-content-type-options"], "nosniff");
        assert_eq!(headers["x-frame-options"], "DENY");
        assert_eq!(headers["referrer-policy"], "no-referrer");
    }
    assert!(CONTENT_SECURITY_POLICY.contains("script-src 'self';"));
    assert!(CONTENT_SECURITY_POLICY.contains("frame-ancestors 'none'"));

    let page = app.get("/", None).await.text().await.unwrap();
    assert!(page.contains("<title>TableVault status</title>"), "{page}");
    // Opening the page opens nothing else: the API and unknown files still need a token.
    assert_problem(app.get("/api/v1/backups", None).await, 401, "unauthorized").await;
    assert_eq!(app.get("/ui/missing.js", None).await.status(), 401);
    assert_problem(
        app.get("/ui/missing.js", Some(READ_TOKEN)).await,
        404,
        "not_found",
    )
    .await;
}

#[tokio::test]
async fn whoami_names_the_role_of_the_token_and_never_the_token() {
    let app = spawn_app().await;

    for (token, role) in [(ADMIN_TOKEN, "admin"), (READ_TOKEN, "read")] {
        let response = app.get("/api/v1/whoami", Some(token)).await;
        assert_eq!(response.status(), 200);
        let text = response.text().await.unwrap();
        assert!(!text.contains(token), "{text}");
        let body: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(body, serde_json::json!({"auth": "token", "role": role}));
    }
    assert_problem(app.get("/api/v1/whoami", None).await, 401, "unauthorized").await;
}

#[tokio::test]
async fn whoami_with_auth_disabled_is_an_admin_without_a_token() {
    let app = spawn_app_from(|dir| without_tokens(dir, "[auth]\ndisabled = true\n")).await;

    let body: serde_json::Value = app.get("/api/v1/whoami", None).await.json().await.unwrap();

    assert_eq!(
        body,
        serde_json::json!({"auth": "disabled", "role": "admin"})
    );
}
