//! What a read returns from a stored row: `columns_to_get`, `max_versions`, `time_range`,
//! `start_column`/`end_column`, the table's TTL and max versions. Shared by GetRow and GetRange.

use crate::tablestore::proto;
use crate::tablestore::row::{Cell, Row};
use crate::tablestore::table::PkSchema;

use super::error::ServiceError;
use super::keys::SortKey;
use super::limits::check_columns_to_get;
use super::tables::{value_size, StoredRow};

/// The read parameters of a GetRow or GetRange request, validated.
#[derive(Debug, Clone, PartialEq)]
pub struct ReadQuery {
    columns_to_get: Vec<String>,
    max_versions: Option<usize>,
    /// Half-open `[start, end)` in milliseconds.
    time_range: Option<(i64, i64)>,
    start_column: Option<String>,
    end_column: Option<String>,
}

/// Table settings that hide stored data from reads.
#[derive(Debug, Clone, Copy)]
pub struct Visibility {
    /// Versions older than this (ms) have outlived the TTL.
    pub expired_before: i64,
    /// The table's current max versions (it may have been lowered since the write).
    pub max_versions: usize,
}

impl Visibility {
    pub fn new(time_to_live_secs: i32, max_versions: i32, now_ms: i64) -> Self {
        let expired_before = if time_to_live_secs < 0 {
            i64::MIN
        } else {
            now_ms - i64::from(time_to_live_secs) * 1000
        };
        Visibility {
            expired_before,
            max_versions: usize::try_from(max_versions).unwrap_or(1).max(1),
        }
    }
}

impl ReadQuery {
    pub fn new(
        columns_to_get: &[String],
        time_range: Option<&proto::TimeRange>,
        max_versions: Option<i32>,
        start_column: Option<&str>,
        end_column: Option<&str>,
        filter: Option<&[u8]>,
    ) -> Result<Self, ServiceError> {
        if filter.is_some_and(|f| !f.is_empty()) {
            return Err(ServiceError::invalid(
                "Filters are not supported by the TableVault emulator.",
            ));
        }
        check_columns_to_get(columns_to_get)?;
        if max_versions.is_none() && time_range.is_none() {
            return Err(ServiceError::invalid(
                "Neither max_versions nor time_range is set.",
            ));
        }
        let max_versions = match max_versions {
            Some(v) if v <= 0 => {
                return Err(ServiceError::invalid(
                    "The max_versions must be greater than 0.",
                ))
            }
            Some(v) => Some(v as usize),
            None => None,
        };
        let time_range = match time_range {
            None => None,
            Some(proto::TimeRange {
                specific_time: Some(t),
                ..
            }) => Some((*t, t.saturating_add(1))),
            Some(r) => {
                let (start, end) = (r.start_time.unwrap_or(0), r.end_time.unwrap_or(i64::MAX));
                if start < 0 || start >= end {
                    return Err(ServiceError::invalid(
                        "The start_time of time_range must be less than its end_time.",
                    ));
                }
                Some((start, end))
            }
        };
        let mut columns_to_get = columns_to_get.to_vec();
        columns_to_get.sort();
        columns_to_get.dedup();
        Ok(ReadQuery {
            columns_to_get,
            max_versions,
            time_range,
            start_column: start_column.map(str::to_string),
            end_column: end_column.map(str::to_string),
        })
    }

    fn wants_column(&self, name: &str) -> bool {
        (self.columns_to_get.is_empty()
            || self
                .columns_to_get
                .binary_search_by(|c| c.as_str().cmp(name))
                .is_ok())
            && self.start_column.as_deref().is_none_or(|s| name >= s)
            && self.end_column.as_deref().is_none_or(|e| name < e)
    }

    fn in_time_range(&self, ts: i64) -> bool {
        self.time_range.is_none_or(|(s, e)| ts >= s && ts < e)
    }

    /// The row a read returns, with its approximate size in bytes, or `None` when the read
    /// sees nothing of it (absent, expired, or none of the requested columns).
    pub fn project(
        &self,
        key: &SortKey,
        stored: &StoredRow,
        schema: &[PkSchema],
        visibility: Visibility,
    ) -> Option<(Row, usize)> {
        if !stored.is_visible(visibility.expired_before) {
            return None;
        }
        let mut cells = Vec::new();
        let mut size = key.size(schema);
        for column in stored.columns.iter().filter(|c| self.wants_column(&c.name)) {
            let versions = column
                .versions
                .iter()
                .take(visibility.max_versions)
                .filter(|v| {
                    v.timestamp >= visibility.expired_before && self.in_time_range(v.timestamp)
                })
                .take(self.max_versions.unwrap_or(usize::MAX));
            for version in versions {
                size += column.name.len() + value_size(&version.value) + 8;
                cells.push(Cell {
                    name: column.name.clone(),
                    value: Some(version.value.clone()),
                    timestamp: Some(version.timestamp),
                    op: None,
                });
            }
        }
        if cells.is_empty() && !self.returns_bare_key(stored, schema) {
            return None;
        }
        Some((Row::new(key.to_primary_key(schema), cells), size))
    }

    /// Whether a row without matching cells is still returned as its bare key: when a key
    /// column was asked for explicitly, or everything was asked for and the row has no cells.
    fn returns_bare_key(&self, stored: &StoredRow, schema: &[PkSchema]) -> bool {
        if self.columns_to_get.is_empty() {
            stored.columns.is_empty()
        } else {
            schema
                .iter()
                .any(|c| self.columns_to_get.binary_search(&c.name).is_ok())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tablestore::row::Value;
    use crate::tablestore::table::PkType;

    use super::super::keys::KeyPart;

    fn fixture() -> (SortKey, StoredRow, Vec<PkSchema>) {
        let mut row = StoredRow::default();
        for ts in [100, 200, 300] {
            row.put("a", ts, Value::Integer(ts), 10);
        }
        row.put("b", 150, Value::String("x".into()), 10);
        (
            SortKey(vec![KeyPart::Integer(1)]),
            row,
            vec![PkSchema::new("k", PkType::Integer)],
        )
    }

    fn timestamps(row: &Row) -> Vec<(String, i64)> {
        row.cells
            .iter()
            .map(|c| (c.name.clone(), c.timestamp.unwrap()))
            .collect()
    }

    const ALL: Visibility = Visibility {
        expired_before: i64::MIN,
        max_versions: 10,
    };

    #[test]
    fn max_versions_keeps_the_newest() {
        let (k, r, s) = fixture();
        let q = ReadQuery::new(&[], None, Some(2), None, None, None).unwrap();
        let (row, _) = q.project(&k, &r, &s, ALL).unwrap();
        assert_eq!(
            timestamps(&row),
            [("a".into(), 300), ("a".into(), 200), ("b".into(), 150)]
        );
    }

    #[test]
    fn time_range_and_specific_time() {
        let (k, r, s) = fixture();
        let range = proto::TimeRange {
            start_time: Some(150),
            end_time: Some(300),
            specific_time: None,
        };
        let q = ReadQuery::new(&[], Some(&range), None, None, None, None).unwrap();
        let (row, _) = q.project(&k, &r, &s, ALL).unwrap();
        assert_eq!(timestamps(&row), [("a".into(), 200), ("b".into(), 150)]);
        let exact = proto::TimeRange {
            start_time: None,
            end_time: None,
            specific_time: Some(100),
        };
        let q = ReadQuery::new(&[], Some(&exact), None, None, None, None).unwrap();
        let (row, _) = q.project(&k, &r, &s, ALL).unwrap();
        assert_eq!(timestamps(&row), [("a".into(), 100)]);
    }

    #[test]
    fn columns_to_get_and_bare_keys() {
        let (k, r, s) = fixture();
        let q = ReadQuery::new(&["b".into()], None, Some(1), None, None, None).unwrap();
        assert_eq!(q.project(&k, &r, &s, ALL).unwrap().0.cells.len(), 1);
        let q = ReadQuery::new(&["zzz".into()], None, Some(1), None, None, None).unwrap();
        assert!(q.project(&k, &r, &s, ALL).is_none());
        let q = ReadQuery::new(&["k".into()], None, Some(1), None, None, None).unwrap();
        let (row, _) = q.project(&k, &r, &s, ALL).unwrap();
        assert!(row.cells.is_empty());
        let q = ReadQuery::new(&[], None, Some(1), None, None, None).unwrap();
        assert!(q.project(&k, &StoredRow::default(), &s, ALL).is_some());
    }

    #[test]
    fn ttl_and_lowered_max_versions_hide_versions() {
        let (k, r, s) = fixture();
        let q = ReadQuery::new(&[], None, Some(10), None, None, None).unwrap();
        let vis = Visibility {
            expired_before: 160,
            max_versions: 2,
        };
        let (row, _) = q.project(&k, &r, &s, vis).unwrap();
        assert_eq!(timestamps(&row), [("a".into(), 300), ("a".into(), 200)]);
        let gone = Visibility {
            expired_before: 1000,
            max_versions: 10,
        };
        assert!(q.project(&k, &r, &s, gone).is_none());
    }

    #[test]
    fn requires_versions_or_time_range() {
        assert!(ReadQuery::new(&[], None, None, None, None, None).is_err());
        let filter = Some(&[1u8][..]);
        assert!(ReadQuery::new(&[], None, Some(1), None, None, filter).is_err());
        assert!(ReadQuery::new(&[], None, Some(1), None, None, Some(&[][..])).is_ok());
        assert!(ReadQuery::new(&[], None, Some(0), None, None, None).is_err());
        let backwards = proto::TimeRange {
            start_time: Some(5),
            end_time: Some(5),
            specific_time: None,
        };
        assert!(ReadQuery::new(&[], Some(&backwards), None, None, None, None).is_err());
    }
}
