//! TableVault: backup and restore for Alibaba Cloud Tablestore.
//!
//! # Layout
//! - [`tablestore`]: data model, wire protocol and client.
//! - [`emulator`]: a local Tablestore server speaking the same protocol, for tests and demos.
//! - [`cli`]: the `tablevault` command line.

pub mod cli;
pub mod emulator;
pub mod tablestore;
