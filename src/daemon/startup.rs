//! Start-up work before the first request: open the stores, give the metrics the state the
//! catalog already knows (every schedule's series, the last success times), so a restart does
//! not reset what alerts look at, and build the run executor the scheduler and the API share.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use tokio_util::sync::CancellationToken;

use super::DaemonError;
use crate::api::NamedStore;
use crate::catalog::{Catalog, PageRequest, MAX_PAGE_SIZE};
use crate::config::Config;
use crate::runs::{ExecutorOptions, Observer, Resources, RunError, RunExecutor};
use crate::scheduler::{CronSchedule, SchedulerOptions};
use crate::store::SourceInfo;
use crate::tablestore::client::Client;
use crate::telemetry::backups_stored;
use crate::telemetry::events::tablestore_observer;
use crate::telemetry::events::{LastCopyRestored, LastFailureRestored, LastSuccessRestored};
use crate::telemetry::run_telemetry::RunTelemetry;
use crate::telemetry::{Metrics, ScheduleSeries};

/// Opens every configured store. An archive directory is created; MongoDB connects lazily, so
/// an unreachable server shows in `/readyz` rather than stopping the daemon.
pub async fn open_stores(config: &Config) -> Result<BTreeMap<String, NamedStore>, DaemonError> {
    let mut stores = BTreeMap::new();
    for (name, settings) in &config.stores {
        let store = crate::store::open(settings)
            .await
            .map_err(|source| DaemonError::Store {
                name: name.clone(),
                source,
            })?;
        tracing::info!(store = %name, kind = store.kind(), "Opened store.");
        stores.insert(
            name.clone(),
            NamedStore {
                name: name.clone(),
                store,
            },
        );
    }
    Ok(stores)
}

/// Creates the series of every store and every schedule in the catalog and restores the last
/// success and failure times and the stored-backup count of each schedule. The expected
/// interval comes from the cron expression here: the scheduler reports it only when a
/// schedule's next run moves, and the overdue alert must work from the first scrape.
pub async fn restore_metrics(
    catalog: &Catalog,
    stores: &BTreeMap<String, NamedStore>,
    metrics: &Arc<Metrics>,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<(), DaemonError> {
    for name in stores.keys() {
        metrics.init_store(name);
    }
    let mut names = HashMap::new();
    let mut all = Vec::new();
    let mut page = PageRequest::first(MAX_PAGE_SIZE);
    loop {
        let schedules = catalog.list_schedules(&page).await?;
        for schedule in &schedules.items {
            // A cron the catalog holds was validated when written; a bad one only loses the gauge.
            let expected_interval = CronSchedule::parse(&schedule.cron, schedule.timezone)
                .ok()
                .and_then(|cron| cron.expected_interval(now));
            metrics.init_schedule(&ScheduleSeries {
                name: &schedule.name,
                store: &schedule.store,
                expected_interval,
                next_run: schedule.next_run_at,
                paused: schedule.paused,
                updated_at: Some(schedule.updated_at),
            });
            names.insert(schedule.id.clone(), schedule.name.clone());
        }
        all.extend(schedules.items);
        match schedules.next_page_token {
            Some(token) => page = PageRequest::next(MAX_PAGE_SIZE, token),
            None => break,
        }
    }
    backups_stored::recount_all(catalog, metrics, &all).await?;
    for last in catalog.last_successful_backups().await? {
        if let Some(schedule) = names.get(&last.schedule_id) {
            LastSuccessRestored {
                schedule,
                finished_at: last.finished_at,
            }
            .emit(metrics);
        }
    }
    for last in catalog.last_successful_copies().await? {
        if let Some(schedule) = names.get(&last.schedule_id) {
            LastCopyRestored {
                schedule,
                store: &last.store,
                finished_at: last.finished_at,
            }
            .emit(metrics);
        }
    }
    for last in catalog.last_failed_backup_runs().await? {
        if let Some(schedule) = names.get(&last.schedule_id) {
            LastFailureRestored {
                schedule,
                finished_at: last.finished_at,
            }
            .emit(metrics);
        }
    }
    tracing::info!(
        schedules = names.len(),
        "Restored schedule metrics from the catalog."
    );
    Ok(())
}

/// The run executor over the opened stores and a client per source (its requests counted like
/// every other), reporting to the metrics and stopping with the daemon's `shutdown` token.
pub fn run_executor(
    config: &Config,
    catalog: &Catalog,
    stores: &BTreeMap<String, NamedStore>,
    metrics: &Arc<Metrics>,
    shutdown: CancellationToken,
) -> Result<RunExecutor, DaemonError> {
    let mut resources = Resources::new();
    for (name, source) in &config.sources {
        let client = Client::new(&source.client_config())
            .map_err(|e| RunError::Source {
                name: name.clone(),
                source: e,
            })?
            .with_observer(tablestore_observer(metrics.clone()));
        let info = SourceInfo {
            name: name.clone(),
            endpoint: source.endpoint.clone(),
            instance: source.instance.clone(),
        };
        resources = resources.with_source(name, client, info);
    }
    for (name, store) in stores {
        resources = resources.with_store(name, store.store.clone());
    }
    let resources = resources.with_store_configs(config);
    let options = ExecutorOptions {
        engine: config.engine.clone(),
        max_concurrent_runs: config.scheduler.max_concurrent_runs,
        interrupted_backups: config.scheduler.interrupted_backups,
        ..ExecutorOptions::default()
    };
    let observer: Arc<dyn Observer> = RunTelemetry::new(metrics.clone(), catalog.clone());
    Ok(RunExecutor::new(
        catalog.clone(),
        resources,
        options,
        Some(observer),
        shutdown,
    ))
}

/// The scheduler's part of the configuration.
pub fn scheduler_options(config: &Config) -> SchedulerOptions {
    SchedulerOptions {
        catch_up: config.scheduler.catch_up,
        catch_up_max_age: config.scheduler.catch_up_max_age(),
    }
}
