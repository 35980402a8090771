//! Every error is `application/problem+json` with a stable code and the request id.

use crate::helpers::{
    assert_problem, closed_port, config_text, spawn_app, spawn_app_from, ADMIN_TOKEN,
};

const CHECK: &str = "/api/v1/stores/local/check";

#[tokio::test]
async fn an_unknown_route_is_404() {
    let app = spawn_app().await;

    let response = app.get("/api/v1/nothing-here", Some(ADMIN_TOKEN)).await;

    assert_problem(response, 404, "not_found").await;
}

#[tokio::test]
async fn an_unknown_store_is_404_naming_the_configured_ones() {
    let app = spawn_app().await;

    let response = app
        .post_json("/api/v1/stores/nope/check", Some(ADMIN_TOKEN), "{}")
        .await;

    let body = assert_problem(response, 404, "not_found").await;
    let detail = body["detail"].as_str().unwrap();
    assert!(
        detail.contains("\"nope\"") && detail.contains("local"),
        "{detail}"
    );
}

#[tokio::test]
async fn a_wrong_method_is_405_with_allow() {
    let app = spawn_app().await;

    let response = app.get(CHECK, Some(ADMIN_TOKEN)).await;

    assert_eq!(response.headers()["allow"], "POST");
    assert_problem(response, 405, "method_not_allowed").await;
}

#[tokio::test]
async fn a_body_over_the_limit_is_413() {
    let app = spawn_app().await;
    // The test config limits bodies to 4096 bytes; valid JSON, so only the size is wrong.
    let body = format!(r#"{{"timeout": "1s", "padding": "{}"}}"#, "x".repeat(5000));

    let response = app.post_json(CHECK, Some(ADMIN_TOKEN), &body).await;

    assert_problem(response, 413, "payload_too_large").await;
}

#[tokio::test]
async fn a_chunked_body_over_the_limit_is_413_too() {
    let app = spawn_app().await;
    // No Content-Length: the limit is enforced while reading.
    let chunks: Vec<Result<hyper::body::Frame<bytes::Bytes>, std::io::Error>> = (0..10)
        .map(|_| {
            Ok(hyper::body::Frame::data(bytes::Bytes::from(
                " ".repeat(1000),
            )))
        })
        .collect();
    let stream = http_body_util::StreamBody::new(futures::stream::iter(chunks));

    let response = app
        .api
        .post(app.url(CHECK))
        .bearer_auth(ADMIN_TOKEN)
        .header("content-type", "application/json")
        .body(reqwest::Body::wrap(stream))
        .send()
        .await
        .unwrap();

    assert_problem(response, 413, "payload_too_large").await;
}

#[tokio::test]
async fn malformed_json_is_400() {
    let app = spawn_app().await;

    let response = app
        .post_json(CHECK, Some(ADMIN_TOKEN), r#"{"timeout": "#)
        .await;

    let body = assert_problem(response, 400, "invalid_request").await;
    assert!(body["detail"].as_str().unwrap().contains("JSON"), "{body}");
}

#[tokio::test]
async fn a_body_that_is_not_json_is_415() {
    let app = spawn_app().await;

    let response = app
        .api
        .post(app.url(CHECK))
        .bearer_auth(ADMIN_TOKEN)
        .header("content-type", "text/plain")
        .body("timeout=1s")
        .send()
        .await
        .unwrap();

    let body = assert_problem(response, 415, "unsupported_media_type").await;
    assert!(
        body["detail"]
            .as_str()
            .unwrap()
            .contains("application/json"),
        "{body}"
    );
}

#[tokio::test]
async fn json_of_the_wrong_shape_is_422() {
    let app = spawn_app().await;

    let unknown = app
        .post_json(CHECK, Some(ADMIN_TOKEN), r#"{"timeoutt": "1s"}"#)
        .await;
    let body = assert_problem(unknown, 422, "validation_failed").await;
    assert!(
        body["detail"].as_str().unwrap().contains("timeoutt"),
        "{body}"
    );

    let too_long = app
        .post_json(CHECK, Some(ADMIN_TOKEN), r#"{"timeout": "2h"}"#)
        .await;
    assert_problem(too_long, 422, "validation_failed").await;
}

/// Well-formed JSON with a wrong type where an enum's string belongs is 422 naming the field,
/// not 400 "not valid JSON" (straight into the type, serde_json calls it a syntax error).
#[tokio::test]
async fn a_wrong_type_for_an_enum_field_is_422_naming_it() {
    let app = spawn_app().await;

    for value in ["null", "{}", "0", "[]"] {
        let body = format!(r#"{{"backup_id": "b1", "if_exists": {value}}}"#);
        let response = app
            .post_json("/api/v1/restores", Some(ADMIN_TOKEN), &body)
            .await;
        let problem = assert_problem(response, 422, "validation_failed").await;
        assert!(
            problem["detail"].as_str().unwrap().contains("if_exists"),
            "{value}: {problem}"
        );
    }
    let nested = app
        .post_json(
            "/api/v1/restores",
            Some(ADMIN_TOKEN),
            r#"{"backup_id": "b1", "tables": ["orders", 7]}"#,
        )
        .await;
    let problem = assert_problem(nested, 422, "validation_failed").await;
    assert!(
        problem["detail"].as_str().unwrap().contains("tables[1]"),
        "{problem}"
    );
}

#[tokio::test]
async fn a_request_over_the_time_limit_is_503_timeout() {
    // /readyz waits up to 5 s for a MongoDB that is not there; requests may take 200 ms.
    let app = spawn_app_from(|dir| {
        let extra = format!(
            "[stores.mongo]\nkind = \"mongodb\"\nuri = \"mongodb://127.0.0.1:{}/\"\n",
            closed_port()
        );
        config_text(dir, &extra).replace(
            "readiness_timeout = \"1s\"",
            "readiness_timeout = \"5s\"\nrequest_timeout = \"200ms\"",
        )
    })
    .await;

    let response = app.get("/readyz", None).await;

    assert_problem(response, 503, "timeout").await;
}
