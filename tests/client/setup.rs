//! Set-up of the client tests: the emulator and its clients (from the shared support
//! module), an observer that records every HTTP attempt, and the tables the tests use.

use std::sync::{Arc, Mutex};

pub use crate::support::emulator::{
    client, client_config, default_emulator, quick_retries, start_emulator,
};
use tablevault::tablestore::client::{Client, RequestOutcome};
use tablevault::tablestore::{PkSchema, PkType, TableDescription};

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
