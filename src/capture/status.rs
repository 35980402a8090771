//! What each running capture loop last did, shared between the daemon's capture loops (which
//! write it) and the API (`GET /schedules/{id}` shows it as `capture`). In memory only: after
//! a restart the loops report again within one step.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// One table's capture.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TableCaptureStatus {
    /// The last step succeeded.
    pub up: bool,
    /// Every change committed before this instant (µs) is stored.
    pub captured_until_us: Option<i64>,
    /// The last failure, while failing.
    pub error: Option<String>,
}

/// Per schedule id, per table.
#[derive(Debug, Clone, Default)]
pub struct CaptureStatuses {
    inner: Arc<Mutex<HashMap<String, HashMap<String, TableCaptureStatus>>>>,
}

impl CaptureStatuses {
    pub fn set(&self, schedule_id: &str, table: &str, status: TableCaptureStatus) {
        let mut all = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        all.entry(schedule_id.to_string())
            .or_default()
            .insert(table.to_string(), status);
    }

    /// Forgets a table whose loop stopped.
    pub fn remove(&self, schedule_id: &str, table: &str) {
        let mut all = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(tables) = all.get_mut(schedule_id) {
            tables.remove(table);
            if tables.is_empty() {
                all.remove(schedule_id);
            }
        }
    }

    /// The schedule's tables, none when no loop has reported.
    pub fn of(&self, schedule_id: &str) -> HashMap<String, TableCaptureStatus> {
        let all = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        all.get(schedule_id).cloned().unwrap_or_default()
    }

    /// The schedule's position: the oldest table's (every table is captured up to it).
    pub fn captured_until_us(&self, schedule_id: &str) -> Option<i64> {
        let tables = self.of(schedule_id);
        if tables.is_empty() {
            return None;
        }
        tables
            .values()
            .map(|t| t.captured_until_us)
            .collect::<Option<Vec<_>>>()?
            .into_iter()
            .min()
    }
}
