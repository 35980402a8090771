//! Opening the state database: directories, pragmas, the two connection pools, migrations.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use sqlx::migrate::Migrator;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Connection, SqliteConnection, SqlitePool};

use super::{Catalog, CatalogError};

/// The migrations in `migrations/`, compiled into the binary.
pub static MIGRATOR: Migrator = sqlx::migrate!();

/// How long a connection waits for another process's write lock before `SQLITE_BUSY`.
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);
/// Readers in parallel; WAL lets them run beside the single writer.
const READERS: u32 = 4;

impl Catalog {
    /// Opens (creating if needed) the database at `path` and brings its schema up to date.
    ///
    /// Writes go through a pool of exactly one connection: SQLite allows one writer at a time
    /// anyway, and queueing writers in-process is what keeps concurrent tasks from ever seeing
    /// "database is locked". Reads use a separate read-only pool that WAL lets run beside it.
    /// Other processes on the same file are handled by the busy timeout and by taking write
    /// locks up front (`BEGIN IMMEDIATE`).
    pub async fn open(path: impl AsRef<Path>) -> Result<Catalog, CatalogError> {
        let path = path.as_ref().to_path_buf();
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent).map_err(|source| CatalogError::CreateDir {
                path: parent.to_path_buf(),
                source,
            })?;
        }
        let options = SqliteConnectOptions::new()
            .filename(&path)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .foreign_keys(true)
            .busy_timeout(BUSY_TIMEOUT);
        let open_error = |source| CatalogError::Open {
            path: path.clone(),
            source,
        };

        let writer = SqlitePoolOptions::new()
            .max_connections(1)
            .after_release(|conn, _| Box::pin(still_usable(conn)))
            .connect_with(options.clone().create_if_missing(true))
            .await
            .map_err(open_error)?;
        check_not_newer(&writer, &path).await?;
        MIGRATOR
            .run(&writer)
            .await
            .map_err(|source| CatalogError::Migrate {
                path: path.clone(),
                source,
            })?;
        // A write that always touches the file: fails here, with the path in the message, if
        // the database exists but cannot be written (read-only file or mount).
        sqlx::query(&format!("PRAGMA user_version = {}", latest_version()))
            .execute(&writer)
            .await
            .map_err(open_error)?;

        let reader = SqlitePoolOptions::new()
            .max_connections(READERS)
            .connect_with(options.read_only(true))
            .await
            .map_err(open_error)?;
        tracing::info!(path = %path.display(), version = latest_version(), "Opened the state database.");
        Ok(Catalog {
            writer,
            reader,
            write_health: Arc::default(),
            key_backlog: Arc::default(),
            path,
            clock: Arc::new(Utc::now),
        })
    }
}

/// Whether a writer connection handed back to the pool can serve the next write.
///
/// When a `COMMIT` fails (disk full), SQLite has already rolled the transaction back, so the
/// rollback sqlx then sends fails too and sqlx keeps counting the transaction as open: every
/// later `BEGIN IMMEDIATE` on that connection would be refused. Such a connection is closed
/// and the pool opens a fresh one, which is what lets writes work again once space is back,
/// without a restart. The ping first waits for the rollback queued by the dropped transaction.
async fn still_usable(conn: &mut SqliteConnection) -> Result<bool, sqlx::Error> {
    conn.ping().await?;
    Ok(!conn.is_in_transaction())
}

/// The newest schema version this build knows.
pub fn latest_version() -> i64 {
    MIGRATOR.iter().map(|m| m.version).max().unwrap_or(0)
}

/// Refuses a database migrated by a newer TableVault: its schema may hold columns or states
/// this build would misread or destroy.
async fn check_not_newer(pool: &SqlitePool, path: &Path) -> Result<(), CatalogError> {
    let has_table: Option<i64> = sqlx::query_scalar(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = '_sqlx_migrations'",
    )
    .fetch_optional(pool)
    .await?;
    if has_table.is_none() {
        return Ok(());
    }
    let found: Option<i64> =
        sqlx::query_scalar("SELECT MAX(version) FROM _sqlx_migrations WHERE success")
            .fetch_one(pool)
            .await?;
    let supported = latest_version();
    match found {
        Some(found) if found > supported => Err(CatalogError::TooNew {
            path: path.to_path_buf(),
            found,
            supported,
        }),
        _ => Ok(()),
    }
}
