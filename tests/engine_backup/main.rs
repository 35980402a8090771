//! The backup engine end to end: our client writes data into the in-process emulator over real
//! sockets, the engine backs it up into an archive store in a temp dir, and the published
//! backup is compared row by row with a direct scan of the source.

#[path = "../support/mod.rs"]
mod support;

mod failing_store;
mod faults;
mod resume;
mod round_trip;
mod store_retries;
