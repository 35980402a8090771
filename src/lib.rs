//! TableVault: backup and restore for Alibaba Cloud Tablestore.
//!
//! # Layout
//! - [`tablestore`]: data model, wire protocol and client.
//! - [`store`]: backup stores (local archive directory, MongoDB).
//! - [`engine`]: moves tables between Tablestore and a store (backup, restore, verify).
//! - [`catalog`]: the daemon's SQLite state (schedules, runs, backup catalog, idempotency keys).
//! - [`retention`]: which backups a retention policy keeps (pure).
//! - [`emulator`]: a local Tablestore server speaking the same protocol, for tests and demos.
//! - [`cli`]: the `tablevault` command line.

pub mod catalog;
pub mod cli;
pub mod config;
pub mod emulator;
pub mod engine;
pub mod retention;
pub mod store;
pub mod tablestore;
