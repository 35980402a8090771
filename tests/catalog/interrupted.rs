//! Start-up recovery of runs a dead process left behind.

use chrono::Duration;
use tablevault::catalog::{NewRun, RunKind, RunOutcome, RunStatus, RunTrigger};

use crate::test_catalog::{open, open_at, t0};

#[tokio::test]
async fn queued_and_running_runs_become_failed_with_the_reason() {
    let test = open().await;
    let queued = test
        .catalog
        .create_run(NewRun::new(RunKind::Backup, RunTrigger::Schedule))
        .await
        .unwrap();
    test.clock.advance(Duration::seconds(1));
    let running = test
        .catalog
        .create_run(NewRun::new(RunKind::Backup, RunTrigger::Manual).backup("bk_staged"))
        .await
        .unwrap();
    test.catalog.start_run(&running.id).await.unwrap();
    let finished = test
        .catalog
        .create_run(NewRun::new(RunKind::Verify, RunTrigger::Manual))
        .await
        .unwrap();
    test.catalog
        .finish_run(&finished.id, RunOutcome::succeeded())
        .await
        .unwrap();
    test.catalog.close().await;

    // "Restart": a new handle on the same file, later.
    test.clock.advance(Duration::minutes(30));
    let catalog = open_at(&test.dir, &test.clock).await;
    let marked = catalog
        .mark_interrupted_runs("interrupted by a restart")
        .await
        .unwrap();

    let ids: Vec<&str> = marked.iter().map(|r| r.id.as_str()).collect();
    assert_eq!(ids, [queued.id.as_str(), running.id.as_str()]);
    for run in &marked {
        assert_eq!(run.status, RunStatus::Failed);
        assert_eq!(run.error.as_deref(), Some("interrupted by a restart"));
        assert_eq!(
            run.finished_at,
            Some(t0() + Duration::seconds(1) + Duration::minutes(30))
        );
    }
    // The caller learns which staged backup to clean up or resume.
    assert_eq!(marked[1].backup_id.as_deref(), Some("bk_staged"));
    assert_eq!(
        catalog.get_run(&finished.id).await.unwrap().status,
        RunStatus::Succeeded
    );
    assert!(catalog
        .mark_interrupted_runs("again")
        .await
        .unwrap()
        .is_empty());
}
