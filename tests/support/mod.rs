//! Helpers shared by integration test binaries (`#[path = "../support/mod.rs"] mod support;`).

#![allow(dead_code)]

pub mod mongo_server;
