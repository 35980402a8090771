//! An order-independent checksum of a table's rows.
//!
//! Ranges are backed up in parallel and stores return rows in any order, so the checksum must not
//! depend on order: it is the sum (mod 2^128) of the first 16 bytes of SHA-256 over each row's
//! canonical PlainBuffer encoding, together with the row count, cell count and byte count. A
//! missing, extra or changed row changes it.

use sha2::{Digest, Sha256};

use crate::tablestore::{plainbuffer, Row};

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TableChecksum {
    pub rows: u64,
    pub cells: u64,
    pub bytes: u64,
    sum: u128,
}

impl TableChecksum {
    /// Adds one row; returns its encoded size.
    pub fn add(&mut self, row: &Row) -> u64 {
        let encoded = plainbuffer::encode_row(row);
        self.add_encoded(&encoded, row.cells.len() as u64)
    }

    /// Adds a row given its canonical encoding (when the caller already has it).
    pub fn add_encoded(&mut self, encoded: &[u8], cells: u64) -> u64 {
        let digest = Sha256::digest(encoded);
        let mut head = [0u8; 16];
        head.copy_from_slice(&digest[..16]);
        self.sum = self.sum.wrapping_add(u128::from_le_bytes(head));
        self.rows += 1;
        self.cells += cells;
        self.bytes += encoded.len() as u64;
        encoded.len() as u64
    }

    /// Combines checksums of disjoint parts (ranges) of one table.
    pub fn merge(&mut self, other: &TableChecksum) {
        self.sum = self.sum.wrapping_add(other.sum);
        self.rows += other.rows;
        self.cells += other.cells;
        self.bytes += other.bytes;
    }

    /// The text form stored in manifests: `v1:<32 hex digits>`.
    pub fn digest(&self) -> String {
        format!("v1:{:032x}", self.sum)
    }
}
