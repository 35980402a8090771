//! Emulator tests: each starts an emulator in-process on port 0 and talks to it over real
//! HTTP with signed requests (see `client.rs`). One test binary, one module per area.

#[path = "../support/mod.rs"]
mod support;

mod auth;
mod batch;
mod cli;
mod client;
mod faults;
mod limits;
mod range;
mod rows;
mod split;
mod stream_sdk;
mod tables;
