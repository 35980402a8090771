//! Errors of the catalog boundary. The REST API maps them to statuses: `NotFound` → 404,
//! `Conflict`/`InvalidState` → 409, `InvalidInput`/`InvalidPageToken` → 400, `Storage` → 503,
//! the rest → 500.

use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum CatalogError {
    #[error("cannot create the state directory {path}: {source}")]
    CreateDir {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot open the state database {path} for writing: {source}")]
    Open { path: PathBuf, source: sqlx::Error },
    #[error(
        "the state database {path} has schema version {found}, newer than this build knows \
         ({supported}); upgrade TableVault or point it at another database"
    )]
    TooNew {
        path: PathBuf,
        found: i64,
        supported: i64,
    },
    #[error("migrating the state database {path}: {source}")]
    Migrate {
        path: PathBuf,
        source: sqlx::migrate::MigrateError,
    },
    #[error("{entity} {id} not found")]
    NotFound { entity: &'static str, id: String },
    /// A uniqueness rule was broken (a schedule name, a backup id).
    #[error("{0}")]
    Conflict(String),
    /// The record is not in a state that allows the change (finishing a finished run).
    #[error("{entity} {id} is {status}: {action} not allowed")]
    InvalidState {
        entity: &'static str,
        id: String,
        status: String,
        action: &'static str,
    },
    #[error("invalid input: {0}")]
    InvalidInput(String),
    #[error("invalid page token")]
    InvalidPageToken,
    /// A stored value that the code cannot read back (hand-edited row, bug).
    #[error("corrupt {column} value {value:?}: {reason}")]
    Corrupt {
        column: &'static str,
        value: String,
        reason: String,
    },
    /// The database file cannot take the change (disk full, I/O error, read-only): the write
    /// was rolled back whole, and a retry can succeed once the cause is gone.
    #[error("the state database cannot store changes: {0}")]
    Storage(sqlx::Error),
    #[error(transparent)]
    Database(sqlx::Error),
}

impl From<sqlx::Error> for CatalogError {
    fn from(error: sqlx::Error) -> Self {
        if is_storage_failure(&error) {
            CatalogError::Storage(error)
        } else {
            CatalogError::Database(error)
        }
    }
}

impl CatalogError {
    pub(crate) fn not_found(entity: &'static str, id: impl Into<String>) -> Self {
        CatalogError::NotFound {
            entity,
            id: id.into(),
        }
    }

    /// `true` when the disk, not the request, is at fault (see [`CatalogError::Storage`]).
    pub fn is_storage(&self) -> bool {
        matches!(self, CatalogError::Storage(_))
    }

    pub(crate) fn corrupt(column: &'static str, value: &str, reason: impl ToString) -> Self {
        CatalogError::Corrupt {
            column,
            value: value.to_string(),
            reason: reason.to_string(),
        }
    }
}

/// `true` for a UNIQUE or PRIMARY KEY violation, which callers turn into `Conflict`.
pub(crate) fn is_unique_violation(error: &sqlx::Error) -> bool {
    matches!(error, sqlx::Error::Database(db) if db.is_unique_violation())
}

/// SQLite's primary result codes for a file that cannot be written: SQLITE_READONLY,
/// SQLITE_IOERR, SQLITE_FULL, SQLITE_CANTOPEN (sqlx reports extended codes; the low byte is
/// the primary one).
const STORAGE_CODES: [i32; 4] = [8, 10, 13, 14];

fn is_storage_failure(error: &sqlx::Error) -> bool {
    let sqlx::Error::Database(db) = error else {
        return false;
    };
    db.code()
        .and_then(|code| code.parse::<i32>().ok())
        .is_some_and(|code| STORAGE_CODES.contains(&(code & 0xff)))
}
