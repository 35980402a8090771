//! A stored row packed into one allocation, the form rows rest in while the table holds them.
//!
//! The working form, [`StoredRow`], costs a `String` per column name, a `Vec` per column and a
//! `String` per value: ten or more allocations (and their allocator overhead) for a three-cell
//! row, about 2 KB a row once fragmentation is counted, which kept 10M-row benchmarks off a
//! 24 GiB machine. Packed, a row is one boxed byte string and costs its content plus a few bytes
//! per cell. Writes unpack the row they change and pack it again; reads unpack the rows they
//! return, which they copied cell by cell before anyway.
//!
//! Layout, little-endian: column count (u32); per column: name length (u16), name, version
//! count (u32); per version: timestamp (i64), value tag (u8), value (8 bytes for integers and
//! doubles, 1 for booleans, u32 length and the bytes for strings and binaries).

use crate::tablestore::row::Value;

use super::tables::{StoredColumn, StoredRow, Version};

const INTEGER: u8 = 0;
const DOUBLE: u8 = 1;
const BOOLEAN: u8 = 2;
const STRING: u8 = 3;
const BINARY: u8 = 4;

/// A [`StoredRow`] in its packed form.
#[derive(Debug, Clone, PartialEq)]
pub struct PackedRow(Box<[u8]>);

impl PackedRow {
    pub fn pack(row: &StoredRow) -> PackedRow {
        let mut out = Vec::with_capacity(packed_len(row));
        put_u32(&mut out, row.columns.len());
        for column in &row.columns {
            // Column names are at most 255 bytes (checked on every write).
            let name_len = u16::try_from(column.name.len()).expect("column name under 64 KiB");
            out.extend_from_slice(&name_len.to_le_bytes());
            out.extend_from_slice(column.name.as_bytes());
            put_u32(&mut out, column.versions.len());
            for version in &column.versions {
                out.extend_from_slice(&version.timestamp.to_le_bytes());
                match &version.value {
                    Value::Integer(i) => {
                        out.push(INTEGER);
                        out.extend_from_slice(&i.to_le_bytes());
                    }
                    Value::Double(d) => {
                        out.push(DOUBLE);
                        out.extend_from_slice(&d.to_bits().to_le_bytes());
                    }
                    Value::Boolean(b) => out.extend_from_slice(&[BOOLEAN, u8::from(*b)]),
                    Value::String(s) => {
                        out.push(STRING);
                        put_u32(&mut out, s.len());
                        out.extend_from_slice(s.as_bytes());
                    }
                    Value::Binary(b) => {
                        out.push(BINARY);
                        put_u32(&mut out, b.len());
                        out.extend_from_slice(b);
                    }
                }
            }
        }
        debug_assert_eq!(out.len(), packed_len(row));
        PackedRow(out.into_boxed_slice())
    }

    /// The working form again. Only bytes written by [`PackedRow::pack`] are ever unpacked, so
    /// a malformed row is a bug in this file and panics.
    pub fn unpack(&self) -> StoredRow {
        let mut input = Cursor(&self.0);
        let columns = (0..input.u32())
            .map(|_| {
                let name_len = usize::from(u16::from_le_bytes(input.array()));
                let name = String::from_utf8(input.take(name_len).to_vec()).expect("UTF-8 name");
                let versions = (0..input.u32())
                    .map(|_| {
                        let timestamp = i64::from_le_bytes(input.array());
                        let value = match input.array::<1>()[0] {
                            INTEGER => Value::Integer(i64::from_le_bytes(input.array())),
                            DOUBLE => {
                                Value::Double(f64::from_bits(u64::from_le_bytes(input.array())))
                            }
                            BOOLEAN => Value::Boolean(input.array::<1>()[0] != 0),
                            STRING => {
                                let len = input.u32() as usize;
                                Value::String(
                                    String::from_utf8(input.take(len).to_vec())
                                        .expect("UTF-8 value"),
                                )
                            }
                            BINARY => {
                                let len = input.u32() as usize;
                                Value::Binary(input.take(len).to_vec())
                            }
                            tag => unreachable!("packed value tag {tag}"),
                        };
                        Version { timestamp, value }
                    })
                    .collect();
                StoredColumn { name, versions }
            })
            .collect();
        StoredRow { columns }
    }
}

fn packed_len(row: &StoredRow) -> usize {
    4 + row
        .columns
        .iter()
        .map(|c| {
            2 + c.name.len()
                + 4
                + c.versions
                    .iter()
                    .map(|v| {
                        9 + match &v.value {
                            Value::Integer(_) | Value::Double(_) => 8,
                            Value::Boolean(_) => 1,
                            Value::String(s) => 4 + s.len(),
                            Value::Binary(b) => 4 + b.len(),
                        }
                    })
                    .sum::<usize>()
        })
        .sum::<usize>()
}

fn put_u32(out: &mut Vec<u8>, n: usize) {
    // Values are at most 2 MB and a row has at most a few thousand cells.
    let n = u32::try_from(n).expect("length under 4 GiB");
    out.extend_from_slice(&n.to_le_bytes());
}

struct Cursor<'a>(&'a [u8]);

impl<'a> Cursor<'a> {
    fn take(&mut self, n: usize) -> &'a [u8] {
        let (head, rest) = self.0.split_at(n);
        self.0 = rest;
        head
    }

    fn array<const N: usize>(&mut self) -> [u8; N] {
        self.take(N).try_into().expect("N bytes")
    }

    fn u32(&mut self) -> u32 {
        u32::from_le_bytes(self.array())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_value_kind_and_version_survives_packing() {
        let mut row = StoredRow::default();
        row.put("i", 3, Value::Integer(-7), 5);
        row.put("i", 9, Value::Integer(i64::MAX), 5);
        row.put(
            "d",
            1,
            Value::Double(f64::from_bits(0x7ff8_0000_0000_0001)),
            5,
        );
        row.put("b", 2, Value::Boolean(true), 5);
        row.put("s", 4, Value::String("héllo".into()), 5);
        row.put("x", i64::MIN, Value::Binary(vec![0, 255, 1]), 5);
        row.put("e", 5, Value::String(String::new()), 5);
        let packed = PackedRow::pack(&row);
        let back = packed.unpack();
        // NaN != NaN, so compare the double's bits and the rest as a whole.
        let bits = |r: &StoredRow| match &r.column("d").unwrap().versions[0].value {
            Value::Double(d) => d.to_bits(),
            other => panic!("{other:?}"),
        };
        assert_eq!(bits(&back), 0x7ff8_0000_0000_0001);
        let without_nan = |mut r: StoredRow| {
            r.delete_column("d");
            r
        };
        assert_eq!(without_nan(back), without_nan(row.clone()));
        assert_eq!(packed.0.len(), packed_len(&row));
    }

    #[test]
    fn a_key_only_row_packs_to_its_column_count() {
        let packed = PackedRow::pack(&StoredRow::default());
        assert_eq!(packed.0.len(), 4);
        assert!(packed.unpack().columns.is_empty());
    }

    #[test]
    fn a_row_packs_to_its_content_plus_framing() {
        let mut row = StoredRow::default();
        row.put("payload", 1, Value::String("0".repeat(70)), 1);
        row.put("n", 1, Value::Integer(1), 1);
        row.put("f", 1, Value::Double(0.5), 1);
        // Count, then per column: name length, name, version count, timestamp, tag, value.
        let expected = 4 + (2 + 7 + 4 + 8 + 1 + 4 + 70) + 2 * (2 + 1 + 4 + 8 + 1 + 8);
        assert_eq!(PackedRow::pack(&row).0.len(), expected);
    }
}
