//! The engine's error: what went wrong, and where (table, range) when it matters.

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
