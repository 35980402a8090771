//! The backup catalog's lifecycle: staged → completed/failed → deleting → deleted, figures from
//! the manifest, verification and retention reasons.

use chrono::Duration;
use tablevault::catalog::{BackupStatus, CatalogError, NewBackup, VerifyResult};
use tablevault::retention::{CandidateStatus, KeepReason, KeepRule};

use crate::test_catalog::{manifest, open, t0, TestCatalog};

async fn staged(test: &TestCatalog, id: &str, schedule_id: Option<&str>) {
    test.catalog
        .create_backup(NewBackup {
            id: id.into(),
            schedule_id: schedule_id.map(String::from),
            source: "prod".into(),
            store: "local".into(),
            started_at: test.clock.now(),
        })
        .await
        .unwrap();
}

#[tokio::test]
async fn a_completed_backup_carries_the_manifest_figures() {
    let test = open().await;
    let created = test
        .catalog
        .create_backup(NewBackup {
            id: "bk_1".into(),
            schedule_id: None,
            source: "prod".into(),
            store: "local".into(),
            started_at: t0(),
        })
        .await
        .unwrap();
    assert_eq!(created.status, BackupStatus::Staged);
    assert!(created.tables.is_empty() && created.finished_at.is_none());

    let m = manifest(
        "bk_1",
        "prod",
        t0() + Duration::minutes(4),
        &[("users", 5), ("orders", 10)],
    );
    test.clock.advance(Duration::minutes(5));
    let done = test
        .catalog
        .complete_backup("bk_1", &m, Some(2048))
        .await
        .unwrap();
    assert_eq!(done.status, BackupStatus::Completed);
    assert_eq!(done.finished_at, Some(m.finished_at));
    assert_eq!(
        (done.rows, done.bytes, done.stored_bytes),
        (15, 1500, Some(2048))
    );
    let names: Vec<&str> = done.tables.iter().map(|t| t.name.as_str()).collect();
    assert_eq!(names, ["orders", "users"]);
    assert_eq!(done.tables[0].checksum, "crc:orders:10");
    assert_eq!(
        (
            done.tables[0].rows,
            done.tables[0].cells,
            done.tables[0].bytes
        ),
        (10, 20, 1000)
    );
    assert_eq!(done.updated_at, t0() + Duration::minutes(5));
    assert_eq!(test.catalog.get_backup("bk_1").await.unwrap(), done);
    let candidate = done.retention_candidate().unwrap();
    assert_eq!(
        (candidate.finished_at, candidate.status),
        (m.finished_at, CandidateStatus::Completed)
    );

    let again = test
        .catalog
        .complete_backup("bk_1", &m, None)
        .await
        .unwrap_err();
    assert!(
        matches!(again, CatalogError::InvalidState { .. }),
        "{again:?}"
    );
    let duplicate = test
        .catalog
        .create_backup(NewBackup {
            id: "bk_1".into(),
            schedule_id: None,
            source: "prod".into(),
            store: "local".into(),
            started_at: t0(),
        })
        .await
        .unwrap_err();
    assert!(
        matches!(duplicate, CatalogError::Conflict(_)),
        "{duplicate:?}"
    );
}

#[tokio::test]
async fn failure_deletion_and_verification_follow_the_state_machine() {
    let test = open().await;
    staged(&test, "bk_fail", None).await;
    let failed = test
        .catalog
        .fail_backup("bk_fail", "scan timed out")
        .await
        .unwrap();
    assert_eq!(
        (failed.status, failed.error.as_deref()),
        (BackupStatus::Failed, Some("scan timed out"))
    );
    assert!(failed.finished_at.is_some());
    let error = test
        .catalog
        .record_backup_verification("bk_fail", VerifyResult::Passed, None)
        .await
        .unwrap_err();
    assert!(
        matches!(error, CatalogError::InvalidState { .. }),
        "only completed backups are verified"
    );

    let deleting = test.catalog.mark_backup_deleting("bk_fail").await.unwrap();
    assert_eq!(deleting.status, BackupStatus::Deleting);
    assert_eq!(
        deleting.error.as_deref(),
        Some("scan timed out"),
        "the failure stays readable"
    );
    test.clock.advance(Duration::minutes(1));
    let deleted = test.catalog.mark_backup_deleted("bk_fail").await.unwrap();
    assert_eq!(deleted.status, BackupStatus::Deleted);
    assert_eq!(deleted.deleted_at, Some(t0() + Duration::minutes(1)));
    assert_eq!(
        deleted.retention_candidate(),
        None,
        "deleted backups are not candidates"
    );
    let error = test
        .catalog
        .mark_backup_deleting("bk_fail")
        .await
        .unwrap_err();
    assert!(
        matches!(error, CatalogError::InvalidState { .. }),
        "{error:?}"
    );

    staged(&test, "bk_ok", None).await;
    let m = manifest("bk_ok", "prod", t0(), &[("t", 1)]);
    test.catalog
        .complete_backup("bk_ok", &m, None)
        .await
        .unwrap();
    let verified = test
        .catalog
        .record_backup_verification(
            "bk_ok",
            VerifyResult::Failed,
            Some("checksum mismatch in t"),
        )
        .await
        .unwrap();
    assert_eq!(verified.verify_result, Some(VerifyResult::Failed));
    assert_eq!(
        verified.verify_message.as_deref(),
        Some("checksum mismatch in t")
    );
    assert_eq!(verified.verified_at, Some(test.clock.now()));

    let missing = test.catalog.fail_backup("bk_nope", "x").await.unwrap_err();
    assert!(
        matches!(missing, CatalogError::NotFound { .. }),
        "{missing:?}"
    );
}

#[tokio::test]
async fn retention_reasons_are_stored_and_cleared() {
    let test = open().await;
    staged(&test, "bk", None).await;
    let reasons = vec![
        KeepReason::new(KeepRule::NewestCompleted),
        KeepReason::with_detail(KeepRule::Daily, "2024-05-01"),
    ];
    test.catalog
        .set_retention_reasons("bk", Some(&reasons))
        .await
        .unwrap();
    assert_eq!(
        test.catalog
            .get_backup("bk")
            .await
            .unwrap()
            .retention_reasons,
        Some(reasons)
    );
    test.catalog
        .set_retention_reasons("bk", None)
        .await
        .unwrap();
    assert_eq!(
        test.catalog
            .get_backup("bk")
            .await
            .unwrap()
            .retention_reasons,
        None
    );
    assert!(test
        .catalog
        .set_retention_reasons("nope", None)
        .await
        .is_err());
}
