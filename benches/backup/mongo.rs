//! The MongoDB side of the benchmark: a SecantusDB test server in its own process (so its
//! memory and CPU are not this process's), and the "drain" baseline that bulk-inserts the same
//! documents a backup writes, encoded beforehand, with nothing else running: what the driver
//! and the server can ingest.

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};

use bson::RawDocumentBuf;
use futures::StreamExt;
use mongodb::options::{Acknowledgment, DatabaseOptions, WriteConcern};
use tablevault::store::mongo::raw_document;
use tablevault::tablestore::{Cell, Row};

use super::measure::{Cost, Phase};

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

/// Bulk-inserts the documents of `rows` (row numbers in the order a backup writes them, built
/// by `make_row`, encoded exactly as the store encodes them, by its own function) in batches of `batch_rows`, `parallel`
/// batches in flight, unordered, with the store's write concern, through the driver's
/// `insert_many` (the store sends the same bytes as plain `insert` commands, which costs the
/// client a little less; the server's work is the same). The documents are encoded before the
/// clock runs, `ENCODED_AHEAD` rows at a time, so the rate is what the server ingests with
/// nothing else running: the limit a backup into MongoDB can approach.
pub async fn drain(
    uri: &str,
    rows: impl Iterator<Item = i64>,
    batch_rows: usize,
    parallel: usize,
    make_row: fn(i64) -> Row,
) -> Cost {
    let client = mongodb::Client::with_uri_str(uri).await.expect("connect");
    // The store's write concern, so both wait for the same acknowledgement.
    let durable = WriteConcern::builder()
        .w(Acknowledgment::Majority)
        .journal(true)
        .build();
    let options = DatabaseOptions::builder().write_concern(durable).build();
    let collection = client
        .database_with_options("drain", options)
        .collection::<RawDocumentBuf>("bench");
    let mut total: Option<Cost> = None;
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
        let phase = Phase::start();
        futures::stream::iter(batches)
            .map(|documents| {
                let collection = collection.clone();
                async move {
                    collection
                        .insert_many(&documents)
                        .ordered(false)
                        .await
                        .expect("insert_many");
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
    client.database("drain").drop().await.expect("drop drain");
    total.expect("at least one row")
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
