//! `Idempotency-Key` support: the first request with a key claims it, its response is stored,
//! and retries get that response replayed instead of starting a second backup. Follows the
//! IETF draft and Stripe: a key reused for a different request is an error (422), a retry while
//! the first is still running is a conflict (409), keys expire (24 hours is customary).
//!
//! This file holds the types; `queries` the claims and their settling, `backlog` the key
//! writes the database refused.

use serde::Serialize;

mod backlog;
mod queries;

pub(crate) use backlog::KeyBacklog;

/// The identity of a request under a key. `request_hash` is the caller's fingerprint of the
/// body (e.g. SHA-256 hex): equal bodies, equal hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdempotencyRequest {
    pub key: String,
    pub method: String,
    pub path: String,
    pub request_hash: String,
}

/// A response to replay.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StoredResponse {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

/// The outcome of trying to claim a key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IdempotencyClaim {
    /// New (or the old claim expired): handle the request, then
    /// [`Catalog::complete_idempotency_key`] (or [`Catalog::release_idempotency_key`] if it
    /// failed before doing anything).
    Claimed,
    /// Handled before: send this response again.
    Replay(StoredResponse),
    /// The first request with this key is still being handled.
    InFlight,
    /// The key was used for a different method, path or body.
    Mismatch,
}
