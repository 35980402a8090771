//! TableVault: backup and restore for Alibaba Cloud Tablestore.
//!
//! # Layout
//! - [`tablestore`]: data model, wire protocol and client.
//! - [`store`]: backup stores (local archive directory, MongoDB).
//! - [`engine`]: moves tables between Tablestore and a store (backup, restore, verify).
//! - [`catalog`]: the daemon's SQLite state (schedules, runs, backup catalog, idempotency keys).
//! - [`retention`]: which backups a retention policy keeps (pure).
//! - [`runs`]: the run executor (backups, restores, verifications, retention deletions) and
//!   start-up recovery.
//! - [`scheduler`]: fires schedules from the catalog, through a handle to the run executor.
//! - [`schedules_as_code`]: the config file's `[[schedules]]` reconciled with the catalog.
//! - [`daemon`]: `tablevault serve` assembled: lock, bind, catalog, stores, executor, scheduler,
//!   background loops, one shutdown token, sd_notify. See `docs/architecture.md`.
//! - [`emulator`]: a local Tablestore server speaking the same protocol, for tests and demos.
//! - [`selftest`]: `tablevault selftest`, a backup and restore proven exact on a live instance.
//! - [`telemetry`]: logs and the Prometheus metric contract.
//! - [`api`]: the daemon's REST API (`tablevault serve`).
//! - [`cli`]: the `tablevault` command line.
//! - [`config`]: the config file, composed of each component's own section type.
//! - [`demo`]: `serve --demo`, the first-run experience on the built-in emulator.
//! - [`backoff`]: exponential backoff with full jitter (the client's and the engine's retries).

pub mod api;
pub mod backoff;
pub mod capture;
pub mod catalog;
pub mod cli;
pub mod config;
pub mod daemon;
pub mod demo;
pub mod emulator;
pub mod engine;
pub mod retention;
pub mod runs;
pub mod scheduler;
pub mod schedules_as_code;
pub mod selftest;
pub mod store;
pub mod tablestore;
pub mod telemetry;
