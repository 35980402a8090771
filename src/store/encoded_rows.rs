//! A batch of rows with their canonical PlainBuffer encodings, made once.
//!
//! The engine needs every row's encoding for the range checksum ([`super::TableChecksum`]), and
//! the archive and S3 stores keep exactly those bytes in their segments (`u32 len` + PlainBuffer
//! per row, the segment body). Encoding once and handing both the same bytes halves the
//! encoding work of a backup. The two can never disagree: an [`EncodedRows`] is only built from
//! its rows, and its records are held behind a cheap [`Bytes`] handle so a store can keep them
//! for a blocking compression task (or a retry) without copying them.

use bytes::Bytes;

use crate::tablestore::{plainbuffer, Row};

/// Rows and their records: per row `u32 length` (little-endian) + PlainBuffer (header + row).
pub struct EncodedRows<'a> {
    rows: &'a [Row],
    records: Bytes,
}

impl<'a> EncodedRows<'a> {
    /// Encodes every row once, into one buffer. Each length is written after its row (the
    /// rows of a batch are alike, so the first row sizes the buffer, instead of a pass that
    /// measures every row before encoding it).
    pub fn new(rows: &'a [Row]) -> Self {
        let typical = rows.first().map_or(0, plainbuffer::encoded_len);
        let mut records = Vec::with_capacity((4 + typical + typical / 8) * rows.len());
        for row in rows {
            let at = records.len();
            records.extend_from_slice(&[0; 4]);
            plainbuffer::append_encoded_row(&mut records, row);
            let len = records.len() - at - 4;
            let prefix = u32::try_from(len).expect("a PlainBuffer row is shorter than 4 GiB");
            records[at..at + 4].copy_from_slice(&prefix.to_le_bytes());
        }
        EncodedRows {
            rows,
            records: records.into(),
        }
    }

    pub fn rows(&self) -> &'a [Row] {
        self.rows
    }

    /// The length-prefixed records of every row, in row order (a segment's body).
    pub fn records(&self) -> &Bytes {
        &self.records
    }

    /// Each row with its canonical encoding (without the length prefix).
    pub fn iter(&self) -> impl Iterator<Item = (&'a Row, &[u8])> + '_ {
        let mut at = 0;
        self.rows.iter().map(move |row| {
            let len = u32::from_le_bytes(self.records[at..at + 4].try_into().expect("4 bytes"));
            let start = at + 4;
            at = start + len as usize;
            (row, &self.records[start..at])
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::TableChecksum;
    use crate::tablestore::{Cell, PkValue, PrimaryKey, Value};

    fn rows() -> Vec<Row> {
        (0..20)
            .map(|i| {
                let key = PrimaryKey::new([
                    ("p", PkValue::String(format!("k{i}"))),
                    ("i", PkValue::Integer(i)),
                ]);
                let cells = (0..i % 4)
                    .map(|c| {
                        Cell::put_at(format!("c{c}"), Value::String("v".repeat(c as usize)), i)
                    })
                    .collect();
                Row::new(key, cells)
            })
            .collect()
    }

    #[test]
    fn each_record_is_the_rows_own_encoding_with_its_length_in_front() {
        let rows = rows();
        let encoded = EncodedRows::new(&rows);
        let mut expected = Vec::new();
        for row in &rows {
            let bytes = plainbuffer::encode_row(row);
            expected.extend_from_slice(&(bytes.len() as u32).to_le_bytes());
            expected.extend_from_slice(&bytes);
        }
        assert_eq!(encoded.records().as_ref(), expected.as_slice());
        let pairs: Vec<_> = encoded.iter().collect();
        assert_eq!(pairs.len(), rows.len());
        for ((row, record), original) in pairs.into_iter().zip(&rows) {
            assert_eq!(row, original);
            assert_eq!(record, plainbuffer::encode_row(original).as_slice());
        }
    }

    #[test]
    fn checksumming_the_records_equals_checksumming_the_rows() {
        let rows = rows();
        let (mut from_rows, mut from_records) =
            (TableChecksum::default(), TableChecksum::default());
        for row in &rows {
            from_rows.add(row);
        }
        for (row, record) in EncodedRows::new(&rows).iter() {
            from_records.add_encoded(record, row.cells.len() as u64);
        }
        assert_eq!(from_rows, from_records);
    }

    #[test]
    fn no_rows_is_no_records() {
        let encoded = EncodedRows::new(&[]);
        assert!(encoded.records().is_empty());
        assert_eq!(encoded.iter().count(), 0);
    }
}
