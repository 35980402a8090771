//! The daemon's HTTP surface end to end: one integration binary (faster to link), each test
//! starting the whole `App` on port 0 with its own temporary state (see `helpers`).

#[path = "../support/mod.rs"]
mod support;

mod auth;
mod backup_copies;
mod backup_deletion;
mod backup_tables;
mod backups_stored;
mod capture_gap;
mod capture_loops;
mod change_pruning;
mod conventions;
mod deploy_contract;
mod exposition;
mod health;
mod helpers;
mod instance_lock;
mod metrics;
mod metrics_schedules;
mod metrics_state;
mod openapi;
mod pitr_restore;
mod problems;
mod process;
mod resources;
mod resources_daemon;
mod resources_helpers;
mod restore_reports;
mod schedule_copies;
mod schedule_mode;
mod schedule_tables;
mod schedules_as_code;
mod skipped_runs;
mod status_page;
