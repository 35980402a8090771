//! The adaptive write rate: under the service's capacity throttling the writers halve the
//! batches they keep in flight and climb back when the throttling stops, and the restored
//! data is exact. Observed through the report, not through timing.

use tablevault::config::EngineConfig;
use tablevault::emulator::FaultConfig;
use tablevault::engine::{IfExists, RunControls};

use crate::fixture::{typed_rows, typed_table, Fixture, DAY_MS};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn under_throttling_the_write_rate_goes_down_then_up_and_the_data_is_exact() {
    let fx = Fixture::start().await;
    // The backup holds batches of 50 rows: 40 BatchWriteRow requests.
    let rows = typed_rows(2000, DAY_MS / 2);
    fx.backup("b1", &[(typed_table("t"), rows.clone())]).await;
    // Each request takes 100 ms, and the "instance" serves 15 a second, 2 at once: eight
    // writers starting together are throttled, one writer alone (≤ 10 a second) never is.
    fx.emulator.set_faults(FaultConfig {
        actions: vec!["BatchWriteRow".into()],
        latency_ms: 100,
        throttle_requests_per_second: 15.0,
        throttle_burst: 2,
        ..FaultConfig::default()
    });
    let ctx = RunControls::new(EngineConfig {
        writers: 8,
        ..EngineConfig::default()
    });

    let report = fx
        .restore_with("b1", fx.job(&[("t", "t2")], IfExists::Fail), &ctx)
        .await
        .expect("a throttled restore completes");

    let stats = fx.emulator.stats();
    fx.emulator.set_faults(FaultConfig::default());
    assert_eq!(fx.read_table("t2").await, rows);
    assert!(stats.injected_errors > 0, "{stats:?}");
    let rate = report.tables[0].write_rate.expect("write rate reported");
    assert_eq!(rate.max_in_flight, 8);
    assert!(rate.throttled_batches > 0 && rate.decreases > 0, "{rate:?}");
    assert!(
        rate.lowest_in_flight < rate.max_in_flight,
        "went down: {rate:?}"
    );
    assert!(rate.increases > 0, "climbed back: {rate:?}");
    assert_eq!(ctx.progress.snapshot().write_batches_allowed, 0, "reset");
}
