//! How a command fails: one line for stderr and an exit code.
//!
//! Exit codes: 0 success; 1 the run failed (including a backup that fails verification);
//! 2 bad input (arguments, config file, unknown source/store/table/backup, a restore refused
//! before writing); 3 the Tablestore endpoint cannot be reached or refuses the AccessKey, or an
//! object store refuses its access key.

use super::reach::{self, Cause};
use crate::config::ConfigError;
use crate::engine::EngineError;
use crate::store::StoreError;
use crate::tablestore::client::TablestoreError;
use crate::tablestore::codes;

#[derive(Debug, thiserror::Error)]
pub enum Failure {
    #[error("{0}")]
    Input(String),
    /// Bad input listing its problems one per line (`serve`'s config: each problem on its own
    /// line of the daemon's log, where one folded line would be hard to read).
    #[error("{0}")]
    Problems(String),
    #[error("access denied by {endpoint}: check the AccessKey for source {source_name}")]
    AccessDenied {
        endpoint: String,
        source_name: String,
    },
    /// An object store refused its access key: fixed outside TableVault, like a refused
    /// Tablestore AccessKey.
    #[error("{0}")]
    StoreAccessDenied(String),
    #[error("cannot reach {endpoint}: {cause}")]
    Unreachable { endpoint: String, cause: Cause },
    #[error("{0}")]
    Failed(String),
    #[error(transparent)]
    Other(#[from] anyhow::Error),
}

impl Failure {
    pub fn exit_code(&self) -> u8 {
        match self {
            Failure::Input(_) | Failure::Problems(_) => 2,
            Failure::AccessDenied { .. }
            | Failure::StoreAccessDenied(_)
            | Failure::Unreachable { .. } => 3,
            Failure::Failed(_) | Failure::Other(_) => 1,
        }
    }

    /// The message as printed after `error: `: on one line, except [`Failure::Problems`].
    /// Config problems, listed on several lines by [`ConfigError`], are folded with `; `.
    pub fn one_line(&self) -> String {
        match self {
            Failure::Problems(lines) => return lines.clone(),
            Failure::Other(e) => format!("{e:#}"),
            other => other.to_string(),
        }
        .replace(":\n  - ", ": ")
        .replace("\n  - ", "; ")
        .replace('\n', " ")
    }

    /// A config error with each problem on its own line (see [`Failure::Problems`]).
    pub fn config_problems(error: ConfigError) -> Self {
        Failure::Problems(error.to_string())
    }
}

impl From<ConfigError> for Failure {
    fn from(e: ConfigError) -> Self {
        Failure::Input(e.to_string())
    }
}

/// A Tablestore source as the messages name it.
#[derive(Debug, Clone)]
pub struct SourceRef {
    pub name: String,
    pub endpoint: String,
}

impl SourceRef {
    /// The failure for a Tablestore error of this source, when it is one the operator fixes
    /// outside TableVault (credentials, network).
    pub fn classify(&self, error: &TablestoreError) -> Option<Failure> {
        match error {
            TablestoreError::Service { code, .. }
                if code == codes::AUTH_FAILED || code == codes::NO_PERMISSION =>
            {
                Some(Failure::AccessDenied {
                    endpoint: self.endpoint.clone(),
                    source_name: self.name.clone(),
                })
            }
            TablestoreError::Connect { source, .. } => Some(Failure::Unreachable {
                endpoint: self.endpoint.clone(),
                cause: reach::cause(source),
            }),
            TablestoreError::Timeout { .. } => Some(Failure::Unreachable {
                endpoint: self.endpoint.clone(),
                cause: Cause::Timeout,
            }),
            _ => None,
        }
    }

    pub fn failure(&self, context: &str, error: TablestoreError) -> Failure {
        self.classify(&error)
            .unwrap_or_else(|| Failure::Failed(format!("{context}: {error}")))
    }
}

/// Store errors that mean the input named something that is not there.
pub fn store_failure(store: &str, error: StoreError) -> Failure {
    match error {
        StoreError::NotFound(id) => {
            Failure::Input(format!("backup {id} not found in store {store}"))
        }
        e @ (StoreError::TableNotFound { .. } | StoreError::InvalidId(_)) => {
            Failure::Input(e.to_string())
        }
        e @ StoreError::AccessDenied { .. } => {
            Failure::StoreAccessDenied(format!("store {store}: {e}"))
        }
        e => Failure::Failed(format!("store {store}: {e}")),
    }
}

/// Engine errors: refusals before writing are bad input, Tablestore errors are classified.
pub fn engine_failure(error: EngineError, source: Option<&SourceRef>) -> Failure {
    match error {
        EngineError::TableNotFound(table) => match source {
            Some(s) => Failure::Input(format!("table {table} does not exist in source {}", s.name)),
            None => Failure::Input(format!("table {table} does not exist")),
        },
        EngineError::TargetNotEmpty { table } => Failure::Input(format!(
            "target table {table} is not empty (use --if-exists skip or overwrite)"
        )),
        e @ (EngineError::Invalid(_) | EngineError::Refused(_)) => Failure::Input(e.to_string()),
        e @ EngineError::Store {
            source: StoreError::AccessDenied { .. },
            ..
        } => Failure::StoreAccessDenied(e.to_string()),
        EngineError::Tablestore { context, source: e } => match source {
            Some(s) => s.failure(&context, e),
            None => Failure::Failed(format!("{context}: {e}")),
        },
        e => Failure::Failed(e.to_string()),
    }
}
