//! The `mongodb` backup store against a real MongoDB-compatible server (one per test).
//!
//! One test binary for the whole store (faster to link); run with
//! `cargo test --test store_mongo`.

#[path = "../support/mod.rs"]
mod support;

mod faults;
mod fixtures;
mod generated;
mod lifecycle;
mod round_trip;
