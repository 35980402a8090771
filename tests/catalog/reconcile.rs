//! Reconciling the catalog with a store's real listing, in both directions.

use chrono::Duration;
use tablevault::catalog::{BackupStatus, NewBackup, ReconcileReport};

use crate::test_catalog::{manifest, open, t0, TestCatalog};

async fn backup(test: &TestCatalog, id: &str, store: &str, status: BackupStatus) {
    test.catalog
        .create_backup(NewBackup {
            id: id.into(),
            schedule_id: None,
            source: "prod".into(),
            store: store.into(),
            started_at: t0(),
        })
        .await
        .unwrap();
    match status {
        BackupStatus::Staged => {}
        BackupStatus::Completed => {
            let m = manifest(id, "prod", t0() + Duration::minutes(1), &[("t", 1)]);
            test.catalog.complete_backup(id, &m, None).await.unwrap();
        }
        BackupStatus::Failed => {
            test.catalog.fail_backup(id, "crashed").await.unwrap();
        }
        BackupStatus::Deleting => {
            test.catalog.mark_backup_deleting(id).await.unwrap();
        }
        BackupStatus::Deleted => {
            test.catalog.mark_backup_deleting(id).await.unwrap();
            test.catalog.mark_backup_deleted(id).await.unwrap();
        }
    }
}

fn strings(ids: &[&str]) -> Vec<String> {
    ids.iter().map(|s| s.to_string()).collect()
}

#[tokio::test]
async fn the_catalog_comes_to_agree_with_the_store() {
    let test = open().await;
    for (id, status) in [
        ("c_present", BackupStatus::Completed),
        ("c_gone", BackupStatus::Completed),
        ("s_published", BackupStatus::Staged),
        ("s_resumable", BackupStatus::Staged),
        ("s_gone", BackupStatus::Staged),
        ("d_gone", BackupStatus::Deleting),
        ("d_still", BackupStatus::Deleting),
        ("f_old", BackupStatus::Failed),
        ("x_back", BackupStatus::Deleted),
    ] {
        backup(&test, id, "local", status).await;
    }
    backup(&test, "m_1", "mongo", BackupStatus::Completed).await;

    let finished = t0() + Duration::hours(2);
    let published = vec![
        manifest(
            "c_present",
            "prod",
            t0() + Duration::minutes(1),
            &[("t", 1)],
        ),
        manifest(
            "s_published",
            "prod",
            finished,
            &[("orders", 7), ("users", 3)],
        ),
        manifest("d_still", "prod", finished, &[("t", 1)]),
        manifest("x_back", "prod", finished, &[("t", 2)]),
        manifest("new_1", "staging", finished, &[("orders", 11)]),
        manifest("m_1", "prod", finished, &[("t", 1)]),
    ];
    let staged = strings(&["s_resumable", "orphan", "f_old"]);
    test.clock.advance(Duration::hours(3));
    let report = test
        .catalog
        .reconcile("local", &published, &staged)
        .await
        .unwrap();

    assert_eq!(
        report,
        ReconcileReport {
            inserted: strings(&["new_1"]),
            completed: strings(&["s_published", "x_back"]),
            missing: strings(&["c_gone"]),
            deleted: strings(&["d_gone"]),
            failed: strings(&["s_gone"]),
            resumable: strings(&["s_resumable"]),
            // A failed backup's staged data is the catalog's garbage, not an unknown's.
            abandoned_staged: strings(&["f_old"]),
            leftover_staged: strings(&["orphan"]),
            foreign: strings(&["m_1"]),
        }
    );

    let status = |id: &'static str| {
        let catalog = test.catalog.clone();
        async move { catalog.get_backup(id).await.unwrap() }
    };
    let inserted = status("new_1").await;
    assert_eq!(inserted.status, BackupStatus::Completed);
    assert_eq!(
        (inserted.source.as_str(), inserted.store.as_str()),
        ("staging", "local")
    );
    assert_eq!(
        (inserted.rows, inserted.bytes, inserted.finished_at),
        (11, 1100, Some(finished))
    );
    assert_eq!(inserted.tables[0].checksum, "crc:orders:11");
    assert_eq!(inserted.schedule_id, None);

    let completed = status("s_published").await;
    assert_eq!(
        (completed.status, completed.rows, completed.tables.len()),
        (BackupStatus::Completed, 10, 2)
    );
    let back = status("x_back").await;
    assert_eq!(
        (back.status, back.deleted_at, back.error),
        (BackupStatus::Completed, None, None)
    );

    let gone = status("c_gone").await;
    assert_eq!(gone.status, BackupStatus::Deleted);
    assert!(gone
        .error
        .as_deref()
        .unwrap_or_default()
        .contains("missing from store local"));
    assert_eq!(gone.deleted_at, Some(test.clock.now()));

    assert_eq!(status("d_gone").await.status, BackupStatus::Deleted);
    assert_eq!(status("s_gone").await.status, BackupStatus::Failed);
    assert_eq!(status("s_resumable").await.status, BackupStatus::Staged);
    assert_eq!(status("d_still").await.status, BackupStatus::Deleting);
    assert_eq!(status("f_old").await.status, BackupStatus::Failed);
    assert_eq!(status("c_present").await.status, BackupStatus::Completed);
    assert_eq!(
        status("m_1").await.status,
        BackupStatus::Completed,
        "other stores are left alone"
    );

    // A second pass over the same listing changes nothing.
    let again = test
        .catalog
        .reconcile("local", &published, &staged)
        .await
        .unwrap();
    assert!(!again.changed_anything(), "{again:?}");
    assert_eq!(again.resumable, strings(&["s_resumable"]));
    assert_eq!(again.foreign, strings(&["m_1"]));
}

#[tokio::test]
async fn an_empty_store_against_an_empty_catalog_is_a_no_op() {
    let test = open().await;
    let report = test.catalog.reconcile("local", &[], &[]).await.unwrap();
    assert_eq!(report, ReconcileReport::default());
}
