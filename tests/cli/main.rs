//! The `tablevault` binary end to end: an in-process emulator as the Tablestore instance, a
//! temporary archive store, a config file, and the built binary run as a child process.

#[path = "../support/mod.rs"]
mod support;

mod bad_input;
mod config_check;
mod copy;
mod flow;
mod harness;
mod help;
mod indexes;
mod ram_policy;
mod restore;
mod selftest;
mod unreachable;
mod verify;
