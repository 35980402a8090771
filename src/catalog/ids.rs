//! Identifiers the daemon mints: a type prefix and a UUIDv7, so ids say what they name
//! (`run_…` in a log line is a run) and sort roughly by creation time.

use uuid::Uuid;

pub const SCHEDULE_PREFIX: &str = "sch";
pub const RUN_PREFIX: &str = "run";

/// `sch_0190b6f3c2a47d8e9f0a1b2c3d4e5f60`.
pub fn new_schedule_id() -> String {
    new_id(SCHEDULE_PREFIX)
}

/// `run_0190b6f3c2a47d8e9f0a1b2c3d4e5f60`.
pub fn new_run_id() -> String {
    new_id(RUN_PREFIX)
}

fn new_id(prefix: &str) -> String {
    format!("{prefix}_{}", Uuid::now_v7().simple())
}
