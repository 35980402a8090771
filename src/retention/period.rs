//! Calendar periods (hour, day, ISO week, month, year) in the policy's time zone.

use chrono::{DateTime, Datelike, Utc};
use chrono_tz::Tz;

/// The bucket size of one calendar rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Period {
    Hour,
    Day,
    Week,
    Month,
    Year,
}

impl Period {
    /// The period `at` falls into, as a label that is both the bucket key and what a dry run
    /// shows: `2024-10-27 02:00+02:00`, `2024-10-27`, `2024-W43`, `2024-10`, `2024`.
    ///
    /// Days, weeks, months and years are read off the local calendar, so a day is whatever the
    /// wall clock calls one (23 or 25 hours on DST days). Hours carry the UTC offset: in the
    /// autumn fold the repeated local hour (02:00 CEST and 02:00 CET) is two real hours and so
    /// two periods. restic merges them; we do not, because "keep 24 hourly" means 24 real hours.
    /// Weeks are ISO weeks (Monday first), labelled with the ISO week-year, so 2024-12-30 is
    /// `2025-W01`.
    pub fn label(self, at: DateTime<Utc>, tz: Tz) -> String {
        let local = at.with_timezone(&tz);
        match self {
            Period::Hour => local.format("%Y-%m-%d %H:00%:z").to_string(),
            Period::Day => local.format("%Y-%m-%d").to_string(),
            Period::Week => {
                let week = local.iso_week();
                format!("{:04}-W{:02}", week.year(), week.week())
            }
            Period::Month => local.format("%Y-%m").to_string(),
            Period::Year => local.format("%Y").to_string(),
        }
    }
}
