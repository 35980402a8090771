//! The daemon's durable state in SQLite: schedules, run history, the backup catalog and
//! idempotency keys. [`Catalog`] is the repository: typed structs in, typed structs out, SQL
//! kept inside this module (runtime-checked `sqlx::query_as`, no build-time database).
//!
//! The schema lives in `migrations/` and is applied by [`Catalog::open`]. The stores remain the
//! source of truth for what data exists; [`Catalog::reconcile`] brings the catalog back in line
//! with them, and [`Catalog::mark_interrupted_runs`] cleans up after a crashed process.

mod backup_list;
mod backup_rows;
mod backups;
mod columns;
mod enums;
mod error;
mod idempotency;
mod idempotency_backlog;
mod ids;
mod interrupted;
mod open;
mod page;
mod reconcile;
mod run_list;
mod run_types;
mod runs;
mod schedule_types;
mod schedules;
mod write;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use chrono::{DateTime, Utc};
use sqlx::SqlitePool;

pub use backup_list::{BackupFilter, LastSuccess, StoredCount};
pub use backups::{Backup, BackupTable, NewBackup};
pub use enums::{BackupStatus, RunKind, RunStatus, RunTrigger, UnknownValue, VerifyResult};
pub use error::CatalogError;
pub use idempotency::{IdempotencyClaim, IdempotencyRequest, StoredResponse};
pub use ids::{new_run_id, new_schedule_id};
pub use open::{latest_version, MIGRATOR};
pub use page::{Page, PageRequest, DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE};
pub use reconcile::ReconcileReport;
pub use run_list::{LastFailure, RunFilter};
pub use run_types::{NewRun, Run, RunOutcome, RunProgress};
pub use schedule_types::{NewSchedule, Schedule, ScheduleUpdate};

/// Where "now" comes from; replaceable so tests (and the daemon's paused-time tests) control it.
pub type Clock = Arc<dyn Fn() -> DateTime<Utc> + Send + Sync>;

/// A handle on the state database. Cheap to clone; all clones share the pools.
#[derive(Clone)]
pub struct Catalog {
    /// Exactly one connection: every write is serialized here (see [`Catalog::open`]).
    writer: SqlitePool,
    /// Read-only connections for queries.
    reader: SqlitePool,
    write_health: Arc<write::WriteHealth>,
    /// Idempotency-key writes the database refused, until it takes them.
    key_backlog: Arc<idempotency_backlog::KeyBacklog>,
    path: PathBuf,
    clock: Clock,
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
