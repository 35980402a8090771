//! Run lifecycle: queued → running → finished, progress, guarded transitions, skipped runs.

use chrono::Duration;
use serde_json::json;
use tablevault::catalog::{
    CatalogError, NewRun, NewSchedule, RunKind, RunOutcome, RunProgress, RunStatus, RunTrigger,
};

use crate::test_catalog::{open, t0};

#[tokio::test]
async fn a_backup_run_goes_from_queued_to_succeeded() {
    let test = open().await;
    let schedule = test
        .catalog
        .create_schedule(NewSchedule::new("nightly", "@daily", "prod", "local"))
        .await
        .unwrap();
    let request = json!({"tables": ["orders"]});
    let run = test
        .catalog
        .create_run(
            NewRun::new(RunKind::Backup, RunTrigger::Schedule)
                .schedule(&schedule.id)
                .request(request.clone()),
        )
        .await
        .unwrap();
    assert!(run.id.starts_with("run_"), "{}", run.id);
    assert_eq!(run.status, RunStatus::Queued);
    assert_eq!(run.schedule_id.as_deref(), Some(schedule.id.as_str()));
    assert_eq!(run.request, request);
    assert_eq!((run.started_at, run.finished_at), (None, None));

    test.clock.advance(Duration::seconds(1));
    let started = test.catalog.start_run(&run.id).await.unwrap();
    assert_eq!(started.status, RunStatus::Running);
    assert_eq!(started.started_at, Some(t0() + Duration::seconds(1)));

    let progress = RunProgress {
        rows: 1_000,
        bytes: 64_000,
        tables_done: 1,
        tables_total: 2,
    };
    test.catalog
        .update_run_progress(&run.id, progress)
        .await
        .unwrap();
    test.catalog.set_run_backup(&run.id, "bk_1").await.unwrap();
    let read = test.catalog.get_run(&run.id).await.unwrap();
    assert_eq!(read.progress, progress);
    assert_eq!(read.backup_id.as_deref(), Some("bk_1"));

    test.clock.advance(Duration::seconds(9));
    let done = test
        .catalog
        .finish_run(&run.id, RunOutcome::succeeded())
        .await
        .unwrap();
    assert_eq!(done.status, RunStatus::Succeeded);
    assert_eq!(done.finished_at, Some(t0() + Duration::seconds(10)));
    assert_eq!(done.error, None);
    assert_eq!(test.catalog.get_run(&run.id).await.unwrap(), done);
}

#[tokio::test]
async fn finished_runs_cannot_be_started_finished_or_updated_again() {
    let test = open().await;
    let run = test
        .catalog
        .create_run(NewRun::new(RunKind::Restore, RunTrigger::Manual))
        .await
        .unwrap();
    let failed = test
        .catalog
        .finish_run(
            &run.id,
            RunOutcome::with(RunStatus::Failed, "source unreachable"),
        )
        .await
        .unwrap();
    assert_eq!(failed.error.as_deref(), Some("source unreachable"));

    for error in [
        test.catalog.start_run(&run.id).await.unwrap_err(),
        test.catalog
            .finish_run(&run.id, RunOutcome::succeeded())
            .await
            .unwrap_err(),
        test.catalog
            .update_run_progress(&run.id, RunProgress::default())
            .await
            .unwrap_err(),
    ] {
        match error {
            CatalogError::InvalidState { status, .. } => assert_eq!(status, "failed"),
            other => panic!("expected InvalidState, got {other:?}"),
        }
    }
    let missing = test.catalog.start_run("run_nope").await.unwrap_err();
    assert!(
        matches!(missing, CatalogError::NotFound { .. }),
        "{missing:?}"
    );
    let not_final = test
        .catalog
        .finish_run(&run.id, RunOutcome::with(RunStatus::Running, "x"))
        .await
        .unwrap_err();
    assert!(
        matches!(not_final, CatalogError::InvalidInput(_)),
        "{not_final:?}"
    );
}

#[tokio::test]
async fn partial_failures_and_cancellations_keep_their_message() {
    let test = open().await;
    for (status, message) in [
        (RunStatus::PartiallyFailed, "table users: permission denied"),
        (RunStatus::Cancelled, "cancelled by admin"),
    ] {
        let run = test
            .catalog
            .create_run(NewRun::new(RunKind::Backup, RunTrigger::Manual))
            .await
            .unwrap();
        test.catalog.start_run(&run.id).await.unwrap();
        let done = test
            .catalog
            .finish_run(&run.id, RunOutcome::with(status, message))
            .await
            .unwrap();
        assert_eq!(done.status, status);
        assert_eq!(done.error.as_deref(), Some(message));
    }
}

#[tokio::test]
async fn skipped_runs_are_recorded_finished_with_their_reason() {
    let test = open().await;
    let skipped = test
        .catalog
        .record_skipped_run(
            NewRun::new(RunKind::Backup, RunTrigger::Schedule),
            "previous run still running",
        )
        .await
        .unwrap();
    assert_eq!(skipped.status, RunStatus::Skipped);
    assert_eq!(
        skipped.skip_reason.as_deref(),
        Some("previous run still running")
    );
    assert_eq!(skipped.finished_at, Some(t0()));

    // A queued run can also end up skipped (e.g. its schedule was paused meanwhile).
    let queued = test
        .catalog
        .create_run(NewRun::new(RunKind::Verify, RunTrigger::CatchUp))
        .await
        .unwrap();
    let done = test
        .catalog
        .finish_run(
            &queued.id,
            RunOutcome::with(RunStatus::Skipped, "schedule paused"),
        )
        .await
        .unwrap();
    assert_eq!(
        (done.skip_reason.as_deref(), done.error),
        (Some("schedule paused"), None)
    );
}
