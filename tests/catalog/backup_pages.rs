//! Listing backups with filters across pages, and what deleting a schedule does to history.

use chrono::Duration;
use tablevault::catalog::{
    BackupFilter, BackupStatus, NewBackup, NewRun, NewSchedule, PageRequest, RunKind, RunTrigger,
};

use crate::test_catalog::{manifest, open, t0};

#[tokio::test]
async fn backups_page_and_filter_by_store_status_and_table() {
    let test = open().await;
    let mut expected = Vec::new();
    for i in 0..12 {
        test.clock.advance(Duration::minutes(1));
        let id = format!("bk_{i:02}");
        let store = if i % 3 == 0 { "mongo" } else { "local" };
        test.catalog
            .create_backup(NewBackup {
                id: id.clone(),
                schedule_id: None,
                source: "prod".into(),
                store: store.into(),
                started_at: test.clock.now(),
            })
            .await
            .unwrap();
        if i % 2 == 0 {
            let tables: &[(&str, u64)] = if i % 4 == 0 {
                &[("orders", 10), ("users", 5)]
            } else {
                &[("users", 7)]
            };
            let m = manifest(
                &id,
                "prod",
                test.clock.now() + Duration::seconds(30),
                tables,
            );
            test.catalog.complete_backup(&id, &m, None).await.unwrap();
        }
        expected.push((id, store, i % 2 == 0, i % 4 == 0));
    }
    expected.reverse();

    let mut seen = Vec::new();
    let mut page = PageRequest::first(5);
    loop {
        let got = test
            .catalog
            .list_backups(&BackupFilter::default(), &page)
            .await
            .unwrap();
        seen.extend(got.items.iter().map(|b| b.id.clone()));
        match got.next_page_token {
            Some(token) => page = PageRequest::next(5, token),
            None => break,
        }
    }
    assert_eq!(
        seen,
        expected.iter().map(|e| e.0.clone()).collect::<Vec<_>>()
    );

    let local_completed = BackupFilter {
        store: Some("local".into()),
        statuses: vec![BackupStatus::Completed],
        ..Default::default()
    };
    let got = test
        .catalog
        .list_backups(&local_completed, &PageRequest::first(50))
        .await
        .unwrap();
    let want: Vec<String> = expected
        .iter()
        .filter(|e| e.1 == "local" && e.2)
        .map(|e| e.0.clone())
        .collect();
    assert_eq!(
        got.items.iter().map(|b| b.id.clone()).collect::<Vec<_>>(),
        want
    );
    assert!(
        got.items.iter().all(|b| !b.tables.is_empty()),
        "tables come with each backup"
    );

    let with_orders = BackupFilter {
        table: Some("orders".into()),
        ..Default::default()
    };
    let got = test
        .catalog
        .list_backups(&with_orders, &PageRequest::first(2))
        .await
        .unwrap();
    assert_eq!(got.items.len(), 2);
    let rest = test
        .catalog
        .list_backups(
            &with_orders,
            &PageRequest::next(2, got.next_page_token.unwrap()),
        )
        .await
        .unwrap();
    assert_eq!(rest.items.len(), 1);
    assert!(rest.next_page_token.is_none());
    for backup in got.items.iter().chain(&rest.items) {
        assert!(
            backup.tables.iter().any(|t| t.name == "orders"),
            "{}",
            backup.id
        );
    }
}

#[tokio::test]
async fn deleting_a_schedule_keeps_its_runs_and_backups() {
    let test = open().await;
    let schedule = test
        .catalog
        .create_schedule(NewSchedule::new("s", "@daily", "p", "local"))
        .await
        .unwrap();
    let run = test
        .catalog
        .create_run(NewRun::new(RunKind::Backup, RunTrigger::Schedule).schedule(&schedule.id))
        .await
        .unwrap();
    test.catalog
        .create_backup(NewBackup {
            id: "bk_1".into(),
            schedule_id: Some(schedule.id.clone()),
            source: "p".into(),
            store: "local".into(),
            started_at: t0(),
        })
        .await
        .unwrap();
    let m = manifest("bk_1", "p", t0() + Duration::minutes(1), &[("orders", 3)]);
    test.catalog
        .complete_backup("bk_1", &m, Some(4096))
        .await
        .unwrap();

    test.catalog.delete_schedule(&schedule.id).await.unwrap();

    let run = test.catalog.get_run(&run.id).await.unwrap();
    assert_eq!(run.schedule_id, None);
    let backup = test.catalog.get_backup("bk_1").await.unwrap();
    assert_eq!(backup.schedule_id, None);
    assert_eq!(backup.status, BackupStatus::Completed);
    assert_eq!(backup.tables.len(), 1, "per-table figures survive too");
    assert_eq!(backup.stored_bytes, Some(4096));
}
