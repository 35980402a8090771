//! One table's stream: its shards and their records, trimmed after the expiration time.
//!
//! A shard is a partition's commit log. Every shard owns a range of partition-key hashes; a
//! write goes to the open shard whose range holds its partition key's hash, so the records of
//! one key stay in one shard, in commit order. Splitting a shard closes it and opens two
//! children that halve its range (lineage: both have `parent_id` = the closed shard).
//!
//! Positions are absolute record offsets within a shard: trimming advances the shard's first
//! offset but never renumbers, so an iterator (shard + offset) stays valid until its record
//! expires.

use std::collections::VecDeque;

use crate::tablestore::plainbuffer::{encode_stream_record, SequenceInfo};
use crate::tablestore::proto::ActionType;
use crate::tablestore::row::Row;

/// One record as the shard keeps it: the action and the encoded PlainBuffer payload.
#[derive(Debug, Clone)]
pub struct LogRecord {
    pub action: ActionType,
    pub sequence: SequenceInfo,
    pub payload: Vec<u8>,
}

#[derive(Debug)]
pub struct Shard {
    pub id: String,
    pub parent_id: Option<String>,
    pub parent_sibling_id: Option<String>,
    /// Inclusive range of partition-key hashes this shard takes while open.
    hash_range: (u64, u64),
    pub closed_at_us: Option<i64>,
    /// Offset of `records[0]`.
    first_offset: u64,
    records: VecDeque<LogRecord>,
    last_sequence: Option<SequenceInfo>,
}

impl Shard {
    fn new(id: String, parent_id: Option<String>, hash_range: (u64, u64)) -> Self {
        Shard {
            id,
            parent_id,
            parent_sibling_id: None,
            hash_range,
            closed_at_us: None,
            first_offset: 0,
            records: VecDeque::new(),
            last_sequence: None,
        }
    }

    pub fn first_offset(&self) -> u64 {
        self.first_offset
    }

    pub fn end_offset(&self) -> u64 {
        self.first_offset + self.records.len() as u64
    }

    pub fn is_open(&self) -> bool {
        self.closed_at_us.is_none()
    }
}

/// Why a read of a shard failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReadError {
    /// The position is before the oldest retained record, or its shard is gone.
    Trimmed,
    /// The position is past the shard's end (an iterator this log never handed out).
    BeyondEnd,
}

/// A page read from a shard.
#[derive(Debug)]
pub struct Page {
    pub records: Vec<LogRecord>,
    /// Offset to continue from; `None` when the shard is closed and fully read.
    pub next_offset: Option<u64>,
    /// Whether the page was cut by the limit.
    pub more: bool,
}

/// The stream of one table, from the time it was enabled.
#[derive(Debug)]
pub struct StreamLog {
    pub stream_id: String,
    pub enabled_at_us: i64,
    pub expiration_hours: i32,
    /// Length of one expiration hour in microseconds (shortened in tests).
    hour_us: i64,
    shards: Vec<Shard>,
    next_shard_number: u32,
}

impl StreamLog {
    pub fn new(table: &str, expiration_hours: i32, hour_us: i64, now_us: i64) -> Self {
        let stream_id = format!("{table}_{now_us}");
        let first = Shard::new(format!("{stream_id}-0"), None, (0, u64::MAX));
        StreamLog {
            stream_id,
            enabled_at_us: now_us,
            expiration_hours,
            hour_us,
            shards: vec![first],
            next_shard_number: 1,
        }
    }

    pub fn shards(&self) -> &[Shard] {
        &self.shards
    }

    pub fn shard(&self, id: &str) -> Option<&Shard> {
        self.shards.iter().find(|s| s.id == id)
    }

    /// Records older than this are gone.
    fn horizon_us(&self, now_us: i64) -> i64 {
        now_us.saturating_sub(i64::from(self.expiration_hours).saturating_mul(self.hour_us))
    }

    /// Drops expired records, and closed shards once everything they held has expired.
    pub fn trim(&mut self, now_us: i64) {
        let horizon = self.horizon_us(now_us);
        for shard in &mut self.shards {
            while shard
                .records
                .front()
                .is_some_and(|r| r.sequence.timestamp_us < horizon)
            {
                shard.records.pop_front();
                shard.first_offset += 1;
            }
        }
        self.shards.retain(|s| {
            !(s.records.is_empty() && s.closed_at_us.is_some_and(|closed| closed < horizon))
        });
    }

    /// Appends the record of one committed write to the shard owning `key_hash`.
    pub fn append(&mut self, key_hash: u64, action: ActionType, row: &Row, now_us: i64) {
        self.trim(now_us);
        let Some(shard) = self
            .shards
            .iter_mut()
            .find(|s| s.is_open() && (s.hash_range.0..=s.hash_range.1).contains(&key_hash))
        else {
            // Open shards always cover the whole hash space (splits halve ranges).
            unreachable!("no open shard owns hash {key_hash:#x}");
        };
        let sequence = match shard.last_sequence {
            Some(last) if last.timestamp_us >= now_us => SequenceInfo {
                epoch: 0,
                timestamp_us: last.timestamp_us,
                row_index: last.row_index + 1,
            },
            _ => SequenceInfo {
                epoch: 0,
                timestamp_us: now_us,
                row_index: 0,
            },
        };
        shard.last_sequence = Some(sequence);
        shard.records.push_back(LogRecord {
            action,
            sequence,
            payload: encode_stream_record(row, sequence),
        });
    }

    /// Up to `limit` records from `offset` of shard `id`.
    pub fn read(
        &mut self,
        id: &str,
        offset: u64,
        limit: usize,
        now_us: i64,
    ) -> Result<Page, ReadError> {
        self.trim(now_us);
        let shard = self
            .shards
            .iter()
            .find(|s| s.id == id)
            .ok_or(ReadError::Trimmed)?;
        if offset < shard.first_offset {
            return Err(ReadError::Trimmed);
        }
        if offset > shard.end_offset() {
            return Err(ReadError::BeyondEnd);
        }
        let start = (offset - shard.first_offset) as usize;
        let records: Vec<LogRecord> = shard
            .records
            .iter()
            .skip(start)
            .take(limit)
            .cloned()
            .collect();
        let next = offset + records.len() as u64;
        let more = next < shard.end_offset();
        let next_offset = if shard.closed_at_us.is_some() && next == shard.end_offset() {
            None
        } else {
            Some(next)
        };
        Ok(Page {
            records,
            next_offset,
            more,
        })
    }

    /// Closes the open shard `id` (or the oldest open shard) and opens two children that halve
    /// its hash range. Returns the children's ids.
    pub fn split(&mut self, id: Option<&str>, now_us: i64) -> Result<[String; 2], String> {
        let index = self
            .shards
            .iter()
            .position(|s| s.is_open() && id.is_none_or(|id| s.id == id))
            .ok_or_else(|| match id {
                Some(id) => format!("no open shard '{id}' in stream '{}'", self.stream_id),
                None => format!("stream '{}' has no open shard", self.stream_id),
            })?;
        let (lo, hi) = self.shards[index].hash_range;
        if lo == hi {
            return Err(format!(
                "shard '{}' is too narrow to split",
                self.shards[index].id
            ));
        }
        let mid = lo + (hi - lo) / 2;
        self.shards[index].closed_at_us = Some(now_us);
        let parent = self.shards[index].id.clone();
        let mut children = Vec::with_capacity(2);
        for range in [(lo, mid), (mid + 1, hi)] {
            let child_id = format!("{}-{}", self.stream_id, self.next_shard_number);
            self.next_shard_number += 1;
            children.push(child_id.clone());
            self.shards
                .push(Shard::new(child_id, Some(parent.clone()), range));
        }
        Ok([children[0].clone(), children[1].clone()])
    }
}
