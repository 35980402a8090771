//! Listing runs: filters and keyset page tokens over several pages.

use std::collections::HashSet;

use chrono::Duration;
use tablevault::catalog::{
    CatalogError, NewRun, NewSchedule, PageRequest, Run, RunFilter, RunKind, RunOutcome, RunStatus,
    RunTrigger,
};

use crate::test_catalog::{open, t0, TestCatalog};

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
async fn sub_second_timestamps_sort_chronologically() {
    // Timestamps are stored as RFC 3339 text with 0, 3, 6 or 9 fraction digits; the sort and
    // the page cursor rely on that text ordering like the instants do.
    let test = open().await;
    let offsets_ns = [
        0i64,
        500_000_000,
        123_000_000,
        123_456_000,
        123_456_789,
        1_000_000_000,
        100_000,
    ];
    let base = test.clock.now();
    let mut created = Vec::new();
    for ns in offsets_ns {
        let clock = test.clock.clone();
        let now = base + Duration::nanoseconds(ns);
        let delta = now - clock.now();
        clock.advance(delta);
        created.push(
            test.catalog
                .create_run(NewRun::new(RunKind::Backup, RunTrigger::Manual))
                .await
                .unwrap(),
        );
    }
    created.sort_by_key(|r| std::cmp::Reverse(r.created_at));
    let (listed, pages) = all_runs(&test, &RunFilter::default(), 2).await;
    assert_eq!(pages, 4);
    assert_eq!(ids(&listed), ids(&created));
    assert_eq!(listed[0].created_at, base + Duration::seconds(1));
}
