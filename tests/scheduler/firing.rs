//! When schedules fire: the timer loop on a manual clock, overlap and table conflicts recorded
//! as `skipped`, and the global limit.

use tablevault::catalog::{RunStatus, RunTrigger};
use tablevault::runs::{Event, ExecutorOptions};

use super::helpers::{at, scheduled_at, Harness, Setup};

#[tokio::test]
async fn the_loop_fires_each_tick_once_and_stores_the_next_one() {
    let mut h = Harness::new(Setup::default()).await;
    h.clock.set(at("2030-01-01T00:03:00Z"));
    let schedule = h.schedule("ten-minutes", "*/10 * * * *", &["orders"]).await;
    assert_eq!(schedule.next_run_at, Some(at("2030-01-01T00:10:00Z")));
    h.scheduler.start().await.expect("starts");

    for (tick, next) in [
        ("2030-01-01T00:10:00Z", "2030-01-01T00:20:00Z"),
        ("2030-01-01T00:20:00Z", "2030-01-01T00:30:00Z"),
    ] {
        h.clock.set(at(tick));
        h.wait_tick(at(tick)).await;
        let runs = h.runs(Some(&schedule.id)).await;
        let last = runs.last().expect("a run");
        assert_eq!(scheduled_at(last), Some(at(tick)));
        assert_eq!(last.trigger, RunTrigger::Schedule);
        let finished = h.wait_finished(&last.id).await;
        assert_eq!(
            finished.status,
            RunStatus::Succeeded,
            "{:?}",
            finished.error
        );
        let stored = h
            .catalog
            .get_schedule(&schedule.id)
            .await
            .expect("schedule");
        assert_eq!(stored.next_run_at, Some(at(next)));
    }
    // Between ticks nothing is due (the loop itself sleeps until 00:30).
    let between = h
        .scheduler
        .tick_once(at("2030-01-01T00:25:00Z"))
        .await
        .expect("step");
    assert!(between.runs.is_empty());
    assert_eq!(between.next_wake, Some(at("2030-01-01T00:30:00Z")));
    let runs = h.runs(Some(&schedule.id)).await;
    let ticks: Vec<_> = runs.iter().map(scheduled_at).collect();
    assert_eq!(
        ticks,
        [
            Some(at("2030-01-01T00:10:00Z")),
            Some(at("2030-01-01T00:20:00Z"))
        ]
    );
    h.scheduler
        .shutdown(std::time::Duration::from_secs(5))
        .await;
}

#[tokio::test]
async fn a_tick_during_a_long_run_is_recorded_as_skipped() {
    let mut h = Harness::new(Setup::default()).await;
    let schedule = h.schedule("minutely", "* * * * *", &["orders"]).await;
    h.gate.close();
    let first = h
        .scheduler
        .tick_once(at("2030-01-01T00:01:00Z"))
        .await
        .expect("tick");
    assert_eq!(first.runs.len(), 1);
    assert_eq!(first.runs[0].status, RunStatus::Queued);

    let second = h
        .scheduler
        .tick_once(at("2030-01-01T00:02:00Z"))
        .await
        .expect("tick");
    let skipped = &second.runs[0];
    assert_eq!(skipped.status, RunStatus::Skipped);
    let reason = skipped.skip_reason.as_deref().unwrap_or_default();
    assert!(
        reason.contains("previous run of this schedule") && reason.contains(&first.runs[0].id),
        "{reason}"
    );
    assert_eq!(scheduled_at(skipped), Some(at("2030-01-01T00:02:00Z")));

    h.gate.open();
    let done = h.wait_finished(&first.runs[0].id).await;
    assert_eq!(done.status, RunStatus::Succeeded);
    let stored = h
        .catalog
        .get_schedule(&schedule.id)
        .await
        .expect("schedule");
    assert_eq!(stored.next_run_at, Some(at("2030-01-01T00:03:00Z")));
}

#[tokio::test]
async fn two_schedules_on_the_same_table_never_run_together() {
    let mut h = Harness::new(Setup::default()).await;
    h.schedule("a-orders", "* * * * *", &["orders"]).await;
    h.schedule("b-orders-and-users", "* * * * *", &["users", "orders"])
        .await;
    h.schedule("c-users", "* * * * *", &["users"]).await;
    h.gate.close();
    let report = h
        .scheduler
        .tick_once(at("2030-01-01T00:01:00Z"))
        .await
        .expect("tick");
    let statuses: Vec<_> = report.runs.iter().map(|r| r.status).collect();
    // Schedules fire in name order: a takes orders, b collides on orders, c takes users.
    assert_eq!(
        statuses,
        [RunStatus::Queued, RunStatus::Skipped, RunStatus::Queued]
    );
    let reason = report.runs[1].skip_reason.as_deref().unwrap_or_default();
    assert!(
        reason.contains("table orders of source prod is in use by run"),
        "{reason}"
    );
    h.gate.open();
    for run in [&report.runs[0], &report.runs[2]] {
        assert_eq!(h.wait_finished(&run.id).await.status, RunStatus::Succeeded);
    }
}

#[tokio::test]
async fn the_global_limit_queues_runs_instead_of_skipping_them() {
    let setup = Setup {
        executor: ExecutorOptions {
            max_concurrent_runs: 1,
            ..ExecutorOptions::default()
        },
        ..Setup::default()
    };
    let mut h = Harness::new(setup).await;
    h.schedule("a-orders", "* * * * *", &["orders"]).await;
    h.schedule("b-users", "* * * * *", &["users"]).await;
    h.gate.close();
    let report = h
        .scheduler
        .tick_once(at("2030-01-01T00:01:00Z"))
        .await
        .expect("tick");
    let (a, b) = (report.runs[0].id.clone(), report.runs[1].id.clone());
    assert!(report.runs.iter().all(|r| r.status == RunStatus::Queued));

    // a starts; b cannot while a holds the only slot (a is held at the gate).
    h.events_until(|e| matches!(e, Event::RunStarted(r) if r.run_id == a))
        .await;
    assert_eq!(
        h.catalog.get_run(&a).await.expect("a").status,
        RunStatus::Running
    );
    assert_eq!(
        h.catalog.get_run(&b).await.expect("b").status,
        RunStatus::Queued
    );

    h.gate.open();
    let events = h
        .events_until(|e| matches!(e, Event::RunFinished { run, .. } if run.run_id == b))
        .await;
    let position = |wanted: &dyn Fn(&Event) -> bool| events.iter().position(wanted);
    let a_finished = position(&|e| matches!(e, Event::RunFinished { run, .. } if run.run_id == a));
    let b_started = position(&|e| matches!(e, Event::RunStarted(r) if r.run_id == b));
    assert!(
        a_finished.is_some() && a_finished < b_started,
        "{events:#?}"
    );
    assert_eq!(
        h.catalog.get_run(&b).await.expect("b").status,
        RunStatus::Succeeded
    );
}

#[tokio::test]
async fn a_schedule_without_a_table_list_backs_up_every_table_and_claims_them_all() {
    let mut h = Harness::new(Setup::default()).await;
    // ListTable lists index tables too: the index goes with its table, not as a table.
    let index = tablevault::tablestore::IndexDefinition {
        name: "users_by_id".into(),
        primary_key: vec!["id".into()],
        defined_columns: Vec::new(),
        sync: true,
        local: false,
    };
    h.client
        .create_index("users", &index, true)
        .await
        .expect("index");
    assert!(h
        .client
        .list_tables()
        .await
        .expect("list")
        .contains(&index.name));
    h.schedule("a-everything", "* * * * *", &[]).await;
    h.schedule("b-users", "* * * * *", &["users"]).await;
    let report = h
        .scheduler
        .tick_once(at("2030-01-01T00:01:00Z"))
        .await
        .expect("tick");
    assert_eq!(report.runs[1].status, RunStatus::Skipped);
    let reason = report.runs[1].skip_reason.as_deref().unwrap_or_default();
    assert!(reason.contains("table users of source prod"), "{reason}");

    let run = h.wait_finished(&report.runs[0].id).await;
    assert_eq!(run.status, RunStatus::Succeeded, "{:?}", run.error);
    let backup = h
        .catalog
        .get_backup(run.backup_id.as_deref().expect("backup"))
        .await
        .expect("backup");
    let names: Vec<&str> = backup.tables.iter().map(|t| t.name.as_str()).collect();
    assert_eq!(names, ["orders", "users"]);
}
