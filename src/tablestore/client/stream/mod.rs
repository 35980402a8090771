//! The Stream API: ListStream, DescribeStream, GetShardIterator, GetStreamRecord, and the
//! table's stream settings from DescribeTable. All four calls are reads and are retried as
//! idempotent (the Java SDK does the same); OTSTrimmedDataAccess is never retried.
//!
//! - `model`: the typed results ([`StreamDetails`], [`StreamDescription`], [`StreamShard`],
//!   [`StreamRecord`], [`RecordPage`]).
//! - `record`: turning a protobuf stream record into a [`StreamRecord`], with the Java SDK's
//!   checks (exactly one row, every checksum, the cells each action may carry).
//!
//! Wire format and what it rests on: docs/stream-api.md.

mod model;
mod record;

pub use model::{
    RecordAction, RecordPage, StreamDescription, StreamDetails, StreamRecord, StreamShard,
    StreamSummary,
};
pub use record::{decode_record, PageError, RecordError};

use super::error::{Result, TablestoreError};
use super::Client;
use crate::tablestore::codes;
use crate::tablestore::proto;

/// Shards asked for per DescribeStream page.
const SHARD_PAGE: i32 = 100;

impl TablestoreError {
    /// Whether the stream position is gone: the records expired (or the stream was disabled or
    /// re-enabled since). Nothing before the oldest retained record can be read any more.
    pub fn is_trimmed(&self) -> bool {
        self.code() == Some(codes::TRIMMED_DATA_ACCESS)
    }
}

impl Client {
    /// The table's stream settings (DescribeTable's `stream_details`).
    pub async fn stream_details(&self, table: &str) -> Result<StreamDetails> {
        let request = proto::DescribeTableRequest {
            table_name: table.to_string(),
        };
        let response: proto::DescribeTableResponse =
            self.call("DescribeTable", &request, true).await?;
        Ok(response
            .stream_details
            .map(StreamDetails::from_proto)
            .unwrap_or_default())
    }

    /// The streams of `table`, or of every table when `None`.
    pub async fn list_streams(&self, table: Option<&str>) -> Result<Vec<StreamSummary>> {
        let request = proto::ListStreamRequest {
            table_name: table.map(str::to_string),
        };
        let response: proto::ListStreamResponse = self.call("ListStream", &request, true).await?;
        Ok(response
            .streams
            .into_iter()
            .map(|s| StreamSummary {
                stream_id: s.stream_id,
                table: s.table_name,
                creation_time_us: s.creation_time,
            })
            .collect())
    }

    /// The stream and all its shards (every DescribeStream page).
    pub async fn describe_stream(&self, stream_id: &str) -> Result<StreamDescription> {
        let mut start: Option<String> = None;
        let mut shards = Vec::new();
        loop {
            let request = proto::DescribeStreamRequest {
                stream_id: stream_id.to_string(),
                inclusive_start_shard_id: start.clone(),
                shard_limit: Some(SHARD_PAGE),
            };
            let page: proto::DescribeStreamResponse =
                self.call("DescribeStream", &request, true).await?;
            shards.extend(page.shards.iter().map(StreamShard::from_proto));
            match page.next_shard_id {
                // A page that does not move forward would loop for ever.
                Some(next) if Some(&next) != start.as_ref() && !page.shards.is_empty() => {
                    start = Some(next)
                }
                Some(next) => {
                    return Err(TablestoreError::InvalidResponse {
                        action: "DescribeStream",
                        reason: format!("next_shard_id '{next}' does not advance"),
                        request_id: None,
                    })
                }
                None => return Ok(StreamDescription::from_proto(page, shards)),
            }
        }
    }

    /// An iterator at the oldest retained record of the shard.
    pub async fn shard_iterator(&self, stream_id: &str, shard_id: &str) -> Result<String> {
        let request = proto::GetShardIteratorRequest {
            stream_id: stream_id.to_string(),
            shard_id: shard_id.to_string(),
        };
        let response: proto::GetShardIteratorResponse =
            self.call("GetShardIterator", &request, true).await?;
        Ok(response.shard_iterator)
    }

    /// Up to `limit` records from `iterator`, decoded and checked. `next_iterator` is `None`
    /// once a closed shard is read to its end.
    pub async fn stream_records(&self, iterator: &str, limit: Option<i32>) -> Result<RecordPage> {
        let request = proto::GetStreamRecordRequest {
            shard_iterator: iterator.to_string(),
            limit,
        };
        let response: proto::GetStreamRecordResponse =
            self.call("GetStreamRecord", &request, true).await?;
        RecordPage::from_proto(response).map_err(|e| TablestoreError::InvalidResponse {
            action: "GetStreamRecord",
            reason: e.to_string(),
            request_id: None,
        })
    }
}
