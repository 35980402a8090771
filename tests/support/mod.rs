//! The one support module of the integration tests. Every test binary (a folder with a
//! `main.rs`) includes it with `#[path = "../support/mod.rs"] mod support;` and uses its own
//! subset, so nothing here is dead code in every binary.
#![allow(dead_code)]

pub mod backup;
pub mod config;
pub mod daemon;
pub mod emulator;
pub mod engine;
pub mod mongo_server;
pub mod oracle;
pub mod poll;
pub mod ram_policy;
pub mod rows;
pub mod s3_server;
pub mod sealed;
pub mod serve;
pub mod server_process;
pub mod small_disk;
pub mod stream;
pub mod waves;
