//! Idempotency keys: claim, replay, conflicts, mismatches, expiry and start-up release.

use std::time::Duration as StdDuration;

use chrono::Duration;
use tablevault::catalog::{IdempotencyClaim, IdempotencyRequest, StoredResponse};

use crate::test_catalog::open;

const DAY: StdDuration = StdDuration::from_secs(24 * 3600);

fn request(key: &str, hash: &str) -> IdempotencyRequest {
    IdempotencyRequest {
        key: key.into(),
        method: "POST".into(),
        path: "/v1/schedules/sch_1:run".into(),
        request_hash: hash.into(),
    }
}

fn accepted() -> StoredResponse {
    StoredResponse {
        status: 202,
        headers: vec![("location".into(), "/v1/operations/run_1".into())],
        body: br#"{"id":"run_1"}"#.to_vec(),
    }
}

#[tokio::test]
async fn a_key_is_claimed_once_then_replayed() {
    let test = open().await;
    let first = request("k1", "h1");
    assert_eq!(
        test.catalog
            .claim_idempotency_key(&first, DAY)
            .await
            .unwrap(),
        IdempotencyClaim::Claimed
    );
    assert_eq!(
        test.catalog
            .claim_idempotency_key(&first, DAY)
            .await
            .unwrap(),
        IdempotencyClaim::InFlight
    );
    assert_eq!(
        test.catalog.lookup_idempotency_key("k1").await.unwrap(),
        None
    );

    test.catalog
        .complete_idempotency_key("k1", &accepted())
        .await
        .unwrap();
    assert_eq!(
        test.catalog
            .claim_idempotency_key(&first, DAY)
            .await
            .unwrap(),
        IdempotencyClaim::Replay(accepted())
    );
    assert_eq!(
        test.catalog.lookup_idempotency_key("k1").await.unwrap(),
        Some(accepted())
    );

    // Same key, different body or endpoint: refused, and the stored response is untouched.
    assert_eq!(
        test.catalog
            .claim_idempotency_key(&request("k1", "h2"), DAY)
            .await
            .unwrap(),
        IdempotencyClaim::Mismatch
    );
    let mut other_path = request("k1", "h1");
    other_path.path = "/v1/restores".into();
    assert_eq!(
        test.catalog
            .claim_idempotency_key(&other_path, DAY)
            .await
            .unwrap(),
        IdempotencyClaim::Mismatch
    );
    assert_eq!(
        test.catalog.lookup_idempotency_key("k1").await.unwrap(),
        Some(accepted())
    );

    assert!(test
        .catalog
        .complete_idempotency_key("unclaimed", &accepted())
        .await
        .is_err());
}

#[tokio::test]
async fn keys_expire_and_are_purged() {
    let test = open().await;
    let short = StdDuration::from_secs(3600);
    test.catalog
        .claim_idempotency_key(&request("k1", "h1"), short)
        .await
        .unwrap();
    test.catalog
        .complete_idempotency_key("k1", &accepted())
        .await
        .unwrap();
    test.catalog
        .claim_idempotency_key(&request("k2", "h1"), DAY)
        .await
        .unwrap();

    test.clock.advance(Duration::hours(2));
    assert_eq!(
        test.catalog.lookup_idempotency_key("k1").await.unwrap(),
        None,
        "expired"
    );
    // An expired key can be claimed afresh, even with another body.
    assert_eq!(
        test.catalog
            .claim_idempotency_key(&request("k1", "h9"), short)
            .await
            .unwrap(),
        IdempotencyClaim::Claimed
    );
    test.clock.advance(Duration::hours(2));
    assert_eq!(
        test.catalog.purge_expired_idempotency_keys().await.unwrap(),
        1
    );
    assert_eq!(
        test.catalog
            .claim_idempotency_key(&request("k2", "h1"), DAY)
            .await
            .unwrap(),
        IdempotencyClaim::InFlight,
        "the unexpired key survived the purge"
    );
}

#[tokio::test]
async fn released_and_orphaned_claims_can_be_retried() {
    let test = open().await;
    test.catalog
        .claim_idempotency_key(&request("k1", "h1"), DAY)
        .await
        .unwrap();
    test.catalog.release_idempotency_key("k1").await.unwrap();
    assert_eq!(
        test.catalog
            .claim_idempotency_key(&request("k1", "h1"), DAY)
            .await
            .unwrap(),
        IdempotencyClaim::Claimed
    );

    test.catalog
        .claim_idempotency_key(&request("done", "h1"), DAY)
        .await
        .unwrap();
    test.catalog
        .complete_idempotency_key("done", &accepted())
        .await
        .unwrap();
    // Start-up: claims of a dead process are dropped, finished ones stay.
    assert_eq!(
        test.catalog
            .release_unfinished_idempotency_keys()
            .await
            .unwrap(),
        1
    );
    assert_eq!(
        test.catalog
            .claim_idempotency_key(&request("k1", "h1"), DAY)
            .await
            .unwrap(),
        IdempotencyClaim::Claimed
    );
    assert_eq!(
        test.catalog.lookup_idempotency_key("done").await.unwrap(),
        Some(accepted())
    );
}
