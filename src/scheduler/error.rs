//! Errors of the scheduler boundary. For the REST layer: `Cron` → 400/422, `Run` and
//! `Catalog` as mapped by their own docs, `NotStarted`/`AlreadyStarted` → 500 (a wiring bug).

use super::CronError;
use crate::catalog::CatalogError;
use crate::runs::RunError;

#[derive(Debug, thiserror::Error)]
pub enum SchedulerError {
    #[error(transparent)]
    Cron(#[from] CronError),
    #[error(transparent)]
    Run(#[from] RunError),
    #[error(transparent)]
    Catalog(#[from] CatalogError),
    #[error("the scheduler is already started")]
    AlreadyStarted,
}
