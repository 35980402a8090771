//! Helpers shared by the integration tests. Each test binary uses a different subset
//! (`#[path = "../support/mod.rs"] mod support;` from a test directory).
#![allow(dead_code)]

pub mod mongo_server;
pub mod oracle;
pub mod poll;
pub mod rows;
