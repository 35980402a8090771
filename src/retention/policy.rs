//! The retention policy a schedule carries: which completed backups to keep.

use serde::{Deserialize, Serialize};

use super::within::KeepWithin;

/// Which backups of one schedule to keep, restic `forget` style: every rule is evaluated on its
/// own and a backup is kept if *any* rule keeps it.
///
/// Counts of 0 switch a rule off. A policy whose rules are all off keeps **everything**: an
/// empty policy is far more likely to be an unconfigured schedule than a wish to delete every
/// backup (restic refuses to act on an empty policy for the same reason).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RetentionPolicy {
    /// Keep the `n` newest completed backups.
    #[serde(skip_serializing_if = "is_zero")]
    pub keep_last: u32,
    /// For the `n` newest clock hours that have a backup, keep the newest backup of each hour.
    #[serde(skip_serializing_if = "is_zero")]
    pub keep_hourly: u32,
    /// Same for calendar days (in the policy's time zone).
    #[serde(skip_serializing_if = "is_zero")]
    pub keep_daily: u32,
    /// Same for ISO weeks (Monday to Sunday).
    #[serde(skip_serializing_if = "is_zero")]
    pub keep_weekly: u32,
    /// Same for calendar months.
    #[serde(skip_serializing_if = "is_zero")]
    pub keep_monthly: u32,
    /// Same for calendar years.
    #[serde(skip_serializing_if = "is_zero")]
    pub keep_yearly: u32,
    /// Keep every backup that finished within this span before the newest completed backup,
    /// e.g. `"7d"`, `"36h"`, `"1y6m"`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub keep_within: Option<KeepWithin>,
    /// Also plan the removal of failed backups. Off by default: failed backups hold no usable
    /// data but may explain an incident, and their leftovers are cleaned by the run that failed
    /// (or by start-up recovery), not by retention.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub remove_failed: bool,
}

fn is_zero(n: &u32) -> bool {
    *n == 0
}

impl RetentionPolicy {
    /// `true` when no rule is switched on, so nothing is ever removed.
    pub fn has_no_rules(&self) -> bool {
        self.keep_last == 0
            && self.keep_hourly == 0
            && self.keep_daily == 0
            && self.keep_weekly == 0
            && self.keep_monthly == 0
            && self.keep_yearly == 0
            && self.keep_within.is_none()
    }
}
