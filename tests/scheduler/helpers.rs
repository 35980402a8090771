//! The test rig: an in-process emulator with two small tables (`orders`, `users`) as source
//! `prod`, an archive store `local` in a temp dir behind a [`Gate`], a real SQLite catalog, a
//! `ManualClock` starting at [`START`], and an observer channel to wait on runs.

use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use tablevault::catalog::{Catalog, NewSchedule, PageRequest, Run, RunFilter, Schedule};
use tablevault::config::EngineConfig;
use tablevault::emulator::{Emulator, EmulatorConfig, EmulatorHandle};
use tablevault::retention::RetentionPolicy;
use tablevault::runs::{ChannelObserver, Event, ExecutorOptions, Resources, RunExecutor};
use tablevault::scheduler::{catalog_clock, Clock, ManualClock, Scheduler, SchedulerOptions};
use tablevault::store::{ArchiveStore, ArchiveStoreConfig, SourceInfo};
use tablevault::tablestore::client::{chunk_writes, Client, RowWrite};
use tablevault::tablestore::{
    Cell, PkSchema, PkType, PkValue, PrimaryKey, Row, TableDescription, Value,
};
use tempfile::TempDir;
use tokio_util::sync::CancellationToken;

use super::gate::{Gate, GatedStore};
use crate::support::emulator::client;
use tokio::sync::{mpsc, watch};

/// The manual clock's start: ahead of real time, so backups (stamped with real time by the
/// engine) are never "in the future" for retention.
pub const START: &str = "2030-01-01T00:00:00Z";
pub const ORDERS_ROWS: u64 = 50;
pub const USERS_ROWS: u64 = 20;
/// Safety net for waits on events; a test that needs it has failed.
const WAIT_LIMIT: Duration = Duration::from_secs(60);

pub fn at(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text)
        .unwrap_or_else(|e| panic!("{text}: {e}"))
        .with_timezone(&Utc)
}

pub struct Harness {
    /// Holds the database and the archive; removed when the harness is dropped.
    pub _dir: TempDir,
    pub emulator: EmulatorHandle,
    pub client: Client,
    pub archive: Arc<ArchiveStore>,
    pub gate: Gate,
    pub clock: ManualClock,
    pub catalog: Catalog,
    pub scheduler: Scheduler,
    pub events: mpsc::UnboundedReceiver<Event>,
    /// Runs whose `RunFinished` was consumed while waiting for something else.
    pub finished: HashSet<String>,
}

#[derive(Default, Clone)]
pub struct Setup {
    pub executor: ExecutorOptions,
    pub scheduler: SchedulerOptions,
}

pub fn engine_config() -> EngineConfig {
    EngineConfig {
        readers: 2,
        writers: 2,
        channel_capacity: 4,
        batch_rows: 20,
        split_size_bytes: 64 * 1024,
        ..EngineConfig::default()
    }
}

impl Harness {
    pub async fn new(setup: Setup) -> Harness {
        init_tracing();
        let dir = tempfile::tempdir().expect("temp dir");
        let emulator = Emulator::start(EmulatorConfig::default())
            .await
            .expect("emulator starts");
        let client = client(&emulator);
        load_table(&client, "orders", ORDERS_ROWS).await;
        load_table(&client, "users", USERS_ROWS).await;
        let archive = Arc::new(
            ArchiveStore::open(ArchiveStoreConfig::new(dir.path().join("archive")))
                .await
                .expect("archive opens"),
        );
        let gate = Gate(Arc::new(watch::Sender::new(true)));
        let clock = ManualClock::new(at(START));
        let catalog = open_catalog(&dir.path().join("state.db"), &clock).await;
        let resources = resources(&emulator, &client, &archive, &gate);
        let (scheduler, events) = build(&catalog, resources, setup, &clock);
        Harness {
            _dir: dir,
            emulator,
            client,
            archive,
            gate,
            clock,
            catalog,
            scheduler,
            events,
            finished: HashSet::new(),
        }
    }

    /// A new scheduler and executor on the same database, store and source: what a restarted
    /// daemon builds (the previous one is simply dropped).
    pub fn rebuild(&mut self, setup: Setup) {
        let resources = resources(&self.emulator, &self.client, &self.archive, &self.gate);
        (self.scheduler, self.events) = build(&self.catalog, resources, setup, &self.clock);
        self.finished.clear();
    }

    /// A schedule on source `prod`, store `local`.
    pub async fn schedule(&self, name: &str, cron: &str, tables: &[&str]) -> Schedule {
        self.schedule_with(name, cron, tables, RetentionPolicy::default())
            .await
    }

    pub async fn schedule_with(
        &self,
        name: &str,
        cron: &str,
        tables: &[&str],
        retention: RetentionPolicy,
    ) -> Schedule {
        let mut new = NewSchedule::new(name, cron, "prod", "local");
        new.tables = tables.iter().map(|t| t.to_string()).collect();
        new.retention = retention;
        self.scheduler
            .create_schedule(new)
            .await
            .expect("schedule created")
    }

    /// Waits for the run's final event and returns the run as stored.
    pub async fn wait_finished(&mut self, run_id: &str) -> Run {
        if !self.finished.contains(run_id) {
            self.events_until(
                |e| matches!(e, Event::RunFinished { run, .. } if run.run_id == run_id),
            )
            .await;
        }
        self.catalog.get_run(run_id).await.expect("run exists")
    }

    /// Collects events until `done` says stop (with the safety limit).
    pub async fn events_until(&mut self, mut done: impl FnMut(&Event) -> bool) -> Vec<Event> {
        let mut seen = Vec::new();
        let wait = async {
            while let Some(event) = self.events.recv().await {
                if let Event::RunFinished { run, .. } = &event {
                    self.finished.insert(run.run_id.clone());
                }
                let stop = done(&event);
                seen.push(event);
                if stop {
                    return;
                }
            }
            panic!("event channel closed");
        };
        if tokio::time::timeout(WAIT_LIMIT, wait).await.is_err() {
            panic!("expected event did not arrive; saw {seen:#?}");
        }
        seen
    }

    /// Waits until the timer loop has completed a tick at or after `at`.
    pub async fn wait_tick(&self, at: DateTime<Utc>) {
        let mut ticks = self.scheduler.subscribe_ticks();
        tokio::time::timeout(WAIT_LIMIT, ticks.wait_for(|t| t.is_some_and(|t| t >= at)))
            .await
            .expect("tick happens")
            .expect("scheduler alive");
    }

    /// Runs of a schedule (or all with `None`), oldest first.
    pub async fn runs(&self, schedule_id: Option<&str>) -> Vec<Run> {
        let filter = RunFilter {
            schedule_id: schedule_id.map(str::to_string),
            ..RunFilter::default()
        };
        let mut runs = self
            .catalog
            .list_runs(&filter, &PageRequest::first(500))
            .await
            .expect("runs listed")
            .items;
        runs.reverse();
        runs
    }
}

/// The tick a scheduled run stands for (`request.scheduled_at`).
pub fn scheduled_at(run: &Run) -> Option<DateTime<Utc>> {
    run.request
        .get("scheduled_at")
        .and_then(|v| v.as_str())
        .map(at)
}

pub async fn open_catalog(path: &std::path::Path, clock: &ManualClock) -> Catalog {
    let clock: Arc<dyn Clock> = Arc::new(clock.clone());
    Catalog::open(path)
        .await
        .expect("catalog opens")
        .with_clock(catalog_clock(clock))
}

fn build(
    catalog: &Catalog,
    resources: Resources,
    mut setup: Setup,
    clock: &ManualClock,
) -> (Scheduler, mpsc::UnboundedReceiver<Event>) {
    setup.executor.engine = engine_config();
    let (observer, events) = ChannelObserver::new();
    let executor = RunExecutor::new(
        catalog.clone(),
        resources,
        setup.executor,
        Some(observer),
        CancellationToken::new(),
    );
    let clock: Arc<dyn Clock> = Arc::new(clock.clone());
    (Scheduler::new(executor, clock, setup.scheduler), events)
}

fn resources(
    emulator: &EmulatorHandle,
    client: &Client,
    archive: &Arc<ArchiveStore>,
    gate: &Gate,
) -> Resources {
    let info = SourceInfo {
        name: "prod".into(),
        endpoint: emulator.endpoint(),
        instance: emulator.config().instance.clone(),
    };
    let store = GatedStore {
        inner: archive.clone(),
        gate: gate.clone(),
    };
    Resources::new()
        .with_source("prod", client.clone(), info)
        .with_store("local", Arc::new(store))
}

/// A table `name` keyed by an integer `id` with `rows` rows of one string column.
pub async fn load_table(client: &Client, name: &str, rows: u64) {
    let table = TableDescription::new(name, vec![PkSchema::new("id", PkType::Integer)]);
    client.create_table(&table).await.expect("table created");
    let writes: Vec<RowWrite> = (0..rows as i64)
        .map(|i| {
            let key = PrimaryKey::new([("id", PkValue::Integer(i))]);
            let cells = vec![Cell::put("note", Value::String(format!("{name} row {i}")))];
            RowWrite::put(name, Row::new(key, cells))
        })
        .collect();
    for batch in chunk_writes(writes).expect("writes fit") {
        let results = client.batch_write(&batch).await.expect("batch write");
        assert!(results.iter().all(Result::is_ok), "every row written");
    }
}

/// Logs to stderr when `TEST_LOG` is set (e.g. `TEST_LOG=debug`), once per binary.
fn init_tracing() {
    static INIT: std::sync::Once = std::sync::Once::new();
    INIT.call_once(|| {
        if let Ok(filter) = std::env::var("TEST_LOG") {
            tracing_subscriber::fmt()
                .with_env_filter(filter)
                .with_test_writer()
                .init();
        }
    });
}
