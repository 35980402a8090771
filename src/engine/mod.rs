//! The sync engine: moves whole tables between Tablestore and a backup store, DataX-style but
//! async. Reader tasks scan split ranges → bounded channels → writer tasks write batches; the
//! bounded channels are the back-pressure that keeps memory flat whatever the table size.

pub mod progress;

pub use progress::{Progress, ProgressSnapshot};
