//! Shard checkpoints of one table's stream: where capture continues, and which shards are read
//! to their end (lineage: a shard is read only after its parents are).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::gap::CaptureGap;
use crate::tablestore::client::StreamShard;
use crate::tablestore::plainbuffer::SequenceInfo;

/// One shard's position.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum ShardPosition {
    /// Continue from this iterator (the position after the last stored record).
    Reading {
        iterator: String,
        last: Option<SequenceInfo>,
    },
    /// Read to its end (closed by a split or merge); its children may start.
    Ended { last: Option<SequenceInfo> },
}

/// Every known shard's position in one stream.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Checkpoint {
    /// The stream these positions belong to; a new stream id means the log restarted.
    pub stream_id: String,
    pub shards: BTreeMap<String, ShardPosition>,
    /// Commit time (µs) up to which every record of every shard is stored, as of the last read.
    pub captured_until_us: Option<i64>,
    /// Every gap this table's capture ever had, oldest first; carried by every later checkpoint.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub gaps: Vec<CaptureGap>,
}

impl Checkpoint {
    pub fn new(stream_id: impl Into<String>) -> Self {
        Checkpoint {
            stream_id: stream_id.into(),
            ..Checkpoint::default()
        }
    }

    /// The newest instant (µs) known to be stored: the captured-until mark, else the newest
    /// record of any shard, else 0 (nothing known).
    pub fn known_until_us(&self) -> i64 {
        let newest_record = self
            .shards
            .values()
            .filter_map(|p| match p {
                ShardPosition::Reading { last, .. } | ShardPosition::Ended { last } => *last,
            })
            .map(|s| s.timestamp_us)
            .max();
        self.captured_until_us.or(newest_record).unwrap_or(0)
    }

    pub fn is_ended(&self, shard: &str) -> bool {
        matches!(self.shards.get(shard), Some(ShardPosition::Ended { .. }))
    }

    /// Whether `shard` may be read now: each parent is ended, or no longer listed and never seen
    /// (its records expired before capture began, the official Stream Client's rule).
    pub fn is_ready(&self, shard: &StreamShard, listed: &[StreamShard]) -> bool {
        shard.parents().all(|parent| {
            self.is_ended(parent)
                || (!listed.iter().any(|s| s.shard_id == parent)
                    && !self.shards.contains_key(parent))
        })
    }
}
