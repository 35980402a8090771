//! Concurrent writers: many tasks on one handle, and two handles on one file (as two processes
//! would be), never see "database is locked".

use std::time::Duration as StdDuration;

use tablevault::catalog::{
    IdempotencyClaim, IdempotencyRequest, NewBackup, NewRun, NewSchedule, PageRequest, RunFilter,
    RunKind, RunOutcome, RunProgress, RunTrigger, ScheduleUpdate,
};
use tokio::task::JoinSet;

use crate::test_catalog::{manifest, open, open_at, t0};

const TASKS: usize = 8;
const RUNS_PER_TASK: usize = 15;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn many_tasks_and_two_handles_write_at_once() {
    let test = open().await;
    let second = open_at(&test.dir, &test.clock).await;
    let schedule = test
        .catalog
        .create_schedule(NewSchedule::new("busy", "@hourly", "p", "local"))
        .await
        .unwrap();

    let mut tasks = JoinSet::new();
    for task in 0..TASKS {
        // Half the tasks use the second handle: its own writer connection, so the two
        // contend for SQLite's file lock exactly as two processes would.
        let catalog = if task % 2 == 0 {
            test.catalog.clone()
        } else {
            second.clone()
        };
        let schedule_id = schedule.id.clone();
        tasks.spawn(async move {
            for i in 0..RUNS_PER_TASK {
                let run = catalog
                    .create_run(
                        NewRun::new(RunKind::Backup, RunTrigger::Manual).schedule(&schedule_id),
                    )
                    .await?;
                catalog.start_run(&run.id).await?;
                for step in 1..=3u64 {
                    let progress = RunProgress {
                        rows: step * 100,
                        bytes: step * 1000,
                        tables_done: step,
                        tables_total: 3,
                    };
                    catalog.update_run_progress(&run.id, progress).await?;
                }
                // Multi-statement write transactions from both handles.
                let backup_id = format!("bk_{task}_{i}");
                catalog
                    .create_backup(NewBackup {
                        id: backup_id.clone(),
                        schedule_id: Some(schedule_id.clone()),
                        source: "p".into(),
                        store: "local".into(),
                        started_at: t0(),
                    })
                    .await?;
                let m = manifest(&backup_id, "p", t0(), &[("a", 1), ("b", 2)]);
                catalog.complete_backup(&backup_id, &m, None).await?;
                let update = ScheduleUpdate {
                    paused: Some(i % 2 == 0),
                    ..Default::default()
                };
                catalog.update_schedule(&schedule_id, update).await?;
                let key = IdempotencyRequest {
                    key: format!("key-{i}"),
                    method: "POST".into(),
                    path: "/v1/runs".into(),
                    request_hash: "same".into(),
                };
                catalog
                    .claim_idempotency_key(&key, StdDuration::from_secs(60))
                    .await?;
                catalog.finish_run(&run.id, RunOutcome::succeeded()).await?;
                // Readers run beside the writers.
                catalog
                    .list_runs(&RunFilter::default(), &PageRequest::first(20))
                    .await?;
            }
            Ok::<_, tablevault::catalog::CatalogError>(())
        });
    }
    while let Some(result) = tasks.join_next().await {
        result
            .expect("task did not panic")
            .expect("no write failed (no 'database is locked')");
    }

    let all = test
        .catalog
        .list_runs(&RunFilter::default(), &PageRequest::first(500))
        .await
        .unwrap();
    assert_eq!(all.items.len(), TASKS * RUNS_PER_TASK);
    assert!(all
        .items
        .iter()
        .all(|r| r.progress.rows == 300 && r.finished_at.is_some()));
    let candidates = test
        .catalog
        .retention_candidates(&schedule.id)
        .await
        .unwrap();
    assert_eq!(candidates.len(), TASKS * RUNS_PER_TASK);

    // Every task claimed the same RUNS_PER_TASK keys: exactly one claim per key won.
    for i in 0..RUNS_PER_TASK {
        let key = IdempotencyRequest {
            key: format!("key-{i}"),
            method: "POST".into(),
            path: "/v1/runs".into(),
            request_hash: "same".into(),
        };
        let claim = second
            .claim_idempotency_key(&key, StdDuration::from_secs(60))
            .await
            .unwrap();
        assert_eq!(claim, IdempotencyClaim::InFlight);
    }
}
