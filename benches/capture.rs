//! Continuous capture (issue 12): throughput and lag under a write load, and memory under a
//! steady trickle of changes.
//!
//! 1. **Burst**: `BENCH_CHANGES` (default 100000) changes written as fast as the emulator
//!    takes them (batches of 200 rows, 4 in flight) while one capture stores them into change
//!    segments; prints the write rate, the capture rate, the lag (now − captured_until)
//!    sampled after every step, and how long capture needed after the last write.
//! 2. **Steady**: `BENCH_STEADY_RATE` changes/s (default 10) for `BENCH_STEADY_SECONDS`
//!    (default 180); prints the resident memory every 30 s: flat means the ratio of the last
//!    sample to the first stays near 1 whatever the duration.
//!
//! The emulator runs as a child process (`tablevault emulator`), so the memory is capture's
//! (plus the small writer). Run: `cargo bench --bench capture`.

mod support;

use std::time::{Duration, Instant};

use futures::StreamExt;
use std::sync::Arc;

use tablevault::capture::{ArchiveChangeStore, CaptureSettings, TableCapture};
use tablevault::tablestore::client::{chunk_writes, Client, RowWrite};
use tablevault::tablestore::{Cell, PkSchema, PkType, PkValue, PrimaryKey, Row};
use tablevault::tablestore::{TableDescription, Value};

const TABLE: &str = "capture_bench";
const KEYS: i64 = 10_000;

fn env_or<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn change(i: i64) -> Row {
    let key = PrimaryKey::new([("k", PkValue::Integer(i % KEYS))]);
    let cells = vec![
        Cell::put("payload", Value::String(format!("{i:0>120}"))),
        Cell::put("n", Value::Integer(i)),
    ];
    Row::new(key, cells)
}

/// Writes changes `from..to`, 4 batches in flight.
async fn write(client: &Client, from: i64, to: i64) {
    let writes = (from..to)
        .map(|i| RowWrite::put(TABLE, change(i)))
        .collect();
    futures::stream::iter(chunk_writes(writes).expect("chunk"))
        .for_each_concurrent(4, |batch| async move {
            let results = client.batch_write(&batch).await.expect("batch write");
            assert!(results.iter().all(Result::is_ok), "row failures");
        })
        .await;
}

fn lag_seconds(captured_until_us: Option<i64>) -> Option<f64> {
    let now = chrono::Utc::now().timestamp_micros();
    captured_until_us.map(|at| (now - at).max(0) as f64 / 1e6)
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

async fn burst(client: &Client, capture: &mut TableCapture, changes: i64) {
    let mut writer = {
        let client = client.clone();
        tokio::spawn(async move {
            let started = Instant::now();
            for from in (0..changes).step_by(1_000) {
                write(&client, from, (from + 1_000).min(changes)).await;
            }
            started.elapsed()
        })
    };
    let started = Instant::now();
    let (mut stored, mut lags, mut wrote) = (0usize, Vec::new(), None);
    while stored < changes as usize {
        let step = capture.run_once().await.expect("capture step");
        stored += step.records_stored;
        if let Some(lag) = lag_seconds(step.captured_until_us) {
            lags.push(lag);
        }
        if wrote.is_none() && writer.is_finished() {
            wrote = Some(((&mut writer).await.expect("writer"), Instant::now()));
        }
        if step.records_stored == 0 {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
    let captured = started.elapsed();
    let (write_time, writes_done) = match wrote {
        Some(done) => done,
        None => (writer.await.expect("writer"), Instant::now()),
    };
    lags.sort_by(f64::total_cmp);
    println!(
        "burst: {changes} changes written at {:.0}/s, captured at {:.0}/s ({:.2}× the write rate)",
        changes as f64 / write_time.as_secs_f64(),
        stored as f64 / captured.as_secs_f64(),
        write_time.as_secs_f64() / captured.as_secs_f64(),
    );
    println!(
        "burst: lag p50 {:.2} s, p90 {:.2} s, max {:.2} s over {} steps; caught up {:.2} s after the last write",
        percentile(&lags, 0.5),
        percentile(&lags, 0.9),
        percentile(&lags, 1.0),
        lags.len(),
        writes_done.elapsed().as_secs_f64(),
    );
}

async fn steady(client: &Client, capture: &mut TableCapture, rate: u64, seconds: u64) {
    let started = Instant::now();
    let mut tick = tokio::time::interval(Duration::from_millis(1_000 / rate.max(1)));
    let (mut next, mut stored, mut samples) = (1_000_000i64, 0usize, Vec::new());
    let mut last_sample = Instant::now() - Duration::from_secs(30);
    while started.elapsed() < Duration::from_secs(seconds) {
        tick.tick().await;
        write(client, next, next + 1).await;
        next += 1;
        stored += capture
            .run_once()
            .await
            .expect("capture step")
            .records_stored;
        if last_sample.elapsed() >= Duration::from_secs(30) {
            last_sample = Instant::now();
            samples.push((started.elapsed().as_secs(), support::status_mib("VmRSS")));
        }
    }
    samples.push((started.elapsed().as_secs(), support::status_mib("VmRSS")));
    let line: Vec<String> = samples
        .iter()
        .map(|(t, m)| format!("{t}s {m:.1}"))
        .collect();
    println!(
        "steady: {} changes at {rate}/s, {stored} stored; RSS MiB: {}",
        next - 1_000_000,
        line.join(", ")
    );
    let (first, last) = (samples[0].1, samples[samples.len() - 1].1);
    println!(
        "steady: last/first RSS {:.3}, peak {:.1} MiB",
        last / first,
        support::status_mib("VmHWM")
    );
}

fn main() {
    let changes: i64 = env_or("BENCH_CHANGES", 100_000);
    let rate: u64 = env_or("BENCH_STEADY_RATE", 10);
    let seconds: u64 = env_or("BENCH_STEADY_SECONDS", 180);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(async {
        let (mut child, _, client) = support::emulator_and_client();
        let mut table = TableDescription::new(TABLE, vec![PkSchema::new("k", PkType::Integer)]);
        table.options.max_versions = 1;
        table.stream_expiration_hours = Some(24);
        client.create_table(&table).await.expect("create table");
        let dir = tempfile::tempdir().expect("temp dir");
        let store = ArchiveChangeStore::new(dir.path(), "bench", TABLE).expect("change store");
        let mut capture = TableCapture::new(
            client.clone(),
            TABLE,
            Arc::new(store),
            CaptureSettings::default(),
        );
        capture.run_once().await.expect("first step");

        burst(&client, &mut capture, changes).await;
        support::reset_peak_rss();
        steady(&client, &mut capture, rate, seconds).await;
        let _ = child.kill();
    });
}
