//! The MongoDB side of the benchmark: a SecantusDB test server in its own process (so its
//! memory and CPU are not this process's), and the "drain" baselines that bulk-insert the same
//! documents a backup writes, encoded beforehand, with nothing else running: what the driver
//! and the server can ingest, in each of the two forms a batch of documents can travel in.

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};

use bson::RawDocumentBuf;
use futures::StreamExt;
use mongodb::options::{Acknowledgment, DatabaseOptions, WriteConcern};
use tablevault::store::mongo::{insert, raw_document};
use tablevault::tablestore::{Cell, Row};

use super::measure::{report, Cost, Phase};
use super::source::{in_key_order, make_row};

/// A running `secantusd-rs` on a temporary storage directory.
pub struct MongoServer {
    child: Child,
    _storage: tempfile::TempDir,
    pub uri: String,
}

fn binary() -> PathBuf {
    if let Ok(path) = std::env::var("TABLEVAULT_SECANTUSD") {
        return path.into();
    }
    let home = std::env::var("HOME").unwrap_or_default();
    let installed = PathBuf::from(home).join(".cargo/bin/secantusd-rs");
    if installed.exists() {
        installed
    } else {
        "secantusd-rs".into()
    }
}

impl MongoServer {
    /// Starts the server (see /work/shared/reference/mongodb-test-server.md for installing it);
    /// every phase from now on reports its CPU as `name`.
    pub fn start(name: &'static str) -> MongoServer {
        let storage = tempfile::tempdir().expect("temporary storage directory");
        let mut child = Command::new(binary())
            .args(["--host", "127.0.0.1", "--port", "0", "--storage-path"])
            .arg(storage.path())
            .args(["--cache-size", "256M", "--log-file-max", "8MB"])
            .args(["--log-level", "WARNING"])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("run secantusd-rs (cargo install secantus-mdb, or TABLEVAULT_SECANTUSD)");
        crate::measure::watch(name, child.id());
        let stdout = child.stdout.take().expect("server stdout");
        let mut lines = BufReader::new(stdout).lines();
        let port = lines
            .by_ref()
            .map_while(Result::ok)
            .find_map(|line| {
                line.split_once(" listening on ")
                    .and_then(|(_, address)| address.rsplit(':').next()?.trim().parse::<u16>().ok())
            })
            .expect("secantusd-rs prints its listening address");
        // Keep reading so the server never blocks on a full pipe.
        std::thread::spawn(move || lines.for_each(drop));
        MongoServer {
            child,
            _storage: storage,
            uri: format!("mongodb://127.0.0.1:{port}/?directConnection=true"),
        }
    }
}

impl Drop for MongoServer {
    fn drop(&mut self) {
        crate::measure::unwatch(self.child.id());
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Rows encoded ahead of each timed stretch of the drain: enough that the pause between
/// stretches is rare, few enough that the encoded documents stay far below the backup's memory.
const ENCODED_AHEAD: usize = 100_000;

/// How a drain sends its batches; the test server does not treat them alike.
#[derive(Clone, Copy)]
pub enum Wire {
    /// The driver's `insert_many`: the documents travel as an OP_MSG document sequence
    /// (kind 1), which this server stores as they came (its raw-BSON write fast path).
    DocumentSequence,
    /// The store's own `insert` commands, documents inline in the command body (what a backup
    /// sends; see `src/store/mongo/insert.rs` for why): this server decodes them with the body,
    /// checks them and encodes them again before storing them.
    StoreCommands,
}

impl Wire {
    fn label(self) -> &'static str {
        match self {
            Wire::DocumentSequence => "mongo drain (document sequence)",
            Wire::StoreCommands => "mongo drain (store's commands)",
        }
    }
}

/// Both drains, each on a server of its own, and the backup's share of each: against the
/// document sequence, the server's fastest ingest (issue 15's limit); against the store's
/// commands, the same wire form the backup used, so what is left is the backup's own cost
/// (the scan, the emulator, the pipeline).
pub async fn compare_drains(rows: u64, batch_rows: usize, writers: usize, backup: Option<&Cost>) {
    for wire in [Wire::DocumentSequence, Wire::StoreCommands] {
        // A server of its own: one that already holds the backup's rows ingests slower (its
        // cache is full), which would flatter the backup's share.
        let fresh = MongoServer::start("mongodb (drain)");
        // In key order, as the backup writes them: keys scattered over the `_id` index would
        // cost the server more than the backup's ordered batches do.
        let rows_in_order = in_key_order(rows as i64);
        let Drained {
            cost,
            count_seconds,
        } = drain(&fresh.uri, wire, rows_in_order, batch_rows, writers).await;
        drop(fresh);
        report(wire.label(), rows, &cost);
        println!(
            "{:<34} then an exact count of its rows (a backup's publish guard) took {count_seconds:.2} s",
            ""
        );
        let Some(backup) = backup else { continue };
        println!(
            "mongodb backup rate / {} rate = {:.2}{}",
            wire.label(),
            cost.seconds / backup.seconds,
            match wire {
                Wire::DocumentSequence => " (target >= 0.80)",
                Wire::StoreCommands => "",
            }
        );
        // The server's work per row in each: on this server the rate follows it.
        if let (Some(b), Some(d)) = (backup.other("mongodb"), cost.other("mongodb (drain)")) {
            println!(
                "mongodb server CPU, backup / {} = {:.2}",
                wire.label(),
                b / d
            );
        }
    }
}

/// A drain's cost, and how long the exact count a backup's publish makes then took.
struct Drained {
    cost: Cost,
    count_seconds: f64,
}

/// Bulk-inserts the documents of `rows` (row numbers in the order a backup writes them, built
/// by `make_row`, encoded exactly as the store encodes them, by its own function) in batches of
/// `batch_rows`, `parallel` batches in flight, unordered, with the store's write concern, sent
/// as `wire` says. The documents are encoded before the clock runs, `ENCODED_AHEAD` rows at a
/// time, so the rate is what the server ingests with nothing else running: the limit a backup
/// into MongoDB can approach. Then counts them as a backup's publish does, outside that time.
async fn drain(
    uri: &str,
    wire: Wire,
    rows: impl Iterator<Item = i64>,
    batch_rows: usize,
    parallel: usize,
) -> Drained {
    let client = mongodb::Client::with_uri_str(uri).await.expect("connect");
    // The store's write concern, so both wait for the same acknowledgement (the store's
    // commands state it themselves).
    let durable = WriteConcern::builder()
        .w(Acknowledgment::Majority)
        .journal(true)
        .build();
    let options = DatabaseOptions::builder().write_concern(durable).build();
    let database = client.database_with_options("drain", options);
    let collection = database.collection::<RawDocumentBuf>("bench");
    let mut total: Option<Cost> = None;
    let mut inserted = 0u64;
    let mut rows = rows.peekable();
    while rows.peek().is_some() {
        let mut batches: Vec<Vec<RawDocumentBuf>> = Vec::new();
        for i in rows.by_ref().take(ENCODED_AHEAD) {
            match batches.last_mut() {
                Some(batch) if batch.len() < batch_rows => {
                    batch.push(encoded_document(make_row(i)))
                }
                _ => batches.push(vec![encoded_document(make_row(i))]),
            }
        }
        inserted += batches.iter().map(|b| b.len() as u64).sum::<u64>();
        let phase = Phase::start();
        futures::stream::iter(batches)
            .map(|documents| {
                let (database, collection) = (database.clone(), collection.clone());
                async move {
                    match wire {
                        Wire::DocumentSequence => {
                            collection
                                .insert_many(&documents)
                                .ordered(false)
                                .await
                                .expect("insert_many");
                        }
                        Wire::StoreCommands => {
                            let duplicates =
                                insert::insert_documents(&database, "bench", &documents)
                                    .await
                                    .expect("insert");
                            assert!(
                                duplicates.is_empty(),
                                "a fresh collection has no duplicates"
                            );
                        }
                    }
                }
            })
            .buffer_unordered(parallel)
            .for_each(|()| async {})
            .await;
        let cost = phase.end();
        total = Some(match total {
            Some(sum) => sum.plus(&cost),
            None => cost,
        });
    }
    // Not in the drain's time, but a backup's publish makes this count, and on this server the
    // first full read of a collection just filled is the slow one (docs/performance.md).
    let counting = std::time::Instant::now();
    let stored = collection
        .count_documents(bson::doc! {})
        .await
        .expect("count");
    let count_seconds = counting.elapsed().as_secs_f64();
    assert_eq!(stored, inserted, "the drain's rows are all stored");
    client.database("drain").drop().await.expect("drop drain");
    Drained {
        cost: total.expect("at least one row"),
        count_seconds,
    }
}

/// The document the store writes for row `row` as scanned (every cell carries its version).
fn encoded_document(mut row: Row) -> RawDocumentBuf {
    row.cells = row
        .cells
        .into_iter()
        .map(|c| Cell::put_at(c.name, c.value.expect("put"), 1_700_000_000_000))
        .collect();
    raw_document::row_to_raw_document(&row, 0).expect("mappable")
}
