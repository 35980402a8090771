//! TableVault: backup and restore for Alibaba Cloud Tablestore.
//!
//! # Layout
//! - [`tablestore`]: data model, wire protocol and client.
//! - [`store`]: backup stores (local archive directory, MongoDB).
//! - [`engine`]: moves tables between Tablestore and a store (backup, restore, verify).
//! - [`emulator`]: a local Tablestore server speaking the same protocol, for tests and demos.
//! - [`cli`]: the `tablevault` command line.

pub mod cli;
pub mod config;
pub mod emulator;
pub mod engine;
pub mod store;
pub mod tablestore;
