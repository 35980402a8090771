//! What start-up recovery ([`super::recover`]) did, and the reason it stores on the runs a
//! dead process left unfinished. Apart from the recovery steps so that both
//! (`recovery`, `interrupted_work`) fill it without reaching into each other.

use std::collections::BTreeMap;

use crate::catalog::ReconcileReport;

/// The reason stored on runs a dead process left unfinished.
pub const INTERRUPTED_REASON: &str =
    "interrupted: the daemon stopped while this run was in progress";

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RecoveryReport {
    /// Runs marked `failed` because a previous process left them unfinished.
    pub interrupted_runs: Vec<String>,
    /// Per store, what reconciliation changed or found.
    pub reconciled: BTreeMap<String, ReconcileReport>,
    /// Stores whose listing failed (store name, error): not reconciled this time.
    pub unreachable_stores: Vec<(String, String)>,
    /// Staged backups whose data was deleted (now `failed`).
    pub cleaned: Vec<String>,
    /// Runs queued to resume staged backups.
    pub resume_runs: Vec<String>,
    /// Staged data of `failed` backups that was deleted (left by a store outage).
    pub abandoned_staged_deleted: Vec<String>,
    /// Interrupted runs whose work had in fact finished: now `succeeded`.
    pub settled_runs: Vec<String>,
    /// Backups left `deleting` whose deletion was finished: now `deleted`.
    pub finished_deletions: Vec<String>,
}
