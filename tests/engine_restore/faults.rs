//! Throttling and partial batch failures injected by the emulator: the client resends the
//! failed rows, and the restored data is still exact.

use tablevault::config::EngineConfig;
use tablevault::emulator::{EmulatorConfig, FaultConfig};
use tablevault::engine::{EngineError, IfExists, RunControls};

use crate::fixture::{typed_rows, typed_table, Fixture, DAY_MS};
use crate::support::poll::{wait_until, WAIT_LIMIT};

#[tokio::test]
async fn restored_data_is_exact_despite_throttling_and_failed_batch_rows() {
    let fx = Fixture::start_with(EmulatorConfig::default()).await;
    let rows = typed_rows(600, 5 * DAY_MS);
    fx.backup("b1", &[(typed_table("t"), rows.clone())]).await;
    fx.emulator.set_faults(FaultConfig {
        actions: vec!["BatchWriteRow".into()],
        error_rate: 0.2,
        error_codes: vec!["OTSServerBusy".into(), "OTSNotEnoughCapacityUnit".into()],
        batch_row_failure_rate: 0.3,
        batch_row_error_code: "OTSServerBusy".into(),
        seed: Some(7),
        ..FaultConfig::default()
    });

    let report = fx
        .restore("b1", fx.job(&[("t", "t2")], IfExists::Fail))
        .await
        .expect("restore");

    let stats = fx.emulator.stats();
    fx.emulator.set_faults(FaultConfig::default());
    assert_eq!(report.tables[0].rows, 600);
    assert_eq!(fx.read_table("t2").await, rows);
    assert!(stats.injected_errors > 0, "{stats:?}");
    assert!(stats.failed_batch_rows > 0, "{stats:?}");
}

#[tokio::test]
async fn a_cancelled_restore_stops_and_sets_the_deviation_back() {
    let fx = Fixture::start().await;
    fx.backup("b1", &[(typed_table("t"), typed_rows(600, 5 * DAY_MS))])
        .await;
    fx.client.create_table(&typed_table("t")).await.unwrap();
    fx.emulator.set_faults(FaultConfig {
        actions: vec!["BatchWriteRow".into()],
        latency_ms: 300,
        ..FaultConfig::default()
    });
    let ctx = RunControls::new(EngineConfig {
        writers: 1,
        ..EngineConfig::default()
    });

    let restore = fx.restore_with("b1", fx.job(&[], IfExists::Fail), &ctx);
    let cancel = async {
        let writing = || fx.emulator.request_count("BatchWriteRow") > 0;
        wait_until("the first batch write", WAIT_LIMIT, writing).await;
        ctx.cancel.cancel();
    };
    let (result, ()) = tokio::join!(restore, cancel);

    assert!(matches!(result, Err(EngineError::Cancelled)), "{result:?}");
    assert!(ctx.progress.snapshot().rows < 600);
    let d = fx.client.describe_table("t").await.unwrap();
    assert_eq!(d.options.max_time_deviation, 86_400);
}

#[tokio::test]
async fn one_timeout_does_not_fail_a_restore_under_skip() {
    let fx = Fixture::start().await;
    let rows = typed_rows(50, 5 * DAY_MS);
    fx.backup("b1", &[(typed_table("t"), rows.clone())]).await;
    // Skip puts with ExpectNotExist: not idempotent by the condition, yet the resend writes
    // the same content (or is refused because the first attempt landed).
    fx.emulator.set_faults(FaultConfig {
        actions: vec!["BatchWriteRow".into()],
        fail_next: 1,
        error_codes: vec!["OTSTimeout".into()],
        ..FaultConfig::default()
    });

    let report = fx
        .restore("b1", fx.job(&[("t", "t2")], IfExists::Skip))
        .await
        .expect("restore survives one OTSTimeout");

    assert_eq!(fx.emulator.stats().injected_errors, 1);
    assert_eq!(report.tables[0].rows, 50);
    assert_eq!(fx.read_table("t2").await, rows);
}
