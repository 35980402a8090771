//! GetRange: one page of rows between two primary keys.

use super::error::Result;
use super::read_options::{TimeRange, ALL_VERSIONS};
use super::rows::{invalid_rows, key_row};
use super::Client;
use crate::tablestore::plainbuffer;
use crate::tablestore::proto;
use crate::tablestore::row::{PkValue, PrimaryKey, Row};

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum Direction {
    /// Ascending keys; `start` is the lower bound.
    #[default]
    Forward,
    /// Descending keys; `start` is the upper bound.
    Backward,
}

/// A range read: `start` inclusive, `end` exclusive, in `direction` order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RangeRequest {
    pub table: String,
    pub direction: Direction,
    pub start: PrimaryKey,
    pub end: PrimaryKey,
    /// Defaults to every version; `None` requires `time_range`.
    pub max_versions: Option<i32>,
    pub time_range: Option<TimeRange>,
    /// Empty = every column.
    pub columns_to_get: Vec<String>,
    /// Rows per page at most (the service also stops at 5000 rows / 4 MB).
    pub limit: Option<i32>,
    /// Continuation of a wide row, from a previous page's `next_token`.
    pub token: Option<Vec<u8>>,
}

/// One GetRange response.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RangePage {
    pub rows: Vec<Row>,
    /// Where the next page starts (inclusive); `None` when the range is exhausted.
    pub next_start: Option<PrimaryKey>,
    /// Set when the last row was cut short: re-read from `next_start` with this token.
    pub next_token: Option<Vec<u8>>,
}

impl RangeRequest {
    /// Every version of every column between `start` (inclusive) and `end` (exclusive).
    pub fn new(table: impl Into<String>, start: PrimaryKey, end: PrimaryKey) -> Self {
        RangeRequest {
            table: table.into(),
            direction: Direction::Forward,
            start,
            end,
            max_versions: Some(ALL_VERSIONS),
            time_range: None,
            columns_to_get: Vec::new(),
            limit: None,
            token: None,
        }
    }

    /// The whole table in `direction` order, given its primary-key column names.
    pub fn whole_table<N: Into<String>>(
        table: impl Into<String>,
        pk_names: impl IntoIterator<Item = N> + Clone,
        direction: Direction,
    ) -> Self {
        let min = PrimaryKey::bound(pk_names.clone(), PkValue::InfMin);
        let max = PrimaryKey::bound(pk_names, PkValue::InfMax);
        let (start, end) = match direction {
            Direction::Forward => (min, max),
            Direction::Backward => (max, min),
        };
        RangeRequest {
            direction,
            ..RangeRequest::new(table, start, end)
        }
    }

    fn to_proto(&self) -> proto::GetRangeRequest {
        let direction = match self.direction {
            Direction::Forward => proto::Direction::Forward,
            Direction::Backward => proto::Direction::Backward,
        };
        proto::GetRangeRequest {
            table_name: self.table.clone(),
            direction: direction as i32,
            columns_to_get: self.columns_to_get.clone(),
            time_range: self.time_range.map(|t| t.to_proto()),
            max_versions: self.max_versions,
            limit: self.limit,
            inclusive_start_primary_key: plainbuffer::encode_row(&key_row(&self.start)),
            exclusive_end_primary_key: plainbuffer::encode_row(&key_row(&self.end)),
            token: self.token.clone(),
            ..Default::default()
        }
    }
}

impl Client {
    /// Reads one page of the range.
    pub async fn get_range(&self, request: &RangeRequest) -> Result<RangePage> {
        let response: proto::GetRangeResponse =
            self.call("GetRange", &request.to_proto(), true).await?;
        let rows =
            plainbuffer::decode_rows(&response.rows).map_err(|e| invalid_rows("GetRange", e))?;
        let next_start = match response.next_start_primary_key {
            Some(bytes) if !bytes.is_empty() => Some(
                plainbuffer::decode_row(&bytes)
                    .map_err(|e| invalid_rows("GetRange", e))?
                    .primary_key,
            ),
            _ => None,
        };
        Ok(RangePage {
            rows,
            next_start,
            next_token: response.next_token.filter(|t| !t.is_empty()),
        })
    }
}
