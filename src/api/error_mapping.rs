//! The run, scheduler and catalog errors as API errors: the one place where a domain error
//! gets its HTTP status. Unknown sources and stores, bad cron expressions and zones are the
//! caller's to fix (422); missing records are 404; state clashes 409; a state database that
//! cannot store changes is 503 `storage_unavailable` (retry later); the rest is ours (500).

use super::error::ApiError;
use crate::catalog::CatalogError;
use crate::runs::{DeletionError, RunError};
use crate::scheduler::SchedulerError;
use crate::schedules_as_code::ReloadError;

impl From<CatalogError> for ApiError {
    fn from(error: CatalogError) -> Self {
        match error {
            CatalogError::NotFound { .. } => ApiError::NotFound(error.to_string()),
            CatalogError::Conflict(_) | CatalogError::InvalidState { .. } => {
                ApiError::Conflict(error.to_string())
            }
            CatalogError::InvalidInput(_) | CatalogError::InvalidPageToken => {
                ApiError::InvalidRequest(error.to_string())
            }
            CatalogError::Storage(_) => ApiError::StorageUnavailable(error.to_string()),
            other => ApiError::Internal(other.into()),
        }
    }
}

impl From<RunError> for ApiError {
    fn from(error: RunError) -> Self {
        match error {
            RunError::UnknownSource(_) | RunError::UnknownStore(_) | RunError::Invalid(_) => {
                ApiError::ValidationFailed(error.to_string())
            }
            RunError::Conflict(reason) => ApiError::Conflict(reason),
            RunError::ShuttingDown => ApiError::Unavailable(error.to_string()),
            RunError::Catalog(catalog) => catalog.into(),
            other => ApiError::Internal(other.into()),
        }
    }
}

/// A store that refuses a deletion is 503 (the backup stays `deleting`).
impl From<DeletionError> for ApiError {
    fn from(error: DeletionError) -> Self {
        match error {
            DeletionError::Run(run) => run.into(),
            DeletionError::Catalog(catalog) => catalog.into(),
            DeletionError::Store { store, source, .. } => {
                ApiError::Unavailable(format!("store {store}: {source}"))
            }
        }
    }
}

/// A reload that changed nothing because of the file is the caller's to fix (422); without
/// a file there is nothing to reload (409).
impl From<ReloadError> for ApiError {
    fn from(error: ReloadError) -> Self {
        match error {
            ReloadError::NoFile => ApiError::Conflict(error.to_string()),
            ReloadError::Invalid(_) | ReloadError::NeedsRestart(_) => {
                ApiError::ValidationFailed(error.to_string())
            }
            ReloadError::Scheduler(scheduler) => scheduler.into(),
            ReloadError::Catalog(catalog) => catalog.into(),
        }
    }
}

impl From<SchedulerError> for ApiError {
    fn from(error: SchedulerError) -> Self {
        match error {
            SchedulerError::Cron(cron) => ApiError::ValidationFailed(cron.to_string()),
            SchedulerError::Run(run) => run.into(),
            SchedulerError::Catalog(catalog) => catalog.into(),
            other => ApiError::Internal(other.into()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_domain_error_gets_its_status() {
        let code = |e: ApiError| e.code();
        assert_eq!(
            code(RunError::UnknownSource("x".into()).into()),
            "validation_failed"
        );
        assert_eq!(code(RunError::ShuttingDown.into()), "unavailable");
        assert_eq!(code(RunError::Conflict("x".into()).into()), "conflict");
        let missing = CatalogError::NotFound {
            entity: "backup",
            id: "b".into(),
        };
        assert_eq!(code(RunError::Catalog(missing).into()), "not_found");
        assert_eq!(
            code(CatalogError::InvalidPageToken.into()),
            "invalid_request"
        );
        assert_eq!(
            code(CatalogError::Conflict("name".into()).into()),
            "conflict"
        );
        assert_eq!(code(SchedulerError::AlreadyStarted.into()), "internal");
        let full = CatalogError::Storage(sqlx::Error::Protocol("disk full".into()));
        assert_eq!(code(RunError::Catalog(full).into()), "storage_unavailable");
    }
}
