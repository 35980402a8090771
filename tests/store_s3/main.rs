//! The `s3` backup store against a real S3-compatible server (`s3s-fs`, one per test): the
//! store's own lifecycle, the engine's fidelity round trip through it, the server dying
//! mid-backup, and refused credentials. Run with `cargo test --test store_s3`.

#[path = "../support/mod.rs"]
mod support;

mod credentials;
mod encryption;
mod lifecycle;
mod outage;
mod round_trip;
