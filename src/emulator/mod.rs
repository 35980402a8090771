//! A Tablestore emulator: a local server that speaks the real wire protocol (HTTP `POST
//! /<Action>`, protobuf bodies, PlainBuffer rows, v2 signatures), so the official SDKs and our
//! client can run against it in tests and during development.
//!
//! ```no_run
//! # async fn demo() -> Result<(), tablevault::emulator::EmulatorError> {
//! use tablevault::emulator::{Emulator, EmulatorConfig};
//! let emulator = Emulator::start(EmulatorConfig::default()).await?;
//! println!("{}", emulator.endpoint()); // http://127.0.0.1:PORT, instance "emulator", test-ak / test-sk
//! emulator.shutdown().await;
//! # Ok(()) }
//! ```
//!
//! # Behaviour
//! - Every request is authenticated (access key id, instance, `x-ots-date` within 15 minutes,
//!   body MD5, v2 signature over all `x-ots-*` headers); failures are 403 OTSAuthFailed. Every
//!   response, errors included, carries `x-ots-contentmd5`, `x-ots-requestid`, `x-ots-date`,
//!   `x-ots-contenttype` and a signed `authorization`. Errors are protobuf `Error` bodies with
//!   the service's HTTP status; non-POST is 405 OTSMethodNotAllowed, an unknown action 400
//!   OTSUnsupportOperation.
//! - Actions: ListTable, CreateTable, DescribeTable, UpdateTable, DeleteTable, GetRow, PutRow,
//!   UpdateRow, DeleteRow, GetRange, BatchWriteRow, ComputeSplitPointsBySize. Filters and
//!   column conditions are refused with OTSParameterInvalid (not emulated).
//! - Stream API ([`stream`]): `stream_spec` in CreateTable/UpdateTable/DescribeTable,
//!   ListStream, DescribeStream, GetShardIterator, GetStreamRecord; every committed write
//!   (PutRow, UpdateRow, DeleteRow, each BatchWriteRow row) appends a record; records expire
//!   after the expiration time (hours of `stream_hour_ms`, shortened in tests); shards split on
//!   request (lineage).
//! - Indexes: CreateIndex / DropIndex with the service's rules for indexed tables
//!   ([`IndexBehaviour`]), and search index definitions (CreateSearchIndex,
//!   DescribeSearchIndex, ListSearchIndex, DeleteSearchIndex); `Search` itself is refused.
//! - Tables live in memory: rows ordered per PK column (INF_MIN < values < INF_MAX; integers
//!   numerically, strings and binaries bytewise), max versions, TTL, server-assigned millisecond
//!   timestamps, the allowed timestamp deviation, auto-increment key columns, row-existence
//!   conditions, and the service limits ([`limits`]).
//! - Table rules ([`TableRules`], see `table_rules.rs`): a not-ready window after CreateTable
//!   (`OTSTableNotReady` on writes), table-operation throttling ("Too frequent table
//!   operations."), the TTL bound on written timestamps (on by default), initial partitions;
//!   server-side encryption settings are kept and described; `allow_update = false` refuses
//!   UpdateRow.
//! - GetRange pages stop at min(limit, `page_row_limit`) rows or `page_byte_limit` bytes;
//!   ComputeSplitPointsBySize splits by accumulated row size (`split_unit_bytes` replaces the
//!   100 MB unit to get split points on small tables).
//!
//! # Fault injection
//! [`FaultConfig`] (start-up config, CLI flags, [`EmulatorHandle::set_faults`], or the control
//! endpoint) injects errors at a rate or for the next N requests, dropped connections, latency
//! and per-row BatchWriteRow failures, optionally only for some actions.
//!
//! # Control endpoint (unsigned JSON on the same port)
//! - `GET /_emulator/faults`, `POST /_emulator/faults` (body: a [`FaultConfig`]; missing
//!   fields take their defaults), e.g.
//!   `curl -XPOST localhost:PORT/_emulator/faults -d '{"error_rate":1,"actions":["GetRange"]}'`
//! - `POST /_emulator/reset` drops every table.
//! - `GET /_emulator/stats` returns [`EmulatorStats`] (requests per action, injected faults).
//! - `POST /_emulator/streams/split` (body `{"table": "t", "shard_id": optional}`) closes a
//!   shard of the table's stream and opens two children; answers `{"children": [id, id]}`.

mod batch;
mod config;
mod control;
mod dispatch;
mod error;
mod faults;
mod index_ops;
mod keys;
pub mod limits;
mod packed_row;
mod range;
mod read;
mod row_ops;
mod search_index_ops;
mod server;
mod split;
mod stats;
mod stream;
mod table_ops;
mod table_rules;
mod tables;
mod throttle;
mod wire;
mod write;

use std::net::SocketAddr;
use std::sync::Arc;

use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinHandle;

pub use config::{EmulatorConfig, IndexBehaviour, DEFAULT_PAGE_BYTE_LIMIT, DEFAULT_PAGE_ROW_LIMIT};
pub use dispatch::ACTIONS;
pub use error::ServiceError;
pub use faults::FaultConfig;
pub use split::DEFAULT_SPLIT_UNIT_BYTES;
pub use stats::EmulatorStats;
pub use table_rules::{TableRules, TOO_FREQUENT};

use server::Shared;
use tables::lock;

/// Why an emulator could not start.
#[derive(Debug, thiserror::Error)]
pub enum EmulatorError {
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        addr: SocketAddr,
        #[source]
        source: std::io::Error,
    },
    #[error("invalid fault settings: {0}")]
    InvalidFaults(String),
}

/// Starts emulators.
pub struct Emulator;

impl Emulator {
    /// Binds `config.listen` and serves in the background until the handle is shut down or
    /// dropped.
    pub async fn start(config: EmulatorConfig) -> Result<EmulatorHandle, EmulatorError> {
        config
            .faults
            .validate()
            .map_err(EmulatorError::InvalidFaults)?;
        let bind = |source| EmulatorError::Bind {
            addr: config.listen,
            source,
        };
        let listener = TcpListener::bind(config.listen).await.map_err(bind)?;
        let addr = listener.local_addr().map_err(bind)?;
        let shared = Arc::new(Shared::new(config));
        let (shutdown, shutdown_rx) = watch::channel(false);
        let task = tokio::spawn(server::accept_loop(listener, shared.clone(), shutdown_rx));
        tracing::info!(%addr, instance = %shared.config.instance, "Tablestore emulator started.");
        Ok(EmulatorHandle {
            addr,
            shared,
            shutdown,
            task: Some(task),
        })
    }
}

/// A running emulator. Dropping it stops the server (without waiting); [`Self::shutdown`]
/// stops it and waits for in-flight requests.
pub struct EmulatorHandle {
    addr: SocketAddr,
    shared: Arc<Shared>,
    shutdown: watch::Sender<bool>,
    task: Option<JoinHandle<()>>,
}

impl EmulatorHandle {
    /// The bound address (the real port when the config asked for port 0).
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://ADDR`, the endpoint to give clients.
    pub fn endpoint(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn config(&self) -> &EmulatorConfig {
        &self.shared.config
    }

    /// What a client needs to reach this emulator: its endpoint, instance and credentials
    /// (with the client's default retries). Tests, benches and the demo all start from it.
    pub fn client_config(&self) -> crate::tablestore::client::ClientConfig {
        let c = self.config();
        crate::tablestore::client::ClientConfig::new(
            self.endpoint(),
            c.instance.clone(),
            c.access_key_id.clone(),
            c.access_key_secret.clone(),
        )
    }

    /// Replaces the fault settings (as `POST /_emulator/faults` does).
    pub fn set_faults(&self, faults: FaultConfig) {
        control::set_faults(&self.shared, faults);
    }

    /// The current fault settings, with what is left of the `*_next` counters.
    pub fn faults(&self) -> FaultConfig {
        lock(&self.shared.faults).config().clone()
    }

    /// A snapshot of the counters.
    pub fn stats(&self) -> EmulatorStats {
        control::stats(&self.shared)
    }

    /// Requests received for `action` so far.
    pub fn request_count(&self, action: &str) -> u64 {
        lock(&self.shared.stats)
            .requests
            .get(action)
            .copied()
            .unwrap_or(0)
    }

    /// Splits the open shard `shard_id` (or the oldest open one) of `table`'s stream and
    /// returns the two children (as `POST /_emulator/streams/split` does).
    pub fn split_stream_shard(
        &self,
        table: &str,
        shard_id: Option<&str>,
    ) -> Result<[String; 2], String> {
        stream::split_shard(&self.shared.store, table, shard_id)
    }

    /// Drops every table.
    pub fn reset(&self) {
        self.shared.store.reset();
    }

    /// Stops accepting, lets in-flight requests finish, and returns when the server is down.
    pub async fn shutdown(mut self) {
        let _ = self.shutdown.send(true);
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
        tracing::info!(addr = %self.addr, "Tablestore emulator stopped.");
    }
}

impl Drop for EmulatorHandle {
    fn drop(&mut self) {
        let _ = self.shutdown.send(true);
    }
}
