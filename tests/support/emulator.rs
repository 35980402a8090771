//! An in-process emulator on port 0 and clients of it. Most tests retry with tiny delays, so
//! an injected fault passes in milliseconds instead of the production backoff; a test whose
//! faults must reach the code under test uses [`production_client`].

use std::time::Duration;

use futures::TryStreamExt;

use tablevault::emulator::{Emulator, EmulatorConfig, EmulatorHandle};
use tablevault::tablestore::client::{Client, ClientConfig, Direction, RangeRequest, RetryPolicy};
use tablevault::tablestore::Row;

/// A retry policy with tiny delays, so tests that retry stay fast.
pub fn quick_retries() -> RetryPolicy {
    RetryPolicy {
        max_elapsed: Duration::from_secs(10),
        base_delay: Duration::from_millis(1),
        max_delay: Duration::from_millis(20),
        max_attempts: 50,
    }
}

pub async fn start_emulator(config: EmulatorConfig) -> EmulatorHandle {
    Emulator::start(config).await.expect("emulator starts")
}

pub async fn default_emulator() -> EmulatorHandle {
    start_emulator(EmulatorConfig::default()).await
}

/// The emulator's endpoint and credentials, with quick retries.
pub fn client_config(emulator: &EmulatorHandle) -> ClientConfig {
    let mut config = emulator.client_config();
    config.retry = quick_retries();
    config
}

/// A client with quick retries.
pub fn client(emulator: &EmulatorHandle) -> Client {
    client_with(emulator, quick_retries())
}

/// A client retrying by `retry`.
pub fn client_with(emulator: &EmulatorHandle, retry: RetryPolicy) -> Client {
    let mut config = client_config(emulator);
    config.retry = retry;
    Client::new(&config).expect("valid client config")
}

/// A client with the production retry policy (what the daemon itself would use).
pub fn production_client(emulator: &EmulatorHandle) -> Client {
    client_with(emulator, RetryPolicy::default())
}

/// Every row of `table`, every version, cells in Tablestore's order ([`normalized`]).
pub async fn read_table(client: &Client, table: &str) -> Vec<Row> {
    let description = client.describe_table(table).await.expect("describe");
    let pk: Vec<&str> = description.pk_names().collect();
    let request = RangeRequest::whole_table(table, pk, Direction::Forward);
    let pages: Vec<Vec<Row>> = client.scan(request).try_collect().await.expect("scan");
    normalized(pages.into_iter().flatten().collect())
}

/// Cells sorted by name, newest version first (the order Tablestore returns them in), so
/// rows written by a test compare equal to rows read back.
pub use tablevault::selftest::corpus::normalized;
