//! What a reconciliation does, decided without side effects so each rule is tested alone.

use crate::catalog::{ManagedBy, Schedule};
use crate::config::ScheduleEntry;

/// The steps that bring the catalog in line with the file.
#[derive(Debug, Default)]
pub struct Plan<'a> {
    /// Entries with no schedule of their name.
    pub create: Vec<&'a ScheduleEntry>,
    /// Entries whose schedule differs from what the file last said (or was made through the
    /// API, or was flagged as removed): `(schedule id, entry)`.
    pub update: Vec<(String, &'a ScheduleEntry)>,
    /// Names whose entry is as last applied.
    pub unchanged: Vec<String>,
    /// Config-managed schedules that left the file: paused and flagged.
    pub flag: Vec<Schedule>,
    /// Config-managed schedules that left the file, with `prune = true`: deleted.
    pub delete: Vec<Schedule>,
}

/// Compares `entries` (from the file) with `current` (every schedule in the catalog).
pub fn plan<'a>(entries: &'a [ScheduleEntry], current: &[Schedule], prune: bool) -> Plan<'a> {
    let mut plan = Plan::default();
    for entry in entries {
        match current.iter().find(|s| s.name == entry.name) {
            None => plan.create.push(entry),
            Some(schedule) if is_as_applied(schedule, entry) => {
                plan.unchanged.push(schedule.name.clone())
            }
            Some(schedule) => plan.update.push((schedule.id.clone(), entry)),
        }
    }
    for schedule in current {
        let in_file = entries.iter().any(|e| e.name == schedule.name);
        if in_file || schedule.managed_by != ManagedBy::Config {
            continue;
        }
        if prune {
            plan.delete.push(schedule.clone());
        } else if schedule.removed_from_config_at.is_none() {
            plan.flag.push(schedule.clone());
        }
    }
    plan
}

fn is_as_applied(schedule: &Schedule, entry: &ScheduleEntry) -> bool {
    schedule.is_owned_by_config()
        && schedule.config_entry.as_deref() == Some(entry.fingerprint().as_str())
}

#[cfg(test)]
mod tests {
    use chrono::Utc;

    use super::*;
    use crate::catalog::NewSchedule;

    fn entry(name: &str, cron: &str) -> ScheduleEntry {
        ScheduleEntry {
            name: name.into(),
            cron: cron.into(),
            timezone: "UTC".into(),
            source: "prod".into(),
            store: "local".into(),
            tables: Vec::new(),
            mode: Default::default(),
            retention: Default::default(),
            paused: false,
            copy_to: Vec::new(),
        }
    }

    fn stored(entry: &ScheduleEntry, managed_by: ManagedBy) -> Schedule {
        let new: NewSchedule = entry.to_new_schedule().unwrap();
        Schedule {
            id: format!("sch_{}", entry.name),
            name: new.name,
            cron: new.cron,
            timezone: new.timezone,
            source: new.source,
            store: new.store,
            tables: new.tables,
            retention: new.retention,
            paused: new.paused,
            mode: new.mode,
            copy_to: new.copy_to,
            next_run_at: None,
            created_at: Utc::now(),
            updated_at: Utc::now(),
            managed_by,
            removed_from_config_at: None,
            config_entry: (managed_by == ManagedBy::Config).then(|| entry.fingerprint()),
        }
    }

    fn names(schedules: &[Schedule]) -> Vec<&str> {
        schedules.iter().map(|s| s.name.as_str()).collect()
    }

    #[test]
    fn missing_are_created_changed_updated_and_the_same_left_alone() {
        let nightly = entry("nightly", "0 2 * * *");
        let hourly = entry("hourly", "0 * * * *");
        let current = [
            stored(&nightly, ManagedBy::Config),
            stored(&entry("hourly", "30 * * * *"), ManagedBy::Config),
        ];
        let weekly = entry("weekly", "0 3 * * 0");
        let file = [nightly, hourly, weekly];

        let plan = plan(&file, &current, false);

        assert_eq!(plan.unchanged, ["nightly"]);
        assert_eq!(plan.update.len(), 1);
        assert_eq!(plan.update[0].0, "sch_hourly");
        assert_eq!(plan.update[0].1.cron, "0 * * * *");
        assert_eq!(plan.create.len(), 1);
        assert_eq!(plan.create[0].name, "weekly");
        assert!(plan.flag.is_empty() && plan.delete.is_empty());
    }

    #[test]
    fn an_api_pause_does_not_count_as_a_change_of_the_file() {
        let nightly = entry("nightly", "0 2 * * *");
        let mut paused_by_api = stored(&nightly, ManagedBy::Config);
        paused_by_api.paused = true;

        let plan = plan(std::slice::from_ref(&nightly), &[paused_by_api], false);

        assert_eq!(plan.unchanged, ["nightly"]);
        assert!(plan.update.is_empty());
    }

    #[test]
    fn removed_config_schedules_are_flagged_once_and_api_schedules_never() {
        let gone = stored(&entry("gone", "0 2 * * *"), ManagedBy::Config);
        let mut flagged = stored(&entry("flagged", "0 2 * * *"), ManagedBy::Config);
        flagged.removed_from_config_at = Some(Utc::now());
        let api = stored(&entry("api", "0 2 * * *"), ManagedBy::Api);

        let plan = plan(&[], &[gone, flagged, api], false);

        assert_eq!(names(&plan.flag), ["gone"]);
        assert!(plan.delete.is_empty());
    }

    #[test]
    fn prune_deletes_removed_config_schedules_only() {
        let gone = stored(&entry("gone", "0 2 * * *"), ManagedBy::Config);
        let mut flagged = stored(&entry("flagged", "0 2 * * *"), ManagedBy::Config);
        flagged.removed_from_config_at = Some(Utc::now());
        let api = stored(&entry("api", "0 2 * * *"), ManagedBy::Api);

        let plan = plan(&[], &[gone, flagged, api], true);

        assert_eq!(names(&plan.delete), ["gone", "flagged"]);
        assert!(plan.flag.is_empty());
    }

    #[test]
    fn an_api_schedule_named_in_the_file_is_adopted_and_a_flagged_one_returns() {
        let nightly = entry("nightly", "0 2 * * *");
        let api = stored(&nightly, ManagedBy::Api);
        let back = entry("back", "0 2 * * *");
        let mut flagged = stored(&back, ManagedBy::Config);
        flagged.removed_from_config_at = Some(Utc::now());

        let file = [nightly, back];

        let plan = plan(&file, &[api, flagged], false);

        let updated: Vec<&str> = plan.update.iter().map(|(id, _)| id.as_str()).collect();
        assert_eq!(updated, ["sch_nightly", "sch_back"]);
    }
}
