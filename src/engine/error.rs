//! The engine's error: what went wrong, and where (table, range) when it matters.
//!
//! Tablestore and store errors keep their source so callers (the CLI) can walk the chain and
//! recognise, say, an `OTSAuthFailed` or a refused connection, while the message says which
//! step failed.

use crate::store::StoreError;
use crate::tablestore::client::TablestoreError;

#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    #[error("table {0} does not exist")]
    TableNotFound(String),
    #[error("{context}: {source}")]
    Tablestore {
        context: String,
        #[source]
        source: TablestoreError,
    },
    #[error("{context}: {source}")]
    Store {
        context: String,
        #[source]
        source: StoreError,
    },
    #[error("cancelled")]
    Cancelled,
    #[error("invalid backup job: {0}")]
    Invalid(String),
    /// A bug: an engine task panicked or a state document did not parse.
    #[error("internal engine error: {0}")]
    Internal(String),
    /// A restore or verify job asks for something impossible (unknown table, conflicting
    /// renames, a target table whose key does not match the backup).
    #[error("{0}")]
    Refused(String),
    /// Restore with if-exists `fail` and the target table already holds rows. The message is
    /// neutral: the CLI (`--if-exists`) and the API (`if_exists`) each say how to choose.
    #[error(
        "target table {table} is not empty; restoring into it needs if-exists skip or overwrite"
    )]
    TargetNotEmpty { table: String },
    /// Rows the client gave up on (non-retryable, or retries exhausted).
    #[error("{failed} row(s) could not be written to table {table}: {first_error}")]
    RowsFailed {
        table: String,
        failed: u64,
        first_error: String,
    },
    /// Stored data does not match its manifest.
    #[error("backup data of table {table} does not match the manifest: {detail}")]
    Mismatch { table: String, detail: String },
}

impl EngineError {
    pub fn tablestore(context: impl Into<String>, source: TablestoreError) -> Self {
        EngineError::Tablestore {
            context: context.into(),
            source,
        }
    }

    pub fn store(context: impl Into<String>, source: StoreError) -> Self {
        EngineError::Store {
            context: context.into(),
            source,
        }
    }

    pub fn is_cancelled(&self) -> bool {
        matches!(self, EngineError::Cancelled)
    }
}
