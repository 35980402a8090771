//! Copying a backup between stores (issue 13): every direction between the three store kinds
//! (archive, a real MongoDB test server, a real S3 test server) restores the fidelity corpus
//! exactly; a copy whose rows do not match the source manifest, and a copy whose target dies
//! mid-copy, fail clearly and publish nothing. Run with `cargo test --test engine_copy`.

#[path = "../support/mod.rs"]
mod support;

mod failures;
mod round_trip;
mod stores;
