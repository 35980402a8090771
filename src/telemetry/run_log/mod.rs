//! A run's own log lines (issue 14: `GET /api/v1/runs/{id}/log` and the status page's run
//! detail): every tracing event logged inside a run's span (or naming `run_id` itself), kept
//! in memory, bounded.
//!
//! Why memory and not SQLite: the lines are already written to the process log (journald, a
//! log shipper) for keeps; this is the operator's quick look at recent runs. Writing each line
//! to the catalog would put a write (and SQLite's single writer lock) on every log call of the
//! engine's hot path, and a run's log would compete with the run's own catalog writes. So the
//! book keeps the newest [`MAX_LINES_PER_RUN`] lines of the newest [`MAX_RUNS`] runs (a few
//! MB at most) and is empty after a restart, which the API says.

mod layer;

use std::collections::{HashMap, VecDeque};
use std::sync::{Mutex, OnceLock};

use chrono::{DateTime, Utc};
use serde::Serialize;

pub use layer::RunLogLayer;

/// Lines kept per run; older ones are dropped (and counted).
pub const MAX_LINES_PER_RUN: usize = 1000;
/// Runs kept; the run least recently logged to is dropped first.
pub const MAX_RUNS: usize = 256;

/// One log line of a run.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LogLine {
    pub time: DateTime<Utc>,
    /// `ERROR`, `WARN`, `INFO`, `DEBUG` or `TRACE`.
    pub level: &'static str,
    pub message: String,
    /// The event's other fields (the span's `run_id` is not repeated).
    pub fields: serde_json::Map<String, serde_json::Value>,
}

/// A run's kept lines, oldest first, and how many older ones were dropped.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct RunLog {
    pub lines: Vec<LogLine>,
    pub dropped: u64,
}

#[derive(Default)]
struct Kept {
    runs: HashMap<String, (VecDeque<LogLine>, u64)>,
    /// Run ids, least recently logged to first.
    order: VecDeque<String>,
}

/// The lines of recent runs. One per process ([`run_logs`]): the tracing layer writes it.
#[derive(Default)]
pub struct RunLogBook {
    kept: Mutex<Kept>,
}

impl RunLogBook {
    pub fn push(&self, run_id: &str, line: LogLine) {
        let mut kept = self.kept.lock().unwrap_or_else(|e| e.into_inner());
        let Kept { runs, order } = &mut *kept;
        if !runs.contains_key(run_id) {
            if runs.len() >= MAX_RUNS {
                if let Some(oldest) = order.pop_front() {
                    runs.remove(&oldest);
                }
            }
            order.push_back(run_id.to_string());
        } else if order.back().map(String::as_str) != Some(run_id) {
            order.retain(|id| id != run_id);
            order.push_back(run_id.to_string());
        }
        let (lines, dropped) = runs.entry(run_id.to_string()).or_default();
        if lines.len() >= MAX_LINES_PER_RUN {
            lines.pop_front();
            *dropped += 1;
        }
        lines.push_back(line);
    }

    /// The run's kept lines (empty when it logged nothing since the daemon started).
    pub fn of(&self, run_id: &str) -> RunLog {
        let kept = self.kept.lock().unwrap_or_else(|e| e.into_inner());
        match kept.runs.get(run_id) {
            Some((lines, dropped)) => RunLog {
                lines: lines.iter().cloned().collect(),
                dropped: *dropped,
            },
            None => RunLog::default(),
        }
    }
}

/// The process's book (the tracing subscriber is process-wide too).
pub fn run_logs() -> &'static RunLogBook {
    static BOOK: OnceLock<RunLogBook> = OnceLock::new();
    BOOK.get_or_init(RunLogBook::default)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(message: &str) -> LogLine {
        LogLine {
            time: Utc::now(),
            level: "INFO",
            message: message.to_string(),
            fields: Default::default(),
        }
    }

    #[test]
    fn a_run_keeps_its_newest_lines_and_counts_the_dropped() {
        let book = RunLogBook::default();
        for i in 0..MAX_LINES_PER_RUN + 3 {
            book.push("run_a", line(&format!("line {i}")));
        }
        let log = book.of("run_a");
        assert_eq!(log.lines.len(), MAX_LINES_PER_RUN);
        assert_eq!(log.dropped, 3);
        assert_eq!(log.lines[0].message, "line 3");
        assert_eq!(book.of("run_b"), RunLog::default());
    }

    #[test]
    fn the_run_least_recently_logged_to_is_dropped_first() {
        let book = RunLogBook::default();
        for i in 0..MAX_RUNS {
            book.push(&format!("run_{i}"), line("x"));
        }
        book.push("run_0", line("still going"));
        book.push("run_new", line("y"));
        assert_eq!(book.of("run_0").lines.len(), 2);
        assert!(book.of("run_1").lines.is_empty());
        assert_eq!(book.of("run_new").lines.len(), 1);
    }
}
