//! Catalog tests on real SQLite files in temporary directories: opening and migrating, every
//! repository function, pagination and filters, ON DELETE SET NULL, start-up recovery,
//! reconciliation with a store's listing, idempotency keys, concurrent writers, and every
//! write on a real full disk.

#[path = "../support/mod.rs"]
mod support;

mod backup_pages;
mod backup_queries;
mod backups;
mod concurrency;
mod full_disk;
mod idempotency;
mod interrupted;
mod open;
mod reconcile;
mod run_pages;
mod runs;
mod schedules;
mod test_catalog;
