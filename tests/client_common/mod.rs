//! Shared set-up for the client integration tests: an in-process emulator on port 0 and a
//! client pointed at it, plus an observer that records every HTTP attempt.
#![allow(dead_code)] // each test binary uses its own subset

use std::sync::{Arc, Mutex};
use std::time::Duration;

use tablevault::emulator::{Emulator, EmulatorConfig, EmulatorHandle};
use tablevault::tablestore::client::{Client, ClientConfig, RequestOutcome, RetryPolicy};
use tablevault::tablestore::{PkSchema, PkType, TableDescription};

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

/// The client configuration matching an emulator's credentials.
pub fn client_config(emulator: &EmulatorHandle) -> ClientConfig {
    let c = emulator.config();
    let mut config = ClientConfig::new(
        emulator.endpoint(),
        c.instance.clone(),
        c.access_key_id.clone(),
        c.access_key_secret.clone(),
    );
    config.retry = quick_retries();
    config
}

pub fn client(emulator: &EmulatorHandle) -> Client {
    Client::new(&client_config(emulator)).expect("valid client config")
}

/// Every HTTP attempt the client made, in order.
#[derive(Clone, Default)]
pub struct Recorder(Arc<Mutex<Vec<RequestOutcome>>>);

impl Recorder {
    pub fn attach(&self, client: Client) -> Client {
        let seen = self.0.clone();
        client.with_observer(Arc::new(move |outcome: &RequestOutcome| {
            seen.lock().unwrap().push(outcome.clone());
        }))
    }

    pub fn outcomes(&self) -> Vec<RequestOutcome> {
        self.0.lock().unwrap().clone()
    }

    /// The outcome codes of every attempt of `operation`.
    pub fn codes(&self, operation: &str) -> Vec<String> {
        self.outcomes()
            .into_iter()
            .filter(|o| o.operation == operation)
            .map(|o| o.code)
            .collect()
    }
}

/// A table keyed by (`pk_s` string, `pk_i` integer) keeping `max_versions` versions.
pub fn two_key_table(name: &str, max_versions: i32) -> TableDescription {
    let mut table = TableDescription::new(
        name,
        vec![
            PkSchema::new("pk_s", PkType::String),
            PkSchema::new("pk_i", PkType::Integer),
        ],
    );
    table.options.max_versions = max_versions;
    table
}

/// A table keyed by one integer column `id`.
pub fn int_key_table(name: &str) -> TableDescription {
    TableDescription::new(name, vec![PkSchema::new("id", PkType::Integer)])
}
