//! Catalog tests on real SQLite files in temporary directories: opening and migrating, every
//! repository function, pagination and filters, ON DELETE SET NULL, start-up recovery,
//! reconciliation with a store's listing, idempotency keys, and concurrent writers.

mod backups;
mod concurrency;
mod idempotency;
mod interrupted;
mod listing;
mod open;
mod reconcile;
mod runs;
mod schedules;
mod support;
