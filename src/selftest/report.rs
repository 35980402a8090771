//! What a self-test found: each step's time and rate, every difference, and the instance
//! behaviours met (how long new tables refused writes, throttling, retries), as text for a
//! person and as one JSON document for a script.

use std::fmt::Write;

use serde::Serialize;

use super::tally::Answers;

/// How a step ended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "status", rename_all = "lowercase")]
pub enum StepStatus {
    Ok,
    /// The instance or this build cannot do it; not a failure.
    Skipped {
        why: String,
    },
    Failed {
        error: String,
    },
}

#[derive(Debug, Clone, Serialize)]
pub struct StepReport {
    pub name: &'static str,
    #[serde(flatten)]
    pub status: StepStatus,
    pub seconds: f64,
    /// Rows the step wrote, read or compared (0 when rows are not its work).
    pub rows: u64,
    pub rows_per_second: f64,
    /// What the instance answered during the step.
    pub answers: Answers,
}

impl StepReport {
    /// The step that stands for an interruption (Ctrl-C / SIGTERM) of the step in progress.
    pub fn interrupted() -> Self {
        StepReport {
            name: "interrupted",
            status: StepStatus::Failed {
                error: "stopped by a signal; the step in progress was abandoned".into(),
            },
            seconds: 0.0,
            rows: 0,
            rows_per_second: 0.0,
            answers: Answers::default(),
        }
    }
}

/// How long a new table refused writes after CreateTable returned.
#[derive(Debug, Clone, Serialize)]
pub struct NotReady {
    pub table: String,
    pub seconds: f64,
    /// Write attempts refused before one was accepted.
    pub refused_writes: u64,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct SelftestReport {
    /// Every table the run created starts with this.
    pub prefix: String,
    pub source_tables: Vec<String>,
    pub restored_tables: Vec<String>,
    pub backup_id: Option<String>,
    /// Where the backup went: a store name, or the temporary archive.
    pub store: String,
    pub steps: Vec<StepReport>,
    /// Every difference found (listing capped per table; see `difference_count`).
    pub differences: Vec<String>,
    pub difference_count: u64,
    pub not_ready: Vec<NotReady>,
    /// The indexes the run created on the source (`secondary <name>`, `search <name>`) and
    /// compared with the restored copy's; empty when the instance refused them.
    pub indexes: Vec<String>,
    /// What the instance answered over the whole run.
    pub answers: Answers,
    /// The tables (and the backup) were left in place (`--keep`).
    pub kept: bool,
}

impl SelftestReport {
    /// Everything matched and no step failed.
    pub fn passed(&self) -> bool {
        self.difference_count == 0 && self.failed_steps().next().is_none()
    }

    /// The failed steps: name and error.
    pub fn failed_steps(&self) -> impl Iterator<Item = (&'static str, &str)> {
        self.steps.iter().filter_map(|s| match &s.status {
            StepStatus::Failed { error } => Some((s.name, error.as_str())),
            _ => None,
        })
    }

    /// The report as lines for a terminal.
    pub fn to_text(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(out, "selftest {} (backup to {})", self.prefix, self.store);
        for s in &self.steps {
            let outcome = match &s.status {
                StepStatus::Ok => "ok".to_string(),
                StepStatus::Skipped { why } => format!("skipped: {why}"),
                StepStatus::Failed { error } => format!("FAILED: {error}"),
            };
            let rate = if s.rows > 0 {
                format!(", {} rows, {:.0} rows/s", s.rows, s.rows_per_second)
            } else {
                String::new()
            };
            let _ = writeln!(
                out,
                "  {:<10} {:>7.2}s{rate}{} — {outcome}",
                s.name,
                s.seconds,
                answers_note(&s.answers)
            );
        }
        for n in &self.not_ready {
            let _ = writeln!(
                out,
                "  instance: {} accepted writes {:.1}s after CreateTable ({} refused)",
                n.table, n.seconds, n.refused_writes
            );
        }
        if !self.indexes.is_empty() {
            let _ = writeln!(
                out,
                "  indexes backed up, restored and compared: {}",
                self.indexes.join(", ")
            );
        }
        let a = &self.answers;
        let _ = writeln!(
            out,
            "  instance: {} requests, {} retries, {} throttled{}",
            a.requests,
            a.retries,
            a.throttled,
            codes_note(a)
        );
        if self.difference_count > 0 {
            let _ = writeln!(out, "  {} difference(s):", self.difference_count);
            for d in &self.differences {
                let _ = writeln!(out, "    {d}");
            }
        }
        if self.kept {
            let _ = writeln!(out, "  kept: {}", self.kept_tables().join(", "));
        }
        let verdict = if self.passed() { "PASSED" } else { "FAILED" };
        let _ = writeln!(out, "selftest {verdict}");
        out
    }

    fn kept_tables(&self) -> Vec<String> {
        self.source_tables
            .iter()
            .chain(&self.restored_tables)
            .cloned()
            .collect()
    }
}

fn answers_note(a: &Answers) -> String {
    if a.retries == 0 && a.errors.is_empty() {
        String::new()
    } else {
        format!(
            " ({} retries, {} throttled{})",
            a.retries,
            a.throttled,
            codes_note(a)
        )
    }
}

fn codes_note(a: &Answers) -> String {
    if a.errors.is_empty() {
        return String::new();
    }
    let codes: Vec<String> = a.errors.iter().map(|(c, n)| format!("{c} ×{n}")).collect();
    format!("; answered {}", codes.join(", "))
}
