//! Turning a backed-up row into the writes that restore it.
//!
//! A row normally goes back as one PutRow carrying every version of every cell with its
//! original timestamp. A row whose encoding exceeds the 4 MB request limit (a few 2 MB cells)
//! cannot: it goes back as a PutRow of its first cells followed by UpdateRows that add the
//! rest, each within the limit. The parts must be applied in order (the put replaces the row).

use crate::tablestore::client::{encoded_write_size, RowExistence, RowWrite, MAX_BATCH_BYTES};
use crate::tablestore::{Cell, Row};

/// Headroom under the request limit for request framing the size estimate does not see.
const SAFETY_BYTES: usize = 64 * 1024;

/// The writes restoring one row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RowWrites {
    /// One put (the common case): can share a BatchWriteRow with other rows.
    Single(RowWrite),
    /// A put of the first cells, then updates adding the rest, to be sent one after another.
    Split(Vec<RowWrite>),
}

/// The writes for `row` into `table`; the put carries `condition`, follow-up updates none
/// (they only run after the put succeeded, so the row is ours).
pub fn row_writes(table: &str, row: Row, condition: RowExistence) -> RowWrites {
    let put = RowWrite::put(table, row).with_condition(condition);
    if encoded_write_size(&put) <= MAX_BATCH_BYTES {
        return RowWrites::Single(put);
    }
    let row = put.row;
    let key_only = Row::new(row.primary_key.clone(), Vec::new());
    let base = encoded_write_size(&RowWrite::put(table, key_only.clone()));
    let budget = MAX_BATCH_BYTES - SAFETY_BYTES;
    let mut parts: Vec<Vec<Cell>> = vec![Vec::new()];
    let mut size = base;
    for cell in row.cells {
        let cell_size = cell_encoded_size(table, &key_only, &cell, base);
        let current = parts.last().map_or(0, Vec::len);
        if current > 0 && size + cell_size > budget {
            parts.push(Vec::new());
            size = base;
        }
        size += cell_size;
        if let Some(part) = parts.last_mut() {
            part.push(cell);
        }
    }
    let writes = parts
        .into_iter()
        .enumerate()
        .map(|(i, cells)| {
            let part = Row::new(row.primary_key.clone(), cells);
            if i == 0 {
                RowWrite::put(table, part).with_condition(condition)
            } else {
                RowWrite::update(table, part)
            }
        })
        .collect();
    RowWrites::Split(writes)
}

/// What one cell adds to a write of the key alone.
fn cell_encoded_size(table: &str, key_only: &Row, cell: &Cell, base: usize) -> usize {
    let with_cell = Row::new(key_only.primary_key.clone(), vec![cell.clone()]);
    encoded_write_size(&RowWrite::put(table, with_cell)).saturating_sub(base)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tablestore::client::WriteKind;
    use crate::tablestore::{PkValue, PrimaryKey, Value};

    fn row(cells: Vec<Cell>) -> Row {
        Row::new(PrimaryKey::new([("id", PkValue::Integer(7))]), cells)
    }

    fn blob(name: &str, mb: usize, ts: i64) -> Cell {
        Cell::put_at(name, Value::Binary(vec![0xab; mb * 1024 * 1024]), ts)
    }

    #[test]
    fn a_small_row_is_one_conditional_put() {
        let r = row(vec![Cell::put_at("a", Value::Integer(1), 10)]);
        let RowWrites::Single(w) = row_writes("t", r.clone(), RowExistence::ExpectNotExist) else {
            panic!("expected a single write");
        };
        assert_eq!(w.row, r);
        assert_eq!(w.kind, WriteKind::Put);
        assert_eq!(w.condition, RowExistence::ExpectNotExist);
    }

    #[test]
    fn a_row_over_the_limit_becomes_put_then_updates_keeping_every_cell_in_order() {
        let cells = vec![
            blob("a", 2, 1),
            blob("a", 1, 2),
            blob("b", 2, 3),
            Cell::put_at("c", Value::Integer(5), 4),
            blob("d", 2, 5),
        ];
        let r = row(cells.clone());
        let RowWrites::Split(writes) = row_writes("t", r, RowExistence::ExpectNotExist) else {
            panic!("expected a split");
        };
        assert!(writes.len() >= 3, "{} parts", writes.len());
        assert_eq!(writes[0].kind, WriteKind::Put);
        assert_eq!(writes[0].condition, RowExistence::ExpectNotExist);
        for w in &writes[1..] {
            assert_eq!(w.kind, WriteKind::Update);
            assert_eq!(w.condition, RowExistence::Ignore);
        }
        for w in &writes {
            assert!(encoded_write_size(w) <= MAX_BATCH_BYTES);
            assert!(!w.row.cells.is_empty());
        }
        let rejoined: Vec<Cell> = writes.into_iter().flat_map(|w| w.row.cells).collect();
        assert_eq!(rejoined, cells);
    }
}
