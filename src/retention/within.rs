//! `keep_within` spans such as `7d`, `36h` or `1y6m`, and where such a span starts.

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Days, Months, NaiveDateTime, TimeZone, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A calendar span: years, months, weeks and days are calendar units in the policy's time
/// zone (so `1d` across a DST change is 23 or 25 hours, and `1m` back from 31 March is
/// 29 February), hours are exact. This is restic's `--keep-within` grammar plus `w` for weeks.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct KeepWithin {
    pub years: u32,
    pub months: u32,
    pub weeks: u32,
    pub days: u32,
    pub hours: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid keep_within {text:?}: {reason} (expected e.g. \"7d\", \"36h\", \"1y6m\")")]
pub struct KeepWithinError {
    pub text: String,
    pub reason: &'static str,
}

impl FromStr for KeepWithin {
    type Err = KeepWithinError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let fail = |reason| KeepWithinError {
            text: text.to_string(),
            reason,
        };
        let mut span = KeepWithin::default();
        let mut digits = String::new();
        for c in text.trim().chars() {
            if c.is_ascii_digit() {
                digits.push(c);
                continue;
            }
            if digits.is_empty() {
                return Err(fail("a unit must follow a number"));
            }
            let n: u32 = digits.parse().map_err(|_| fail("number too large"))?;
            digits.clear();
            let slot = match c {
                'y' => &mut span.years,
                'm' => &mut span.months,
                'w' => &mut span.weeks,
                'd' => &mut span.days,
                'h' => &mut span.hours,
                _ => return Err(fail("unknown unit (use y, m, w, d or h)")),
            };
            *slot = slot
                .checked_add(n)
                .ok_or_else(|| fail("number too large"))?;
        }
        if !digits.is_empty() {
            return Err(fail("a number needs a unit"));
        }
        if span == KeepWithin::default() {
            return Err(fail("the span must not be zero"));
        }
        Ok(span)
    }
}

impl fmt::Display for KeepWithin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let parts = [
            (self.years, 'y'),
            (self.months, 'm'),
            (self.weeks, 'w'),
            (self.days, 'd'),
            (self.hours, 'h'),
        ];
        for (n, unit) in parts.into_iter().filter(|(n, _)| *n > 0) {
            write!(f, "{n}{unit}")?;
        }
        Ok(())
    }
}

impl Serialize for KeepWithin {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for KeepWithin {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

impl KeepWithin {
    /// The instant the span reaches back to from `anchor`: calendar units are taken off the
    /// local wall-clock time in `tz`, then hours as exact time. Backups finishing strictly
    /// after the result are within the span.
    pub fn start_before(&self, anchor: DateTime<Utc>, tz: Tz) -> DateTime<Utc> {
        let local = anchor.with_timezone(&tz).naive_local();
        let months = self.years.saturating_mul(12).saturating_add(self.months);
        let days = u64::from(self.weeks) * 7 + u64::from(self.days);
        // Out of chrono's range means "before everything": the earliest representable time.
        let calendar = local
            .checked_sub_months(Months::new(months))
            .and_then(|t| t.checked_sub_days(Days::new(days)))
            .map(|t| resolve_local(t, tz))
            .unwrap_or(DateTime::<Utc>::MIN_UTC);
        calendar
            .checked_sub_signed(chrono::Duration::hours(i64::from(self.hours)))
            .unwrap_or(DateTime::<Utc>::MIN_UTC)
    }
}

/// Maps a wall-clock time to an instant. In a DST fold the earlier instant wins (a longer span,
/// so more is kept); in a DST gap the time is read with the offset before the gap, which is what
/// the clock would have shown had it not jumped.
fn resolve_local(local: NaiveDateTime, tz: Tz) -> DateTime<Utc> {
    if let Some(t) = tz.from_local_datetime(&local).earliest() {
        return t.with_timezone(&Utc);
    }
    let hour = chrono::Duration::hours(1);
    tz.from_local_datetime(&(local - hour))
        .earliest()
        .map(|t| t.with_timezone(&Utc) + hour)
        .unwrap_or_else(|| local.and_utc())
}
