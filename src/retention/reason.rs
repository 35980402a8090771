//! Why a backup is kept: every kept backup carries at least one reason, for dry runs and for
//! the catalog (`backups.retention_reasons`).

use std::fmt;

use serde::{Deserialize, Serialize};

/// The rule that keeps a backup.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum KeepRule {
    /// The newest completed backup, kept whatever the policy says so a schedule never loses
    /// its last good backup (Velero #9061).
    NewestCompleted,
    /// The policy has no rules: keep everything.
    NoRules,
    /// Finished after "now" (clock skew): never removed, as restic does.
    Future,
    Last,
    Hourly,
    Daily,
    Weekly,
    Monthly,
    Yearly,
    Within,
}

impl KeepRule {
    fn as_str(self) -> &'static str {
        match self {
            KeepRule::NewestCompleted => "newest completed",
            KeepRule::NoRules => "no retention rules",
            KeepRule::Future => "finished in the future",
            KeepRule::Last => "last",
            KeepRule::Hourly => "hourly",
            KeepRule::Daily => "daily",
            KeepRule::Weekly => "weekly",
            KeepRule::Monthly => "monthly",
            KeepRule::Yearly => "yearly",
            KeepRule::Within => "within",
        }
    }
}

/// One reason to keep a backup.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeepReason {
    pub rule: KeepRule,
    /// The calendar period for hourly…yearly (`2024-W43`), the span for `within` (`7d`), the
    /// rank for `last` (`1`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// restic's "oldest" rule: a calendar rule had quota left when the list ran out, so the
    /// oldest backup is kept too, to make the kept history as long as the policy allows.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub oldest: bool,
}

impl KeepReason {
    pub fn new(rule: KeepRule) -> Self {
        KeepReason {
            rule,
            detail: None,
            oldest: false,
        }
    }

    pub fn with_detail(rule: KeepRule, detail: impl Into<String>) -> Self {
        KeepReason {
            rule,
            detail: Some(detail.into()),
            oldest: false,
        }
    }
}

/// `daily 2024-03-31`, `oldest yearly 2014`, `within 7d`, `newest completed`.
impl fmt::Display for KeepReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.oldest {
            f.write_str("oldest ")?;
        }
        f.write_str(self.rule.as_str())?;
        if let Some(detail) = &self.detail {
            write!(f, " {detail}")?;
        }
        Ok(())
    }
}
