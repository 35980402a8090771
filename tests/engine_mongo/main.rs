//! The backup engine writing into the `mongodb` store on a real MongoDB-compatible server (one
//! per test): the server killed and restarted mid-backup, down for longer than the retry time,
//! and a cancelled backup. Run with `cargo test --test engine_mongo`.

// The emulator, client and comparison helpers of the archive-store engine tests.
#[path = "../support/mod.rs"]
mod support;

mod cancel;
mod outage;
mod setup;
