//! Cells the target's TTL has already expired cannot be written back: the service refuses a
//! timestamp older than now − TTL (docs "Data versions and TTL": the valid version range is
//! [max(now − max_version_offset, now − TTL), now + max_version_offset)), and such a cell
//! would be invisible anyway. The restore drops them before writing and counts them; it never
//! fails for them.
//!
//! A row whose every cell expired is dropped whole: on the service such a row reads as absent,
//! and writing its key alone would make a visible PK-only row of it. A row backed up with no
//! cells (a PK-only row) is kept.

use crate::tablestore::Row;

/// Cells that expire within this much of the moment they are planned are dropped too: they
/// could expire before their request reaches the service, and would be gone moments later.
pub const EXPIRY_MARGIN_MS: i64 = 5 * 60 * 1000;

/// The oldest timestamp (ms) the target still accepts at `now_ms`, with the margin; `None`
/// when the table keeps data forever (`ttl_secs` -1).
pub fn oldest_writable_ms(ttl_secs: i32, now_ms: i64) -> Option<i64> {
    (ttl_secs >= 0).then(|| {
        now_ms
            .saturating_sub(i64::from(ttl_secs) * 1000)
            .saturating_add(EXPIRY_MARGIN_MS)
    })
}

/// What dropping expired cells removed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Expired {
    pub cells: u64,
    pub rows: u64,
}

/// `row` without its cells older than `oldest_ms`, or `None` when every cell of it expired.
pub fn drop_expired(mut row: Row, oldest_ms: Option<i64>, expired: &mut Expired) -> Option<Row> {
    let Some(oldest) = oldest_ms else {
        return Some(row);
    };
    let had_cells = !row.cells.is_empty();
    let before = row.cells.len();
    row.cells
        .retain(|c| c.timestamp.is_none_or(|ts| ts >= oldest));
    expired.cells += (before - row.cells.len()) as u64;
    if had_cells && row.cells.is_empty() {
        expired.rows += 1;
        return None;
    }
    Some(row)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tablestore::{Cell, PkValue, PrimaryKey, Value};

    fn row(timestamps: &[i64]) -> Row {
        Row::new(
            PrimaryKey::new([("id", PkValue::Integer(1))]),
            timestamps
                .iter()
                .map(|&ts| Cell::put_at("c", Value::Integer(ts), ts))
                .collect(),
        )
    }

    #[test]
    fn only_a_table_with_a_ttl_has_a_cut() {
        assert_eq!(oldest_writable_ms(-1, 1_000_000), None);
        assert_eq!(
            oldest_writable_ms(86_400, 100_000_000_000),
            Some(100_000_000_000 - 86_400_000 + EXPIRY_MARGIN_MS)
        );
    }

    #[test]
    fn expired_cells_go_and_an_all_expired_row_goes_whole() {
        let mut expired = Expired::default();
        let kept = drop_expired(row(&[5, 10, 20]), Some(10), &mut expired).unwrap();
        assert_eq!(kept.cells.len(), 2);
        assert_eq!(drop_expired(row(&[1, 2]), Some(10), &mut expired), None);
        let pk_only = drop_expired(row(&[]), Some(10), &mut expired).unwrap();
        assert!(pk_only.cells.is_empty());
        assert_eq!(drop_expired(row(&[1]), None, &mut expired), Some(row(&[1])));
        assert_eq!(expired, Expired { cells: 3, rows: 1 });
    }
}
