//! Throttling and partial batch failures injected by the emulator: the client resends the
//! failed rows, and the restored data is still exact.

use tablevault::emulator::{EmulatorConfig, FaultConfig};
use tablevault::engine::IfExists;

use crate::fixture::{typed_rows, typed_table, Fixture, DAY_MS};

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
