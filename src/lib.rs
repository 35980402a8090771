//! TableVault: backup and restore for Alibaba Cloud Tablestore.
//!
//! # Layout
//! - [`tablestore`]: data model, wire protocol and client.

pub mod tablestore;
