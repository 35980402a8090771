//! The async Tablestore client.
//!
//! One [`Client`] holds one connection pool and is meant to be cloned into every task that
//! talks to the instance. Each operation is one logical call: its HTTP attempts are retried
//! with backoff (see [`backoff`]) when the error is retryable for that operation.
//!
//! # Layout
//! - `config`: [`ClientConfig`] and [`RetryPolicy`]; `source`: [`SourceConfig`], the config
//!   file's `[sources.NAME]`, which builds a [`ClientConfig`].
//! - `error`: [`TablestoreError`], the one error type.
//! - `transport`: signing, sending and verifying one attempt; `call`: the retry loop.
//! - `tables`, `rows`, `range`, `scan`, `batch`, `chunk`, `splits`, `stream`: the typed
//!   operations (`stream`: the Stream API, see docs/stream-api.md).

pub mod backoff;
mod batch;
mod call;
mod chunk;
pub mod config;
pub mod credentials;
pub mod duration_text;
pub mod error;
mod indexes;
mod observer;
mod range;
mod read_options;
mod rows;
mod scan;
mod source;
mod splits;
mod stream;
mod tables;
mod transport;
pub mod trust;
mod verify;

use std::sync::Arc;

pub use batch::{RowError, RowResult, RowWrite, WriteKind};
pub use chunk::{chunk_writes, encoded_write_size, MAX_BATCH_BYTES, MAX_BATCH_ROWS};
pub use config::{ClientConfig, RetryPolicy};
pub use credentials::{Credentials, CredentialsSource};
pub use error::{Result, TablestoreError};
pub use observer::{Observer, RequestOutcome, ThrottleListener, OUTCOME_OK};
pub use range::{Direction, RangePage, RangeRequest};
pub use read_options::{ReadOptions, TimeRange, ALL_VERSIONS};
pub use rows::RowExistence;
pub use source::SourceConfig;
pub use splits::{ranges_from_split_points, ScanRange};
pub use stream::{
    decode_record, PageError, RecordAction, RecordError, RecordPage, StreamDescription,
    StreamDetails, StreamRecord, StreamShard, StreamSummary,
};
pub use tables::{StreamChange, TableUpdate};

use transport::Transport;

/// An async Tablestore client; cheap to clone, safe to share between tasks.
#[derive(Clone)]
pub struct Client {
    transport: Arc<Transport>,
    retry: RetryPolicy,
    observer: Option<Observer>,
    throttle_listener: Option<ThrottleListener>,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("transport", &self.transport)
            .field("retry", &self.retry)
            .field("observer", &self.observer.is_some())
            .finish()
    }
}

impl Client {
    /// Validates the configuration and builds the connection pool (no request is sent).
    pub fn new(config: &ClientConfig) -> Result<Self> {
        Ok(Client {
            transport: Arc::new(Transport::new(config)?),
            retry: config.retry,
            observer: None,
            throttle_listener: None,
        })
    }

    /// Calls `observer` once per HTTP attempt with the operation and its outcome.
    pub fn with_observer(mut self, observer: Observer) -> Self {
        self.observer = Some(observer);
        self
    }

    /// A client sharing this one's connections that tells `listener` about throttling.
    pub fn with_throttle_listener(mut self, listener: ThrottleListener) -> Self {
        self.throttle_listener = Some(listener);
        self
    }

    pub(crate) fn heard_throttling(&self, code: &str) {
        if let Some(listener) = &self.throttle_listener {
            if crate::tablestore::codes::is_throttling(code) {
                listener(code);
            }
        }
    }

    /// A client sharing this one's connections but retrying with another policy.
    pub fn with_retry_policy(mut self, retry: RetryPolicy) -> Self {
        self.retry = retry;
        self
    }

    pub fn retry_policy(&self) -> &RetryPolicy {
        &self.retry
    }

    /// The endpoint requests go to, without a trailing slash.
    pub fn endpoint(&self) -> &str {
        self.transport.endpoint()
    }
}
