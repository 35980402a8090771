//! `[scheduler]`: how the daemon runs its schedules.

use serde::{Deserialize, Serialize};

/// What happens to the staged data of a backup the daemon did not finish (stopped by a
/// shutdown, or left by a process that died).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InterruptedBackups {
    /// Delete the staged data and mark the backup failed (the next tick starts afresh).
    #[default]
    Clean,
    /// Keep it; at the next start a run continues it from its checkpoints.
    Resume,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SchedulerConfig {
    /// Runs (backups, restores, verifies) running at once; more wait `queued`.
    pub max_concurrent_runs: usize,
    /// After downtime, give a schedule whose tick was missed one catch-up run (never more).
    pub catch_up: bool,
    /// Only catch up ticks missed by at most this many seconds; 0 = any age.
    pub catch_up_max_age_seconds: u64,
    /// A backup the daemon did not finish (shutdown, crash): `clean` deletes its staged data,
    /// `resume` continues it from its checkpoints at the next start.
    pub interrupted_backups: InterruptedBackups,
    /// A config-managed schedule whose `[[schedules]]` entry is removed from the file is
    /// deleted (its backups stay) instead of paused and flagged.
    pub prune: bool,
}

impl Default for SchedulerConfig {
    fn default() -> Self {
        SchedulerConfig {
            max_concurrent_runs: 2,
            catch_up: true,
            catch_up_max_age_seconds: 0,
            interrupted_backups: InterruptedBackups::Clean,
            prune: false,
        }
    }
}

impl SchedulerConfig {
    pub(super) fn validate(&self, problems: &mut Vec<String>) {
        if !(1..=64).contains(&self.max_concurrent_runs) {
            problems.push(format!(
                "scheduler.max_concurrent_runs: {} must be between 1 and 64",
                self.max_concurrent_runs
            ));
        }
    }

    /// The catch-up age limit, if any.
    pub fn catch_up_max_age(&self) -> Option<std::time::Duration> {
        (self.catch_up_max_age_seconds > 0)
            .then(|| std::time::Duration::from_secs(self.catch_up_max_age_seconds))
    }
}
