//! An order-independent checksum of a table's rows.
//!
//! Ranges are backed up in parallel and stores return rows in any order, so the checksum must not
//! depend on order: it is the sum (mod 2^128) of the first 16 bytes of SHA-256 over each row's
//! canonical PlainBuffer encoding, together with the row count, cell count and byte count. A
//! missing, extra or changed row changes it.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::tablestore::{plainbuffer, Row};

/// Serializable so the engine can store a range's running checksum with its checkpoint; the
/// sum is written as 32 hex digits (JSON numbers cannot hold 128 bits).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TableChecksum {
    pub rows: u64,
    pub cells: u64,
    pub bytes: u64,
    #[serde(with = "sum_hex")]
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
        self.sum = self.sum.wrapping_add(row_hash(encoded));
        self.rows += 1;
        self.cells += cells;
        self.bytes += encoded.len() as u64;
        encoded.len() as u64
    }

    /// The checksum a manifest entry states (`rows`, `cells`, `bytes` and its `v1:` digest),
    /// so it can be adjusted row by row: a point-in-time restore takes out the base rows it
    /// replaces ([`Self::remove`]) and adds their replacements, and the engine still checks
    /// every untouched base row against the base's own manifest. `None` for another digest form.
    pub fn stated(rows: u64, cells: u64, bytes: u64, digest: &str) -> Option<Self> {
        let hex = digest.strip_prefix("v1:").filter(|h| h.len() == 32)?;
        let sum = u128::from_str_radix(hex, 16).ok()?;
        Some(TableChecksum {
            rows,
            cells,
            bytes,
            sum,
        })
    }

    /// Takes out a row [`Self::add`]ed before (wrapping, like the sum: taking out a row that
    /// was never added leaves a checksum no real set of rows matches).
    pub fn remove(&mut self, row: &Row) {
        let encoded = plainbuffer::encode_row(row);
        self.sum = self.sum.wrapping_sub(row_hash(&encoded));
        self.rows = self.rows.wrapping_sub(1);
        self.cells = self.cells.wrapping_sub(row.cells.len() as u64);
        self.bytes = self.bytes.wrapping_sub(encoded.len() as u64);
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

/// What one row adds to the sum: the first 16 bytes of SHA-256 over its encoding.
fn row_hash(encoded: &[u8]) -> u128 {
    let digest = Sha256::digest(encoded);
    let mut head = [0u8; 16];
    head.copy_from_slice(&digest[..16]);
    u128::from_le_bytes(head)
}

mod sum_hex {
    use serde::{de::Error, Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(sum: &u128, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&format!("{sum:032x}"))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<u128, D::Error> {
        let text = String::deserialize(d)?;
        if text.len() != 32 {
            return Err(D::Error::custom("checksum sum must be 32 hex digits"));
        }
        u128::from_str_radix(&text, 16).map_err(D::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tablestore::{Cell, PkValue, PrimaryKey, Value};

    fn row(i: i64) -> Row {
        Row::new(
            PrimaryKey::new([("id", PkValue::Integer(i))]),
            vec![
                Cell::put_at("a", Value::String(format!("v{i}")), 1000 + i),
                Cell::put_at("a", Value::Integer(i), 999),
            ],
        )
    }

    fn checksum<'a>(rows: impl IntoIterator<Item = &'a Row>) -> TableChecksum {
        let mut sum = TableChecksum::default();
        for r in rows {
            sum.add(r);
        }
        sum
    }

    #[test]
    fn order_does_not_matter() {
        let rows: Vec<Row> = (0..50).map(row).collect();
        let forward = checksum(&rows);
        let backward = checksum(rows.iter().rev());
        let shuffled = checksum(rows.iter().step_by(2).chain(rows.iter().skip(1).step_by(2)));
        assert_eq!(forward, backward);
        assert_eq!(forward, shuffled);
        assert_eq!(forward.rows, 50);
        assert_eq!(forward.cells, 100);
    }

    #[test]
    fn merge_equals_the_checksum_of_the_whole() {
        let rows: Vec<Row> = (0..30).map(row).collect();
        let mut merged = TableChecksum::default();
        for part in rows.chunks(7) {
            merged.merge(&checksum(part));
        }
        assert_eq!(merged, checksum(&rows));
        assert_eq!(merged.digest(), checksum(&rows).digest());
    }

    #[test]
    fn add_returns_and_counts_the_encoded_size() {
        let r = row(1);
        let mut sum = TableChecksum::default();
        let size = sum.add(&r);
        assert_eq!(size, plainbuffer::encode_row(&r).len() as u64);
        assert_eq!(sum.bytes, size);
    }

    #[test]
    fn a_changed_missing_or_extra_row_changes_the_digest() {
        let rows: Vec<Row> = (0..10).map(row).collect();
        let base = checksum(&rows).digest();
        assert!(base.starts_with("v1:") && base.len() == 35, "{base}");

        let mut changed_cell = rows.clone();
        changed_cell[3].cells[0].value = Some(Value::String("other".into()));
        let mut changed_ts = rows.clone();
        changed_ts[3].cells[1].timestamp = Some(1);
        let mut changed_key = rows.clone();
        changed_key[3].primary_key = PrimaryKey::new([("id", PkValue::Integer(1000))]);
        let mut extra = rows.clone();
        extra.push(row(10));
        let mut duplicated = rows.clone();
        duplicated.push(rows[0].clone());
        for (what, variant) in [
            ("cell value", &changed_cell),
            ("timestamp", &changed_ts),
            ("key", &changed_key),
            ("missing row", &rows[1..].to_vec()),
            ("extra row", &extra),
            ("duplicated row", &duplicated),
        ] {
            assert_ne!(checksum(variant).digest(), base, "{what}");
        }
    }

    #[test]
    fn a_stated_checksum_minus_a_row_equals_the_checksum_without_it() {
        let rows: Vec<Row> = (0..10).map(row).collect();
        let whole = checksum(&rows);
        let mut stated =
            TableChecksum::stated(whole.rows, whole.cells, whole.bytes, &whole.digest()).unwrap();
        assert_eq!(stated, whole);
        stated.remove(&rows[4]);
        let without: Vec<Row> = rows.iter().filter(|r| *r != &rows[4]).cloned().collect();
        assert_eq!(stated, checksum(&without));
        stated.add(&rows[4]);
        assert_eq!(stated, whole);
        for bad in ["", "v2:00000000000000000000000000000000", "v1:xyz", "v1:00"] {
            assert!(TableChecksum::stated(1, 1, 1, bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn serializes_with_the_sum_as_hex_and_round_trips() {
        let mut checksum = TableChecksum::default();
        for i in 0..5 {
            let key = PrimaryKey::new([("id", PkValue::Integer(i))]);
            checksum.add(&Row::new(key, vec![Cell::put("v", Value::Integer(i))]));
        }
        let json = serde_json::to_string(&checksum).unwrap();
        assert!(json.contains(&format!("\"sum\":\"{}\"", &checksum.digest()[3..])));
        let back: TableChecksum = serde_json::from_str(&json).unwrap();
        assert_eq!(back, checksum);
        let bad = json.replace(&checksum.digest()[3..], "xyz");
        assert!(serde_json::from_str::<TableChecksum>(&bad).is_err());
    }
}
