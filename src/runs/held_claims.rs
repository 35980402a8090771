//! Claims held by work that is not a run: the REST API's deletion of a backup. Holding them
//! through the executor puts that work under the same exclusion rules as runs, so a restore or
//! verification submitted while the store deletes the backup is `skipped` with the reason
//! instead of reading half-deleted data, and the deletion is refused while a run reads it.

use std::sync::Arc;

use super::claims::{Claim, Holder};
use super::records::RunRecords;
use super::RunError;

/// Claims held until this is dropped (released even if the holder's future is cancelled,
/// e.g. when the HTTP client goes away mid-request).
#[must_use = "the claims are released when this is dropped"]
pub struct HeldClaims {
    records: Arc<RunRecords>,
    slot: u64,
}

impl std::fmt::Debug for HeldClaims {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HeldClaims")
            .field("slot", &self.slot)
            .finish()
    }
}

impl HeldClaims {
    /// Holds `claims` for `holder` until dropped (`RunExecutor::hold_claims`).
    pub(crate) fn hold(
        records: &Arc<RunRecords>,
        holder: String,
        claims: Vec<Claim>,
    ) -> Result<HeldClaims, RunError> {
        let (slot, _cancel) = records
            .reserve(Holder::Named(holder), claims)
            .map_err(RunError::Conflict)?;
        // Not waiting for a slot of the global limit: a shutdown must not cancel it as queued.
        records.mark_running(slot);
        Ok(HeldClaims {
            records: records.clone(),
            slot,
        })
    }
}

impl Drop for HeldClaims {
    fn drop(&mut self) {
        self.records.release(self.slot);
    }
}
