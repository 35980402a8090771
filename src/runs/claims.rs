//! What a run holds while it is queued or running, and the conflict rules: never two runs of
//! one schedule, never two runs touching the same table of a source, never a deletion of a
//! backup that is being read. A run that would conflict is not queued behind the other one:
//! it is recorded as `skipped` with the reason (Velero's overlap guard, issue #3554: queued
//! duplicates pile up behind a slow run and then all fire at once).
//!
//! A restore's dry run only reads its targets: it shares them with other readers, and is kept
//! apart from runs that hold the tables (a backup reading them, a restore writing them) so its
//! report never describes a table halfway through a restore.

use std::collections::{BTreeSet, HashMap};

use tokio_util::sync::CancellationToken;

use crate::catalog::RunKind;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Claim {
    /// A backup of this schedule (id).
    Schedule(String),
    /// Tables of a source; `None` means every table (a schedule or restore without a list).
    Tables {
        source: String,
        tables: Option<BTreeSet<String>>,
    },
    /// Tables of a source inspected without writing (a restore's dry run): shared with other
    /// inspections, refused while a run holds the same tables.
    InspectTables {
        source: String,
        tables: Option<BTreeSet<String>>,
    },
    /// Reading a backup (restore, verify): shared with other readers.
    ReadBackup(String),
    /// Deleting a backup: exclusive.
    DeleteBackup(String),
}

impl Claim {
    pub fn tables(source: &str, tables: &[String]) -> Claim {
        Claim::Tables {
            source: source.to_string(),
            tables: table_set(tables),
        }
    }

    pub fn inspected_tables(source: &str, tables: &[String]) -> Claim {
        Claim::InspectTables {
            source: source.to_string(),
            tables: table_set(tables),
        }
    }

    /// The source and tables of a table claim, and whether it writes them.
    fn table_access(&self) -> Option<(&str, &Option<BTreeSet<String>>, bool)> {
        match self {
            Claim::Tables { source, tables } => Some((source, tables, true)),
            Claim::InspectTables { source, tables } => Some((source, tables, false)),
            _ => None,
        }
    }

    /// Why `self` cannot be held together with `other` (held by `holder`), if it cannot.
    fn conflict(&self, other: &Claim, holder: &str) -> Option<String> {
        if let (Some((source, a, mine)), Some((other_source, b, theirs))) =
            (self.table_access(), other.table_access())
        {
            if source != other_source || !(mine || theirs) {
                return None;
            }
            return shared_tables(a, b)
                .map(|what| format!("{what} of source {source} is in use by {holder}"));
        }
        match (self, other) {
            (Claim::Schedule(a), Claim::Schedule(b)) if a == b => Some(format!(
                "the previous run of this schedule ({holder}) is still queued or running"
            )),
            (Claim::DeleteBackup(a), Claim::ReadBackup(b) | Claim::DeleteBackup(b))
            | (Claim::ReadBackup(a), Claim::DeleteBackup(b))
                if a == b =>
            {
                Some(format!("backup {a} is in use by {holder}"))
            }
            _ => None,
        }
    }
}

fn table_set(tables: &[String]) -> Option<BTreeSet<String>> {
    (!tables.is_empty()).then(|| tables.iter().cloned().collect())
}

/// The first table two table claims share, named for a refusal; `None` = every table.
fn shared_tables(a: &Option<BTreeSet<String>>, b: &Option<BTreeSet<String>>) -> Option<String> {
    match (a, b) {
        (Some(a), Some(b)) => a.intersection(b).next().map(|t| format!("table {t}")),
        (Some(a), None) | (None, Some(a)) => a.iter().next().map(|t| format!("table {t}")),
        (None, None) => Some("every table".to_string()),
    }
}

/// What holds a set of claims: a run, or work done outside any run (the API's deletion of a
/// backup), named so a refused newcomer can say what is in its way.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Holder {
    Run(RunKind),
    Named(String),
}

impl From<RunKind> for Holder {
    fn from(kind: RunKind) -> Self {
        Holder::Run(kind)
    }
}

/// One queued or running run, or one holder of claims outside any run.
#[derive(Debug)]
pub(crate) struct ActiveRun {
    /// `None` for the moment between the reservation and the catalog insert, and for
    /// holders that are not runs.
    pub run_id: Option<String>,
    pub holder: Holder,
    pub claims: Vec<Claim>,
    pub cancel: CancellationToken,
    pub running: bool,
}

/// The registry of active runs, behind the executor's mutex.
#[derive(Debug, Default)]
pub(crate) struct ActiveRuns {
    next_slot: u64,
    runs: HashMap<u64, ActiveRun>,
}

impl ActiveRun {
    /// How a refusal names this holder.
    fn describe(&self) -> String {
        match (&self.holder, &self.run_id) {
            (Holder::Run(kind), Some(id)) => format!("run {id} ({kind})"),
            (Holder::Run(kind), None) => format!("another {kind} run"),
            (Holder::Named(name), _) => name.clone(),
        }
    }
}

impl ActiveRuns {
    /// Reserves `claims` for a new holder (usually a run), or says why another is in the way.
    pub fn reserve(
        &mut self,
        holder: impl Into<Holder>,
        claims: Vec<Claim>,
        cancel: CancellationToken,
    ) -> Result<u64, String> {
        // Claims in the caller's order, so the first one (a schedule's own) gives the reason.
        for mine in &claims {
            for active in self.runs.values() {
                let holder = active.describe();
                if let Some(reason) = active.claims.iter().find_map(|c| mine.conflict(c, &holder)) {
                    return Err(reason);
                }
            }
        }
        self.next_slot += 1;
        let slot = self.next_slot;
        self.runs.insert(
            slot,
            ActiveRun {
                run_id: None,
                holder: holder.into(),
                claims,
                cancel,
                running: false,
            },
        );
        Ok(slot)
    }

    pub fn get_mut(&mut self, slot: u64) -> Option<&mut ActiveRun> {
        self.runs.get_mut(&slot)
    }

    pub fn release(&mut self, slot: u64) {
        self.runs.remove(&slot);
    }

    pub fn by_run_id(&self, run_id: &str) -> Option<&ActiveRun> {
        self.runs
            .values()
            .find(|r| r.run_id.as_deref() == Some(run_id))
    }

    pub fn is_empty(&self) -> bool {
        self.runs.is_empty()
    }

    pub fn run_ids(&self) -> Vec<String> {
        let mut ids: Vec<String> = self
            .runs
            .values()
            .filter_map(|r| r.run_id.clone())
            .collect();
        ids.sort();
        ids
    }

    pub fn tokens(&self) -> Vec<CancellationToken> {
        self.runs.values().map(|r| r.cancel.clone()).collect()
    }

    /// Stop signals of the runs still waiting for a slot.
    pub fn queued_tokens(&self) -> Vec<CancellationToken> {
        self.runs
            .values()
            .filter(|r| !r.running)
            .map(|r| r.cancel.clone())
            .collect()
    }
}

#[cfg(test)]
mod tests;
