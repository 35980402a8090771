//! What a read returns of each row: which columns, which versions.

use crate::tablestore::proto;

/// Read every version the table keeps. The service caps it at the table's `max_versions`.
pub const ALL_VERSIONS: i32 = i32::MAX;

/// A window of cell timestamps (milliseconds).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimeRange {
    /// Versions with `start <= timestamp < end`.
    Between { start: i64, end: i64 },
    /// Only the version with exactly this timestamp.
    Exactly(i64),
}

impl TimeRange {
    pub(crate) fn to_proto(self) -> proto::TimeRange {
        match self {
            TimeRange::Between { start, end } => proto::TimeRange {
                start_time: Some(start),
                end_time: Some(end),
                specific_time: None,
            },
            TimeRange::Exactly(at) => proto::TimeRange {
                start_time: None,
                end_time: None,
                specific_time: Some(at),
            },
        }
    }
}

/// Column and version selection for GetRow.
///
/// The service requires `max_versions` or `time_range`; the default reads every version of
/// every column, which is what a backup needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadOptions {
    pub max_versions: Option<i32>,
    pub time_range: Option<TimeRange>,
    /// Empty = every column.
    pub columns_to_get: Vec<String>,
}

impl Default for ReadOptions {
    fn default() -> Self {
        ReadOptions {
            max_versions: Some(ALL_VERSIONS),
            time_range: None,
            columns_to_get: Vec::new(),
        }
    }
}

impl ReadOptions {
    /// Only the newest version of each column.
    pub fn latest() -> Self {
        ReadOptions {
            max_versions: Some(1),
            ..ReadOptions::default()
        }
    }
}
