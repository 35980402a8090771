//! Request authentication and response signing.

use std::collections::HashSet;

use tablevault::tablestore::auth;
use tablevault::tablestore::proto;

use crate::client::{decode_response, start_default, ServiceError};

fn auth_failure(result: Result<proto::ListTableResponse, ServiceError>) -> ServiceError {
    let error = result.expect_err("request must be refused");
    assert_eq!(
        (error.status, error.code.as_str()),
        (403, "OTSAuthFailed"),
        "{error:?}"
    );
    error
}

#[tokio::test]
async fn a_signed_request_is_served_and_the_response_is_signed() {
    let (_emulator, client) = start_default().await;
    let first = client.post("ListTable", vec![]).await;
    assert_eq!(first.status, 200);
    assert_eq!(first.headers["x-ots-contenttype"], "protocol buffer");
    let second = client.post("ListTable", vec![]).await;
    let ids: HashSet<_> = [&first, &second]
        .iter()
        .map(|r| r.headers["x-ots-requestid"].clone())
        .collect();
    assert_eq!(ids.len(), 2, "request ids are unique");
}

#[tokio::test]
async fn a_wrong_secret_is_a_signature_mismatch() {
    let (_emulator, mut client) = start_default().await;
    client.secret = "not-the-secret".into();
    let headers = client.signed_headers("ListTable", b"");
    let response = client
        .send_raw(reqwest::Method::POST, "ListTable", vec![], &headers)
        .await
        .unwrap();
    let error = auth_failure(decode_response(response));
    assert_eq!(error.message, "Signature mismatch.");
}

#[tokio::test]
async fn a_bad_body_md5_is_refused() {
    let (_emulator, client) = start_default().await;
    let mut headers = client.signed_headers("ListTable", b"");
    headers.retain(|(n, _)| n != auth::HEADER_CONTENT_MD5);
    headers.push((
        auth::HEADER_CONTENT_MD5.into(),
        auth::content_md5(b"something else"),
    ));
    client.sign("ListTable", &mut headers);
    let response = client
        .send_raw(reqwest::Method::POST, "ListTable", vec![], &headers)
        .await
        .unwrap();
    client.assert_signed("ListTable", &response);
    let error = auth_failure(decode_response(response));
    assert!(error.message.contains("MD5"), "{error:?}");
}

#[tokio::test]
async fn a_skewed_date_is_refused_and_a_small_skew_is_not() {
    let (_emulator, client) = start_default().await;
    let old = auth::format_date(chrono::Utc::now() - chrono::Duration::minutes(20));
    let headers = client.signed_headers_at("ListTable", b"", &old);
    let response = client
        .send_raw(reqwest::Method::POST, "ListTable", vec![], &headers)
        .await
        .unwrap();
    let error = auth_failure(decode_response(response));
    assert!(error.message.contains("x-ots-date"), "{error:?}");

    let near = auth::format_date(chrono::Utc::now() - chrono::Duration::minutes(10));
    let headers = client.signed_headers_at("ListTable", b"", &near);
    let response = client
        .send_raw(reqwest::Method::POST, "ListTable", vec![], &headers)
        .await
        .unwrap();
    assert_eq!(response.status, 200);
}

#[tokio::test]
async fn wrong_access_key_id_or_instance_is_refused() {
    let (emulator, mut client) = start_default().await;
    client.access_key_id = "someone-else".into();
    auth_failure(client.call("ListTable", &proto::ListTableRequest {}).await);
    client.access_key_id = emulator.config().access_key_id.clone();
    client.instance = "other-instance".into();
    let error = auth_failure(client.call("ListTable", &proto::ListTableRequest {}).await);
    assert!(error.message.contains("other-instance"), "{error:?}");
    assert_eq!(emulator.stats().auth_failures, 2);
}

#[tokio::test]
async fn extra_signed_headers_and_sts_tokens_are_accepted() {
    let (_emulator, client) = start_default().await;
    let mut headers = client.signed_headers("ListTable", b"");
    headers.push((auth::HEADER_STS_TOKEN.into(), "sts-token-value".into()));
    headers.push(("x-ots-signdate".into(), "20261127".into()));
    client.sign("ListTable", &mut headers);
    let response = client
        .send_raw(reqwest::Method::POST, "ListTable", vec![], &headers)
        .await
        .unwrap();
    assert_eq!(response.status, 200);

    // An unsigned extra header breaks the signature, as it would on the service.
    headers.push(("x-ots-request-tag".into(), "added-after-signing".into()));
    let response = client
        .send_raw(reqwest::Method::POST, "ListTable", vec![], &headers)
        .await
        .unwrap();
    auth_failure(decode_response(response));
}

#[tokio::test]
async fn non_post_and_unknown_actions_get_signed_errors() {
    let (_emulator, client) = start_default().await;
    let headers = client.signed_headers("ListTable", b"");
    let response = client
        .send_raw(reqwest::Method::GET, "ListTable", vec![], &headers)
        .await
        .unwrap();
    client.assert_signed("ListTable", &response);
    let error = decode_response::<proto::ListTableResponse>(response).unwrap_err();
    assert_eq!(
        (error.status, error.code.as_str()),
        (405, "OTSMethodNotAllowed")
    );

    let error = client
        .call::<proto::ListTableResponse>("DropEverything", &proto::ListTableRequest {})
        .await
        .unwrap_err();
    assert_eq!(
        (error.status, error.code.as_str()),
        (400, "OTSUnsupportOperation")
    );
}
