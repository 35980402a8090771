//! The daemon's durable state in SQLite: schedules, run history, the backup catalog and
//! idempotency keys. [`Catalog`] is the repository: typed structs in, typed structs out, SQL
//! kept inside this module (runtime-checked `sqlx::query_as`, no build-time database).
//!
//! One folder per entity — `schedules/`, `runs/`, `backups/`, `idempotency/` — each with its
//! types, how they are stored and the queries on them. Shared by all: `open` (pools,
//! migrations), `write` (every write is a `BEGIN IMMEDIATE` transaction committed before its
//! result is handed out), `error`, `columns` (how values are stored), `page` (keyset listing).
//!
//! The schema lives in `migrations/` and is applied by [`Catalog::open`]. The stores remain the
//! source of truth for what data exists; [`Catalog::reconcile`] brings the catalog back in line
//! with them, and [`Catalog::mark_interrupted_runs`] cleans up after a crashed process.

mod backups;
mod columns;
mod error;
mod idempotency;
mod open;
mod page;
mod reconcile;
mod runs;
mod schedules;
mod write;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use chrono::{DateTime, Utc};
use sqlx::SqlitePool;

pub use backups::{
    Backup, BackupFilter, BackupStatus, BackupTable, LastCopy, LastSuccess, NewBackup, StoredCount,
    VerifyResult,
};
pub use columns::UnknownValue;
pub use error::CatalogError;
pub use idempotency::{IdempotencyClaim, IdempotencyRequest, StoredResponse};
pub use open::{latest_version, MIGRATOR};
pub use page::{Page, PageRequest, DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE};
pub use reconcile::ReconcileReport;
pub use runs::{
    new_run_id, LastFailure, NewRun, Run, RunFilter, RunKind, RunOutcome, RunProgress, RunStatus,
    RunTrigger,
};
pub use schedules::{
    copy_target_problems, new_schedule_id, parse_time_zone, CopyTarget, ManagedBy, NewSchedule,
    Schedule, ScheduleMode, ScheduleUpdate,
};

/// Where "now" comes from; replaceable so tests (and the daemon's paused-time tests) control it.
type NowFn = Arc<dyn Fn() -> DateTime<Utc> + Send + Sync>;

/// A handle on the state database. Cheap to clone; all clones share the pools.
#[derive(Clone)]
pub struct Catalog {
    /// Exactly one connection: every write is serialized here (see [`Catalog::open`]).
    writer: SqlitePool,
    /// Read-only connections for queries.
    reader: SqlitePool,
    write_health: Arc<write::WriteHealth>,
    /// Idempotency-key writes the database refused, until it takes them.
    key_backlog: Arc<idempotency::KeyBacklog>,
    path: PathBuf,
    clock: NowFn,
}

impl std::fmt::Debug for Catalog {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Catalog").field("path", &self.path).finish()
    }
}

impl Catalog {
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Replaces the clock used for `created_at`, `updated_at` and similar stamps.
    pub fn with_clock(mut self, clock: impl Fn() -> DateTime<Utc> + Send + Sync + 'static) -> Self {
        self.clock = Arc::new(clock);
        self
    }

    pub(crate) fn now(&self) -> DateTime<Utc> {
        (self.clock)()
    }

    /// Closes both pools, waiting for queries in flight (for a clean shutdown).
    pub async fn close(&self) {
        self.writer.close().await;
        self.reader.close().await;
    }
}
