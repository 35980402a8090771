//! Restore against the in-process emulator from backups written straight into a temporary
//! archive store: fidelity for every value type, old multi-version cells, PK-only rows,
//! auto-increment tables, rows over the 4 MB request limit, renames, existing-data policies,
//! dry runs, injected throttling and partial batch failures, and several tables at once.

#[path = "../support/mod.rs"]
mod support;

mod faults;
mod fidelity;
mod fixture;
mod new_table;
mod parallel;
mod partitions;
mod policies;
mod write_rate;
