//! Errors of the run service boundary. The REST layer maps them: `UnknownSource`,
//! `UnknownStore`, `Invalid` → 400/422, `NotFound` (inside `Catalog`) → 404, `Conflict` →
//! 409, `ShuttingDown` → 503, the rest → 500. A run that fails while running is *not* an
//! error here: it is a run with status `failed` and a message.

use crate::catalog::CatalogError;
use crate::store::StoreError;
use crate::tablestore::client::TablestoreError;

#[derive(Debug, thiserror::Error)]
pub enum RunError {
    #[error("unknown source {0:?}")]
    UnknownSource(String),
    #[error("unknown store {0:?}")]
    UnknownStore(String),
    /// The request cannot be run as asked (e.g. a schedule without a completed backup).
    #[error("{0}")]
    Invalid(String),
    /// Claims held outside a run (see `held_claims`) conflict with an active run's.
    #[error("{0}")]
    Conflict(String),
    #[error("the daemon is shutting down; no new runs are accepted")]
    ShuttingDown,
    #[error("opening store {name}: {source}")]
    Store {
        name: String,
        #[source]
        source: StoreError,
    },
    #[error("source {name}: {source}")]
    Source {
        name: String,
        #[source]
        source: TablestoreError,
    },
    #[error(transparent)]
    Catalog(#[from] CatalogError),
}
