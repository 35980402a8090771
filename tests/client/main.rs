//! The Tablestore client against the in-process emulator over real HTTP: table operations,
//! single rows, batches, scans, and failure handling.

#[path = "../support/mod.rs"]
mod support;

mod batch;
mod credentials;
mod faults;
mod gateway;
mod rows;
mod scan;
mod setup;
mod stream;
mod tables;
mod tls;
