//! The PlainBuffer codec: property tests of our own round trip, and a byte-for-byte cross-check
//! with the official Python SDK.

#[path = "../support/mod.rs"]
mod support;

mod props;
mod sdk;
