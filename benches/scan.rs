//! Full-table scan throughput of our client against the in-process emulator.
//!
//! Loads ~200k rows of ~200 bytes through `batch_write`, then scans the whole table with one
//! range and with the split-point ranges scanned 4 at a time, and prints rows/s and MB/s
//! (MB of PlainBuffer row data). Run with `cargo bench --bench scan`.

use std::time::{Duration, Instant};

use futures::StreamExt;
use tablevault::emulator::{Emulator, EmulatorConfig};
use tablevault::tablestore::client::{Client, Direction, RangeRequest};

mod support;

const ROWS: i64 = 200_000;
const TABLE: &str = "bench";
const RUNS: usize = 3;

async fn scan_count(client: &Client, request: RangeRequest) -> usize {
    client
        .scan(request)
        .map(|page| page.expect("scan page").len())
        .fold(0, |total, n| async move { total + n })
        .await
}

async fn scan_parallel(client: &Client, requests: Vec<RangeRequest>, parallel: usize) -> usize {
    futures::stream::iter(requests)
        .map(|request| scan_count(client, request))
        .buffer_unordered(parallel)
        .fold(0, |total, n| async move { total + n })
        .await
}

fn report(label: &str, times: &mut [Duration], rows: usize, bytes: usize) {
    times.sort();
    let best = times[0].as_secs_f64();
    let median = times[times.len() / 2].as_secs_f64();
    println!(
        "{label:<34} best {best:6.3} s  {:>9.0} rows/s  {:6.1} MB/s   (median {median:.3} s)",
        rows as f64 / best,
        bytes as f64 / best / 1e6,
    );
}

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(async {
        let emulator = Emulator::start(EmulatorConfig::default()).await.expect("emulator");
        let config = emulator.client_config();
        let client = Client::new(&config).expect("client");

        let started = Instant::now();
        let bytes = support::table::load(&client, TABLE, 0, ROWS).await as usize;
        let load_time = started.elapsed().as_secs_f64();
        println!(
            "loaded {ROWS} rows, {:.1} MB of row data ({:.0} B/row) in {load_time:.2} s: {:.0} rows/s",
            bytes as f64 / 1e6,
            bytes as f64 / ROWS as f64,
            ROWS as f64 / load_time
        );

        let whole = RangeRequest::whole_table(TABLE, ["pk_s", "pk_i"], Direction::Forward);
        let mut times = Vec::new();
        for _ in 0..RUNS {
            let started = Instant::now();
            let n = scan_count(&client, whole.clone()).await;
            times.push(started.elapsed());
            assert_eq!(n, ROWS as usize);
        }
        report("1 range", &mut times, ROWS as usize, bytes);

        // The emulator measures row size its own way: shrink the split size until there are
        // at least 4 ranges.
        let mut split_size = (bytes / 4) as u64 + 1;
        let ranges = loop {
            let ranges = client
                .compute_split_points(TABLE, split_size)
                .await
                .expect("split points");
            if ranges.len() >= 4 {
                break ranges;
            }
            split_size = split_size * 3 / 4;
        };
        let requests: Vec<RangeRequest> = ranges.iter().map(|r| r.to_request(TABLE)).collect();
        let mut times = Vec::new();
        for _ in 0..RUNS {
            let started = Instant::now();
            let n = scan_parallel(&client, requests.clone(), 4).await;
            times.push(started.elapsed());
            assert_eq!(n, ROWS as usize);
        }
        let label = format!("{} split ranges, 4 in parallel", ranges.len());
        report(&label, &mut times, ROWS as usize, bytes);
        emulator.shutdown().await;
    });
}
