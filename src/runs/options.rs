//! Executor settings. Deserializable so the daemon's configuration can embed them.

use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::config::{EngineConfig, InterruptedBackups};

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
