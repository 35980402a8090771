//! The Tablestore side of the benchmark: the emulator (a child process by default, so this
//! process's peak RSS is the engine's alone), and the scan "drain" that reads
//! every range with the backup's parallelism and throws the rows away.

use std::process::Child;

use futures::StreamExt;
use tablevault::emulator::{Emulator, EmulatorConfig, EmulatorHandle};
use tablevault::tablestore::client::{Client, ClientConfig};

pub use crate::support::table::make_row;
use crate::support::table::PARTITIONS;

pub const TABLE: &str = "bench";
pub const SECRET: &str = "bench-sk";

/// The row numbers of a table of `rows` rows in key order (`pk_s` first, then `pk_i`): the order
/// a backup reads and writes them in.
pub fn in_key_order(rows: i64) -> impl Iterator<Item = i64> {
    (0..PARTITIONS.min(rows)).flat_map(move |p| (p..rows).step_by(PARTITIONS as usize))
}

/// The emulator, in this process or as a child.
pub enum Source {
    InProcess(EmulatorHandle),
    Child(Child),
}

impl Source {
    /// Starts the emulator (`BENCH_EMULATOR=inprocess` keeps it in this process).
    pub async fn start() -> (Source, ClientConfig) {
        if std::env::var("BENCH_EMULATOR").as_deref() == Ok("inprocess") {
            let emulator = Emulator::start(EmulatorConfig::default())
                .await
                .expect("emulator");
            let config = emulator.client_config();
            (Source::InProcess(emulator), config)
        } else {
            let (child, endpoint) = crate::support::start_emulator_child();
            crate::measure::watch("emulator", child.id());
            let config = ClientConfig::new(endpoint, "bench", "bench-ak", SECRET);
            (Source::Child(child), config)
        }
    }

    /// The child emulator's resident set in MiB (what holding the table costs it).
    pub fn child_rss_mib(&self) -> Option<f64> {
        let Source::Child(child) = self else {
            return None;
        };
        let status = std::fs::read_to_string(format!("/proc/{}/status", child.id())).ok()?;
        status
            .lines()
            .find_map(|l| l.strip_prefix("VmRSS:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
            .map(|kb| kb / 1024.0)
    }

    pub async fn stop(self) {
        match self {
            Source::InProcess(emulator) => emulator.shutdown().await,
            Source::Child(mut child) => {
                let _ = child.kill();
                let _ = child.wait();
            }
        }
    }
}

/// Scans every range, `parallel` at a time, and discards the rows: the source's speed limit.
/// Returns the number of ranges and of rows.
pub async fn drain(client: &Client, split_size: u64, parallel: usize) -> (usize, u64) {
    let ranges = client
        .compute_split_points(TABLE, split_size)
        .await
        .expect("split points");
    let count = ranges.len();
    let rows = futures::stream::iter(ranges)
        .map(|range| {
            let scan = client.scan(range.to_request(TABLE));
            scan.map(|page| page.expect("scan page").len() as u64)
                .fold(0, |total, n| async move { total + n })
        })
        .buffer_unordered(parallel)
        .fold(0, |total, n| async move { total + n })
        .await;
    (count, rows)
}
