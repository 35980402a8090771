//! Schedules: when to back up what, from which source into which store, kept how long. This
//! file holds the types and their row; `queries` the reads and writes.

mod copy_to;
mod management;
mod queries;

pub use copy_to::{copy_target_problems, CopyTarget};

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

use super::columns::{from_json, new_id};
use super::CatalogError;
use crate::retention::RetentionPolicy;

/// The prefix of schedule ids.
const SCHEDULE_PREFIX: &str = "sch";

/// What a schedule keeps: base backups only, or base backups plus every change in between.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ScheduleMode {
    /// A base backup per tick: restorable to the instants the backups were taken.
    #[default]
    Full,
    /// Base backups per tick plus the table's Stream captured in between (issue 12):
    /// restorable to any instant the captured changes cover.
    Continuous,
}

impl ScheduleMode {
    /// The catalog's spelling (the migration's CHECK).
    pub fn as_str(self) -> &'static str {
        match self {
            ScheduleMode::Full => "full",
            ScheduleMode::Continuous => "continuous",
        }
    }

    fn parse(text: &str) -> Result<Self, CatalogError> {
        match text {
            "full" => Ok(ScheduleMode::Full),
            "continuous" => Ok(ScheduleMode::Continuous),
            other => Err(CatalogError::corrupt(
                "schedules.mode",
                other,
                "neither \"full\" nor \"continuous\"",
            )),
        }
    }
}

/// Who owns a schedule's definition: the API (`POST`/`PATCH`), or the config file's
/// `[[schedules]]` (issue 14), where the API may only pause, resume and run it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ManagedBy {
    #[default]
    Api,
    Config,
}

impl ManagedBy {
    /// The catalog's spelling (the migration's CHECK).
    pub fn as_str(self) -> &'static str {
        match self {
            ManagedBy::Api => "api",
            ManagedBy::Config => "config",
        }
    }

    fn parse(text: &str) -> Result<Self, CatalogError> {
        match text {
            "api" => Ok(ManagedBy::Api),
            "config" => Ok(ManagedBy::Config),
            other => Err(CatalogError::corrupt(
                "schedules.managed_by",
                other,
                "neither \"api\" nor \"config\"",
            )),
        }
    }
}

/// `sch_0190b6f3c2a47d8e9f0a1b2c3d4e5f60`.
pub fn new_schedule_id() -> String {
    new_id(SCHEDULE_PREFIX)
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Schedule {
    /// `sch_…`.
    pub id: String,
    /// Unique; what people and metrics labels use.
    pub name: String,
    /// Cron expression; parsed and validated by the scheduler, stored verbatim.
    pub cron: String,
    /// IANA zone the cron expression and the retention calendar are read in.
    pub timezone: Tz,
    /// Configured source name (a Tablestore instance).
    pub source: String,
    /// Configured store name.
    pub store: String,
    /// Tables to back up; empty means every table of the source.
    pub tables: Vec<String>,
    pub retention: RetentionPolicy,
    pub paused: bool,
    /// Base backups only, or base backups plus continuous capture.
    pub mode: ScheduleMode,
    /// Stores each successful backup is copied to, with the copies' retention there.
    pub copy_to: Vec<CopyTarget>,
    /// The next tick, persisted so a restart knows whether one was missed.
    pub next_run_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    /// Last change of the definition (not of `next_run_at`).
    pub updated_at: DateTime<Utc>,
    /// `config` when the config file's `[[schedules]]` declares it.
    pub managed_by: ManagedBy,
    /// When a config-managed schedule left the file: it was paused then, and is kept (with
    /// its backups) until deleted.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub removed_from_config_at: Option<DateTime<Utc>>,
    /// The file's entry as last applied (JSON); a reload compares against it.
    #[serde(skip)]
    pub config_entry: Option<String>,
}

impl Schedule {
    /// Whether the config file currently owns the definition (PATCH/DELETE are refused).
    pub fn is_owned_by_config(&self) -> bool {
        self.managed_by == ManagedBy::Config && self.removed_from_config_at.is_none()
    }
}

/// A schedule to create. Deserializable so the API can take it as a request body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewSchedule {
    pub name: String,
    pub cron: String,
    #[serde(default = "utc")]
    pub timezone: Tz,
    pub source: String,
    pub store: String,
    #[serde(default)]
    pub tables: Vec<String>,
    #[serde(default)]
    pub retention: RetentionPolicy,
    #[serde(default)]
    pub paused: bool,
    #[serde(default)]
    pub mode: ScheduleMode,
    #[serde(default)]
    pub copy_to: Vec<CopyTarget>,
    #[serde(default)]
    pub next_run_at: Option<DateTime<Utc>>,
}

fn utc() -> Tz {
    Tz::UTC
}

impl NewSchedule {
    /// A schedule in UTC, all tables, no retention rules (keeps everything), not paused.
    pub fn new(name: &str, cron: &str, source: &str, store: &str) -> Self {
        NewSchedule {
            name: name.to_string(),
            cron: cron.to_string(),
            timezone: Tz::UTC,
            source: source.to_string(),
            store: store.to_string(),
            tables: Vec::new(),
            retention: RetentionPolicy::default(),
            paused: false,
            mode: ScheduleMode::Full,
            copy_to: Vec::new(),
            next_run_at: None,
        }
    }
}

/// A partial change: `None` leaves a field as it is. `next_run_at: Some(None)` clears it.
/// It is also the body of the API's `PATCH /schedules/{id}`, which may set every field but
/// `next_run_at` (the scheduler's own; an unknown field there).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ScheduleUpdate {
    pub name: Option<String>,
    pub cron: Option<String>,
    #[serde(deserialize_with = "some_time_zone")]
    pub timezone: Option<Tz>,
    pub source: Option<String>,
    pub store: Option<String>,
    pub tables: Option<Vec<String>>,
    pub retention: Option<RetentionPolicy>,
    pub paused: Option<bool>,
    pub mode: Option<ScheduleMode>,
    pub copy_to: Option<Vec<CopyTarget>>,
    #[serde(skip_deserializing)]
    pub next_run_at: Option<Option<DateTime<Utc>>>,
}

/// An IANA zone from its name, or what to write instead.
pub fn parse_time_zone(text: &str) -> Result<Tz, String> {
    text.parse::<Tz>().map_err(|_| {
        format!("unknown time zone {text:?}: use an IANA name such as \"Europe/Berlin\" or \"UTC\"")
    })
}

/// [`ScheduleUpdate::timezone`] from a zone name, refused with [`parse_time_zone`]'s message.
fn some_time_zone<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Tz>, D::Error> {
    match Option::<String>::deserialize(d)? {
        Some(text) => parse_time_zone(&text)
            .map(Some)
            .map_err(serde::de::Error::custom),
        None => Ok(None),
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct ScheduleRow {
    id: String,
    name: String,
    cron: String,
    timezone: String,
    source: String,
    store: String,
    tables: String,
    retention: String,
    paused: bool,
    mode: String,
    copy_to: String,
    next_run_at: Option<DateTime<Utc>>,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
    managed_by: String,
    config_entry: Option<String>,
    removed_from_config_at: Option<DateTime<Utc>>,
}

impl TryFrom<ScheduleRow> for Schedule {
    type Error = CatalogError;

    fn try_from(row: ScheduleRow) -> Result<Self, CatalogError> {
        Ok(Schedule {
            timezone: row
                .timezone
                .parse()
                .map_err(|e| CatalogError::corrupt("schedules.timezone", &row.timezone, e))?,
            tables: from_json("schedules.tables", &row.tables)?,
            retention: from_json("schedules.retention", &row.retention)?,
            mode: ScheduleMode::parse(&row.mode)?,
            managed_by: ManagedBy::parse(&row.managed_by)?,
            removed_from_config_at: row.removed_from_config_at,
            config_entry: row.config_entry,
            copy_to: from_json("schedules.copy_to", &row.copy_to)?,
            id: row.id,
            name: row.name,
            cron: row.cron,
            source: row.source,
            store: row.store,
            paused: row.paused,
            next_run_at: row.next_run_at,
            created_at: row.created_at,
            updated_at: row.updated_at,
        })
    }
}

/// Schedules list in name order; the filter only fingerprints page tokens.
#[derive(Serialize)]
pub(crate) struct ScheduleListKey;

/// A foreign-key failure on insert means the schedule does not exist.
pub(crate) fn missing_schedule(error: sqlx::Error, schedule_id: Option<&str>) -> CatalogError {
    match (&error, schedule_id) {
        (sqlx::Error::Database(db), Some(id)) if db.is_foreign_key_violation() => {
            CatalogError::not_found("schedule", id)
        }
        _ => error.into(),
    }
}
