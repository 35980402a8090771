//! Executor settings. Deserializable so the daemon's configuration can embed them.

use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::config::EngineConfig;

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
pub struct ExecutorOptions {
    /// Runs that may be running at once, across all schedules and kinds; more wait `queued`.
    pub max_concurrent_runs: usize,
    /// How often a running run's progress is written to its record.
    #[serde(with = "seconds")]
    pub progress_interval: Duration,
    pub interrupted_backups: InterruptedBackups,
    /// Engine tuning for every run.
    pub engine: EngineConfig,
}

impl Default for ExecutorOptions {
    fn default() -> Self {
        ExecutorOptions {
            max_concurrent_runs: 2,
            progress_interval: Duration::from_secs(1),
            interrupted_backups: InterruptedBackups::Clean,
            engine: EngineConfig::default(),
        }
    }
}

/// Durations as (fractional) seconds in configuration files.
mod seconds {
    use std::time::Duration;

    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_f64(d.as_secs_f64())
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Duration, D::Error> {
        let secs = f64::deserialize(d)?;
        Duration::try_from_secs_f64(secs).map_err(serde::de::Error::custom)
    }
}
