//! Typed Stream API results. Times are microseconds since the Unix epoch (the service's unit
//! for stream and record times); cell versions inside rows stay milliseconds.

use serde::{Deserialize, Serialize};

use super::record::{decode_record, PageError};
use crate::tablestore::plainbuffer::SequenceInfo;
use crate::tablestore::proto;
use crate::tablestore::row::Row;

/// DescribeTable's view of the table's stream.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StreamDetails {
    pub enabled: bool,
    pub stream_id: Option<String>,
    pub expiration_hours: Option<i32>,
    /// When the stream was (last) enabled, µs. A change means the log restarted.
    pub last_enable_time_us: Option<i64>,
}

impl StreamDetails {
    pub(super) fn from_proto(details: proto::StreamDetails) -> Self {
        StreamDetails {
            enabled: details.enable_stream,
            stream_id: details.stream_id.filter(|_| details.enable_stream),
            expiration_hours: details.expiration_time,
            last_enable_time_us: details.last_enable_time,
        }
    }
}

/// One entry of ListStream.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StreamSummary {
    pub stream_id: String,
    pub table: String,
    pub creation_time_us: i64,
}

/// One shard and its parents (one after a split, two after a merge).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct StreamShard {
    pub shard_id: String,
    pub parent_id: Option<String>,
    pub parent_sibling_id: Option<String>,
}

impl StreamShard {
    pub(super) fn from_proto(shard: &proto::StreamShard) -> Self {
        StreamShard {
            shard_id: shard.shard_id.clone(),
            parent_id: shard.parent_id.clone(),
            parent_sibling_id: shard.parent_sibling_id.clone(),
        }
    }

    /// The shards that must be read to their end before this one.
    pub fn parents(&self) -> impl Iterator<Item = &str> {
        self.parent_id
            .iter()
            .chain(self.parent_sibling_id.iter())
            .map(String::as_str)
    }
}

/// DescribeStream, every page joined.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StreamDescription {
    pub stream_id: String,
    pub table: String,
    pub expiration_hours: i32,
    pub creation_time_us: i64,
    /// `false` while the service reports STREAM_ENABLING.
    pub active: bool,
    pub shards: Vec<StreamShard>,
}

impl StreamDescription {
    pub(super) fn from_proto(
        last: proto::DescribeStreamResponse,
        shards: Vec<StreamShard>,
    ) -> Self {
        StreamDescription {
            stream_id: last.stream_id,
            table: last.table_name,
            expiration_hours: last.expiration_time,
            creation_time_us: last.creation_time,
            active: last.stream_status == proto::StreamStatus::StreamActive as i32,
            shards,
        }
    }
}

/// What a record did to its row.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RecordAction {
    /// Replace the whole row with the record's cells.
    Put,
    /// Apply the record's puts and deletes on top of the row.
    Update,
    /// Remove the row.
    Delete,
}

/// One change: the row (key and cells as the action carries them) and its log position.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StreamRecord {
    pub action: RecordAction,
    pub row: Row,
    pub sequence: SequenceInfo,
}

/// One GetStreamRecord page.
#[derive(Debug, Clone, PartialEq)]
pub struct RecordPage {
    pub records: Vec<StreamRecord>,
    /// Where to read next; `None` when the (closed) shard is read to its end.
    pub next_iterator: Option<String>,
}

impl RecordPage {
    /// Decodes every record; any bad record fails the page (as in the Java SDK).
    pub fn from_proto(response: proto::GetStreamRecordResponse) -> Result<Self, PageError> {
        let records = response
            .stream_records
            .iter()
            .enumerate()
            .map(|(index, r)| decode_record(r).map_err(|error| PageError { index, error }))
            .collect::<Result<_, _>>()?;
        Ok(RecordPage {
            records,
            // An empty string is treated as absent, as the PHP SDK reads it.
            next_iterator: response.next_shard_iterator.filter(|s| !s.is_empty()),
        })
    }
}
