//! Claims held by work that is not a run: the REST API's deletion of a backup. Holding them
//! through the executor puts that work under the same exclusion rules as runs, so a restore or
//! verification submitted while the store deletes the backup is `skipped` with the reason
//! instead of reading half-deleted data, and the deletion is refused while a run reads it.

use std::sync::Arc;

use super::claims::{Claim, Holder};
use super::executor::Inner;
use super::{RunError, RunExecutor};

/// Claims held until this is dropped (released even if the holder's future is cancelled,
/// e.g. when the HTTP client goes away mid-request).
#[must_use = "the claims are released when this is dropped"]
pub struct HeldClaims {
    inner: Arc<Inner>,
    slot: u64,
}

impl std::fmt::Debug for HeldClaims {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HeldClaims")
            .field("slot", &self.slot)
            .finish()
    }
}

impl RunExecutor {
    /// Holds `claims` for `holder` (how refusals name it, e.g. "the API deletion of backup
    /// X") until the returned guard is dropped. [`RunError::Conflict`] names the run (or
    /// holder) in the way. While held, the daemon's shutdown waits for it like for a run.
    pub fn hold_claims(
        &self,
        holder: impl Into<String>,
        claims: Vec<Claim>,
    ) -> Result<HeldClaims, RunError> {
        let (slot, _cancel) = self
            .inner
            .reserve(Holder::Named(holder.into()), claims)
            .map_err(RunError::Conflict)?;
        // Not waiting for a slot of the global limit: a shutdown must not cancel it as queued.
        self.inner.mark_running(slot);
        Ok(HeldClaims {
            inner: self.inner.clone(),
            slot,
        })
    }

    /// Holds [`Claim::DeleteBackup`] on `backup_id` for the API's deletion of it.
    pub fn hold_backup_deletion(&self, backup_id: &str) -> Result<HeldClaims, RunError> {
        self.hold_claims(
            format!("the deletion of backup {backup_id}"),
            vec![Claim::DeleteBackup(backup_id.to_string())],
        )
    }
}

impl Drop for HeldClaims {
    fn drop(&mut self) {
        self.inner.release(self.slot);
    }
}
