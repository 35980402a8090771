//! Measuring a table's rows: the [`TableChecksum`] the manifest records, plus the oldest and
//! newest cell timestamps (what a restore needs to know about the table's allowed timestamp
//! deviation). Used on stored data (verify, restore) and on live tables (verify against source).

use futures::{Stream, StreamExt};

use super::{EngineError, RunControls};
use crate::store::{BackupReader, TableChecksum};
use crate::tablestore::Row;

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TableMeasure {
    pub checksum: TableChecksum,
    /// Smallest and largest cell timestamp (milliseconds), `None` when no cell has one.
    pub oldest_timestamp: Option<i64>,
    pub newest_timestamp: Option<i64>,
}

impl TableMeasure {
    pub fn add_rows(&mut self, rows: &[Row]) {
        for row in rows {
            self.checksum.add(row);
            for ts in row.cells.iter().filter_map(|c| c.timestamp) {
                self.oldest_timestamp = Some(self.oldest_timestamp.map_or(ts, |o| o.min(ts)));
                self.newest_timestamp = Some(self.newest_timestamp.map_or(ts, |n| n.max(ts)));
            }
        }
    }

    /// The largest distance (seconds, rounded up) between a cell timestamp and `now_ms`.
    pub fn max_timestamp_distance_secs(&self, now_ms: i64) -> i64 {
        let distance = |ts: Option<i64>| ts.map_or(0, |ts| (now_ms - ts).saturating_abs());
        let ms = distance(self.oldest_timestamp).max(distance(self.newest_timestamp));
        ms.saturating_add(999) / 1000
    }

    /// Compares with the manifest's counts and checksum; names what differs.
    pub fn differences(&self, manifest: &crate::store::TableManifest) -> Vec<String> {
        let mut problems = Vec::new();
        let c = &self.checksum;
        for (what, expected, found) in [
            ("rows", manifest.rows, c.rows),
            ("cells", manifest.cells, c.cells),
            ("bytes", manifest.bytes, c.bytes),
        ] {
            if expected != found {
                problems.push(format!("{what}: manifest {expected}, found {found}"));
            }
        }
        if c.digest() != manifest.checksum {
            problems.push(format!(
                "checksum: manifest {}, found {}",
                manifest.checksum,
                c.digest()
            ));
        }
        problems
    }
}

/// Reads every stored row of `table` and measures it.
pub async fn measure_stored(
    reader: &dyn BackupReader,
    table: &str,
    ctx: &RunControls,
) -> Result<TableMeasure, EngineError> {
    let context = format!(
        "reading table {table} from backup {}",
        reader.manifest().backup_id
    );
    let batches = reader
        .read_table(table)
        .await
        .map_err(|e| EngineError::store(context.clone(), e))?;
    let batches = batches.map(move |b| b.map_err(|e| EngineError::store(context.clone(), e)));
    measure_stream(batches, ctx).await
}

/// Measures a stream of row batches until it ends, fails or the run is cancelled.
pub async fn measure_stream(
    batches: impl Stream<Item = Result<Vec<Row>, EngineError>>,
    ctx: &RunControls,
) -> Result<TableMeasure, EngineError> {
    let work = async {
        let mut measure = TableMeasure::default();
        let mut batches = std::pin::pin!(batches);
        while let Some(batch) = batches.next().await {
            measure.add_rows(&batch?);
        }
        Ok(measure)
    };
    ctx.cancellable(work).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tablestore::{Cell, PkValue, PrimaryKey, Value};

    #[test]
    fn timestamps_and_distance() {
        let row = Row::new(
            PrimaryKey::new([("id", PkValue::Integer(1))]),
            vec![
                Cell::put_at("a", Value::Integer(1), 5_000),
                Cell::put_at("a", Value::Integer(2), 1_000),
            ],
        );
        let mut m = TableMeasure::default();
        m.add_rows(&[row]);
        assert_eq!(
            (m.oldest_timestamp, m.newest_timestamp),
            (Some(1_000), Some(5_000))
        );
        assert_eq!(m.max_timestamp_distance_secs(10_500), 10);
        assert_eq!(m.max_timestamp_distance_secs(0), 5);
        assert_eq!(m.checksum.cells, 2);
        assert_eq!(TableMeasure::default().max_timestamp_distance_secs(123), 0);
    }
}
