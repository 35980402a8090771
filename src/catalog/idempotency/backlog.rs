//! Idempotency-key writes that the database refused, kept in memory until it takes them.
//!
//! A key's last two writes come *after* the request's own effect: storing its response, or
//! releasing the claim of a request that failed. If the disk is full at that moment, dropping
//! them would leave a half state: a committed run whose key answers 409 "in flight" forever,
//! or a failed request whose key can never be retried. So they wait here, the next claim (and
//! the readiness write probe) stores them first, and meanwhile a retry is answered from here:
//! the stored response is replayed, a pending release answers 503 until it is written.

use std::collections::HashMap;
use std::sync::Mutex;

use super::StoredResponse;
use crate::catalog::{Catalog, CatalogError};

/// What still has to be written for a key.
#[derive(Debug, Clone)]
pub(crate) enum PendingKeyWrite {
    Complete(StoredResponse),
    Release,
}

#[derive(Debug, Default)]
pub(crate) struct KeyBacklog {
    pending: Mutex<HashMap<String, PendingKeyWrite>>,
}

impl KeyBacklog {
    pub(crate) fn push(&self, key: &str, write: PendingKeyWrite) {
        self.lock().insert(key.to_string(), write);
    }

    pub(crate) fn get(&self, key: &str) -> Option<PendingKeyWrite> {
        self.lock().get(key).cloned()
    }

    fn remove(&self, key: &str) {
        self.lock().remove(key);
    }

    fn snapshot(&self) -> Vec<(String, PendingKeyWrite)> {
        self.lock()
            .iter()
            .map(|(k, w)| (k.clone(), w.clone()))
            .collect()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, PendingKeyWrite>> {
        // A panic while holding it cannot leave the map half-updated (single inserts/removes).
        self.pending.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl Catalog {
    /// Writes every pending key write; stops at the first failure (the disk is still full)
    /// and returns it. Entries written are forgotten.
    pub(crate) async fn settle_key_backlog(&self) -> Result<(), CatalogError> {
        for (key, write) in self.key_backlog.snapshot() {
            let written = match &write {
                PendingKeyWrite::Complete(response) => {
                    self.store_key_response(&key, response).await
                }
                PendingKeyWrite::Release => self.delete_key_claim(&key).await,
            };
            match written {
                Ok(()) => {
                    tracing::info!(key = %key, "Stored an idempotency key write the database had refused.");
                }
                Err(error) if error.is_storage() => return Err(error),
                // The key is gone (expired and purged): nothing left to keep consistent.
                Err(error) => {
                    tracing::warn!(key = %key, error = %error, "Dropped a pending idempotency key write.");
                }
            }
            self.key_backlog.remove(&key);
        }
        Ok(())
    }
}
