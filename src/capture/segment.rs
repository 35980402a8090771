//! Change segments (`*.tvchg`): captured stream records of one table, compressed and
//! checksummed, together with the shard checkpoints that hold after them.
//!
//! Byte layout (integers little-endian):
//!
//! ```text
//! header   16 B  magic "TVCHG\r\n\x1a" | u16 version | u8 compression (1 = zstd) | u8 0 | u32 0
//! body      C B  one zstd frame; decompressed: JSON { "records": [...], "checkpoint": {...} }
//! trailer  48 B  u64 records | u64 C | SHA-256 of every byte before
//! ```
//!
//! The records and the checkpoint are one file written atomically: after a crash the newest
//! segment's checkpoint says exactly which records are stored, so capture resumes after them —
//! nothing lost, nothing twice. A flipped, missing or extra byte fails the SHA-256 or the
//! length check. In an archive store that encrypts, this whole file is sealed before it is
//! stored (`store/sealed.rs`).

use sha2::{Digest, Sha256};

use super::checkpoint::Checkpoint;
use super::CapturedRecord;

pub const MAGIC: &[u8; 8] = b"TVCHG\r\n\x1a";
pub const VERSION: u16 = 1;
const COMPRESSION_ZSTD: u8 = 1;
const HEADER_LEN: usize = 16;
const TRAILER_LEN: usize = 48;
const COMPRESSION_LEVEL: i32 = 1;

#[derive(Debug, thiserror::Error)]
pub enum ChangeSegmentError {
    #[error("corrupt change segment: {0}")]
    Corrupt(String),
    #[error("change segment I/O: {0}")]
    Io(#[from] std::io::Error),
    /// A sealed segment (archive store that encrypts, `capture/store/sealed.rs`) whose master
    /// key this store does not have.
    #[error("change segment {segment} is encrypted with key {key_id}; set encryption_key_file (or list that key under decryption_key_files)")]
    KeyMissing { segment: String, key_id: String },
}

fn corrupt(detail: impl Into<String>) -> ChangeSegmentError {
    ChangeSegmentError::Corrupt(detail.into())
}

#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ChangeSegment {
    /// Records in capture order (per shard in log order; shards in lineage order).
    pub records: Vec<CapturedRecord>,
    /// Every shard's position after these records.
    pub checkpoint: Checkpoint,
}

impl ChangeSegment {
    pub fn to_bytes(&self) -> Result<Vec<u8>, ChangeSegmentError> {
        let json = serde_json::to_vec(self).map_err(std::io::Error::other)?;
        let body = zstd::bulk::compress(&json, COMPRESSION_LEVEL)?;
        let mut out = Vec::with_capacity(HEADER_LEN + body.len() + TRAILER_LEN);
        out.extend_from_slice(MAGIC);
        out.extend_from_slice(&VERSION.to_le_bytes());
        out.extend_from_slice(&[COMPRESSION_ZSTD, 0]);
        out.extend_from_slice(&0u32.to_le_bytes());
        out.extend_from_slice(&body);
        out.extend_from_slice(&(self.records.len() as u64).to_le_bytes());
        out.extend_from_slice(&(body.len() as u64).to_le_bytes());
        let digest = Sha256::digest(&out);
        out.extend_from_slice(&digest);
        Ok(out)
    }

    pub fn parse(file: &[u8]) -> Result<Self, ChangeSegmentError> {
        if file.len() < HEADER_LEN + TRAILER_LEN {
            return Err(corrupt(format!("{} bytes is too short", file.len())));
        }
        let (covered, digest) = file.split_at(file.len() - 32);
        if Sha256::digest(covered).as_slice() != digest {
            return Err(corrupt("SHA-256 mismatch"));
        }
        if &file[..8] != MAGIC {
            return Err(corrupt("not a change segment (magic)"));
        }
        let version = u16::from_le_bytes([file[8], file[9]]);
        if version != VERSION || file[10] != COMPRESSION_ZSTD {
            return Err(corrupt(format!(
                "unsupported version {version} or compression {}",
                file[10]
            )));
        }
        let trailer = &file[file.len() - TRAILER_LEN..];
        let count = u64::from_le_bytes(trailer[..8].try_into().expect("8 bytes"));
        let body_len = u64::from_le_bytes(trailer[8..16].try_into().expect("8 bytes"));
        let body = &file[HEADER_LEN..file.len() - TRAILER_LEN];
        if body.len() as u64 != body_len {
            return Err(corrupt("body length does not match the trailer"));
        }
        let json = zstd::stream::decode_all(body)?;
        let segment: ChangeSegment = serde_json::from_slice(&json)
            .map_err(|e| corrupt(format!("body is not a change segment: {e}")))?;
        if segment.records.len() as u64 != count {
            return Err(corrupt("record count does not match the trailer"));
        }
        Ok(segment)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::capture::checkpoint::ShardPosition;
    use crate::tablestore::client::{RecordAction, StreamRecord};
    use crate::tablestore::plainbuffer::SequenceInfo;
    use crate::tablestore::{Cell, PkValue, PrimaryKey, Row, Value};

    fn segment() -> ChangeSegment {
        let record = |i: i64| CapturedRecord {
            shard_id: "s-0".into(),
            record: StreamRecord {
                action: RecordAction::Put,
                row: Row::new(
                    PrimaryKey::new([("k", PkValue::Integer(i))]),
                    vec![Cell::put_at("v", Value::Double(f64::NAN), 7)],
                ),
                sequence: SequenceInfo {
                    epoch: 0,
                    timestamp_us: 1_000 + i,
                    row_index: 0,
                },
            },
        };
        let mut checkpoint = Checkpoint::new("t_1");
        checkpoint.shards.insert(
            "s-0".into(),
            ShardPosition::Reading {
                iterator: "s-0@3".into(),
                last: None,
            },
        );
        ChangeSegment {
            records: (0..3).map(record).collect(),
            checkpoint,
        }
    }

    #[test]
    fn segments_round_trip_exactly() {
        let segment = segment();
        assert_eq!(
            ChangeSegment::parse(&segment.to_bytes().unwrap()).unwrap(),
            segment
        );
    }

    #[test]
    fn any_flipped_or_missing_byte_is_refused() {
        let bytes = segment().to_bytes().unwrap();
        for at in [
            0,
            9,
            HEADER_LEN + 1,
            bytes.len() - TRAILER_LEN,
            bytes.len() - 1,
        ] {
            let mut flipped = bytes.clone();
            flipped[at] ^= 0x40;
            assert!(ChangeSegment::parse(&flipped).is_err(), "flip at {at}");
        }
        assert!(ChangeSegment::parse(&bytes[..bytes.len() - 1]).is_err());
        assert!(ChangeSegment::parse(&bytes[..10]).is_err());
    }
}
