//! Cron expressions: parsing, validation and the next fire time in a schedule's IANA zone.
//!
//! Accepted: standard 5-field expressions (`minute hour day-of-month month day-of-week`, seconds
//! taken as `0`) and 6-field ones with seconds first. Fields take numbers, `*`, ranges, lists,
//! steps and names (`MON`, `JAN`); day-of-month and day-of-week combine with OR as in Vixie
//! cron. The parser and the calendar walk are `croner`'s (the crate tokio-cron-scheduler uses).
//!
//! # Daylight saving time (decided here, pinned by golden tests)
//! - **Spring gap**: a *fixed-time* expression (one second, one minute, one hour, e.g.
//!   `30 2 * * *`) whose local time does not exist that day fires at the first instant after
//!   the gap (03:00 local), so a nightly backup is moved, never silently lost. Expressions
//!   with a wildcard, range, list or step in those fields (`*/15 * * * *`, `0 * * * *`) simply
//!   have no ticks inside the gap: they keep their real-time cadence.
//! - **Autumn repeat**: a fixed-time expression fires **once**, on the first pass through the
//!   repeated hour (the summer-time instant). Interval expressions fire on both passes, because
//!   those really are different instants an interval apart (an hourly job stays hourly).

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use croner::parser::{CronParser, Seconds, Year};
use croner::Cron;

/// A cron expression that parses and fires at least once, with its time zone.
#[derive(Debug, Clone)]
pub struct CronSchedule {
    expression: String,
    timezone: Tz,
    cron: Cron,
}

/// Why an expression is refused; the message is meant for the API caller.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CronError {
    #[error(
        "cron expression {expression:?} has {found} field(s); expected 5 (minute hour \
         day-of-month month day-of-week) or 6 (second first)"
    )]
    FieldCount { expression: String, found: usize },
    #[error("cron expression {expression:?} is invalid: {reason}")]
    Invalid { expression: String, reason: String },
    #[error("cron expression {expression:?} never fires (e.g. February 30)")]
    NeverFires { expression: String },
}

/// The fields of a 6-field expression, as messages name them.
const FIELD_NAMES: [&str; 6] = [
    "second",
    "minute",
    "hour",
    "day-of-month",
    "month",
    "day-of-week",
];

fn parser() -> CronParser {
    CronParser::builder()
        .seconds(Seconds::Required)
        .year(Year::Disallowed)
        .build()
}

/// croner's message names a bad value but not its field ("Position 25 is out of bounds for
/// the current range (0-23)"), so the field is found by parsing each one alone among `*`s.
/// `five`: the caller wrote 5 fields, so the added seconds field is never the culprit.
fn reason(six: &str, five: bool, error: &croner::errors::CronError) -> String {
    let text = error.to_string();
    let text = text
        .strip_prefix("Invalid pattern: ")
        .or_else(|| text.strip_prefix("Component error: "))
        .unwrap_or(&text)
        .to_string();
    let fields: Vec<&str> = six.split(' ').collect();
    let culprit = (usize::from(five)..fields.len()).find(|&i| {
        let alone: Vec<&str> = (0..fields.len())
            .map(|j| if i == j { fields[j] } else { "*" })
            .collect();
        parser().parse(&alone.join(" ")).is_err()
    });
    match culprit {
        Some(i) => format!("{} field {:?}: {text}", FIELD_NAMES[i], fields[i]),
        None => text,
    }
}

impl CronSchedule {
    /// Parses `expression` for `timezone`, refusing anything that is not 5 or 6 fields or that
    /// has no future fire time.
    pub fn parse(expression: &str, timezone: Tz) -> Result<Self, CronError> {
        let fields: Vec<&str> = expression.split_whitespace().collect();
        let six = match fields.len() {
            5 => format!("0 {}", fields.join(" ")),
            6 => fields.join(" "),
            found => {
                return Err(CronError::FieldCount {
                    expression: expression.to_string(),
                    found,
                })
            }
        };
        let cron = parser().parse(&six).map_err(|e| CronError::Invalid {
            expression: expression.to_string(),
            reason: reason(&six, fields.len() == 5, &e),
        })?;
        let schedule = CronSchedule {
            expression: expression.to_string(),
            timezone,
            cron,
        };
        // Cheap proof that the calendar walk ends: a pattern such as `0 0 30 2 *` parses but
        // would make every later computation fail.
        if schedule.next_after(Utc::now()).is_none() {
            return Err(CronError::NeverFires {
                expression: expression.to_string(),
            });
        }
        Ok(schedule)
    }

    pub fn expression(&self) -> &str {
        &self.expression
    }

    pub fn timezone(&self) -> Tz {
        self.timezone
    }

    /// The first fire time strictly after `after`, or `None` if there is none within the
    /// calendar search limit.
    pub fn next_after(&self, after: DateTime<Utc>) -> Option<DateTime<Utc>> {
        let local = after.with_timezone(&self.timezone);
        self.cron
            .find_next_occurrence(&local, false)
            .ok()
            .map(|t| t.with_timezone(&Utc))
    }

    /// The next `count` fire times after `after` (golden tables, "upcoming runs" displays).
    pub fn upcoming(&self, after: DateTime<Utc>, count: usize) -> Vec<DateTime<Utc>> {
        let mut times = Vec::with_capacity(count);
        let mut at = after;
        while times.len() < count {
            match self.next_after(at) {
                Some(next) => {
                    times.push(next);
                    at = next;
                }
                None => break,
            }
        }
        times
    }

    /// The gap between the next two fire times after `now` (Velero's
    /// `schedule_expected_interval_seconds`): one alert rule, "no success for 2× the expected
    /// interval", then fits hourly and weekly schedules alike.
    pub fn expected_interval(&self, now: DateTime<Utc>) -> Option<std::time::Duration> {
        let first = self.next_after(now)?;
        let second = self.next_after(first)?;
        (second - first).to_std().ok()
    }
}
