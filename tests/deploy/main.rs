//! What the deploy/ files rely on, checked on the real `tablevault` binary: readiness and
//! stopping reported to systemd over a real `NOTIFY_SOCKET`, SIGHUP, `tablevault health` (the
//! container HEALTHCHECK), and a shutdown that fits in one `shutdown_grace_seconds` budget (the
//! unit's TimeoutStopSec and Kubernetes' terminationGracePeriodSeconds are set from it), and
//! a state database on a full disk (nothing acknowledged is lost, `/readyz` says so).

#[path = "../support/mod.rs"]
mod support;

mod bad_config;
mod container;
mod examples;
mod full_disk;
mod health_command;
mod notify;
mod orders_source;
mod run_log;
mod run_span;
mod schedules_file;
mod shutdown_budget;
