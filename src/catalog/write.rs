//! How a catalog write reaches the disk: every one runs in an explicit `BEGIN IMMEDIATE`
//! transaction ([`Catalog::begin_write`]) and its result is handed out only after
//! [`WriteTx::commit`] succeeded.
//!
//! Why not plain statements: sqlx's `fetch_one`/`fetch_optional` stop stepping a statement at
//! its first row and reset it *ignoring the result*. Outside a transaction SQLite commits at
//! that reset, so an `INSERT … RETURNING` whose commit failed (`SQLITE_FULL` while appending to
//! the WAL) still returned its row, and the API acknowledged a record that was rolled back. An
//! explicit `COMMIT` is a statement of its own whose error sqlx reports. (A failed `COMMIT`
//! also leaves sqlx's connection unusable; the writer pool replaces it, see `open.rs`.)
//!
//! [`state_error`] explains a guarded write that matched nothing; [`WriteHealth`] notices when writes start and stop failing for storage reasons, logs each
//! change once, and lets the readiness probe and callers ask.

use std::ops::{Deref, DerefMut};
use std::sync::atomic::{AtomicBool, Ordering};

use sqlx::{Sqlite, SqliteConnection, Transaction};

use super::{latest_version, Catalog, CatalogError};

/// An open write transaction on the writer connection; rolled back if dropped uncommitted.
pub(crate) struct WriteTx<'a> {
    tx: Transaction<'static, Sqlite>,
    catalog: &'a Catalog,
}

impl Catalog {
    /// Starts a write, taking SQLite's write lock up front so it cannot fail half-way with
    /// `SQLITE_BUSY` against another process.
    pub(crate) async fn begin_write(&self) -> Result<WriteTx<'_>, CatalogError> {
        match self.writer.begin_with("BEGIN IMMEDIATE").await {
            Ok(tx) => Ok(WriteTx { tx, catalog: self }),
            Err(error) => Err(self.write_health.observe(error.into())),
        }
    }

    /// A write that changes nothing but must reach the disk: rewrites the schema version
    /// (the same value) and commits. A rolled-back probe would prove nothing, because in WAL
    /// mode an uncommitted page never leaves the page cache; this commit appends one page to
    /// the WAL, which is exactly what a real write needs and what a full disk refuses.
    pub async fn check_writable(&self) -> Result<(), CatalogError> {
        let mut tx = self.begin_write().await?;
        sqlx::query(&format!("PRAGMA user_version = {}", latest_version()))
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        // Writes work: store what was refused while they did not.
        self.settle_key_backlog().await
    }

    /// `true` while the last write failed for storage reasons (and none has succeeded since).
    pub fn writes_failing(&self) -> bool {
        self.write_health.failing.load(Ordering::Relaxed)
    }
}

impl WriteTx<'_> {
    /// Commits; only after this returns `Ok` may anyone be told the write happened.
    pub(crate) async fn commit(self) -> Result<(), CatalogError> {
        match self.tx.commit().await {
            Ok(()) => {
                self.catalog.write_health.recovered();
                Ok(())
            }
            Err(error) => Err(self.catalog.write_health.observe(error.into())),
        }
    }

    /// Ends a guarded `UPDATE … RETURNING`: commits and hands out its row, or, when the guard
    /// matched nothing, says why (the transaction is dropped, so rolled back).
    pub(crate) async fn commit_returning<R>(
        mut self,
        row: Option<R>,
        entity: &'static str,
        id: &str,
        action: &'static str,
    ) -> Result<R, CatalogError> {
        let Some(row) = row else {
            return Err(state_error(&mut self, entity, id, action).await);
        };
        self.commit().await?;
        Ok(row)
    }
}

impl Deref for WriteTx<'_> {
    type Target = SqliteConnection;

    fn deref(&self) -> &SqliteConnection {
        &self.tx
    }
}

impl DerefMut for WriteTx<'_> {
    fn deref_mut(&mut self) -> &mut SqliteConnection {
        &mut self.tx
    }
}

/// Explains why a guarded status change matched nothing: no such record, or one in another
/// state. `entity` is `run` or `backup` (its table is the plural). Runs on the write's own
/// connection: the writer pool has just the one.
pub(crate) async fn state_error(
    conn: &mut SqliteConnection,
    entity: &'static str,
    id: &str,
    action: &'static str,
) -> CatalogError {
    let status: Result<Option<String>, _> =
        sqlx::query_scalar(&format!("SELECT status FROM {entity}s WHERE id = ?"))
            .bind(id)
            .fetch_optional(&mut *conn)
            .await;
    match status {
        Ok(Some(status)) => CatalogError::InvalidState {
            entity,
            id: id.to_string(),
            status,
            action,
        },
        Ok(None) => CatalogError::not_found(entity, id),
        Err(e) => e.into(),
    }
}

/// Whether catalog writes currently fail for storage reasons. Shared by all clones of a
/// [`Catalog`]; logs the moment writes start failing and the moment they work again, so the
/// log says when acknowledged writes stopped and resumed without repeating itself per request.
#[derive(Debug, Default)]
pub(crate) struct WriteHealth {
    failing: AtomicBool,
}

impl WriteHealth {
    /// Notes a failed write and hands the error back.
    fn observe(&self, error: CatalogError) -> CatalogError {
        if error.is_storage() && !self.failing.swap(true, Ordering::Relaxed) {
            tracing::error!(
                error = %error,
                "Catalog writes are failing: the state database cannot store changes; \
                 writes are refused (503) until it can."
            );
        }
        error
    }

    fn recovered(&self) {
        if self.failing.swap(false, Ordering::Relaxed) {
            tracing::info!("Catalog writes work again.");
        }
    }
}
