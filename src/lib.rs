//! TableVault: backup and restore for Alibaba Cloud Tablestore.
//!
//! # Layout
//! - [`tablestore`]: data model, wire protocol and client.
//! - [`store`]: backup stores (local archive directory, MongoDB).

pub mod config;
pub mod store;
pub mod tablestore;
