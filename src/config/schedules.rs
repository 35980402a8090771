//! `[[schedules]]`: schedules declared in the file (issue 14), with the same fields as the
//! API's `POST /schedules`. The daemon reconciles the catalog with them at start, on
//! `POST /api/v1/reload` and on SIGHUP (see [`crate::schedules_as_code`]); this module only
//! says what an entry is and what makes one invalid, so `config check` and `serve` agree.
//!
//! A new schedule field is one field here plus one line in [`ScheduleEntry::to_new_schedule`].

use std::collections::{BTreeMap, HashSet};

use serde::{Deserialize, Serialize};

use super::{SourceConfig, StoreConfig};
use crate::capture::store::change_storage_refusal;
use crate::catalog::{
    copy_target_problems, parse_time_zone, CopyTarget, NewSchedule, ScheduleMode,
};
use crate::retention::RetentionPolicy;
use crate::scheduler::CronSchedule;

/// The longest schedule name (the API's limit too).
const MAX_NAME_LEN: usize = 128;

/// One `[[schedules]]` entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScheduleEntry {
    /// Unique; the key the file and the catalog are matched by.
    pub name: String,
    pub cron: String,
    /// IANA zone of the cron expression and the retention calendar.
    #[serde(default = "utc")]
    pub timezone: String,
    pub source: String,
    pub store: String,
    /// Empty means every table of the source.
    #[serde(default)]
    pub tables: Vec<String>,
    #[serde(default)]
    pub mode: ScheduleMode,
    #[serde(default)]
    pub retention: RetentionPolicy,
    /// Applied when the entry is created or changed in the file; an API pause or resume
    /// holds until then.
    #[serde(default)]
    pub paused: bool,
    /// Stores each successful backup is copied to (`"offsite"` or
    /// `{store = "offsite", retention = {...}}`), as in the API.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub copy_to: Vec<CopyTarget>,
}

fn utc() -> String {
    "UTC".to_string()
}

impl ScheduleEntry {
    /// The schedule this entry declares (the zone was checked by [`validate`]).
    pub fn to_new_schedule(&self) -> Result<NewSchedule, String> {
        let mut new = NewSchedule::new(&self.name, &self.cron, &self.source, &self.store);
        new.timezone = parse_time_zone(&self.timezone)?;
        new.tables = self.tables.clone();
        new.mode = self.mode;
        new.retention = self.retention.clone();
        new.paused = self.paused;
        new.copy_to = self.copy_to.clone();
        Ok(new)
    }

    /// The entry as stored with its schedule, to tell at the next reload whether it changed.
    pub fn fingerprint(&self) -> String {
        serde_json::to_string(self).expect("a schedule entry serializes")
    }
}

/// Every problem of the entries, as `schedules[i].key: message`.
pub(super) fn validate(
    entries: &[ScheduleEntry],
    sources: &BTreeMap<String, SourceConfig>,
    stores: &BTreeMap<String, StoreConfig>,
    problems: &mut Vec<String>,
) {
    let mut seen = HashSet::new();
    for (i, entry) in entries.iter().enumerate() {
        let at = format!("schedules[{i}]");
        let name = entry.name.trim();
        if name.is_empty() || entry.name.len() > MAX_NAME_LEN {
            problems.push(format!("{at}.name: must be 1 to {MAX_NAME_LEN} characters"));
        } else if !seen.insert(entry.name.as_str()) {
            problems.push(format!(
                "{at}.name: {:?} is declared twice (schedule names are unique)",
                entry.name
            ));
        }
        match parse_time_zone(&entry.timezone) {
            Ok(zone) => {
                if let Err(e) = CronSchedule::parse(&entry.cron, zone) {
                    problems.push(format!("{at}.cron: {e}"));
                }
            }
            Err(e) => problems.push(format!("{at}.timezone: {e}")),
        }
        if !sources.contains_key(&entry.source) {
            problems.push(format!(
                "{at}.source: unknown source {:?} (configured: {})",
                entry.source,
                names(sources)
            ));
        }
        match stores.get(&entry.store) {
            None => problems.push(format!(
                "{at}.store: unknown store {:?} (configured: {})",
                entry.store,
                names(stores)
            )),
            // The API's rule: changes live next to the base backups, in a store that holds them.
            Some(store) if entry.mode == ScheduleMode::Continuous => {
                if let Some(reason) = change_storage_refusal(&entry.store, store) {
                    problems.push(format!("{at}.mode: {reason}"));
                }
            }
            Some(_) => {}
        }
        if entry.tables.iter().any(|t| t.trim().is_empty()) {
            problems.push(format!("{at}.tables: a table name is empty"));
        }
        for problem in copy_target_problems(&entry.store, &entry.copy_to, |name| {
            stores.contains_key(name)
        }) {
            problems.push(format!("{at}.{problem}"));
        }
    }
}

fn names<T>(map: &BTreeMap<String, T>) -> String {
    if map.is_empty() {
        "none".to_string()
    } else {
        map.keys().cloned().collect::<Vec<_>>().join(", ")
    }
}
