//! What every client meets whatever the resource: JSON answers end with a newline, paging
//! and `Idempotency-Key` are checked as openapi.yaml documents them, a read token is told 405
//! for a method no token could use, and an optional body may be empty whatever the content
//! type says.

use crate::helpers::{assert_problem, spawn_app, ADMIN_TOKEN, READ_TOKEN};

#[tokio::test]
async fn json_answers_end_with_a_newline() {
    let app = spawn_app().await;
    let answers = [
        app.get("/api/v1/stores", Some(READ_TOKEN)).await,
        app.get("/api/v1/runs", Some(READ_TOKEN)).await,
        app.get("/healthz", None).await,
        app.get("/api/v1/runs/run_missing", Some(READ_TOKEN)).await,
        app.get("/api/v1/stores", None).await,
    ];
    for response in answers {
        let (status, url) = (response.status(), response.url().clone());
        let content_type = response.headers()["content-type"]
            .to_str()
            .unwrap()
            .to_string();
        assert!(content_type.contains("json"), "{url}: {content_type}");
        let body = response.text().await.unwrap();
        assert!(body.ends_with("}\n"), "{url} ({status}): {body:?}");
        serde_json::from_str::<serde_json::Value>(&body).expect("still one JSON document");
    }
}

#[tokio::test]
async fn a_page_size_outside_1_to_500_is_422() {
    let app = spawn_app().await;
    for list in ["/api/v1/schedules", "/api/v1/backups", "/api/v1/runs"] {
        for size in [0, 501] {
            let path = format!("{list}?page_size={size}");
            let response = app.get(&path, Some(READ_TOKEN)).await;
            let problem = assert_problem(response, 422, "validation_failed").await;
            assert!(
                problem["detail"].as_str().unwrap().contains("page_size"),
                "{problem}"
            );
        }
        for size in [1, 500] {
            let path = format!("{list}?page_size={size}");
            assert_eq!(
                app.get(&path, Some(READ_TOKEN)).await.status(),
                200,
                "{path}"
            );
        }
    }
}

#[tokio::test]
async fn an_idempotency_key_outside_its_pattern_is_refused() {
    let app = spawn_app().await;
    let post = |key: &'static [u8]| {
        app.api
            .post(app.url("/api/v1/stores/local/check"))
            .bearer_auth(ADMIN_TOKEN)
            .header(
                "idempotency-key",
                reqwest::header::HeaderValue::from_bytes(key).unwrap(),
            )
            .send()
    };
    // A tab inside, and a key one longer than the 255 the pattern allows.
    let too_long: &'static [u8] = Box::leak(vec![b'k'; 256].into_boxed_slice());
    for key in [b"tab\there".as_slice(), too_long] {
        let response = post(key).await.unwrap();
        let problem = assert_problem(response, 400, "invalid_request").await;
        assert!(
            problem["detail"]
                .as_str()
                .unwrap()
                .contains("Idempotency-Key"),
            "{problem}"
        );
    }
    let fine = post(b"two words, visible ASCII").await.unwrap();
    assert_eq!(fine.status(), 200);
}

#[tokio::test]
async fn a_read_token_gets_405_for_a_method_the_route_does_not_have() {
    let app = spawn_app().await;
    let response = app
        .api
        .delete(app.url("/api/v1/runs"))
        .bearer_auth(READ_TOKEN)
        .send()
        .await
        .unwrap();
    assert_eq!(response.headers()["allow"], "GET,HEAD");
    assert_problem(response, 405, "method_not_allowed").await;
    // A method the route has still needs the admin role.
    let response = app
        .post_json("/api/v1/stores/local/check", Some(READ_TOKEN), "{}")
        .await;
    assert_problem(response, 403, "forbidden").await;
    // And no token is still 401, whatever the method.
    let response = app
        .api
        .delete(app.url("/api/v1/runs"))
        .send()
        .await
        .unwrap();
    assert_problem(response, 401, "unauthorized").await;
}

#[tokio::test]
async fn an_optional_body_may_be_empty_with_a_json_content_type() {
    let app = spawn_app().await;
    let response = app
        .post_json("/api/v1/stores/local/check", Some(ADMIN_TOKEN), "")
        .await;
    assert_eq!(response.status(), 200);
    // A body that is sent must still be JSON.
    let response = app
        .post_json("/api/v1/stores/local/check", Some(ADMIN_TOKEN), "{")
        .await;
    assert_problem(response, 400, "invalid_request").await;
}
