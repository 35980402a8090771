//! Restoring into a table the restore creates: the service's not-ready window after
//! CreateTable, throttled table operations, the TTL window, and the saved table settings.

use std::time::Duration;

use tablevault::emulator::{EmulatorConfig, TableRules};
use tablevault::engine::IfExists;
use tablevault::tablestore::client::RetryPolicy;

use crate::fixture::{typed_rows, typed_table, Fixture, DAY_MS};
use crate::support::emulator::client_with;

/// A client that gives up on a refused request within half a second: shorter than every
/// window below, so only the restore's own waiting can get through them.
fn impatient() -> RetryPolicy {
    RetryPolicy {
        max_elapsed: Duration::from_millis(500),
        base_delay: Duration::from_millis(10),
        max_delay: Duration::from_millis(100),
        max_attempts: 20,
    }
}

async fn fixture(rules: TableRules) -> Fixture {
    let mut fx = Fixture::start_with(EmulatorConfig {
        table_rules: rules,
        ..EmulatorConfig::default()
    })
    .await;
    fx.client = client_with(&fx.emulator, impatient());
    fx
}

#[tokio::test]
async fn the_restore_waits_until_a_created_table_accepts_writes() {
    let window = Duration::from_secs(3);
    let fx = fixture(TableRules {
        not_ready_for: window,
        ..TableRules::default()
    })
    .await;
    let rows = typed_rows(40, DAY_MS / 2);
    fx.backup("b1", &[(typed_table("orders"), rows.clone())])
        .await;

    let report = fx
        .restore("b1", fx.job(&[], IfExists::Fail))
        .await
        .expect("restore waits out the not-ready window");

    assert_eq!(fx.read_table("orders").await, rows);
    let ready_after = report.tables[0].ready_after_ms.expect("a created table");
    assert!(
        ready_after >= window.as_millis() as u64 - 500,
        "ready after {ready_after} ms"
    );
}
