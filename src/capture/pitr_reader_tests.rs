//! The streaming reader gives exactly what the whole-table replay ([`replay_until`], what the
//! reader did in memory before) gives: rows only in the changes, removed base rows, changed
//! rows between untouched ones, records after the instant — and a manifest entry that is the
//! checksum of those rows, while an untouched base row that differs from the base's manifest
//! still fails the engine's check.

use std::sync::atomic::{AtomicUsize, Ordering};

use proptest::prelude::*;

use super::*;
use crate::capture::replay::replay_until;
use crate::store::{SourceInfo, TableManifest, FORMAT_VERSION};
use crate::tablestore::client::RecordAction;
use crate::tablestore::plainbuffer::SequenceInfo;
use crate::tablestore::{Cell, PkSchema, PkType, PkValue, TableDescription, Value};

const MAX_VERSIONS: i32 = 2;
const UNTIL_US: i64 = 1_000;

fn key(id: i64) -> PrimaryKey {
    PrimaryKey::new([("id", PkValue::Integer(id))])
}

/// A base row as a scan returns it: columns by name, newest version first.
fn base_row(id: i64) -> Row {
    Row::new(
        key(id),
        vec![
            Cell::put_at("a", Value::Integer(id), 20),
            Cell::put_at("a", Value::Integer(-id), 10),
            Cell::put_at("b", Value::String(format!("b{id}")), 10),
        ],
    )
}

fn record(action: RecordAction, id: i64, cells: Vec<Cell>, at_us: i64) -> StreamRecord {
    StreamRecord {
        action,
        row: Row::new(key(id), cells),
        sequence: SequenceInfo {
            epoch: 1,
            timestamp_us: at_us,
            row_index: 0,
        },
    }
}

fn put(id: i64, at_us: i64) -> StreamRecord {
    let cells = vec![Cell::put_at("a", Value::String(format!("new{id}")), 30)];
    record(RecordAction::Put, id, cells, at_us)
}

fn delete(id: i64, at_us: i64) -> StreamRecord {
    record(RecordAction::Delete, id, Vec::new(), at_us)
}

fn update(id: i64, cells: Vec<Cell>, at_us: i64) -> StreamRecord {
    record(RecordAction::Update, id, cells, at_us)
}

/// Base rows 10, 20, …, 100; changes before and after the instant of every kind.
fn records() -> Vec<StreamRecord> {
    vec![
        put(5, 100),     // only in the changes, before every base row
        put(55, 110),    // only in the changes, between base rows
        put(200, 120),   // only in the changes, after every base row
        delete(30, 130), // a removed base row
        // a third version of a (max 2: the oldest goes), b's only version deleted
        update(
            50,
            vec![
                Cell::put_at("a", Value::Integer(0), 40),
                Cell::delete_one("b", 10),
            ],
            140,
        ),
        put(70, 150), // replaces the whole row
        put(56, 160), // only in the changes, then removed again
        delete(56, 170),
        update(80, vec![Cell::delete_all("a")], 180),
        delete(100, 190), // removed, then written again
        put(100, 200),
        delete(90, UNTIL_US + 1), // after the instant: row 90 stays
        put(300, UNTIL_US + 1),   // after the instant: no row 300
    ]
}

fn checksum<'a>(rows: impl IntoIterator<Item = &'a Row>) -> TableChecksum {
    let mut sum = TableChecksum::default();
    for row in rows {
        sum.add(row);
    }
    sum
}

/// A base backup of table `t` whose manifest describes `described` and which serves `served`
/// in batches of three, counting how often it is read.
struct Base {
    manifest: Manifest,
    served: Vec<Row>,
    reads: AtomicUsize,
}

impl Base {
    fn new(described: &[Row], served: Vec<Row>) -> Arc<Self> {
        let sum = checksum(described);
        let now = chrono::Utc::now();
        let mut description =
            TableDescription::new("t", vec![PkSchema::new("id", PkType::Integer)]);
        description.options.max_versions = MAX_VERSIONS;
        let manifest = Manifest {
            format_version: FORMAT_VERSION,
            tablevault_version: "test".into(),
            backup_id: "b1".into(),
            source: SourceInfo {
                name: "s".into(),
                endpoint: "http://h".into(),
                instance: "i".into(),
            },
            started_at: now,
            finished_at: now,
            all_versions: true,
            tables: vec![TableManifest {
                description,
                rows: sum.rows,
                cells: sum.cells,
                bytes: sum.bytes,
                checksum: sum.digest(),
            }],
        };
        Arc::new(Base {
            manifest,
            served,
            reads: AtomicUsize::new(0),
        })
    }
}

#[async_trait]
impl BackupReader for Base {
    fn manifest(&self) -> &Manifest {
        &self.manifest
    }

    async fn read_table(&self, _table: &str) -> Result<RowBatches, StoreError> {
        self.reads.fetch_add(1, Ordering::SeqCst);
        let batches: Vec<Batch> = self.served.chunks(3).map(|c| Ok(c.to_vec())).collect();
        Ok(stream::iter(batches).boxed())
    }
}

/// The reader at [`UNTIL_US`] over `base` with `records`: its manifest entry and its rows.
async fn read_at(base: Arc<Base>, records: Vec<StreamRecord>) -> (TableManifest, Vec<Row>) {
    read_until(base, records, UNTIL_US).await
}

async fn read_until(
    base: Arc<Base>,
    records: Vec<StreamRecord>,
    until_us: i64,
) -> (TableManifest, Vec<Row>) {
    let reader =
        PointInTimeReader::replaying(base, BTreeMap::from([("t".to_string(), records)]), until_us)
            .await
            .unwrap();
    let entry = reader.manifest().table("t").unwrap().clone();
    let batches: Vec<Vec<Row>> = reader
        .read_table("t")
        .await
        .unwrap()
        .try_collect()
        .await
        .unwrap();
    (entry, batches.into_iter().flatten().collect())
}

fn assert_entry_describes(entry: &TableManifest, rows: &[Row]) {
    let sum = checksum(rows);
    assert_eq!(
        (entry.rows, entry.cells, entry.bytes),
        (sum.rows, sum.cells, sum.bytes)
    );
    assert_eq!(entry.checksum, sum.digest());
}

#[tokio::test]
async fn streams_the_rows_the_whole_table_replay_gives_in_key_order() {
    let base_rows: Vec<Row> = (1..=10).map(|i| base_row(i * 10)).collect();
    let expected = replay_until(
        base_rows.clone(),
        &records(),
        UNTIL_US,
        MAX_VERSIONS as usize,
    );
    let keys: Vec<&PrimaryKey> = expected.iter().map(|r| &r.primary_key).collect();
    assert!(keys.contains(&&key(5)) && keys.contains(&&key(55)) && keys.contains(&&key(200)));
    assert!(!keys.contains(&&key(30)) && !keys.contains(&&key(56)) && !keys.contains(&&key(300)));

    let base = Base::new(&base_rows, base_rows.clone());
    let (entry, rows) = read_at(Arc::clone(&base), records()).await;
    assert_eq!(rows, expected);
    assert_entry_describes(&entry, &expected);
    assert_eq!(
        base.reads.load(Ordering::SeqCst),
        2,
        "one pass to open, one to read"
    );
}

#[tokio::test]
async fn a_base_out_of_key_order_still_gives_every_row_once() {
    let base_rows: Vec<Row> = (1..=10).map(|i| base_row(i * 10)).collect();
    let expected = replay_until(
        base_rows.clone(),
        &records(),
        UNTIL_US,
        MAX_VERSIONS as usize,
    );
    let shuffled: Vec<Row> = base_rows
        .iter()
        .rev()
        .step_by(2)
        .chain(base_rows.iter().step_by(2))
        .cloned()
        .collect();
    let (entry, mut rows) = read_at(Base::new(&base_rows, shuffled), records()).await;
    rows.sort_by(|a, b| compare_keys(&a.primary_key, &b.primary_key));
    assert_eq!(rows, expected);
    assert_entry_describes(&entry, &expected);
}

#[tokio::test]
async fn without_changes_the_base_passes_as_it_is_and_is_read_once() {
    let base_rows: Vec<Row> = (1..=10).map(|i| base_row(i * 10)).collect();
    let base = Base::new(&base_rows, base_rows.clone());
    let late = vec![delete(10, UNTIL_US + 1)];
    let (entry, rows) = read_at(Arc::clone(&base), late).await;
    assert_eq!(rows, base_rows);
    assert_eq!(&entry, &base.manifest.tables[0]);
    assert_eq!(base.reads.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn an_untouched_base_row_unlike_the_base_manifest_fails_the_check() {
    let base_rows: Vec<Row> = (1..=10).map(|i| base_row(i * 10)).collect();
    let mut damaged = base_rows.clone();
    damaged[8].cells[0].value = Some(Value::Integer(7)); // row 90: no change before the instant
    let (entry, rows) = read_at(Base::new(&base_rows, damaged), records()).await;
    assert_ne!(checksum(&rows).digest(), entry.checksum);
}

/// A change of kind `kind` (0 put, 1 new version, 2 a base version deleted, 3 a column
/// deleted, 4 delete) to row `id`, the `n`th record.
fn any_change(n: usize, (kind, id, version): (u8, i64, i64)) -> StreamRecord {
    let at_us = n as i64 * 10;
    match kind {
        0 => put(id, at_us),
        1 => update(
            id,
            vec![Cell::put_at("a", Value::Integer(n as i64), 10 * version)],
            at_us,
        ),
        2 => update(
            id,
            vec![Cell::delete_one("a", 10 + 10 * (version % 2))],
            at_us,
        ),
        3 => update(id, vec![Cell::delete_all("b")], at_us),
        _ => delete(id, at_us),
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    /// Any mix of changes over base rows 0, 2, …, 10 and rows between them, many per row,
    /// cut at any instant: the same rows, in key order, as the whole-table replay.
    #[test]
    fn any_changes_stream_to_what_the_whole_table_replay_gives(
        changes in prop::collection::vec((0u8..5, 0i64..12, 0i64..4), 0..60),
        cut in 0i64..61,
    ) {
        let base_rows: Vec<Row> = (0..6).map(|i| base_row(2 * i)).collect();
        let records: Vec<StreamRecord> =
            changes.into_iter().enumerate().map(|(n, c)| any_change(n, c)).collect();
        let until_us = cut * 10;
        let expected = replay_until(base_rows.clone(), &records, until_us, MAX_VERSIONS as usize);
        let runtime = tokio::runtime::Builder::new_current_thread().build().unwrap();
        let (entry, rows) =
            runtime.block_on(read_until(Base::new(&base_rows, base_rows.clone()), records, until_us));
        prop_assert_eq!(&rows, &expected);
        let sum = checksum(&expected);
        prop_assert_eq!((entry.rows, entry.cells, entry.bytes), (sum.rows, sum.cells, sum.bytes));
        prop_assert_eq!(entry.checksum, sum.digest());
    }
}
