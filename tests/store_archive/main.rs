//! The `archive` store against real temporary directories: round trips, staging and publish,
//! resume and retries, corruption detection, concurrency and streaming of large tables.

#[path = "../support/mod.rs"]
mod support;

mod corruption;
mod encryption;
mod helpers;
mod lifecycle;
mod resume;
mod round_trip;
