//! The MongoDB side of the benchmark: a SecantusDB test server in its own process (so its
//! memory and CPU are not this process's), and the "drain" baseline that bulk-inserts the same
//! documents a backup writes with nothing else running: what the server itself can ingest.

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};

use bson::Document;
use futures::StreamExt;
use mongodb::options::{Acknowledgment, DatabaseOptions, WriteConcern};
use tablevault::store::mongo::mapping;
use tablevault::tablestore::{Cell, Row};

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
    /// Starts the server (see /work/shared/reference/mongodb-test-server.md for installing it).
    pub fn start() -> MongoServer {
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
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Bulk-inserts the documents of `rows` rows (built by `make_row`, mapped exactly as the store
/// maps them) in batches of `batch_rows`, `parallel` batches in flight, unordered.
pub async fn drain(
    uri: &str,
    rows: i64,
    batch_rows: usize,
    parallel: usize,
    make_row: fn(i64) -> Row,
) {
    let client = mongodb::Client::with_uri_str(uri).await.expect("connect");
    // The store's write concern, so both wait for the same acknowledgement.
    let durable = WriteConcern::builder()
        .w(Acknowledgment::Majority)
        .journal(true)
        .build();
    let options = DatabaseOptions::builder().write_concern(durable).build();
    let collection = client
        .database_with_options("drain", options)
        .collection::<Document>("bench");
    let starts: Vec<i64> = (0..rows).step_by(batch_rows).collect();
    futures::stream::iter(starts)
        .map(|start| {
            let collection = collection.clone();
            async move {
                let end = (start + batch_rows as i64).min(rows);
                let documents: Vec<Document> = (start..end)
                    .map(|i| {
                        let mut row = make_row(i);
                        // As scanned: every cell carries its version.
                        row.cells = row
                            .cells
                            .into_iter()
                            .map(|c| Cell::put_at(c.name, c.value.expect("put"), 1_700_000_000_000))
                            .collect();
                        mapping::row_to_document(&row, 0).expect("mappable")
                    })
                    .collect();
                collection
                    .insert_many(documents)
                    .ordered(false)
                    .await
                    .expect("insert_many");
            }
        })
        .buffer_unordered(parallel)
        .for_each(|()| async {})
        .await;
    client.database("drain").drop().await.expect("drop drain");
}
