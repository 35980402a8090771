//! `tablevault serve --demo` end to end: the real binary in a temporary directory, every
//! printed command run against it, the restore compared with the source through the emulator,
//! restarts on the same state, and the auth rules.

#[path = "../support/mod.rs"]
mod support;

mod api;
mod auth;
mod commands;
mod config_file;
mod daemon;
mod flow;
mod readme;
mod restart;
