//! Small builders so each table reads as dates and expectations, nothing else.

use chrono::{DateTime, NaiveDateTime, Utc};
use chrono_tz::Tz;
use tablevault::retention::{evaluate, Candidate, CandidateStatus, RetentionPlan, RetentionPolicy};

/// `2014-09-01 10:20:30` or `2014-09-01 10:20:30.1`, read as UTC.
pub fn at(text: &str) -> DateTime<Utc> {
    let format = if text.contains('.') {
        "%Y-%m-%d %H:%M:%S%.f"
    } else {
        "%Y-%m-%d %H:%M:%S"
    };
    NaiveDateTime::parse_from_str(text, format)
        .unwrap_or_else(|e| panic!("bad test time {text:?}: {e}"))
        .and_utc()
}

/// Completed backups named `b000`, `b001`, … in the order given.
pub fn completed(times: &[&str]) -> Vec<Candidate> {
    times
        .iter()
        .enumerate()
        .map(|(i, t)| Candidate::new(format!("b{i:03}"), at(t), CandidateStatus::Completed))
        .collect()
}

/// Evaluates with `now` far after every backup (so nothing is "in the future").
pub fn plan(policy: &RetentionPolicy, tz: Tz, backups: &[Candidate]) -> RetentionPlan {
    evaluate(policy, tz, at("2100-01-01 00:00:00"), backups)
}

/// Kept backups as `finish time => reasons`, newest first, for readable assertions.
pub fn kept(plan: &RetentionPlan) -> Vec<(String, Vec<String>)> {
    plan.keep
        .iter()
        .map(|k| {
            (
                k.finished_at.format("%Y-%m-%d %H:%M:%S").to_string(),
                k.reasons.iter().map(ToString::to_string).collect(),
            )
        })
        .collect()
}

/// Kept finish times only.
pub fn kept_times(plan: &RetentionPlan) -> Vec<String> {
    kept(plan).into_iter().map(|(t, _)| t).collect()
}

pub fn removed_times(plan: &RetentionPlan) -> Vec<String> {
    plan.remove
        .iter()
        .map(|r| r.finished_at.format("%Y-%m-%d %H:%M:%S").to_string())
        .collect()
}

pub fn policy(json: &str) -> RetentionPolicy {
    serde_json::from_str(json).unwrap_or_else(|e| panic!("bad test policy {json}: {e}"))
}

pub fn berlin() -> Tz {
    chrono_tz::Europe::Berlin
}
