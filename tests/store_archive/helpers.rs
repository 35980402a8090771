//! Shared test data: rows of every value type and key shape, manifests, and read-back helpers.

use std::sync::Arc;

use chrono::{TimeZone, Utc};
use futures::TryStreamExt;
use tablevault::store::{
    ArchiveStore, ArchiveStoreConfig, BackupReader, Manifest, SourceInfo, StoreError,
    TableChecksum, TableManifest, FORMAT_VERSION,
};
use tablevault::tablestore::{
    plainbuffer, Cell, PkSchema, PkType, PkValue, PrimaryKey, Row, TableDescription, Value,
};
use tempfile::TempDir;

pub async fn open_store() -> (TempDir, ArchiveStore) {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = ArchiveStore::open(ArchiveStoreConfig::new(dir.path().join("archive")))
        .await
        .expect("open archive store");
    (dir, store)
}

/// The PK schema of a test table with `pk_columns` (1–4) columns: integer, string, binary,
/// integer.
pub fn pk_schema(pk_columns: usize) -> Vec<PkSchema> {
    let types = [
        PkType::Integer,
        PkType::String,
        PkType::Binary,
        PkType::Integer,
    ];
    (0..pk_columns)
        .map(|i| PkSchema::new(format!("pk{i}"), types[i]))
        .collect()
}

pub fn key(pk_columns: usize, i: i64) -> PrimaryKey {
    let values = [
        PkValue::Integer(i),
        PkValue::String(format!("k-{i:08}-ключ")),
        PkValue::Binary(i.to_be_bytes().to_vec()),
        PkValue::Integer(-i),
    ];
    PrimaryKey::new((0..pk_columns).map(|c| (format!("pk{c}"), values[c].clone())))
}

/// Row `i`: every fifth row is PK-only; the others carry every value type (with awkward
/// doubles and empty strings/binaries) and a column with three versions.
pub fn row(pk_columns: usize, i: i64) -> Row {
    if i % 5 == 0 {
        return Row::new(key(pk_columns, i), Vec::new());
    }
    let ts = 1_700_000_000_000 + i;
    let doubles = [-0.0, f64::NAN, f64::MIN_POSITIVE / 2.0, 1.5e300, i as f64];
    let mut cells = vec![
        Cell::put_at("int", Value::Integer(i * 1_000_003 - 7), ts),
        Cell::put_at("dbl", Value::Double(doubles[(i % 5) as usize]), ts),
        Cell::put_at("flag", Value::Boolean(i % 2 == 0), ts),
        Cell::put_at("text", Value::String("ü€😀".repeat((i % 4) as usize)), ts),
        Cell::put_at(
            "blob",
            Value::Binary([0, 255, i as u8].repeat((i % 3) as usize)),
            ts,
        ),
    ];
    for version in 0..3 {
        cells.push(Cell::put_at(
            "hist",
            Value::Integer(version),
            ts - version * 1000,
        ));
    }
    Row::new(key(pk_columns, i), cells)
}

pub fn rows(pk_columns: usize, range: std::ops::Range<i64>) -> Vec<Row> {
    range.map(|i| row(pk_columns, i)).collect()
}

/// A manifest for `tables` (name, PK column count, every row of the table).
pub fn manifest(backup_id: &str, tables: &[(&str, usize, &[Row])]) -> Manifest {
    let tables = tables
        .iter()
        .map(|(name, pk_columns, rows)| {
            let mut sum = TableChecksum::default();
            rows.iter().for_each(|r| {
                sum.add(r);
            });
            TableManifest {
                description: TableDescription::new(*name, pk_schema(*pk_columns)),
                rows: sum.rows,
                cells: sum.cells,
                bytes: sum.bytes,
                checksum: sum.digest(),
            }
        })
        .collect();
    Manifest {
        format_version: FORMAT_VERSION,
        tablevault_version: "test".into(),
        backup_id: backup_id.into(),
        source: SourceInfo {
            name: "src".into(),
            endpoint: "http://127.0.0.1:1".into(),
            instance: "inst".into(),
        },
        started_at: Utc.with_ymd_and_hms(2024, 5, 1, 0, 0, 0).unwrap(),
        finished_at: Utc.with_ymd_and_hms(2024, 5, 1, 0, 5, 0).unwrap(),
        all_versions: true,
        tables,
    }
}

/// Every batch of a table, in stream order.
pub async fn read_batches(
    reader: &Arc<dyn BackupReader>,
    table: &str,
) -> Result<Vec<Vec<Row>>, StoreError> {
    reader.read_table(table).await?.try_collect().await
}

pub async fn read_all(reader: &Arc<dyn BackupReader>, table: &str) -> Vec<Row> {
    read_batches(reader, table)
        .await
        .expect("read table")
        .concat()
}

/// Rows compared as a multiset: sorted by their canonical encoding, then compared as rows.
pub fn assert_same_rows(actual: &[Row], expected: &[Row]) {
    let sorted = |rows: &[Row]| {
        let mut rows = rows.to_vec();
        rows.sort_by_cached_key(plainbuffer::encode_row);
        rows
    };
    assert_eq!(actual.len(), expected.len(), "row count");
    assert!(sorted(actual) == sorted(expected), "rows differ");
}

pub fn is_corrupt(result: &Result<impl std::fmt::Debug, StoreError>, file_part: &str) -> bool {
    matches!(result, Err(StoreError::Corrupt { detail, .. }) if detail.contains(file_part))
}
