//! [`SchedulesFile`]: carries a [`plan`](super::plan) out through the scheduler (so every
//! change gets its `next_run_at`, metrics and timer wake-up like an API change), and reloads
//! the file.

use std::path::PathBuf;
use std::sync::Arc;

use serde::Serialize;

use super::plan::plan;
use super::ReloadError;
use crate::catalog::{Catalog, PageRequest, Schedule, ScheduleUpdate, MAX_PAGE_SIZE};
use crate::config::{Config, ScheduleEntry};
use crate::scheduler::Scheduler;

/// The daemon's handle on the file's schedules. Cheap to clone; reconciliations run one at a
/// time.
#[derive(Clone)]
pub struct SchedulesFile {
    scheduler: Scheduler,
    file: Option<PathBuf>,
    running: Arc<tokio::sync::Mutex<()>>,
}

/// What a reconciliation did, by schedule name.
#[derive(Debug, Default, Clone, PartialEq, Eq, Serialize)]
pub struct ReconcileReport {
    /// The file read, if any.
    pub file: Option<String>,
    pub created: Vec<String>,
    pub updated: Vec<String>,
    pub unchanged: Vec<String>,
    /// Left the file: paused and flagged (`removed_from_config_at`), backups kept.
    pub paused_removed: Vec<String>,
    /// Left the file with `[scheduler] prune = true`: deleted, backups kept.
    pub deleted: Vec<String>,
}

impl SchedulesFile {
    /// `file` is the config file the daemon started from (none: nothing to reload).
    pub fn new(scheduler: Scheduler, file: Option<PathBuf>) -> Self {
        SchedulesFile {
            scheduler,
            file,
            running: Arc::default(),
        }
    }

    /// The config file, as shown in messages.
    pub fn file(&self) -> Option<&std::path::Path> {
        self.file.as_deref()
    }

    /// Reads the file again and reconciles its schedules. A file that does not load, or that
    /// names a source or store the running daemon lacks, changes nothing.
    pub async fn reload(&self) -> Result<ReconcileReport, ReloadError> {
        let file = self.file.as_ref().ok_or(ReloadError::NoFile)?;
        let config = Config::load(file)?;
        self.check_resources(&config.schedules)?;
        self.reconcile(&config).await
    }

    /// Brings the catalog in line with `config.schedules` (see [`super::plan`]). Without a
    /// file and with no entry (a daemon started without `--config`), config-managed schedules
    /// are left as they are.
    pub async fn reconcile(&self, config: &Config) -> Result<ReconcileReport, ReloadError> {
        let _one_at_a_time = self.running.lock().await;
        let mut report = ReconcileReport {
            file: self.file.as_ref().map(|f| f.display().to_string()),
            ..ReconcileReport::default()
        };
        if self.file.is_none() && config.schedules.is_empty() {
            return Ok(report);
        }
        let current = all_schedules(self.catalog()).await?;
        let plan = plan(&config.schedules, &current, config.scheduler.prune);
        for entry in plan.create {
            let new = entry.to_new_schedule().map_err(invalid_entry)?;
            let schedule = self.scheduler.create_schedule(new).await?;
            self.catalog()
                .mark_schedule_from_config(&schedule.id, &entry.fingerprint())
                .await?;
            tracing::info!(schedule = %entry.name, "Created the schedule declared in the config file.");
            report.created.push(entry.name.clone());
        }
        for (id, entry) in plan.update {
            let new = entry.to_new_schedule().map_err(invalid_entry)?;
            let update = ScheduleUpdate {
                name: None,
                cron: Some(new.cron),
                timezone: Some(new.timezone),
                source: Some(new.source),
                store: Some(new.store),
                tables: Some(new.tables),
                retention: Some(new.retention),
                paused: Some(new.paused),
                mode: Some(new.mode),
                copy_to: Some(new.copy_to),
                next_run_at: None,
            };
            self.scheduler.update_schedule(&id, update).await?;
            self.catalog()
                .mark_schedule_from_config(&id, &entry.fingerprint())
                .await?;
            tracing::info!(schedule = %entry.name, "Updated the schedule from the config file.");
            report.updated.push(entry.name.clone());
        }
        report.unchanged = plan.unchanged;
        for schedule in plan.flag {
            self.scheduler.pause(&schedule.id).await?;
            self.catalog()
                .mark_schedule_removed_from_config(&schedule.id)
                .await?;
            tracing::warn!(
                schedule = %schedule.name,
                "The schedule left the config file: paused and kept with its backups (delete it \
                 through the API, or set [scheduler] prune = true)."
            );
            report.paused_removed.push(schedule.name);
        }
        for schedule in plan.delete {
            self.scheduler.delete_schedule(&schedule.id).await?;
            tracing::info!(
                schedule = %schedule.name,
                "Deleted the schedule that left the config file (prune = true); its backups stay."
            );
            report.deleted.push(schedule.name);
        }
        Ok(report)
    }

    /// Sources and stores are opened at start: a reload may only name the running ones.
    fn check_resources(&self, entries: &[ScheduleEntry]) -> Result<(), ReloadError> {
        let resources = self.scheduler.executor().resources();
        let mut missing = Vec::new();
        for (i, entry) in entries.iter().enumerate() {
            if resources.source(&entry.source).is_err() {
                missing.push(format!(
                    "schedules[{i}].source: the running daemon has no source {:?}",
                    entry.source
                ));
            }
            if resources.store(&entry.store).is_err() {
                missing.push(format!(
                    "schedules[{i}].store: the running daemon has no store {:?}",
                    entry.store
                ));
            }
        }
        if missing.is_empty() {
            Ok(())
        } else {
            Err(ReloadError::NeedsRestart(missing))
        }
    }

    fn catalog(&self) -> &Catalog {
        self.scheduler.executor().catalog()
    }
}

/// [`Config::validate`] checked the zone; reaching this is a bug, reported, not a panic.
fn invalid_entry(message: String) -> ReloadError {
    ReloadError::Invalid(crate::config::ConfigError::Invalid(vec![message]))
}

async fn all_schedules(catalog: &Catalog) -> Result<Vec<Schedule>, ReloadError> {
    let mut all = Vec::new();
    let mut page = PageRequest::first(MAX_PAGE_SIZE);
    loop {
        let got = catalog.list_schedules(&page).await?;
        all.extend(got.items);
        match got.next_page_token {
            Some(token) => page = PageRequest::next(MAX_PAGE_SIZE, token),
            None => return Ok(all),
        }
    }
}
