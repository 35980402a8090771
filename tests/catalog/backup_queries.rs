//! Per-schedule queries over the catalog: retention candidates, the last success and the count
//! of completed backups.

use chrono::Duration;
use tablevault::catalog::{NewBackup, NewSchedule, Schedule};
use tablevault::retention::{evaluate, CandidateStatus};

use crate::test_catalog::{manifest, open, t0, TestCatalog};

async fn staged(test: &TestCatalog, id: &str, schedule_id: Option<&str>) {
    staged_in(test, id, schedule_id, "local").await;
}

async fn staged_in(test: &TestCatalog, id: &str, schedule_id: Option<&str>, store: &str) {
    test.catalog
        .create_backup(NewBackup {
            id: id.into(),
            schedule_id: schedule_id.map(String::from),
            source: "prod".into(),
            store: store.into(),
            started_at: test.clock.now(),
        })
        .await
        .unwrap();
}

/// A daily schedule into store `local`.
async fn daily(test: &TestCatalog, name: &str) -> Schedule {
    test.catalog
        .create_schedule(NewSchedule::new(name, "@daily", "p", "local"))
        .await
        .unwrap()
}

#[tokio::test]
async fn retention_candidates_feed_the_evaluator() {
    let test = open().await;
    let schedule = daily(&test, "s").await;
    for (i, outcome) in ["completed", "completed", "failed", "deleted", "staged"]
        .iter()
        .enumerate()
    {
        test.clock.advance(Duration::days(1));
        let id = format!("bk_{i}");
        staged(&test, &id, Some(&schedule.id)).await;
        match *outcome {
            "completed" => {
                let m = manifest(&id, "prod", test.clock.now(), &[("t", 1)]);
                test.catalog.complete_backup(&id, &m, None).await.unwrap();
            }
            "failed" => {
                test.catalog.fail_backup(&id, "x").await.unwrap();
            }
            "deleted" => {
                test.catalog.mark_backup_deleting(&id).await.unwrap();
                test.catalog.mark_backup_deleted(&id).await.unwrap();
            }
            _ => {}
        }
    }
    staged(&test, "bk_other_schedule", None).await;

    let mut candidates = test
        .catalog
        .retention_candidates(&schedule.id)
        .await
        .unwrap();
    candidates.sort_by(|a, b| a.id.cmp(&b.id));
    let statuses: Vec<(&str, CandidateStatus)> = candidates
        .iter()
        .map(|c| (c.id.as_str(), c.status))
        .collect();
    assert_eq!(
        statuses,
        [
            ("bk_0", CandidateStatus::Completed),
            ("bk_1", CandidateStatus::Completed),
            ("bk_2", CandidateStatus::Failed),
            ("bk_4", CandidateStatus::Busy),
        ]
    );
    let policy = serde_json::from_str(r#"{"keep_last": 1}"#).unwrap();
    let plan = evaluate(&policy, chrono_tz::Tz::UTC, test.clock.now(), &candidates);
    assert_eq!(plan.kept_ids(), ["bk_1"]);
    assert_eq!(plan.removed_ids(), ["bk_0"]);
}

#[tokio::test]
async fn last_successful_backup_per_schedule() {
    let test = open().await;
    let a = daily(&test, "a").await;
    let b = daily(&test, "b").await;
    let _never = daily(&test, "c").await;
    for (id, schedule, finish_hours, rows, complete) in [
        ("a1", &a.id, 1, 10, true),
        ("a2", &a.id, 3, 20, true),
        ("a3", &a.id, 5, 30, false), // newer but failed
        ("b1", &b.id, 2, 40, true),
    ] {
        staged(&test, id, Some(schedule)).await;
        if complete {
            let m = manifest(
                id,
                "p",
                t0() + Duration::hours(finish_hours),
                &[("t", rows)],
            );
            test.catalog.complete_backup(id, &m, None).await.unwrap();
        } else {
            test.catalog.fail_backup(id, "x").await.unwrap();
        }
    }
    let mut last = test.catalog.last_successful_backups().await.unwrap();
    last.sort_by(|x, y| x.backup_id.cmp(&y.backup_id));
    let got: Vec<(&str, &str, i64, u64, u64)> = last
        .iter()
        .map(|l| {
            (
                l.schedule_id.as_str(),
                l.backup_id.as_str(),
                (l.finished_at - t0()).num_hours(),
                l.rows,
                l.bytes,
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            (a.id.as_str(), "a2", 3, 20, 2000),
            (b.id.as_str(), "b1", 2, 40, 4000)
        ]
    );
}

#[tokio::test]
async fn completed_backups_are_counted_per_schedule_and_store() {
    let test = open().await;
    let a = daily(&test, "a").await;
    let b = daily(&test, "b").await;
    // (id, schedule, store, outcome): only completed backups of a schedule count.
    for (id, schedule, store, outcome) in [
        ("a1", Some(&a.id), "local", "completed"),
        ("a2", Some(&a.id), "local", "completed"),
        ("a3", Some(&a.id), "mongo", "completed"),
        ("a4", Some(&a.id), "local", "failed"),
        ("a5", Some(&a.id), "local", "deleting"),
        ("a6", Some(&a.id), "local", "staged"),
        ("b1", Some(&b.id), "local", "completed"),
        ("adhoc", None, "local", "completed"),
    ] {
        staged_in(&test, id, schedule.map(String::as_str), store).await;
        let catalog = &test.catalog;
        match outcome {
            "completed" | "deleting" => {
                let m = manifest(id, "prod", test.clock.now(), &[("t", 1)]);
                catalog.complete_backup(id, &m, None).await.unwrap();
            }
            "failed" => drop(catalog.fail_backup(id, "x").await.unwrap()),
            _ => {}
        }
        if outcome == "deleting" {
            catalog.mark_backup_deleting(id).await.unwrap();
        }
    }
    let counts = |schedule_id: Option<String>| {
        let catalog = test.catalog.clone();
        async move {
            let counts = catalog
                .completed_backup_counts(schedule_id.as_deref())
                .await
                .unwrap();
            counts
                .into_iter()
                .map(|c| (c.schedule_id, c.store, c.count))
                .collect::<Vec<_>>()
        }
    };
    let mut all = vec![
        (a.id.clone(), "local".to_string(), 2),
        (a.id.clone(), "mongo".to_string(), 1),
        (b.id.clone(), "local".to_string(), 1),
    ];
    all.sort();
    assert_eq!(counts(None).await, all);
    assert_eq!(
        counts(Some(b.id.clone())).await,
        [(b.id.clone(), "local".to_string(), 1)]
    );
}
