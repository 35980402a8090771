//! ComputeSplitPointsBySize turned into ranges that cover the table exactly once, ready to be
//! scanned in parallel.

use super::error::{Result, TablestoreError};
use super::range::RangeRequest;
use super::rows::invalid_rows;
use super::Client;
use crate::tablestore::plainbuffer;
use crate::tablestore::proto;
use crate::tablestore::row::{PkColumn, PkValue, PrimaryKey};

/// A key range `[start, end)` of a table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScanRange {
    pub start: PrimaryKey,
    pub end: PrimaryKey,
}

impl ScanRange {
    /// A forward range read of this range, every version of every column.
    pub fn to_request(&self, table: impl Into<String>) -> RangeRequest {
        RangeRequest::new(table, self.start.clone(), self.end.clone())
    }
}

/// The split-size unit we ask for; the service's default unit is 100 MB, too coarse to tune.
const SPLIT_UNIT_BYTES: u64 = 1024 * 1024;

/// `(split_size, split_size_unit_in_byte)` for a wanted split size: whole MiB units, or the
/// exact size as one unit below a MiB (small tables, tests).
fn split_size_units(bytes: u64) -> (i64, i64) {
    let bytes = bytes.max(1);
    if bytes < SPLIT_UNIT_BYTES {
        return (1, bytes as i64);
    }
    let units = i64::try_from(bytes.div_ceil(SPLIT_UNIT_BYTES)).unwrap_or(i64::MAX);
    (units, SPLIT_UNIT_BYTES as i64)
}

/// `[-inf, p1) [p1, p2) … [pN, +inf)` from split points that may name fewer columns than
/// the key: missing trailing columns are `InfMin`, which puts the boundary before every row
/// sharing the given prefix.
pub fn ranges_from_split_points(
    pk_names: &[String],
    points: Vec<PrimaryKey>,
) -> Result<Vec<ScanRange>> {
    let mut bounds = vec![PrimaryKey::bound(pk_names.iter().cloned(), PkValue::InfMin)];
    for point in points {
        let given = point.0;
        if given.len() > pk_names.len() {
            return Err(TablestoreError::InvalidResponse {
                action: "ComputeSplitPointsBySize",
                reason: format!(
                    "split point has {} columns, key has {}",
                    given.len(),
                    pk_names.len()
                ),
                request_id: None,
            });
        }
        let mut columns: Vec<PkColumn> = pk_names
            .iter()
            .zip(given)
            .map(|(name, column)| PkColumn {
                name: name.clone(),
                value: column.value,
            })
            .collect();
        for name in &pk_names[columns.len()..] {
            columns.push(PkColumn {
                name: name.clone(),
                value: PkValue::InfMin,
            });
        }
        bounds.push(PrimaryKey(columns));
    }
    bounds.push(PrimaryKey::bound(pk_names.iter().cloned(), PkValue::InfMax));
    Ok(bounds
        .windows(2)
        .map(|pair| ScanRange {
            start: pair[0].clone(),
            end: pair[1].clone(),
        })
        .collect())
}

impl Client {
    /// Splits the table into ranges of about `split_size_bytes` each (at least one range).
    pub async fn compute_split_points(
        &self,
        table: &str,
        split_size_bytes: u64,
    ) -> Result<Vec<ScanRange>> {
        let (units, unit_bytes) = split_size_units(split_size_bytes);
        let request = proto::ComputeSplitPointsBySizeRequest {
            table_name: table.to_string(),
            split_size: units,
            split_size_unit_in_byte: Some(unit_bytes),
            split_point_limit: None,
        };
        let response: proto::ComputeSplitPointsBySizeResponse = self
            .call("ComputeSplitPointsBySize", &request, true)
            .await?;
        let names: Vec<String> = response.schema.iter().map(|c| c.name.clone()).collect();
        if names.is_empty() {
            return Err(TablestoreError::InvalidResponse {
                action: "ComputeSplitPointsBySize",
                reason: "response has no primary-key schema".into(),
                request_id: None,
            });
        }
        let points = response
            .split_points
            .iter()
            .map(|bytes| plainbuffer::decode_row(bytes).map(|row| row.primary_key))
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| invalid_rows("ComputeSplitPointsBySize", e))?;
        ranges_from_split_points(&names, points)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names() -> Vec<String> {
        vec!["a".into(), "b".into()]
    }

    #[test]
    fn split_sizes_use_mib_units_or_the_exact_small_size() {
        assert_eq!(split_size_units(0), (1, 1));
        assert_eq!(split_size_units(64 * 1024), (1, 64 * 1024));
        assert_eq!(
            split_size_units(SPLIT_UNIT_BYTES),
            (1, SPLIT_UNIT_BYTES as i64)
        );
        assert_eq!(
            split_size_units(256 * SPLIT_UNIT_BYTES + 1),
            (257, SPLIT_UNIT_BYTES as i64)
        );
    }

    #[test]
    fn no_split_points_is_one_range_over_everything() {
        let ranges = ranges_from_split_points(&names(), vec![]).unwrap();
        assert_eq!(ranges.len(), 1);
        assert_eq!(ranges[0].start, PrimaryKey::bound(names(), PkValue::InfMin));
        assert_eq!(ranges[0].end, PrimaryKey::bound(names(), PkValue::InfMax));
    }

    #[test]
    fn short_points_are_padded_with_inf_min_and_ranges_chain() {
        let p1 = PrimaryKey::new([("x", PkValue::Integer(10))]);
        let p2 = PrimaryKey::new([
            ("a", PkValue::Integer(20)),
            ("b", PkValue::String("k".into())),
        ]);
        let ranges = ranges_from_split_points(&names(), vec![p1, p2.clone()]).unwrap();
        assert_eq!(ranges.len(), 3);
        let padded = PrimaryKey::new([("a", PkValue::Integer(10)), ("b", PkValue::InfMin)]);
        assert_eq!(ranges[0].end, padded);
        assert_eq!(ranges[1].start, padded);
        assert_eq!(ranges[1].end, p2);
        assert_eq!(ranges[2].start, p2);
        assert_eq!(ranges[2].end, PrimaryKey::bound(names(), PkValue::InfMax));
    }

    #[test]
    fn a_point_longer_than_the_key_is_refused() {
        let p = PrimaryKey::new([
            ("a", PkValue::Integer(1)),
            ("b", PkValue::Integer(2)),
            ("c", PkValue::Integer(3)),
        ]);
        assert!(ranges_from_split_points(&names(), vec![p]).is_err());
    }
}
