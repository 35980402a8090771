//! What the deploy/ files rely on, checked on the real `tablevault` binary: readiness and
//! stopping reported to systemd over a real `NOTIFY_SOCKET`, SIGHUP, `tablevault health` (the
//! container HEALTHCHECK), and a shutdown that fits in one `shutdown_grace_seconds` budget (the
//! unit's TimeoutStopSec and Kubernetes' terminationGracePeriodSeconds are set from it).

mod bad_config;
mod container;
mod daemon;
mod examples;
mod health_command;
mod notify;
#[path = "../support/serve.rs"]
mod serve;
mod shutdown_budget;
