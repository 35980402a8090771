//! Per-schedule queries over the catalog: retention candidates and the last success.

use chrono::Duration;
use tablevault::catalog::{NewBackup, NewSchedule};
use tablevault::retention::{evaluate, CandidateStatus};

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
async fn retention_candidates_feed_the_evaluator() {
    let test = open().await;
    let schedule = test
        .catalog
        .create_schedule(NewSchedule::new("s", "@daily", "p", "local"))
        .await
        .unwrap();
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
    let a = test
        .catalog
        .create_schedule(NewSchedule::new("a", "@daily", "p", "local"))
        .await
        .unwrap();
    let b = test
        .catalog
        .create_schedule(NewSchedule::new("b", "@daily", "p", "local"))
        .await
        .unwrap();
    let _never = test
        .catalog
        .create_schedule(NewSchedule::new("c", "@daily", "p", "local"))
        .await
        .unwrap();
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
