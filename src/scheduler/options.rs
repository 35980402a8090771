//! Scheduler settings. Deserializable so the daemon's configuration can embed them.

use std::time::Duration;

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SchedulerOptions {
    /// At start, a schedule whose stored `next_run_at` has passed (a tick missed while the
    /// daemon was down) gets **one** make-up run, trigger `catch_up`, however many ticks were
    /// missed. Off: the missed tick is recorded as a `skipped` run instead.
    pub catch_up: bool,
    /// Catch up only ticks missed by at most this long (k8s `startingDeadlineSeconds`); older
    /// ones are recorded as skipped. Absent: any age.
    #[serde(with = "optional_seconds", skip_serializing_if = "Option::is_none")]
    pub catch_up_max_age: Option<Duration>,
}

impl Default for SchedulerOptions {
    fn default() -> Self {
        SchedulerOptions {
            catch_up: true,
            catch_up_max_age: None,
        }
    }
}

mod optional_seconds {
    use std::time::Duration;

    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(d: &Option<Duration>, s: S) -> Result<S::Ok, S::Error> {
        match d {
            Some(d) => s.serialize_u64(d.as_secs()),
            None => s.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Duration>, D::Error> {
        Ok(Option::<u64>::deserialize(d)?.map(Duration::from_secs))
    }
}
