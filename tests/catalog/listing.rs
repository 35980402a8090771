//! Listing with filters and keyset page tokens over several pages, and what deleting a
//! schedule does to its history.

use std::collections::HashSet;

use chrono::Duration;
use tablevault::catalog::{
    BackupFilter, BackupStatus, CatalogError, NewBackup, NewRun, NewSchedule, PageRequest, Run,
    RunFilter, RunKind, RunOutcome, RunStatus, RunTrigger,
};

use crate::support::{manifest, open, t0, TestCatalog};

/// Reads every page of runs matching `filter`, checking pages are full until the last.
async fn all_runs(test: &TestCatalog, filter: &RunFilter, size: u32) -> (Vec<Run>, usize) {
    let mut runs = Vec::new();
    let mut page = PageRequest::first(size);
    let mut pages = 0;
    loop {
        let got = test.catalog.list_runs(filter, &page).await.unwrap();
        pages += 1;
        let full = got.items.len() == size as usize;
        runs.extend(got.items);
        match got.next_page_token {
            Some(token) => {
                assert!(full, "only the last page may be short");
                page = PageRequest::next(size, token);
            }
            None => break,
        }
    }
    (runs, pages)
}

/// 23 runs: every third a verify, even ones on the schedule, every fourth failed, and every
/// fifth created in the same instant as the one before (ties on the sort time).
async fn seed_runs(test: &TestCatalog, schedule_id: &str) -> Vec<Run> {
    let mut created = Vec::new();
    for i in 0..23 {
        if i % 5 != 0 {
            test.clock.advance(Duration::seconds(1));
        }
        let kind = if i % 3 == 0 {
            RunKind::Verify
        } else {
            RunKind::Backup
        };
        let trigger = if i % 2 == 0 {
            RunTrigger::Schedule
        } else {
            RunTrigger::Manual
        };
        let mut new = NewRun::new(kind, trigger);
        if i % 2 == 0 {
            new = new.schedule(schedule_id);
        }
        let mut run = test.catalog.create_run(new).await.unwrap();
        if i % 4 == 0 {
            run = test
                .catalog
                .finish_run(&run.id, RunOutcome::with(RunStatus::Failed, "boom"))
                .await
                .unwrap();
        }
        created.push(run);
    }
    created.sort_by(|a, b| {
        b.created_at
            .cmp(&a.created_at)
            .then_with(|| b.id.cmp(&a.id))
    });
    created
}

fn ids(runs: &[Run]) -> Vec<&str> {
    runs.iter().map(|r| r.id.as_str()).collect()
}

#[tokio::test]
async fn runs_page_newest_first_without_gaps_or_repeats() {
    let test = open().await;
    let schedule = test
        .catalog
        .create_schedule(NewSchedule::new("s", "@daily", "p", "local"))
        .await
        .unwrap();
    let expected = seed_runs(&test, &schedule.id).await;

    let (runs, pages) = all_runs(&test, &RunFilter::default(), 5).await;
    assert_eq!(pages, 5);
    assert_eq!(ids(&runs), ids(&expected));
    assert_eq!(runs.iter().map(|r| &r.id).collect::<HashSet<_>>().len(), 23);
}

#[tokio::test]
async fn filters_combine_and_page_on_their_own() {
    let test = open().await;
    let schedule = test
        .catalog
        .create_schedule(NewSchedule::new("s", "@daily", "p", "local"))
        .await
        .unwrap();
    let expected = seed_runs(&test, &schedule.id).await;

    let by_schedule = RunFilter {
        schedule_id: Some(schedule.id.clone()),
        kind: Some(RunKind::Backup),
        ..Default::default()
    };
    let want: Vec<&Run> = expected
        .iter()
        .filter(|r| r.schedule_id.is_some() && r.kind == RunKind::Backup)
        .collect();
    let (runs, pages) = all_runs(&test, &by_schedule, 2).await;
    assert_eq!(
        ids(&runs),
        want.iter().map(|r| r.id.as_str()).collect::<Vec<_>>()
    );
    assert!(pages > 2, "{} runs over {pages} pages", runs.len());

    let failed = RunFilter {
        statuses: vec![RunStatus::Failed],
        ..Default::default()
    };
    let (runs, _) = all_runs(&test, &failed, 2).await;
    assert_eq!(runs.len(), 6);
    assert!(runs
        .iter()
        .all(|r| r.status == RunStatus::Failed && r.error.as_deref() == Some("boom")));

    let manual_queued = RunFilter {
        trigger: Some(RunTrigger::Manual),
        statuses: vec![RunStatus::Queued, RunStatus::Running],
        ..Default::default()
    };
    let (runs, _) = all_runs(&test, &manual_queued, 50).await;
    assert_eq!(
        runs.len(),
        expected
            .iter()
            .filter(|r| r.trigger == RunTrigger::Manual && r.status == RunStatus::Queued)
            .count()
    );

    let window = RunFilter {
        created_after: Some(t0() + Duration::seconds(5)),
        created_before: Some(t0() + Duration::seconds(10)),
        ..Default::default()
    };
    let (runs, _) = all_runs(&test, &window, 3).await;
    assert!(!runs.is_empty());
    assert!(runs
        .iter()
        .all(|r| r.created_at >= t0() + Duration::seconds(5)
            && r.created_at < t0() + Duration::seconds(10)));
    assert_eq!(
        runs.len(),
        expected
            .iter()
            .filter(|r| r.created_at >= t0() + Duration::seconds(5)
                && r.created_at < t0() + Duration::seconds(10))
            .count()
    );
}

#[tokio::test]
async fn tokens_are_stable_under_inserts_and_bound_to_their_filter() {
    let test = open().await;
    let schedule = test
        .catalog
        .create_schedule(NewSchedule::new("s", "@daily", "p", "local"))
        .await
        .unwrap();
    let expected = seed_runs(&test, &schedule.id).await;

    let first = test
        .catalog
        .list_runs(&RunFilter::default(), &PageRequest::first(10))
        .await
        .unwrap();
    let token = first.next_page_token.clone().unwrap();
    // A newer run arrives between pages: the next page continues where the first ended.
    test.clock.advance(Duration::seconds(60));
    test.catalog
        .create_run(NewRun::new(RunKind::Backup, RunTrigger::Manual))
        .await
        .unwrap();
    let second = test
        .catalog
        .list_runs(&RunFilter::default(), &PageRequest::next(10, token.clone()))
        .await
        .unwrap();
    assert_eq!(ids(&second.items), ids(&expected[10..20]));

    let other = RunFilter {
        kind: Some(RunKind::Verify),
        ..Default::default()
    };
    let error = test
        .catalog
        .list_runs(&other, &PageRequest::next(10, token))
        .await
        .unwrap_err();
    assert!(matches!(error, CatalogError::InvalidPageToken), "{error:?}");
    for garbage in ["not base64!", "aGVsbG8", ""] {
        let result = test
            .catalog
            .list_runs(&RunFilter::default(), &PageRequest::next(10, garbage))
            .await;
        match garbage {
            "" => assert_eq!(
                result.unwrap().items.len(),
                10,
                "an empty token is the first page"
            ),
            _ => assert!(
                matches!(result, Err(CatalogError::InvalidPageToken)),
                "{garbage}"
            ),
        }
    }
}

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
