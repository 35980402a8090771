//! Capture gaps: spans of time whose changes capture lost (unread records expired from the
//! stream, or the stream was disabled or replaced). A gap is kept in every later checkpoint of
//! the table, so it is stored durably with the changes themselves, in whichever store holds
//! them, and a point-in-time restore can refuse any instant whose replay would cross it.

use serde::{Deserialize, Serialize};

/// Changes committed in `(from_us, until_us)` may be missing from the stored records.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaptureGap {
    /// Every change committed before this instant (µs) was stored before the gap.
    pub from_us: i64,
    /// Capture restarted from a fresh position here (µs): every change after it is stored.
    pub until_us: i64,
    /// Why capture lost its position.
    pub reason: String,
}

impl CaptureGap {
    /// Whether replaying from a base that started at `base_started_us` up to `until_us`
    /// would cross this gap (the gap is not wholly before the base, nor wholly after the end).
    pub fn crosses(&self, base_started_us: i64, until_us: i64) -> bool {
        self.until_us > base_started_us && self.from_us < until_us
    }

    /// The gap as RFC 3339 instants, for messages.
    pub fn describe(&self) -> String {
        format!(
            "from {} to {} ({})",
            rfc3339(self.from_us),
            rfc3339(self.until_us),
            self.reason
        )
    }
}

/// `µs` as an RFC 3339 instant with microseconds.
pub fn rfc3339(us: i64) -> String {
    chrono::DateTime::<chrono::Utc>::from_timestamp_micros(us)
        .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Micros, true))
        .unwrap_or_else(|| format!("{us} µs"))
}

#[cfg(test)]
mod tests {
    use super::CaptureGap;

    #[test]
    fn a_gap_crosses_a_replay_only_when_the_spans_overlap() {
        let gap = CaptureGap {
            from_us: 100,
            until_us: 200,
            reason: "expired".into(),
        };
        assert!(!gap.crosses(200, 300), "base started after the gap");
        assert!(!gap.crosses(0, 100), "replay ends where the gap starts");
        assert!(gap.crosses(0, 150), "instant inside the gap");
        assert!(gap.crosses(150, 300), "base started inside the gap");
        assert!(gap.crosses(50, 300), "replay spans the gap");
    }
}
